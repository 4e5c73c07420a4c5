/**
 * `npm run reliability [-- --short] [--only fuzz,crash] [--seed N]`: runs the reliability suites
 * (reliability/suites/*.ts, each a default-exported Suite) one after another, prints each figure beside its
 * target, writes reports/reliability/<suite>.json and checks that no configured token appears in anything the
 * suites' processes printed. Exits 1 when a figure misses its target or a suite fails.
 *
 * The full form is what docs/reliability.md quotes (about 100 minutes on two cores); `--short` is the form
 * CI runs through the suites' own tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { leakedTokens, type Suite, type SuiteResult } from './suite';

const ROOT = path.resolve(__dirname, '..');
const SUITES = path.join(__dirname, 'suites');

export function suiteNames(): string[] {
  return fs
    .readdirSync(SUITES)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export function formatResult(r: SuiteResult, seconds: number): string {
  const lines = [
    `## ${r.suite} (${seconds.toFixed(0)} s)`,
    '',
    '| figure | target | measured | |',
    '|---|---|---|---|',
  ];
  for (const f of r.figures) lines.push(`| ${f.name} | ${f.target} | ${f.measured} | ${f.ok ? 'met' : 'MISSED'} |`);
  for (const f of r.failures) lines.push('', `FAILURE: ${f}`);
  for (const n of r.notes ?? []) lines.push('', `note: ${n}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { short: { type: 'boolean' }, only: { type: 'string' }, seed: { type: 'string' } },
  });
  const all = suiteNames();
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : all;
  const unknown = only.filter((s) => !all.includes(s));
  if (unknown.length) throw new Error(`--only: no suite ${unknown.join(', ')}; suites are ${all.join(', ')}`);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed: expected an integer, got ${values.seed}`);
  const outDir = path.join(ROOT, 'reports/reliability');
  fs.mkdirSync(outDir, { recursive: true });
  let failed = false;
  for (const name of only) {
    const logged: string[] = [];
    const log = (line: string) => {
      logged.push(line);
      console.log(`[${name}] ${line}`);
    };
    const suite = ((await import(path.join(SUITES, `${name}.ts`))) as { default: Suite }).default;
    const t0 = performance.now();
    let result: SuiteResult;
    try {
      result = await suite({ short: values.short ?? false, seed, log });
    } catch (err) {
      result = { suite: name, figures: [], failures: [`the suite threw: ${(err as Error)?.stack ?? String(err)}`] };
    }
    const seconds = (performance.now() - t0) / 1000;
    const leaked = leakedTokens(logged.join('\n') + (result.output ?? ''));
    result.figures.push({
      name: 'tokens in logs',
      target: '0',
      measured: leaked.length ? `${leaked.length} (${leaked.join(', ')})` : '0',
      ok: leaked.length === 0,
    });
    console.log(`\n${formatResult(result, seconds)}\n`);
    const { output: _output, ...kept } = result;
    fs.writeFileSync(
      path.join(outDir, `${name}.json`),
      JSON.stringify({ ...kept, short: values.short ?? false, seed, seconds }, null, 2),
    );
    if (result.failures.length || result.figures.some((f) => !f.ok)) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}

if (require.main === module) {
  main().catch((err) => {
    console.error(String((err as Error)?.message ?? err));
    process.exit(2);
  });
}
