import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { Point, Sample } from '@plenum/model';
import { loadConfig } from '../backend/src/config/load';
import { CONNECTOR_NAMES } from '../backend/src/connectors/all';
import { startPlenum, type RunningPlenum } from '../backend/src/plenum';
import { labelsObject } from '../backend/src/promql/labels';
import { pointLabels } from '../backend/src/promql/series-model';
import { diff, type ApiAnswer } from '../backend/src/promql/differential/compare';
import { prometheusAvailable, startPrometheus, type PrometheusPeer } from '../backend/src/remote-write/peers';
import { remoteWrite, type WriteSeries } from '../backend/src/remote-write/write-request';

/**
 * PromQL benchmark (issue 18): the same samples in Plenum's historian and in Debian's Prometheus 2.42 (remote
 * write, as the differential test does), then the issue's queries asked of both over HTTP in the same run:
 *
 * - the provisioned rack-inlet alert rule's query (provisioning/alerting/plenum.yaml) over 5 000 racks, instant;
 * - 24 h of a hall's power (`sum` over its 1 000 PDUs) as a range query of 1 000 steps;
 * - `topk(10, …)` of every rack's inlet, instant.
 *
 *   npm run bench:promql              5 000 racks in 5 halls, inlets at 15 s for 1 h, hall1's PDU power at 60 s
 *                                     for 24 h (≈ 3.9 M samples), 30 runs per query (≈ 1–2 min)
 *   npm run bench:promql -- --quick   1 000 racks, 6 h of power, 10 runs (≈ 10 s)
 *   PROMQL_BENCH_CPUPROF=/tmp/q.cpuprofile  a V8 CPU profile of the query phase only (this process: Plenum's
 *                                     server and the client), for Chrome DevTools or speedscope
 *
 * Plenum runs in this process (startPlenum, its HTTP server on 127.0.0.1), Prometheus as a child process; each run
 * is one HTTP request and the reading of its JSON answer, asked of the two alternately. Prints p50/p95 per query and
 * engine and the ratio Plenum ÷ Prometheus (target ≤ 1), and whether the answers agree; asserts nothing.
 */

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const CFG = QUICK
  ? { racks: 1000, racksPerHall: 500, powerHours: 6, runs: 10 }
  : { racks: 5000, racksPerHall: 1000, powerHours: 24, runs: 30 };
const RACKS_PER_ROW = 20;
const MIN = 60_000;
const HOUR = 3_600_000;
/** the data's end: a whole minute a little in the past, so every sample is behind both stores' clocks */
const END = Math.floor(Date.now() / MIN) * MIN - MIN;
const INLET_SPAN = HOUR;
const INLET_STEP = 15_000;
const POWER_STEP = MIN;
/** remote-write requests cover this much time each, in time order: Prometheus' head refuses samples older than
 * an hour behind the newest it holds, so 24 h of history goes in as a sweep of windows, oldest first */
const WRITE_WINDOW = 10 * MIN;

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

const pad = (n: number) => String(n).padStart(2, '0');

