/**
 * File fuzz: every file format the backend loads, mutated — the site config (plenum.yaml), scenario files and
 * the OPC UA certificates it trusts (PEM/DER). Structural mutations of the real files (a value swapped for a hostile
 * one, a key dropped or added, an array blown up; reliability/fuzz/inputs.ts) and textual ones (truncated, bytes
 * flipped, tabs, duplicate keys, deep nesting, an alias bomb). Each must load or fail with a ConfigError whose every
 * line names the file and the field (or line) — never another exception, never more than a few seconds.
 *
 *   full: 30,000 inputs (npm run reliability -- --only file-fuzz)     short (CI): 1,500
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { parseConfig } from '../../backend/src/config/load';
import { ConfigError } from '../../backend/src/config/yaml-file';
import { CONNECTOR_NAMES } from '../../backend/src/connectors/all';
import { describeCertificate } from '../../backend/src/connectors/opcua/pki';
import { loadScenario } from '../../backend/src/scenario/load';
import { hostile, KEYS, mutate } from '../fuzz/inputs';
import { figure, type Suite } from '../suite';

const ROOT = path.resolve(__dirname, '../..');
/** one input may take this long before it counts as a hang (the config of 522 points parses in ~50 ms) */
const SLOW_MS = 5000;

const textual = (text: string) =>
  fc.oneof(
    fc.nat({ max: text.length }).map((n) => ({ how: 'truncated', text: text.slice(0, n) })),
    fc.tuple(fc.nat({ max: text.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => ({
      how: `byte ${i} → ${b}`,
      text: text.slice(0, i) + String.fromCharCode(b) + text.slice(i + 1),
    })),
    fc.nat({ max: text.length }).map((n) => ({ how: 'tab', text: text.slice(0, n) + '\t' + text.slice(n) })),
    fc.constantFrom(
      { how: 'empty', text: '' },
      { how: 'null', text: 'null' },
      { how: 'a list', text: '- 1\n- 2\n' },
      { how: 'duplicate key', text: `${text}\nsite: { id: x }\n` },
      { how: 'nested 10,000', text: '['.repeat(10_000) + ']'.repeat(10_000) },
      {
        how: 'alias bomb',
        text: [
          'a: &a ["x","x","x","x","x","x","x","x","x","x"]',
          ...Array.from({ length: 8 }, (_, i) => {
            const p = String.fromCharCode(97 + i);
            const n = String.fromCharCode(98 + i);
            return `${n}: &${n} [*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p}]`;
          }),
        ].join('\n'),
      },
      { how: 'env reference', text: text.replace('id: sim', 'id: ${PLENUM_FUZZ_UNSET}') },
      { how: 'binary', text: '\u0000\u0001\ufffd\ud800' },
    ),
  );

const structural = (doc: unknown) =>
  fc
    .tuple(fc.nat(), fc.nat(), hostile, fc.constantFrom(...KEYS), fc.constantFrom(2, 50))
    .map(([p, o, v, k, n]) => ({ how: `mutated #${o % 5} at ${p}`, text: stringify(mutate(doc, p, o, v, k, n)) }));

const inputs = (text: string) =>
  fc.oneof({ weight: 3, arbitrary: structural(parse(text)) }, { weight: 1, arbitrary: textual(text) });

/** Why a loader's outcome breaks the contract: only ConfigErrors, each line `file: field: …` or `file:line:col: …`. */
function breach(err: unknown, file: string): string | undefined {
  if (err === undefined) return undefined;
  if (!(err instanceof ConfigError)) return `${(err as Error)?.name}: ${(err as Error)?.message}`.slice(0, 300);
  // a scenario's error quotes its site config's errors, each line naming that file
  const bad = err.message
    .split('\n')
    .filter((l) => l && !l.startsWith(`${file}:`) && !/^\S+\.ya?ml(?::\d+:\d+)?: /.test(l) && !/^\s/.test(l));
  return bad.length ? `a line naming no file: ${bad[0]!.slice(0, 200)}` : undefined;
}

const suite: Suite = async ({ short, seed, log }) => {
  const perFormat = short ? 500 : 10_000;
  const failures = new Map<string, { count: number; example: string }>();
  const counts = { config: 0, scenario: 0, certificate: 0, loaded: 0 };
  let slowest = 0;
  const note = (format: string, how: string, why: string | undefined, ms: number) => {
    slowest = Math.max(slowest, ms);
    if (ms > SLOW_MS) why = `took ${ms.toFixed(0)} ms`;
    if (!why) return;
    const key = `${format}: ${why
      .replace(/"[^"]*"/g, '"…"')
      .replace(/\d+/g, 'N')
      .slice(0, 160)}`;
    const f = failures.get(key);
    if (f) f.count++;
    else failures.set(key, { count: 1, example: `[${how}] ${why}` });
  };
  const timed = (fn: () => unknown): [unknown, number] => {
    const t = performance.now();
    try {
      fn();
      return [undefined, performance.now() - t];
    } catch (err) {
      return [err, performance.now() - t];
    }
  };

  // the site config
  const configText = fs.readFileSync(path.join(ROOT, 'plenum.yaml'), 'utf8');
  const env = { PLENUM_DATA: os.tmpdir() };
  for (const { how, text } of fc.sample(inputs(configText), { seed, numRuns: perFormat })) {
    const [err, ms] = timed(() => parseConfig(text, 'fuzz.yaml', { connectors: CONNECTOR_NAMES, env }));
    counts.config++;
    if (err === undefined) counts.loaded++;
    if (counts.config % 1000 === 0) log(`config: ${counts.config} inputs, slowest ${slowest.toFixed(0)} ms`);
    note('config', how, breach(err, 'fuzz.yaml'), ms);
  }
  log(`config: ${counts.config} inputs, ${failures.size} failure shapes`);

  // scenarios: every shipped one is a seed, beside a copy of the site config it names
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-file-fuzz-'));
  try {
    fs.writeFileSync(path.join(dir, 'plenum.yaml'), configText);
    const shipped = fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml'));
    const each = Math.ceil(perFormat / shipped.length);
    shipped.forEach((name, i) => {
      const text = fs
        .readFileSync(path.join(ROOT, 'scenarios', name), 'utf8')
        .replace(/^config: .*$/m, 'config: plenum.yaml');
      const file = path.join(dir, name);
      for (const input of fc.sample(inputs(text), { seed: seed * 31 + i, numRuns: each })) {
        fs.writeFileSync(file, input.text);
        const [err, ms] = timed(() => loadScenario(file, env));
        counts.scenario++;
        note('scenario', `${name} ${input.how}`, breach(err, file), ms);
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(`scenarios: ${counts.scenario} inputs, ${failures.size} failure shapes`);

  // certificates (OPC UA trust lists, PEM or DER): a real one made with openssl, mutated, and random bytes
  const certDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-cert-fuzz-'));
  let pem: string;
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=fuzz',
        '-days',
        '1',
        '-keyout',
        path.join(certDir, 'key.pem'),
        '-out',
        path.join(certDir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    pem = fs.readFileSync(path.join(certDir, 'cert.pem'), 'utf8');
  } finally {
    fs.rmSync(certDir, { recursive: true, force: true });
  }
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const certInputs = fc.oneof(
    fc.uint8Array({ maxLength: 4000 }).map((b) => ({ how: 'random bytes', bytes: Buffer.from(b) })),
    fc.tuple(fc.nat({ max: der.length - 1 }), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
      const bytes = Buffer.from(der);
      bytes[i] = b;
      return { how: `DER byte ${i} → ${b}`, bytes };
    }),
    fc.nat({ max: der.length }).map((n) => ({ how: `DER cut at ${n}`, bytes: der.subarray(0, n) })),
    fc.nat({ max: pem.length }).map((n) => ({ how: `PEM cut at ${n}`, bytes: Buffer.from(pem.slice(0, n)) })),
  );
  for (const { how, bytes } of fc.sample(certInputs, { seed, numRuns: perFormat })) {
    const [err, ms] = timed(() => describeCertificate(bytes));
    counts.certificate++;
    const why =
      err === undefined || (err instanceof Error && err.message.length > 0 && !(err instanceof TypeError))
        ? undefined
        : `${(err as Error)?.name}: ${(err as Error)?.message}`.slice(0, 300);
    note('certificate', how, why, ms);
  }
  const total = counts.config + counts.scenario + counts.certificate;
  const crashes = [...failures.keys()].filter((k) => !k.includes('took') && !k.includes('naming no file')).length;
  const unnamed = [...failures.keys()].filter((k) => k.includes('naming no file')).length;
  return {
    suite: 'file-fuzz',
    figures: [
      figure(
        'inputs: config, scenarios, certificates',
        short ? '≥ 1,500 (short form)' : '≥ 30,000',
        `${total.toLocaleString('en')} (${counts.config} config of which ${counts.loaded} loaded, ${counts.scenario} scenario, ${counts.certificate} certificate)`,
        total >= perFormat * 3,
      ),
      figure('exceptions other than a named config error', '0', `${crashes} shapes`, crashes === 0),
      figure('config errors with a line naming no file', '0', `${unnamed} shapes`, unnamed === 0),
      figure('slowest input', `< ${SLOW_MS / 1000} s`, `${(slowest / 1000).toFixed(2)} s`, slowest < SLOW_MS),
    ],
    failures: [...failures].map(([k, f]) => `${k} (×${f.count}), e.g. ${f.example}`),
  };
};

export default suite;
