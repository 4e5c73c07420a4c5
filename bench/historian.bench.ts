import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Point, Sample, Site } from '@plenum/model';
import { Catalog } from '../backend/src/catalog/catalog';
import type { QueryContext } from '../backend/src/query/context';
import { runQueries } from '../backend/src/query/engine';
import type { Plan } from '../backend/src/query/resolution';
import { stringifyAnswer } from '../backend/src/query/serialize';
import { openHistorian } from '../backend/src/historian/historian';
import type { Historian } from '../backend/src/historian/types';
import { Dataset, type DatasetOptions } from './dataset';
import { Influx, INFLUXD } from './influx';

/**
 * Historian benchmark: ingest CPU, size on disk and query latency of the embedded historian against a bare
 * better-sqlite3 insert loop and InfluxDB 1.6, all on the same generated data in one run.
 *
 *   npm run bench:historian              full run: 1 000 numeric + 50 state points, 24 simulated hours
 *   npm run bench:historian -- --quick   (or BENCH_QUICK=1) 200 + 10 points, 4 hours
 *
 * Prints figures and ratios; asserts nothing.
 */

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const CFG = QUICK
  ? { numeric: 200, extra: 10, hours: 4, latestPoints: 5000, queryRuns: 5, influxQueryRuns: 3, latestRuns: 30 }
  : { numeric: 1000, extra: 50, hours: 24, latestPoints: 5000, queryRuns: 10, influxQueryRuns: 5, latestRuns: 50 };
const HOUR = 3_600_000;
const END = Math.floor(Date.now() / HOUR) * HOUR;
const START = END - CFG.hours * HOUR;
const DATASET: DatasetOptions = { numericPoints: CFG.numeric, extraStatePoints: CFG.extra, seed: 20240601 };
/** ingest calls in flight, like many connectors delivering at once */
const IN_FLIGHT = 64;
const INFLUX_BATCH_LINES = 5000;
/** the dashboard query: ~1 000 buckets over 24 h, step rounded up to whole minutes so 1-minute rollups serve it */
const QUERY_SPAN = Math.min(24 * HOUR, CFG.hours * HOUR);
const MAX_DATA_POINTS = 1000;
const QUERY_STEP = Math.ceil(QUERY_SPAN / MAX_DATA_POINTS / 60_000) * 60_000;

function cpuSeconds(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const st = statSync(join(dir, name));
    total += st.isDirectory() ? folderBytes(join(dir, name)) : st.size;
  }
  return total;
}

function percentile(values: number[], p: number): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)] as number;
}