/** A site of `racks` racks, `racksPerHall` per hall, each with an environment sensor (inlet, exhaust) and a PDU. */
function siteConfig(dataDir: string): Record<string, unknown> {
  const assets = [
    { id: 'pdu', type: 'pdu', name: 'Rack PDU' },
    { id: 'env', type: 'sensor', name: 'Rack environment sensor' },
  ];
  const halls = Array.from({ length: Math.ceil(CFG.racks / CFG.racksPerHall) }, (_, h) => {
    const inHall = Math.min(CFG.racksPerHall, CFG.racks - h * CFG.racksPerHall);
    return {
      id: `hall${h + 1}`,
      name: `Hall ${h + 1}`,
      rows: Array.from({ length: Math.ceil(inHall / RACKS_PER_ROW) }, (_, r) => ({
        id: `R${pad(r + 1)}`,
        racks: Array.from({ length: Math.min(RACKS_PER_ROW, inHall - r * RACKS_PER_ROW) }, (_, k) => ({
          id: `R${pad(r + 1)}-${pad(k + 1)}`,
          x: k + 1,
          y: 2 * r + 1,
          facing: r % 2 === 0 ? 'south' : 'north',
          ratedKw: 130,
          assets,
        })),
      })),
    };
  });
  const at = (asset: string) => `*/*/*/${asset}`;
  return {
    site: { id: 'bench', name: `PromQL bench site, ${CFG.racks} racks`, timezone: 'UTC', halls },
    historian: { dataDir },
    api: { host: '127.0.0.1' },
    sources: [
      {
        name: 'racks',
        connector: 'generator',
        interval: 1000,
        options: { seed: 1, peakKw: 130 },
        points: [
          { asset: at('env'), signal: 'inlet_temp', quantity: 'temperature', tags: ['air', 'temp', 'inlet', 'rack'] },
          { asset: at('env'), signal: 'exhaust_temp', quantity: 'temperature', tags: ['air', 'temp', 'exhaust'] },
          { asset: at('pdu'), signal: 'power', quantity: 'power', unit: 'kW', tags: ['elec', 'power', 'pdu'] },
        ],
      },
    ],
  };
}

/** mulberry32, so that every run writes the same values */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface PointData {
  point: Point;
  t: number[];
  v: number[];
}

/**
 * Inlets and exhausts: the last hour at 15 s (about 1 % of racks run above 27 °C); PDU power of hall1: the last
 * `powerHours` at 60 s. Values rounded as sensors report them.
 */
function dataset(points: readonly Point[]): PointData[] {
  const random = rng(18);
  const out: PointData[] = [];
  for (const p of points) {
    const signal = p.id.split('/').pop();
    const isPower = signal === 'power';
    if (isPower && p.location.hall !== 'hall1') continue;
    const span = isPower ? CFG.powerHours * HOUR : INLET_SPAN;
    const step = isPower ? POWER_STEP : INLET_STEP;
    const hot = random() < 0.01;
    let level = random();
    const t: number[] = [];
    const v: number[] = [];
    for (let ts = END - span; ts <= END; ts += step) {
      level = Math.min(1, Math.max(0, level + (random() - 0.5) * 0.05));
      t.push(ts);
      if (isPower) v.push(Math.round((20 + 90 * level) * 100) / 100);
      else if (signal === 'inlet_temp') v.push(Math.round(((hot ? 27.2 : 19) + 6 * level) * 10) / 10);
      else v.push(Math.round((32 + 10 * level) * 10) / 10);
    }
    out.push({ point: p, t, v });
  }
  return out;
}

/** The samples of each window of WRITE_WINDOW, oldest window first: per window, each series' slice [a, b). */
function* windows(data: readonly PointData[]): Generator<Array<{ d: PointData; a: number; b: number }>> {
  const cursor = data.map(() => 0);
  for (let from = END - CFG.powerHours * HOUR; from <= END; from += WRITE_WINDOW) {
    const out: Array<{ d: PointData; a: number; b: number }> = [];
    data.forEach((d, k) => {
      const a = cursor[k]!;
      let b = a;
      while (b < d.t.length && d.t[b]! < from + WRITE_WINDOW) b++;
      cursor[k] = b;
      if (b > a) out.push({ d, a, b });
    });
    yield out;
  }
}

async function writePlenum(plenum: RunningPlenum, data: readonly PointData[]): Promise<void> {
  let batch: Sample[] = [];
  const flush = async () => {
    const r = await plenum.historian.ingest(batch);
    if (r.rejected.length) throw new Error(`Plenum rejected samples: ${JSON.stringify(r.rejected.slice(0, 3))}`);
    batch = [];
  };
  // in time order across points, as devices deliver them
  for (const w of windows(data)) {
    for (const { d, a, b } of w)
      for (let i = a; i < b; i++) batch.push({ pointId: d.point.id, ts: d.t[i]!, value: d.v[i]!, quality: 'good' });
    if (batch.length >= 50_000) await flush();
  }
  await flush();
}

