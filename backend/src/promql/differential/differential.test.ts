import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../config/load';
import { CONNECTOR_NAMES } from '../../connectors/all';
import { startPlenum, type RunningPlenum } from '../../plenum';
import { diff, type ApiAnswer } from './compare';
import { buildDataset, SPAN_MS } from './dataset';
import { prometheusAvailable, startPrometheus, type PrometheusPeer } from '../../remote-write/peers';
import { remoteWrite } from '../../remote-write/write-request';

/**
 * The proof of the Prometheus API: the same samples written into Debian's Prometheus 2.42 (remote write) and into
 * Plenum (POST /api/samples, the real ingest path, into the real historian), then every query of corpus/*.promql
 * asked of both over HTTP — as instant queries at several times and as range queries — and the answers compared
 * (compare.ts). A line starting with `~` is a documented deviation (README.md): reported, not asserted.
 */

const ROOT = path.resolve(__dirname, '../../../..');
const CORPUS_DIR = path.join(__dirname, '../corpus');
const INSTALL_HINT = 'the differential test needs Debian prometheus: apt-get install -y prometheus (.ci/run lists it)';

interface CorpusQuery {
  file: string;
  line: number;
  text: string;
  deviation: boolean;
}

function loadCorpus(): CorpusQuery[] {
  return fs
    .readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.promql'))
    .sort()
    .flatMap((file) =>
      fs
        .readFileSync(path.join(CORPUS_DIR, file), 'utf8')
        .split('\n')
        .flatMap((raw, i) => {
          const line = raw.trim();
          if (line === '' || line.startsWith('#')) return [];
          const deviation = line.startsWith('~');
          return [{ file, line: i + 1, text: deviation ? line.slice(1).trim() : line, deviation }];
        }),
    );
}

let prom: PrometheusPeer | undefined;
let plenum: RunningPlenum | undefined;
let dataDir: string | undefined;
/** the data's first sample time, ms: an hour boundary three hours ago */
const BASE = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000;

async function ask(base: string, endpoint: string, params: Record<string, string>, post: boolean): Promise<ApiAnswer> {
  const body = new URLSearchParams(params);
  const res = post
    ? await fetch(`${base}${endpoint}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      })
    : await fetch(`${base}${endpoint}?${body}`);
  const text = await res.text();
  try {
    return JSON.parse(text) as ApiAnswer;
  } catch {
    return { status: 'error', errorType: `http ${res.status}`, error: text.slice(0, 200) };
  }
}

beforeAll(async () => {
  if (!prometheusAvailable()) throw new Error(INSTALL_HINT);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-promql-diff-'));
  const config = loadConfig(path.join(ROOT, 'plenum.yaml'), {
    connectors: CONNECTOR_NAMES,
    env: { PLENUM_DATA: dataDir, PLENUM_PORT: '0', PLENUM_HOST: '127.0.0.1' },
  });
  [prom, plenum] = await Promise.all([startPrometheus(), startPlenum(config, { noSources: true, log: () => {} })]);
  const data = buildDataset(plenum.catalog, BASE);
  await remoteWrite(prom.url, data.series);
  for (let i = 0; i < data.samples.length; i += 2000) {
    const res = await fetch(`${plenum.url}/api/samples`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ samples: data.samples.slice(i, i + 2000) }),
    });
    const r = (await res.json()) as { accepted: number; rejected: unknown[] };
    if (r.rejected.length) throw new Error(`Plenum rejected samples: ${JSON.stringify(r.rejected.slice(0, 3))}`);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all([prom?.remove(), plenum?.stop()]);
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const sec = (ms: number) => String(ms / 1000);

/** instant query times: the data's end, inside the gap, past some lookbacks, past all, and an odd time */
const INSTANT_TIMES = [SPAN_MS, 61 * 60_000, SPAN_MS + 4 * 60_000, SPAN_MS + 7 * 60_000, 45 * 60_000 + 7_321];
/** range queries: the whole span and past its end at 1 min; an unaligned start with a 37 s step */
const RANGES: Array<[number, number, string]> = [
  [0, SPAN_MS + 10 * 60_000, '60'],
  [13_000, SPAN_MS, '37s'],
];

describe('PromQL against Prometheus 2.42 on the same samples', () => {
  it('answers every corpus query as Prometheus does (instant and range)', async () => {
    const corpus = loadCorpus();
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    const vars = (q: string) =>
      q
        .replace(/\$start/g, sec(BASE))
        .replace(/\$mid/g, sec(BASE + 3_600_000))
        .replace(/\$end/g, sec(BASE + SPAN_MS));
    const failures: string[] = [];
    const deviations: string[] = [];
    let compared = 0;
    let agreedQueries = 0;
    let nonEmpty = 0;
    const jobs = corpus.map((c) => async () => {
      const query = vars(c.text);
      const asks: Array<[string, Record<string, string>, boolean]> = [
        ...INSTANT_TIMES.map((t, i): [string, Record<string, string>, boolean] => [
          '/query',
          { query, time: sec(BASE + t) },
          i % 2 === 1,
        ]),
        ...RANGES.map(([a, b, step], i): [string, Record<string, string>, boolean] => [
          '/query_range',
          { query, start: sec(BASE + a), end: sec(BASE + b), step },
          i % 2 === 0,
        ]),
      ];
      const why: string[] = [];
      for (const [endpoint, params, post] of asks) {
        const [a, b] = await Promise.all([
          ask(`${plenum!.url}/prometheus/api/v1`, endpoint, params, post),
          ask(`${prom!.url}/api/v1`, endpoint, params, post),
        ]);
        compared++;
        if (b.status === 'success' && JSON.stringify(b.data?.result ?? []) !== '[]') nonEmpty++;
        const d = diff(a, b);
        if (d) why.push(`${endpoint} ${JSON.stringify(params.time ?? params.step)}: ${d}`);
      }
      const where = `${c.file}:${c.line} ${c.text}`;
      if (why.length === 0) agreedQueries++;
      if (c.deviation)
        deviations.push(`${where}\n    ${why.length ? why.slice(0, 2).join('\n    ') : 'now agrees: drop the ~'}`);
      else if (why.length) failures.push(`${where}\n    ${why.slice(0, 3).join('\n    ')}`);
    });
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < jobs.length) await jobs[next++]!();
      }),
    );
    const summary = `${corpus.length} queries (${compared} comparisons, ${nonEmpty} non-empty on Prometheus): ${agreedQueries} agree in every mode, ${failures.length} differ, ${deviations.length} documented deviations`;
    if (process.env.PROMQL_DIFF_REPORT)
      fs.writeFileSync(
        process.env.PROMQL_DIFF_REPORT,
        [summary, ...failures, '-- deviations', ...deviations].join('\n'),
      );
    expect({ summary, failures }).toEqual({ summary: expect.stringContaining('0 differ'), failures: [] });
    // a corpus that Prometheus answers with nothing would prove nothing
    expect(nonEmpty).toBeGreaterThan(compared / 2);
  }, 300_000);
});