async function timeRuns(runs: number, fn: () => unknown | Promise<unknown>): Promise<{ p50: number; p95: number }> {
  await fn(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

interface IngestFigures {
  samples: number;
  cpuS: number;
  wallS: number;
  extra?: string;
}

/** Walks the data set hour by hour; `consume` is timed (CPU and wall), generating the data is not. */
async function forEachHour(consume: (batches: Sample[][]) => Promise<void> | void): Promise<IngestFigures> {
  const ds = new Dataset(DATASET);
  let samples = 0;
  let cpu = 0;
  let wall = 0;
  for (let t = START; t < END; t += HOUR) {
    const batches = ds.batches(t, HOUR);
    for (const b of batches) samples += b.length;
    const c0 = cpuSeconds();
    const w0 = performance.now();
    await consume(batches);
    cpu += cpuSeconds() - c0;
    wall += performance.now() - w0;
  }
  return { samples, cpuS: cpu, wallS: wall / 1000 };
}

async function ingestHistorian(dir: string): Promise<IngestFigures & { bytes: number; freeBytes: number }> {
  const h = openHistorian({ dir });
  const ds = new Dataset(DATASET);
  h.ensurePoints(ds.points.map((p) => ({ id: p.id, valueType: p.valueType })));
  const figures = await forEachHour(async (batches) => {
    const inflight = new Set<Promise<unknown>>();
    for (const b of batches) {
      const p: Promise<unknown> = h.ingest(b).then((r) => {
        if (r.rejected.length > 0) throw new Error(`rejected: ${JSON.stringify(r.rejected[0])}`);
        inflight.delete(p);
      });
      inflight.add(p);
      if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  });
  // close compresses what is still in the heads: part of the cost of ingesting
  const c0 = cpuSeconds();
  const w0 = performance.now();
  const stats = h.stats();
  await h.close();
  figures.cpuS += cpuSeconds() - c0;
  figures.wallS += (performance.now() - w0) / 1000;
  figures.extra = `${stats.commits} commits`;
  // pages freed by merging an hour's early pieces stay in the file for the next hours to reuse
  const db = new Database(join(dir, 'historian.db'), { readonly: true });
  const free =
    (db.pragma('freelist_count', { simple: true }) as number) * (db.pragma('page_size', { simple: true }) as number);
  db.close();
  return { ...figures, bytes: folderBytes(dir), freeBytes: free };
}

async function ingestSqliteLoop(dir: string): Promise<IngestFigures & { bytes: number }> {
  const db = new Database(join(dir, 'loop.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE samples (point INTEGER NOT NULL, ts INTEGER NOT NULL, value)');
  const insert = db.prepare('INSERT INTO samples (point, ts, value) VALUES (?, ?, ?)');
  const keys = new Map(new Dataset(DATASET).points.map((p, i) => [p.id, i + 1]));
  db.exec('BEGIN');
  const figures = await forEachHour((batches) => {
    for (const b of batches) {
      for (const s of b)
        insert.run(keys.get(s.pointId), s.ts, typeof s.value === 'boolean' ? Number(s.value) : s.value);
    }
  });
  const c0 = cpuSeconds();
  db.exec('COMMIT');
  figures.cpuS += cpuSeconds() - c0;
  db.close();
  return { ...figures, bytes: folderBytes(dir) };
}

interface InfluxFigures {
  ingest: IngestFigures & { serverCpuS: number; clientCpuS: number; serverCpuWithCompactionS: number };
  bytes: number;
  settled: boolean;
  query: { p50: number; p95: number };
  latest: { p50: number; p95: number };
}

const measurementOf = (() => {
  const m = new Map(new Dataset(DATASET).points.map((p) => [p.id, p.measurement as string]));
  return (id: string) => m.get(id) ?? 'rack';
})();

function rackSamples(): Sample[] {
  const out: Sample[] = [];
  for (let i = 0; i < CFG.latestPoints; i++) {
    const id = `dc1/hall${1 + (i % 4)}/row${1 + Math.floor(i / 100)}/rack${i}/inlet/temp-avg`;
    for (let k = 0; k < 6; k++)
      out.push({ pointId: id, ts: END - 60_000 + k * 10_000, value: 20 + ((i * 7 + k) % 80) / 10, quality: 'good' });
  }
  return out;
}

async function runInflux(dir: string): Promise<InfluxFigures> {
  const influx = await Influx.start(dir);
  try {
    const server0 = influx.cpuSeconds();
    let clientCpu = 0;
    const w0 = performance.now();
    const figures = await forEachHour(async (batches) => {
      const c0 = cpuSeconds();
      const lines = Influx.lines(batches.flat(), measurementOf);
      const inflight = new Set<Promise<void>>();
      for (let i = 0; i < lines.length; i += INFLUX_BATCH_LINES) {
        const p: Promise<void> = influx.write(lines.slice(i, i + INFLUX_BATCH_LINES)).then(() => {
          inflight.delete(p);
        });
        inflight.add(p);
        if (inflight.size >= 2) await Promise.race(inflight);
      }
      await Promise.all(inflight);
      clientCpu += cpuSeconds() - c0;
    });
    const serverCpu = influx.cpuSeconds() - server0;
    log(`influx: writes done in ${((performance.now() - w0) / 1000).toFixed(1)} s, waiting for compaction`);
    const settle = await influx.settle(QUICK ? 60_000 : 120_000);
    const serverCpuWithCompaction = influx.cpuSeconds() - server0;
    const bytes = influx.shardBytes();
    log(`influx: shard ${bytes} bytes (settled: ${settle.settled}, waited ${(settle.waitedMs / 1000).toFixed(0)} s)`);

    const from = END - QUERY_SPAN;
    const q = `SELECT mean(value) FROM num WHERE time >= ${from}ms AND time < ${END}ms GROUP BY time(${QUERY_STEP / 1000}s), "point"`;
    const query = await timeRuns(CFG.influxQueryRuns, () => influx.query(q));

    await influx.write(Influx.lines(rackSamples(), () => 'rack'));
    const latest = await timeRuns(CFG.latestRuns, () => influx.query('SELECT LAST(value) FROM rack GROUP BY "point"'));
    return {
      ingest: {
        ...figures,
        // figures.cpuS is this process's CPU while writing: the client side
        cpuS: clientCpu + serverCpu,
        serverCpuS: serverCpu,
        clientCpuS: clientCpu,
        serverCpuWithCompactionS: serverCpuWithCompaction,
      },
      bytes,
      settled: settle.settled,
      query,
      latest,
    };
  } finally {
    await influx.stop();
  }
}

/** A catalog of the data set's numeric points so the query engine can select them. */
function queryContext(historian: Historian, ids: string[]): QueryContext {
  const points: Point[] = ids.map((id) => {
    const [site, hall, row, rack, asset] = id.split('/');
    const power = id.endsWith('/power');
    return {
      id,
      domain: power ? 'IT' : 'OT',
      quantity: power ? 'power' : 'temperature',
      unit: power ? 'kW' : '°C',
      grafanaUnit: power ? 'kwatt' : 'celsius',
      valueType: 'number',
      kind: 'measurement',
      writable: false,
      location: { site: site!, hall, row, rack, asset },
      tags: [],
      source: { connector: 'bench', source: 'bench', address: '' },
    };
  });
  const site: Site = { id: 'dc1', halls: [] };
  return { catalog: new Catalog(site, points), historian, events: undefined as never, now: () => END };
}

async function queryHistorian(dir: string): Promise<{
  query: { p50: number; p95: number };
  apiQuery: { p50: number; p95: number };
  routeQuery: { p50: number; p95: number };
  answerBytes: number;
  plan: Pick<Plan, 'resolution' | 'stepMs'>;
  planStore: { p50: number; p95: number };
  liveQuery: { p50: number; p95: number };
  rawQuery: { p50: number; p95: number };
  latest: { p50: number; p95: number };
  buckets: number;
}> {
  const h: Historian = openHistorian({ dir });
  try {
    const numeric = new Dataset(DATASET).points.filter((p) => p.valueType === 'number').map((p) => p.id);
    const from = END - QUERY_SPAN;
    let buckets = 0;
    const query = await timeRuns(CFG.queryRuns, () => {
      buckets = 0;
      for (const id of numeric)
        buckets += h.buckets(id, { from, to: END, stepMs: QUERY_STEP, resolution: '1m' }).t.length;
    });
    // the same dashboard query end to end through the query engine: selector, planner, frames
    const ctx = queryContext(h, numeric);
    const body = {
      range: { from, to: END },
      maxDataPoints: MAX_DATA_POINTS,
      queries: [{ refId: 'A', queryType: 'timeseries', selector: { ids: ['**'] } }],
    };
    const apiQuery = await timeRuns(CFG.queryRuns, () => {
      const frames = runQueries(ctx, body).results.A!.frames;
      if (frames.length !== numeric.length) throw new Error(`query returned ${frames.length} frames`);
    });
    // what POST /api/query does besides the socket: the engine and the answer's JSON text
    let answerBytes = 0;
    const routeQuery = await timeRuns(CFG.queryRuns, () => {
      answerBytes = stringifyAnswer(runQueries(ctx, body)).length;
    });
    // the engine's baseline: the store alone reading what the engine planned (resolution and step from the
    // frames' meta — a 4 h panel of 1 000 pixels asks for 15 s buckets from raw samples, not the 1m line above)
    const plan = runQueries(ctx, body).results.A!.frames[0]!.schema.meta!.custom as unknown as Pick<
      Plan,
      'resolution' | 'stepMs'
    >;
    const planStore = await timeRuns(CFG.queryRuns, () => {
      for (const id of numeric) h.buckets(id, { from, to: END, stepMs: plan.stepMs, resolution: plan.resolution });
    });
    const rawQuery = await timeRuns(QUICK ? 2 : 3, () => {
      for (const id of numeric) h.buckets(id, { from, to: END, stepMs: QUERY_STEP, resolution: 'raw' });
    });
    const racks = rackSamples();
    const ids = [...new Set(racks.map((s) => s.pointId))];
    h.ensurePoints(ids.map((id) => ({ id, valueType: 'number' })));
    await h.ingest(racks);
    // a query made while points are still reporting: one more hour of data, all of it still in the heads
    const inflight: Array<Promise<unknown>> = [];
    for (const b of new Dataset(DATASET).batches(END, HOUR)) inflight.push(h.ingest(b));
    await Promise.all(inflight);
    const liveTo = END + HOUR;
    const liveQuery = await timeRuns(CFG.queryRuns, () => {
      for (const id of numeric)
        h.buckets(id, { from: liveTo - QUERY_SPAN, to: liveTo, stepMs: QUERY_STEP, resolution: '1m' });
    });
    const latest = await timeRuns(CFG.latestRuns, () => {
      if (h.latest(ids).size !== ids.length) throw new Error('latest lost points');
    });
    return {
      query,
      apiQuery,
      routeQuery,
      answerBytes,
      plan,
      planStore,
      liveQuery,
      rawQuery,
      latest,
      buckets: buckets / numeric.length,
    };
  } finally {
    await h.close();
  }
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'plenum-bench-'));
  const stop = () => {
    rmSync(root, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', stop);
  try {
    const ds = new Dataset(DATASET);
    log(
      `${QUICK ? 'quick' : 'full'} run: ${ds.points.length} points, ${CFG.hours} h, ~${fmt(ds.samplesPerHour() * CFG.hours)} samples, data in ${root}`,
    );
    log('historian ingest …');
    const histDir = join(root, 'historian');
    const hist = await ingestHistorian(histDir);
    log(`historian: ${fmt(hist.samples)} samples, ${hist.cpuS.toFixed(1)} CPU-s, ${hist.bytes} bytes`);

    log('better-sqlite3 insert loop …');
    const loop = await ingestSqliteLoop(mkdtempSync(join(root, 'loop-')));
    log(`sqlite loop: ${loop.cpuS.toFixed(1)} CPU-s`);

    let influx: InfluxFigures | null = null;
    let influxSkipped = '';
    if (!existsSync(INFLUXD)) influxSkipped = `${INFLUXD} not found (Debian package influxdb)`;
    else {
      log('InfluxDB 1.6 ingest …');
      try {
        influx = await runInflux(join(root, 'influx'));
      } catch (err) {
        influxSkipped = `influxd failed: ${(err as Error).message}`;
      }
    }

    log('historian queries …');
    const q = await queryHistorian(histDir);

    const rows: string[][] = [['figure', 'historian', 'baseline', 'ratio']];
    const perCpu = (f: IngestFigures) => f.samples / f.cpuS;
    rows.push(['samples ingested', fmt(hist.samples), '', '']);
    rows.push(['ingest, samples per CPU-second', fmt(perCpu(hist)), '', '']);
    rows.push([
      '  vs bare better-sqlite3 insert loop',
      '',
      fmt(perCpu(loop)),
      `${(perCpu(hist) / perCpu(loop)).toFixed(2)}×`,
    ]);
    if (influx) {
      const i = influx.ingest;
      rows.push([
        '  vs InfluxDB 1.6 (influxd + client, writes)',
        '',
        fmt(perCpu(i)),
        `${(perCpu(hist) / perCpu(i)).toFixed(2)}×`,
      ]);
      const withCompaction = i.samples / (i.clientCpuS + i.serverCpuWithCompactionS);
      rows.push([
        '  vs InfluxDB 1.6 incl. its compaction',
        '',
        fmt(withCompaction),
        `${(perCpu(hist) / withCompaction).toFixed(2)}×`,
      ]);
      const serverOnly = i.samples / i.serverCpuS;
      rows.push([
        '  vs influxd alone (its CPU only, no client)',
        '',
        fmt(serverOnly),
        `${(perCpu(hist) / serverOnly).toFixed(2)}×`,
      ]);
      rows.push([
        '    (influxd CPU-s / client CPU-s)',
        '',
        `${i.serverCpuS.toFixed(1)} / ${i.clientCpuS.toFixed(1)}`,
        '',
      ]);
    }
    rows.push(['ingest wall time, s (incl. close)', hist.wallS.toFixed(1), '', '']);
    rows.push(['  samples per wall-second', fmt(hist.samples / hist.wallS), '', '']);
    const bps = hist.bytes / hist.samples;
    rows.push([
      'bytes per sample on disk (raw + rollups)',
      bps.toFixed(2),
      '1.50 target',
      `${(bps / 1.5).toFixed(2)} of target`,
    ]);
    const used = (hist.bytes - hist.freeBytes) / hist.samples;
    rows.push([
      '  of it in use (free pages left by merged pieces excluded)',
      used.toFixed(2),
      '1.50 target',
      `${(used / 1.5).toFixed(2)} of target`,
    ]);
    const lbps = loop.bytes / loop.samples;
    rows.push([
      '  vs bare SQLite rows (point, ts, value), no index',
      '',
      lbps.toFixed(2),
      `${(bps / lbps).toFixed(2)}×`,
    ]);
    if (influx) {
      const ibps = influx.bytes / hist.samples;
      rows.push([
        `  vs InfluxDB shard${influx.settled ? ' after compaction' : ' (compaction not settled)'}`,
        '',
        ibps.toFixed(2),
        `${(bps / ibps).toFixed(2)}×`,
      ]);
    }
    const span = `${QUERY_SPAN / HOUR} h`;
    const n = CFG.numeric;
    rows.push([
      `${span} buckets, ${n} points, step ${QUERY_STEP / 1000} s (1m rollups) p50 ms`,
      q.query.p50.toFixed(1),
      '',
      '',
    ]);
    rows.push([`  p95 ms`, q.query.p95.toFixed(1), '', '']);
    if (influx) {
      rows.push([
        `  vs InfluxQL mean() GROUP BY time, point p50 ms`,
        '',
        influx.query.p50.toFixed(1),
        `${(influx.query.p50 / q.query.p50).toFixed(1)}× faster`,
      ]);
      rows.push([
        `  vs InfluxQL p95 ms`,
        '',
        influx.query.p95.toFixed(1),
        `${(influx.query.p95 / q.query.p95).toFixed(1)}× faster`,
      ]);
    }
    rows.push([
      `  timeseries through POST /api/query's engine (frames) p50 / p95 ms`,
      `${q.apiQuery.p50.toFixed(1)} / ${q.apiQuery.p95.toFixed(1)}`,
      influx ? `${influx.query.p50.toFixed(1)} / ${influx.query.p95.toFixed(1)}` : '',
      influx
        ? `${(influx.query.p50 / q.apiQuery.p50).toFixed(1)}× / ${(influx.query.p95 / q.apiQuery.p95).toFixed(1)}× faster`
        : '',
    ]);
    const p = q.plan;
    rows.push([
      `  the store alone reading the engine's plan (${p.resolution}, ${p.stepMs / 1000} s) p50 / p95 ms`,
      `${q.planStore.p50.toFixed(1)} / ${q.planStore.p95.toFixed(1)}`,
      '',
      '',
    ]);
    rows.push([
      `  engine ÷ store on that plan p50 (target ≤ 1.5×)`,
      `${(q.apiQuery.p50 / q.planStore.p50).toFixed(2)}×`,
      '',
      '',
    ]);
    rows.push([
      `  engine + answer JSON (${fmt(q.answerBytes / 1e6, 1)} MB) p50 / p95 ms; ÷ store p50`,
      `${q.routeQuery.p50.toFixed(1)} / ${q.routeQuery.p95.toFixed(1)}; ${(q.routeQuery.p50 / q.planStore.p50).toFixed(2)}×`,
      '',
      '',
    ]);
    rows.push([`  same with the newest hour still in memory heads p50 ms`, q.liveQuery.p50.toFixed(1), '', '']);
    rows.push([`  same from raw samples (no rollups) p50 ms`, q.rawQuery.p50.toFixed(1), '', '']);
    rows.push([`  buckets per point`, q.buckets.toFixed(0), '', '']);
    rows.push([`latest of ${fmt(CFG.latestPoints)} points p50 ms`, q.latest.p50.toFixed(2), '', '']);
    rows.push([`  p95 ms`, q.latest.p95.toFixed(2), '', '']);
    if (influx) {
      rows.push([
        `  vs InfluxQL LAST() GROUP BY point p50 ms`,
        '',
        influx.latest.p50.toFixed(1),
        `${(influx.latest.p50 / q.latest.p50).toFixed(0)}× faster`,
      ]);
      rows.push([
        `  vs InfluxQL p95 ms`,
        '',
        influx.latest.p95.toFixed(1),
        `${(influx.latest.p95 / q.latest.p95).toFixed(0)}× faster`,
      ]);
    }
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
    const line = (r: string[]) =>
      r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
    console.log(
      `\nPlenum historian benchmark (${QUICK ? 'quick' : 'full'}: ${ds.points.length} points, ${CFG.hours} h)`,
    );
    console.log(line(rows[0]!));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows.slice(1)) console.log(line(r));
    if (!influx) console.log(`\nInfluxDB baseline skipped: ${influxSkipped}`);
  } finally {
    process.removeListener('SIGINT', stop);
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