async function writePrometheus(prom: PrometheusPeer, data: readonly PointData[]): Promise<void> {
  const labels = new Map(data.map((d) => [d, labelsObject(pointLabels(d.point))]));
  for (const w of windows(data)) {
    // at most ~100 k samples per request
    let chunk: WriteSeries[] = [];
    let size = 0;
    for (const { d, a, b } of w) {
      chunk.push({ labels: labels.get(d)!, t: d.t.slice(a, b), v: d.v.slice(a, b) });
      size += b - a;
      if (size >= 100_000) {
        await remoteWrite(prom.url, chunk);
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length) await remoteWrite(prom.url, chunk);
  }
}

function percentile(values: number[], p: number): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

async function ask(base: string, endpoint: string, params: Record<string, string>, headers: Record<string, string>) {
  const res = await fetch(`${base}${endpoint}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
  return (await res.json()) as ApiAnswer;
}

interface BenchQuery {
  name: string;
  endpoint: '/query' | '/query_range';
  params: Record<string, string>;
}

function queries(): BenchQuery[] {
  const rules = parse(fs.readFileSync(path.join(__dirname, '../provisioning/alerting/plenum.yaml'), 'utf8'));
  const inletRule = rules.groups[0].rules.find((r: { uid: string }) => r.uid === 'plenum-rack-inlet-high');
  const ruleExpr = String(inletRule.data.find((d: { refId: string }) => d.refId === 'A').model.expr);
  const sec = (ms: number) => String(ms / 1000);
  const powerSpan = CFG.powerHours * HOUR;
  return [
    {
      name: `inlet alert rule, ${CFG.racks} racks (instant)`,
      endpoint: '/query',
      params: { query: `${ruleExpr} > 27`, time: sec(END) },
    },
    {
      name: `${CFG.powerHours} h hall power, 1 000 steps (range)`,
      endpoint: '/query_range',
      params: {
        query: 'sum(plenum_power_kilowatts{hall="hall1", signal="power"})',
        start: sec(END - powerSpan),
        end: sec(END),
        step: String(powerSpan / 1000 / 1000),
      },
    },
    {
      name: `topk(10) of ${CFG.racks} inlets (instant)`,
      endpoint: '/query',
      params: { query: 'topk(10, plenum_temperature_celsius{signal="inlet_temp"})', time: sec(END) },
    },
  ];
}

async function main(): Promise<void> {
  if (!prometheusAvailable()) throw new Error('bench:promql needs Debian prometheus: apt-get install -y prometheus');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-bench-promql-'));
  let prom: PrometheusPeer | undefined;
  let plenum: RunningPlenum | undefined;
  const started = Date.now();
  try {
    fs.writeFileSync(path.join(dir, 'plenum.yaml'), stringify(siteConfig(path.join(dir, 'data'))));
    const config = loadConfig(path.join(dir, 'plenum.yaml'), {
      connectors: CONNECTOR_NAMES,
      env: { PLENUM_PORT: '0' },
    });
    const token = 'bench-promql-token';
    [prom, plenum] = await Promise.all([
      startPrometheus(),
      startPlenum(config, { noSources: true, token, log: () => {} }),
    ]);
    const data = dataset(plenum.catalog.all());
    const samples = data.reduce((n, d) => n + d.t.length, 0);
    log(`${CFG.racks} racks, ${data.length} series, ${(samples / 1e6).toFixed(2)} M samples`);
    let t = Date.now();
    await writePlenum(plenum, data);
    log(`Plenum: ingested in ${((Date.now() - t) / 1000).toFixed(1)} s (historian.ingest, in time order)`);
    t = Date.now();
    await writePrometheus(prom, data);
    log(`Prometheus: remote-written in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    const auth = { Authorization: `Bearer ${token}` };
    const plenumBase = `${plenum.url}/prometheus/api/v1`;
    const promBase = `${prom.url}/api/v1`;
    const rows: string[] = [];
    const profile = process.env.PROMQL_BENCH_CPUPROF;
    const session = profile ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    for (const q of queries()) {
      // the first ask of each, one after the other and timed: cold (Plenum's decoded-chunk cache is empty for
      // this query's chunks; Prometheus has its head block in memory either way)
      let s0 = performance.now();
      const a = await ask(plenumBase, q.endpoint, q.params, auth);
      const coldPlenum = performance.now() - s0;
      s0 = performance.now();
      const b = await ask(promBase, q.endpoint, q.params, {});
      const coldProm = performance.now() - s0;
      const d = diff(a, b);
      const result = (b.data?.result ?? []) as unknown[];
      const agree = d ? `DIFFER: ${d.slice(0, 160)}` : `agree (${result.length} series)`;
      // warm-up, then alternate the two engines run by run
      const msPlenum: number[] = [];
      const msProm: number[] = [];
      for (let i = 0; i < CFG.runs; i++) {
        let s = performance.now();
        await ask(plenumBase, q.endpoint, q.params, auth);
        msPlenum.push(performance.now() - s);
        s = performance.now();
        await ask(promBase, q.endpoint, q.params, {});
        msProm.push(performance.now() - s);
      }
      const f = (ms: number[]) => ({ p50: percentile(ms, 50), p95: percentile(ms, 95) });
      const pl = f(msPlenum);
      const pr = f(msProm);
      rows.push(
        [
          q.name.padEnd(42),
          `${pl.p50.toFixed(1).padStart(8)} ${pl.p95.toFixed(1).padStart(8)}`,
          `${pr.p50.toFixed(1).padStart(8)} ${pr.p95.toFixed(1).padStart(8)}`,
          `${(pl.p50 / pr.p50).toFixed(2).padStart(6)} ${(pl.p95 / pr.p95).toFixed(2).padStart(6)}`,
          `${coldPlenum.toFixed(1).padStart(7)} ${coldProm.toFixed(1).padStart(7)} ${(coldPlenum / coldProm).toFixed(2).padStart(5)}`,
          agree,
        ].join('  '),
      );
      log(`${q.name}: done`);
    }
    if (session && profile) {
      const { profile: cpu } = await session.post('Profiler.stop');
      fs.writeFileSync(profile, JSON.stringify(cpu));
      session.disconnect();
      log(`CPU profile of the query phase: ${profile}`);
    }
    const header = [
      'query'.padEnd(42),
      'Plenum p50/p95 ms'.padStart(17),
      'Prometheus p50/p95'.padStart(17),
      'ratio p50/p95'.padStart(13),
      'first: Plenum Prom ratio'.padStart(21),
      'answers',
    ].join('  ');
    process.stdout.write(
      [
        '',
        `PromQL: Plenum vs Prometheus 2.42 on the same data (${QUICK ? 'quick' : 'full'}: ${CFG.racks} racks, ${CFG.runs} runs per query; ratio = Plenum ÷ Prometheus, target ≤ 1)`,
        header,
        ...rows,
        `Plenum's decoded-chunk cache: ${cacheLine(plenum.historian.stats().decodedCache)}`,
        `(${((Date.now() - started) / 1000).toFixed(0)} s in all)`,
        '',
      ].join('\n'),
    );
  } finally {
    await Promise.all([prom?.remove(), plenum?.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function cacheLine(c: { bytes: number; hits: number; misses: number } | undefined): string {
  if (!c) return 'none';
  return `${(c.bytes / 2 ** 20).toFixed(1)} MiB held, ${c.hits} chunk reads from it, ${c.misses} decoded`;
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
