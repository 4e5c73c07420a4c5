import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Point, QueryRequest } from '@plenum/model';
import { Clock } from '../backend/src/common/clock';
import { parseDuration } from '../backend/src/config/schema-parts';
import { openHistorian } from '../backend/src/historian/historian';
import { startVictoriaMetrics, victoriaMetricsAvailable, type Peer } from '../backend/src/remote-write/peers';
import { expectedFromHistorian, readVictoria, type SeriesSamples } from '../backend/src/remote-write/testkit';
import type { RemoteWriteStatus } from '../backend/src/remote-write/index';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../backend/src/sparkplug/mosquitto.testkit';
import type { HostStatus } from '../backend/src/sparkplug/primary-host';
import { bearer, startBackend, type Backend } from '../reliability/load/backend';
import { dashboardRequests } from '../reliability/load/dashboard-queries';
import { POINTS_PER_RACK } from '../reliability/load/hall-site';
import { CLK_TCK, machineCpu, parseStatTicks, treeCpuSeconds, treePids } from '../reliability/load/proc';
import { percentile } from '../reliability/load/scale-figures';
import { edgeDocument, HOST_ID, hubDocument, writeConfig } from './scaleout/sites';
import { killOnExit } from './kill-on-exit';

/**
 * Scale-out benchmark (issue 15): N edge backends (one hall each, bench:scale's AI racks fed by the built-in
 * generator on a fast simulated clock) → remote write to Debian's VictoriaMetrics and Sparkplug B over Debian's
 * mosquitto → a hub backend (`hub:` role) over the store and Plenum's primary host (bench/scaleout/sparkplug-host.ts)
 * on the broker. Every process is what a user runs (`tsx backend/src/main.ts --config …`), on 127.0.0.1. In one run:
 *
 *  1. cost split: three edges of the same size at once — no export, remote write only, Sparkplug only — for
 *     `--calib` wall seconds; each export's CPU per sample is its edge's CPU per stored sample minus the bare
 *     edge's; VictoriaMetrics' (a store of its own in this phase) and mosquitto's CPU per sample against them;
 *  2. steady: the N edges with both exports for `--window`; edge / VictoriaMetrics / mosquitto / hub CPU, the
 *     end-to-end delay (wall time from a sample's making to the hub answering it, from `latest` of every inlet)
 *     and the hub's latency for the NOC wall over all halls (the provisioned noc-wall dashboard's panels as the
 *     data source sends them, plus bench:scale's three queries over every hall);
 *  3. faults, one after the other, data flowing throughout: VictoriaMetrics stopped for `--outage` (default
 *     60 s; `--outage 10m` for the issue's full form), the broker SIGKILLed for 15 s and restarted on its port,
 *     one edge `kill -9`ed and started again on its data folder;
 *  4. loss check: every edge drained and stopped, then each rack's inlet temperature (one point in 50, every
 *     sample of the run) compared sample by sample: the edge's historian (what it acknowledged) against
 *     VictoriaMetrics' export and against what the primary host received; seq gaps and bdSeq per edge.
 *
 *   npm run bench:scaleout                      4 edges × 20 racks (1,000 points) at ×2: 8,000 samples/s in all
 *   npm run bench:scaleout -- --outage 10m      the full receiver outage of the issue (≈ 15 min in all)
 *   options: --edges 4 --racks 20 --speed 2 --calib 30s --window 45s --outage 60s --flush 1s (remote write's
 *   flushInterval; the default is the config's)
 *
 * Prints figures and ratios; asserts nothing. Other work on the machine makes every CPU figure noisy.
 */

const { values: args } = parseArgs({
  options: {
    edges: { type: 'string' },
    racks: { type: 'string' },
    speed: { type: 'string' },
    calib: { type: 'string' },
    window: { type: 'string' },
    outage: { type: 'string' },
    flush: { type: 'string' },
  },
});

function positiveInt(name: string, v: string | undefined, def: number): number {
  const n = Number(v ?? def);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} ${v}: expected a whole number ≥ 1`);
  return n;
}
function durationArg(name: string, v: string | undefined, def: string): number {
  const ms = parseDuration(v ?? def);
  if (ms === undefined || ms <= 0) throw new Error(`--${name} ${v}: expected a duration such as 45s or 10m`);
  return ms;
}
const EDGES = positiveInt('edges', args.edges, 4);
const RACKS = positiveInt('racks', args.racks, 20);
const SPEED = positiveInt('speed', args.speed, 2);
const CALIB_MS = durationArg('calib', args.calib, '30s');
const WINDOW_MS = durationArg('window', args.window, '45s');
const OUTAGE_MS = durationArg('outage', args.outage, '60s');
/** remote write flushInterval of every edge; undefined: the config's default */
const FLUSH = args.flush === undefined ? undefined : `${durationArg('flush', args.flush, '1s')}ms`;
const INTERVAL_MS = 1000 / SPEED;
if (!Number.isInteger(INTERVAL_MS)) throw new Error(`--speed ${SPEED}: 1000 must be divisible by it`);
const POINTS = RACKS * POINTS_PER_RACK;
/** the broker's outage, wall ms */
const BROKER_DOWN_MS = 15_000;
/** NOC wall refresh period in the steady phase, wall ms */
const WALL_PERIOD_MS = 2000;
const HOUR = 3_600_000;
const ROOT = path.resolve(__dirname, '..');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '—');
const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);

/** every pid of every process started, for the last-resort SIGKILL on exit */
const started: Array<() => number[]> = [];
const killAll = killOnExit(() => started.map((pids) => pids()), 'every process of the bench');

/** utime + stime of one process, seconds; NaN when it is gone */
function cpuOf(pid: number | undefined): number {
  if (!pid || pid < 0) return NaN;
  try {
    return parseStatTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8')) / CLK_TCK;
  } catch {
    return NaN;
  }
}

async function getJson<T>(url: string): Promise<T | undefined> {
  try {
    const r = await fetch(url, { headers: bearer('read'), signal: AbortSignal.timeout(10_000) });
    return r.ok ? ((await r.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

interface EdgeHealth {
  store: { samplesIngested: number };
  remoteWrite?: RemoteWriteStatus;
}

/** the Sparkplug edge's gauges from /metrics (they are not in /api/health) */
async function sparkplugOf(url: string): Promise<Record<string, number> | undefined> {
  try {
    const r = await fetch(`${url}/metrics`, { headers: bearer('read'), signal: AbortSignal.timeout(10_000) });
    const out: Record<string, number> = {};
    for (const m of (await r.text()).matchAll(/^plenum_sparkplug_edge_(\w+) (\S+)$/gm)) out[m[1]!] = Number(m[2]);
    return out;
  } catch {
    return undefined;
  }
}

interface Edge {
  hall: string;
  dir: string;
  file: string;
  points: Point[];
  backend: Backend;
  /** one of the three cost-split edges: which exports it has */
  role?: 'none' | 'rw' | 'sp';
}

async function startEdge(e: Omit<Edge, 'backend'>, clock: Clock): Promise<Edge> {
  const backend = await startBackend(e.file, path.join(e.dir, 'data'), { PLENUM_CLOCK: clock.toString() });
  const pids = treePids(backend.pid);
  started.push(() => [...pids, ...treePids(backend.pid)]);
  return { ...e, backend };
}

function killTree(b: Backend): void {
  for (const p of treePids(b.pid).reverse())
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
}

/** what the host child holds: its status, samples per edge, every timestamp of the watched points */
interface HostReport {
  status: HostStatus;
  samples: Record<string, number>;
  watched: Record<string, number[]>;
}

function startHost(brokerUrl: string): { child: ChildProcess; report(): Promise<HostReport>; output(): string } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'scaleout/sparkplug-host.ts'), brokerUrl, HOST_ID],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  started.push(() => (child.exitCode === null ? [child.pid!] : []));
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  return {
    child,
    output: () => out,
    report: () =>
      new Promise<HostReport>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`the Sparkplug host did not report within 30 s:\n${out}`)), 30_000);
        child.once('message', (m) => {
          clearTimeout(t);
          resolve(m as HostReport);
        });
        child.send('report');
      }),
  };
}

async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(500);
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

async function storedOf(edges: Edge[]): Promise<number[]> {
  return Promise.all(
    edges.map(async (e) => (await getJson<EdgeHealth>(`${e.backend.url}/api/health`))?.store.samplesIngested ?? NaN),
  );
}

/** the NOC wall over every hall at simulated time `now`: the noc-wall dashboard's panels and bench:scale's three */
function nocWall(now: number, halls: string[]): Array<{ name: string; body: QueryRequest }> {
  const range = { from: now - 24 * HOUR, to: now };
  const panels = dashboardRequests('noc-wall', { hall: halls }, range).map((p) => ({
    name: `noc-wall: ${p.title}`,
    body: p.query,
  }));
  const inlet = { quantity: ['temperature' as const], tags: ['inlet'] };
  return [
    {
      name: 'latest of every inlet',
      body: {
        range: { from: now - 300_000, to: now },
        maxDataPoints: 1000,
        queries: [{ refId: 'A', queryType: 'latest', selector: inlet }],
      } as QueryRequest,
    },
    {
      name: 'rack layout of every hall, max inlet',
      body: {
        range: { from: now - 300_000, to: now },
        maxDataPoints: 1000,
        queries: [{ refId: 'A', queryType: 'rackLayout', hall: halls, selector: inlet, aggregate: 'max' }],
      } as QueryRequest,
    },
    {
      name: '24 h power per hall, 1000 px',
      body: {
        range,
        maxDataPoints: 1000,
        intervalMs: (24 * HOUR) / 1000,
        queries: [
          {
            refId: 'A',
            queryType: 'timeseries',
            selector: { hall: halls, quantity: ['power'], tags: ['pdu'] },
            groupBy: 'hall',
            aggregate: 'sum',
          },
        ],
      } as QueryRequest,
    },
    ...panels,
  ];
}

type Answer = {
  results: Record<
    string,
    { error?: string; frames?: Array<{ schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } }> }
  >;
};

/** every value of the `time` fields of an answer */
function timesOf(a: Answer): number[] {
  const out: number[] = [];
  for (const r of Object.values(a.results))
    for (const f of r.frames ?? []) {
      const i = f.schema.fields.findIndex((x) => x.name === 'time');
      if (i >= 0) for (const t of f.data.values[i] ?? []) if (typeof t === 'number') out.push(t);
    }
  return out;
}

async function post(url: string, body: unknown): Promise<{ ms: number; answer?: Answer; error?: string }> {
  const t = performance.now();
  try {
    const r = await fetch(`${url}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer('read') },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await r.text();
    const ms = performance.now() - t;
    if (r.status !== 200) return { ms, error: `${r.status} ${text.slice(0, 200)}` };
    const answer = JSON.parse(text) as Answer;
    const errs = Object.entries(answer.results).filter(([, v]) => v.error);
    return { ms, answer, ...(errs.length && { error: errs.map(([k, v]) => `${k}: ${v.error}`).join('; ') }) };
  } catch (err) {
    return { ms: performance.now() - t, error: String(err) };
  }
}

/** drops repeated timestamps (VictoriaMetrics keeps resent duplicates unless -dedup.minScrapeInterval is set) */
function dedupe(s: SeriesSamples, before: number): SeriesSamples {
  const out: SeriesSamples = new Map();
  for (const [k, list] of s) {
    const seen = new Set<number>();
    out.set(
      k,
      list.filter(([t]) => t < before && !seen.has(t) && (seen.add(t), true)),
    );
  }
  return out;
}

/** samples of `expected` absent from `got` (by series and time), and samples present with another value */
function compare(got: SeriesSamples, expected: SeriesSamples): { expected: number; lost: number; differ: number } {
  let n = 0;
  let lost = 0;
  let differ = 0;
  for (const [k, list] of expected) {
    const g = new Map(got.get(k) ?? []);
    for (const [t, v] of list) {
      n++;
      if (!g.has(t)) lost++;
      else {
        const gv = g.get(t)!;
        const same =
          gv === v || (typeof gv === 'number' && typeof v === 'number' && Math.abs(gv - v) <= 1e-9 * Math.abs(v));
        if (!same) differ++;
      }
    }
  }
  return { expected: n, lost, differ };
}

async function main(): Promise<void> {
  for (const bin of [MOSQUITTO])
    if (!fs.existsSync(bin)) throw new Error(`${bin} is not installed: apt-get install mosquitto`);
  if (!victoriaMetricsAvailable())
    throw new Error('victoria-metrics is not installed: apt-get install victoria-metrics');
  const offered = EDGES * POINTS * SPEED;
  console.log(
    `bench:scaleout: ${EDGES} edges × ${RACKS} racks × ${POINTS_PER_RACK} points = ${EDGES * POINTS} points at 1 Hz on a ×${SPEED} clock: ${offered.toLocaleString('en')} samples/s offered in all (${(POINTS * SPEED).toLocaleString('en')} per edge = ${fmt((POINTS * SPEED) / POINTS_PER_RACK)} racks' worth at 1 Hz)`,
  );
  console.log(
    `  2,500 racks per edge at 1 Hz would be ${(2500 * POINTS_PER_RACK).toLocaleString('en')} samples/s per edge (${fmt((2500 * POINTS_PER_RACK) / (POINTS * SPEED), 1)}× this edge's rate): see the per-sample costs and the cores they give below`,
  );
  console.log(
    `  phases: cost split ${CALIB_MS / 1000} s, steady ${WINDOW_MS / 1000} s, receiver outage ${OUTAGE_MS / 1000} s${OUTAGE_MS >= 600_000 ? ' (the full 10-minute form)' : ' (short form; --outage 10m for the full one)'}, broker down ${BROKER_DOWN_MS / 1000} s, edge kill -9`,
  );
  console.log(
    `  machine: ${os.cpus().length} cores, load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (other work on it makes every CPU figure noisy)`,
  );

  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-scaleout-'));
  const cleanups: Array<() => Promise<void>> = [];
  try {
    // one clock for every edge; simulated time runs ahead of the wall by (speed − 1) × elapsed, so it starts
    // that far behind for the planned run (and a half again): samples never come from the hub's future
    const plannedMs = 60_000 + CALIB_MS + WINDOW_MS + OUTAGE_MS + BROKER_DOWN_MS + 150_000;
    const epoch = Math.ceil((Date.now() + 1000) / 1000) * 1000;
    const simStart = Math.floor((epoch - (SPEED - 1) * plannedMs * 1.5) / 1000) * 1000;
    const clock = Clock.startingAt(epoch, SPEED, simStart);
    /** wall ms at which the clock shows `sim` */
    const wallOf = (sim: number) => epoch + (sim - simStart) / SPEED;

    const vm = await startVictoriaMetrics();
    cleanups.push(() => vm.remove());
    const broker = await startMosquitto();
    cleanups.push(() => broker.stop());
    const host = startHost(broker.url);
    cleanups.push(async () => {
      host.child.kill('SIGTERM');
      await Promise.race([new Promise((r) => host.child.once('exit', r)), sleep(5000)]);
      host.child.kill('SIGKILL');
    });
    log(
      `VictoriaMetrics ${vm.url}, mosquitto ${broker.url}, Sparkplug primary host "${HOST_ID}" (pid ${host.child.pid})`,
    );

    // ---- 1. cost split
    const calib = await costSplit(root, clock, broker);
    cleanups.push(() => calib.vm.remove());

    // ---- 2. steady
    const halls = Array.from({ length: EDGES }, (_, i) => `hall${i + 1}`);
    const docs = halls.map((hall) =>
      edgeDocument({
        hall,
        racks: RACKS,
        intervalMs: INTERVAL_MS,
        writeUrl: vm.writeUrl,
        brokerUrl: broker.url,
        flush: FLUSH,
      }),
    );
    const hubDir = path.join(root, 'hub');
    const hubCfg = writeConfig(hubDir, hubDocument(docs, vm.url));
    const hub = await startBackend(hubCfg.file, path.join(hubDir, 'data'));
    started.push(() => treePids(hub.pid));
    cleanups.push(async () => void (await hub.stop(10_000)));
    const edges = await Promise.all(
      docs.map((doc, i) => {
        const dir = path.join(root, halls[i]!);
        const { file, points } = writeConfig(dir, doc);
        return startEdge({ hall: halls[i]!, dir, file, points }, clock);
      }),
    );
    cleanups.push(async () => void (await Promise.all(edges.map((e) => e.backend.stop(20_000)))));
    log(`hub ${hub.url}; ${EDGES} edges started, simulated time ${new Date(clock.now()).toISOString()}`);
    const wall = nocWall(clock.now(), halls);
    const totalPoints = EDGES * POINTS;
    await until(
      'the hub to list every point and answer the latest inlets',
      async () => {
        const h = await getJson<{ points: number }>(`${hub.url}/api/health`);
        if (h?.points !== totalPoints) return undefined;
        const r = await post(hub.url, wall[0]!.body);
        return timesOf(r.answer ?? { results: {} }).length >= EDGES * RACKS ? true : undefined;
      },
      120_000,
    );
    log(`the hub lists all ${totalPoints} points; steady window of ${WINDOW_MS / 1000} s`);
    await sleep(5000);
    const steady = await steadyWindow(edges, vm, broker, hub, host, halls, clock, wallOf);

    // ---- 3. faults
    const faults = await faultRuns(edges, vm, broker, host, clock);

    // ---- 4. drain, stop, compare
    const loss = await lossCheck(edges, vm, host, clock, faults.kill);
    report(calib, steady, faults, loss);
  } finally {
    for (const c of cleanups.reverse()) await c().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
    killAll();
    fs.rmSync(root, { recursive: true, force: true });
  }
}

interface CostSplit {
  vm: Peer;
  /** CPU-s per stored sample of each role's edge (whole process: generator, historian, exports) */
  perSample: Record<'none' | 'rw' | 'sp', number>;
  stored: Record<'none' | 'rw' | 'sp', number>;
  vmPerSample: number;
  brokerPerSample: number;
  seconds: number;
}

async function costSplit(root: string, clock: Clock, broker: Mosquitto): Promise<CostSplit> {
  // a store of its own, so that its CPU is the remote-write edge's samples only
  const vm = await startVictoriaMetrics();
  const roles = ['none', 'rw', 'sp'] as const;
  const edges = await Promise.all(
    roles.map((role, i) => {
      const hall = `calib-${role}`;
      const dir = path.join(root, hall);
      const { file, points } = writeConfig(
        dir,
        edgeDocument({
          hall,
          racks: RACKS,
          intervalMs: INTERVAL_MS,
          site: `calib${i}`,
          ...(role === 'rw' && { writeUrl: vm.writeUrl, flush: FLUSH }),
          ...(role === 'sp' && { brokerUrl: broker.url }),
        }),
      );
      return startEdge({ hall, dir, file, points, role }, clock);
    }),
  );
  try {
    log(
      `cost split: edges without export, with remote write only, with Sparkplug only (${POINTS} points each; remote write flush ${FLUSH ?? 'the default, 1 s'})`,
    );
    await sleep(10_000);
    const s0 = await storedOf(edges);
    const c0 = edges.map((e) => treeCpuSeconds(e.backend.pid));
    const v0 = cpuOf(vm.pid());
    const b0 = cpuOf(broker.pid());
    await sleep(CALIB_MS);
    const s1 = await storedOf(edges);
    const c1 = edges.map((e) => treeCpuSeconds(e.backend.pid));
    const vmCpu = cpuOf(vm.pid()) - v0;
    const brokerCpu = cpuOf(broker.pid()) - b0;
    const stored = Object.fromEntries(roles.map((r, i) => [r, s1[i]! - s0[i]!])) as CostSplit['stored'];
    const perSample = Object.fromEntries(
      roles.map((r, i) => [r, (c1[i]! - c0[i]!) / (s1[i]! - s0[i]!)]),
    ) as CostSplit['perSample'];
    return {
      vm,
      perSample,
      stored,
      vmPerSample: vmCpu / stored.rw,
      brokerPerSample: brokerCpu / stored.sp,
      seconds: CALIB_MS / 1000,
    };
  } finally {
    await Promise.all(edges.map((e) => e.backend.stop(20_000)));
  }
}

interface Steady {
  seconds: number;
  stored: number;
  cpu: { edges: number; vm: number; broker: number; hub: number; host: number };
  machineBusyCores: number;
  delays: { newest: number[]; oldest: number[] };
  queries: Map<string, number[]>;
  errors: Map<string, string>;
  hostSamples: number;
}

async function steadyWindow(
  edges: Edge[],
  vm: Peer,
  broker: Mosquitto,
  hub: Backend,
  host: ReturnType<typeof startHost>,
  halls: string[],
  clock: Clock,
  wallOf: (sim: number) => number,
): Promise<Steady> {
  const s0 = await storedOf(edges);
  const h0 = await host.report();
  const cpu0 = {
    edges: sum(edges.map((e) => treeCpuSeconds(e.backend.pid))),
    vm: cpuOf(vm.pid()),
    broker: cpuOf(broker.pid()),
    hub: treeCpuSeconds(hub.pid),
    host: cpuOf(host.child.pid),
  };
  const m0 = machineCpu();
  const t0 = Date.now();
  const queries = new Map<string, number[]>();
  const errors = new Map<string, string>();
  const delays = { newest: [] as number[], oldest: [] as number[] };
  while (Date.now() - t0 < WINDOW_MS) {
    const round = Date.now();
    for (const q of nocWall(clock.now(), halls)) {
      const r = await post(hub.url, q.body);
      const at = Date.now();
      if (r.error) {
        if (!errors.has(q.name)) errors.set(q.name, r.error);
        continue;
      }
      queries.set(q.name, [...(queries.get(q.name) ?? []), r.ms]);
      if (q.name === 'latest of every inlet') {
        const ts = timesOf(r.answer!);
        if (ts.length) {
          // how long ago (wall) the newest and the oldest of the inlets' latest samples were made
          delays.newest.push(at - wallOf(Math.max(...ts)));
          delays.oldest.push(at - wallOf(Math.min(...ts)));
        }
      }
    }
    await sleep(Math.max(0, round + WALL_PERIOD_MS - Date.now()));
  }
  const seconds = (Date.now() - t0) / 1000;
  const s1 = await storedOf(edges);
  const m1 = machineCpu();
  const h1 = await host.report();
  const cpu = {
    edges: sum(edges.map((e) => treeCpuSeconds(e.backend.pid))) - cpu0.edges,
    vm: cpuOf(vm.pid()) - cpu0.vm,
    broker: cpuOf(broker.pid()) - cpu0.broker,
    hub: treeCpuSeconds(hub.pid) - cpu0.hub,
    host: cpuOf(host.child.pid) - cpu0.host,
  };
  const hostSamples = sum(Object.values(h1.samples)) - sum(Object.values(h0.samples));
  return {
    seconds,
    stored: sum(s1) - sum(s0),
    cpu,
    machineBusyCores: ((m1.busy - m0.busy) / (m1.total - m0.total)) * os.cpus().length,
    delays,
    queries,
    errors,
    hostSamples,
  };
}

interface Faults {
  outage: { seconds: number; backlogPeak: number; drainS: number; retries: number };
  broker: {
    downS: number;
    spooledPeak: number;
    replayS: number;
    bdSeq: Array<{ hall: string; before: number; after: number; host?: number }>;
    historical: number;
    gapsBefore: number;
    gapsAfter: number;
  };
  kill: {
    hall: string;
    queuedAtKill: number;
    afterRestart: number;
    caughtUp: unknown;
    bdSeqBefore: number;
    bdSeqAfter: number;
    resumedS: number;
    /** simulated time of the kill and of the restarted edge's listening */
    simKill: number;
    simBack: number;
  };
}

async function rwOf(e: Edge): Promise<RemoteWriteStatus | undefined> {
  return (await getJson<EdgeHealth>(`${e.backend.url}/api/health`))?.remoteWrite;
}

/** every edge's remote-write queue nearly empty and its sender idle */
async function rwDrained(edges: Edge[]): Promise<boolean> {
  const s = await Promise.all(edges.map(rwOf));
  // what one flush interval holds at this rate: the queue is never quite empty while data flows
  return s.every((x) => x && x.queue.samples < POINTS * SPEED && x.sender.state !== 'backoff');
}

async function spDrained(edges: Edge[]): Promise<boolean> {
  const s = await Promise.all(edges.map((e) => sparkplugOf(e.backend.url)));
  return s.every((x) => x && x.born === 1 && (x.queue_messages ?? Infinity) <= 2 * RACKS + 10);
}

const gapsOf = (h: HostReport, halls: string[]) =>
  sum(h.status.edges.filter((e) => halls.some((x) => e.edge.endsWith(`/${x}`))).map((e) => e.gaps));

async function faultRuns(
  edges: Edge[],
  vm: Peer,
  broker: Mosquitto,
  host: ReturnType<typeof startHost>,
  clock: Clock,
): Promise<Faults> {
  const halls = edges.map((e) => e.hall);
  // receiver outage, with a kill -9 of one edge half-way through it (its queue holds the outage's samples)
  const victim = edges[0]!;
  log(`fault 1: VictoriaMetrics stopped for ${OUTAGE_MS / 1000} s; kill -9 of the ${victim.hall} edge half-way`);
  await vm.stop();
  const down = Date.now();
  let backlogPeak = 0;
  const backlog = async () => {
    const s = await Promise.all(edges.map(rwOf));
    backlogPeak = Math.max(backlogPeak, sum(s.map((x) => x?.queue.samples ?? 0)));
  };
  while (Date.now() - down < OUTAGE_MS / 2) {
    await sleep(Math.min(3000, Math.max(0, OUTAGE_MS / 2 - (Date.now() - down))));
    await backlog();
  }
  const rwBefore = await rwOf(victim);
  const spb = await sparkplugOf(victim.backend.url);
  const simKill = clock.now();
  killTree(victim.backend);
  await sleep(2000);
  const t = Date.now();
  victim.backend = (await startEdge(victim, clock)).backend;
  const simBack = clock.now();
  const rwAfter = await rwOf(victim);
  await until(
    `the ${victim.hall} edge to publish again`,
    async () => {
      const sp = await sparkplugOf(victim.backend.url);
      return sp?.born === 1 && (sp.published_total ?? 0) > 0 ? true : undefined;
    },
    120_000,
  );
  const resumedS = (Date.now() - t) / 1000;
  log(`  ${victim.hall} restarted: publishing again ${fmt(resumedS, 1)} s after its start began`);
  while (Date.now() - down < OUTAGE_MS) {
    await sleep(Math.min(3000, Math.max(0, OUTAGE_MS - (Date.now() - down))));
    await backlog();
  }
  const before = await Promise.all(edges.map(rwOf));
  backlogPeak = Math.max(backlogPeak, sum(before.map((x) => x?.queue.samples ?? 0)));
  const retries = sum(before.map((x) => x?.sender.retries ?? 0));
  await vm.restart();
  const up = Date.now();
  await until('every remote-write backlog to drain', () => rwDrained(edges), 300_000 + OUTAGE_MS);
  const outage = { seconds: (up - down) / 1000, backlogPeak, drainS: (Date.now() - up) / 1000, retries };
  log(`  backlog ${backlogPeak.toLocaleString('en')} samples, drained in ${fmt(outage.drainS, 1)} s`);
  const kill = {
    hall: victim.hall,
    queuedAtKill: rwBefore?.queue.samples ?? NaN,
    afterRestart: rwAfter?.queue.samples ?? NaN,
    caughtUp: rwAfter?.caughtUp,
    bdSeqBefore: spb?.bdseq ?? NaN,
    bdSeqAfter: (await sparkplugOf(victim.backend.url))?.bdseq ?? NaN,
    resumedS,
    simKill,
    simBack,
  };

  // broker killed
  log(`fault 2: mosquitto SIGKILLed, restarted on its port after ${BROKER_DOWN_MS / 1000} s`);
  const hBefore = await host.report();
  const spBefore = await Promise.all(edges.map((e) => sparkplugOf(e.backend.url)));
  await broker.kill();
  const bdown = Date.now();
  let spooledPeak = 0;
  while (Date.now() - bdown < BROKER_DOWN_MS) {
    await sleep(3000);
    const s = await Promise.all(edges.map((e) => sparkplugOf(e.backend.url)));
    spooledPeak = Math.max(spooledPeak, sum(s.map((x) => x?.queue_messages ?? 0)));
  }
  await broker.restart();
  const bup = Date.now();
  await until('every Sparkplug spool to replay', () => spDrained(edges), 300_000);
  const replayS = (Date.now() - bup) / 1000;
  // the host's view settles within a reorder timeout
  await sleep(3000);
  const spAfter = await Promise.all(edges.map((e) => sparkplugOf(e.backend.url)));
  const hAfter = await host.report();
  const brokerRun = {
    downS: (bup - bdown) / 1000,
    spooledPeak,
    replayS,
    bdSeq: edges.map((e, i) => ({
      hall: e.hall,
      before: spBefore[i]?.bdseq ?? NaN,
      after: spAfter[i]?.bdseq ?? NaN,
      host: hAfter.status.edges.find((x) => x.edge.endsWith(`/${e.hall}`))?.bdSeq,
    })),
    historical: sum(spAfter.map((x) => x?.historical_total ?? 0)) - sum(spBefore.map((x) => x?.historical_total ?? 0)),
    gapsBefore: gapsOf(hBefore, halls),
    gapsAfter: gapsOf(hAfter, halls),
  };
  log(`  spooled up to ${spooledPeak} messages, replayed in ${fmt(replayS, 1)} s`);

  return { outage, broker: brokerRun, kill };
}

interface Loss {
  rw: { expected: number; lost: number; differ: number };
  sp: { expected: number; lost: number; lostNearKill: number; examples: string[] };
  dropped: Record<string, number>;
  spDropped: number;
  gaps: number;
  /** the host's own counters: metrics it could not read (e.g. data before its birth), rebirths it asked */
  host: { skipped: number; undecodable: number; rebirthsAsked: number; births: number; late: number };
  series: number;
}

async function lossCheck(
  edges: Edge[],
  vm: Peer,
  host: ReturnType<typeof startHost>,
  clock: Clock,
  kill: Faults['kill'],
): Promise<Loss> {
  log('loss check: drain, stop the edges, compare every inlet sample of the run');
  await until('every remote-write queue to drain', () => rwDrained(edges), 300_000);
  await until('every Sparkplug spool to drain', () => spDrained(edges), 300_000);
  // what is stored up to a few simulated seconds before the drain has been sent (both queues are FIFO)
  const cut = clock.now() - 5000 * SPEED;
  await sleep(3000);
  const dropped: Record<string, number> = {};
  let spDropped = 0;
  for (const e of edges) {
    const rw = await rwOf(e);
    for (const [k, v] of Object.entries(rw?.queue.counters.dropped ?? {})) dropped[k] = (dropped[k] ?? 0) + v;
    spDropped += (await sparkplugOf(e.backend.url))?.dropped_samples_total ?? 0;
  }
  const hostReport = await host.report();
  for (const e of edges) await e.backend.stop(30_000);
  const rw = { expected: 0, lost: 0, differ: 0 };
  const sp = { expected: 0, lost: 0, lostNearKill: 0, examples: [] as string[] };
  let series = 0;
  const others = new Map<string, number>();
  for (const e of edges) {
    const inlets = e.points.filter((p) => p.id.endsWith('/env/inlet_temp'));
    const historian = openHistorian({ dir: path.join(e.dir, 'data') });
    try {
      const expected = expectedFromHistorian(historian, inlets, { edge: `${e.hall}-edge` }, 0, cut);
      series += expected.size;
      const got = dedupe(await readVictoria(vm, `{signal="inlet_temp",edge="${e.hall}-edge"}`), cut);
      const c = compare(got, expected);
      rw.expected += c.expected;
      rw.lost += c.lost;
      rw.differ += c.differ;
      for (const p of inlets) {
        const raw = historian.readRaw(p.id, 0, cut);
        const have = new Set(hostReport.watched[p.id] ?? []);
        for (const ts of raw.ts) {
          sp.expected++;
          if (have.has(ts)) continue;
          sp.lost++;
          // stored in the last interval before the kill: in the edge's memory, not yet in its spool
          if (e.hall === kill.hall && ts >= kill.simKill - 2000 * SPEED && ts <= kill.simKill) sp.lostNearKill++;
          else {
            // grouped by edge and time: a whole message lost shows as one time with every rack's inlet
            const k = `${e.hall} @ ${new Date(ts).toISOString()}`;
            others.set(k, (others.get(k) ?? 0) + 1);
          }
        }
      }
    } finally {
      await historian.close();
    }
  }
  sp.examples = [...others].slice(0, 8).map(([k, n]) => `${n} × ${k}`);
  return {
    rw,
    sp,
    dropped,
    spDropped,
    gaps: gapsOf(
      hostReport,
      edges.map((e) => e.hall),
    ),
    host: {
      skipped: hostReport.status.skipped,
      undecodable: hostReport.status.undecodable,
      rebirthsAsked: sum(hostReport.status.edges.map((x) => x.rebirthsAsked)),
      late: sum(hostReport.status.edges.map((x) => x.late)),
      births: sum(hostReport.status.edges.map((x) => x.births)),
    },
    series,
  };
}

function report(c: CostSplit, s: Steady, f: Faults, l: Loss): void {
  const us = (x: number) => fmt(x * 1e6, 2);
  const rwCost = c.perSample.rw - c.perSample.none;
  const spCost = c.perSample.sp - c.perSample.none;
  console.log(
    `\n== cost split (${c.seconds} s, three edges of ${POINTS} points at ×${SPEED} at once), CPU µs per stored sample`,
  );
  console.log(
    `  edge, no export                       ${us(c.perSample.none).padStart(8)}   (${c.stored.none} samples)`,
  );
  console.log(
    `  edge, remote write only               ${us(c.perSample.rw).padStart(8)}   → remote write costs ${us(rwCost)} µs/sample (2 wire samples: value + quality)`,
  );
  console.log(
    `  edge, Sparkplug only                  ${us(c.perSample.sp).padStart(8)}   → Sparkplug costs ${us(spCost)} µs/sample`,
  );
  console.log(
    `  VictoriaMetrics ingest (its own CPU)  ${us(c.vmPerSample).padStart(8)}   per stored sample (${us(c.vmPerSample / 2)} per wire sample)`,
  );
  console.log(`  mosquitto (its own CPU)               ${us(c.brokerPerSample).padStart(8)}`);
  console.log(`  ratio remote-write sender ÷ VictoriaMetrics: ${fmt(rwCost / c.vmPerSample, 2)} (target ≤ 1)`);
  console.log(
    `  ratio Sparkplug sender ÷ VictoriaMetrics:    ${fmt(spCost / c.vmPerSample, 2)} (target ≤ 1); ÷ mosquitto: ${fmt(spCost / c.brokerPerSample, 1)}`,
  );

  console.log(`\n== steady (${fmt(s.seconds)} s wall, ${EDGES} edges with both exports)`);
  const perS = s.stored / s.seconds;
  console.log(
    `  stored ${s.stored.toLocaleString('en')} samples = ${fmt(perS)}/s (offered ${EDGES * POINTS * SPEED}/s: ${fmt(perS / (EDGES * POINTS * SPEED), 3)})`,
  );
  console.log(
    `  Sparkplug host received ${s.hostSamples.toLocaleString('en')} samples (${fmt(s.hostSamples / s.stored, 3)} of stored)`,
  );
  const cores = (x: number) => fmt(x / s.seconds, 3);
  console.log(
    `  CPU, cores: edges ${cores(s.cpu.edges)} (${us(s.cpu.edges / s.stored)} µs/sample, all of the backend), VictoriaMetrics ${cores(s.cpu.vm)} (${us(s.cpu.vm / s.stored)} µs/stored sample), mosquitto ${cores(s.cpu.broker)} (${us(s.cpu.broker / s.stored)}), hub ${cores(s.cpu.hub)} (queries), Sparkplug host ${cores(s.cpu.host)} (${us(s.cpu.host / s.stored)})`,
  );
  console.log(`  machine busy: ${fmt(s.machineBusyCores, 2)} of ${os.cpus().length} cores (everything on it)`);
  const p = (xs: number[]) => `${fmt(percentile(xs, 50) / 1000, 2)} / ${fmt(percentile(xs, 95) / 1000, 2)} s`;
  console.log(
    `  end-to-end, sample made → answered by the hub (latest of every inlet), p50 / p95: newest inlet ${p(s.delays.newest)}, oldest inlet ${p(s.delays.oldest)} (${s.delays.newest.length} answers; includes up to one sample period, ${INTERVAL_MS} ms, and the store's 1 s buffer)`,
  );
  console.log(`  hub latency for the NOC wall over ${EDGES} halls, p50 / p95 ms (answers):`);
  const all: number[] = [];
  for (const [name, ms] of s.queries) {
    all.push(...ms);
    console.log(
      `    ${name.padEnd(52)} ${fmt(percentile(ms, 50)).padStart(6)} / ${fmt(percentile(ms, 95)).padStart(6)}  (${ms.length})`,
    );
  }
  console.log(
    `    ${'every query'.padEnd(52)} ${fmt(percentile(all, 50)).padStart(6)} / ${fmt(percentile(all, 95)).padStart(6)}  (${all.length})`,
  );
  for (const [name, e] of s.errors) console.log(`    error, ${name}: ${e.slice(0, 240)}`);

  console.log('\n== faults');
  console.log(
    `  receiver stopped ${fmt(f.outage.seconds)} s: backlog peak ${f.outage.backlogPeak.toLocaleString('en')} wire samples, ${f.outage.retries} retries, drained ${fmt(f.outage.drainS, 1)} s after the restart (${fmt(f.outage.seconds / Math.max(f.outage.drainS, 0.001), 1)}× real time)`,
  );
  console.log(
    `  broker killed ${fmt(f.broker.downS)} s: spool peak ${f.broker.spooledPeak} messages, replayed ${fmt(f.broker.replayS, 1)} s after the restart, ${f.broker.historical} DDATA with is_historical; seq gaps at the host ${f.broker.gapsBefore} before, ${f.broker.gapsAfter} after`,
  );
  for (const b of f.broker.bdSeq)
    console.log(
      `    ${b.hall}: bdSeq ${b.before} → ${b.after} (host's session: ${b.host ?? '—'})${b.after === b.host && b.after !== b.before ? ' ✓' : ' ✗'}`,
    );
  console.log(
    `  kill -9 of ${f.kill.hall}: queue ${f.kill.queuedAtKill} samples at the kill, ${f.kill.afterRestart} after the restart (caught up from the historian: ${JSON.stringify(f.kill.caughtUp)}); bdSeq ${f.kill.bdSeqBefore} → ${f.kill.bdSeqAfter}; sending again ${fmt(f.kill.resumedS, 1)} s after the start`,
  );

  console.log(
    `\n== loss check: every sample of ${l.series / 2} inlet points (+ their quality series) over the whole run, edge historians vs receivers`,
  );
  console.log(
    `  remote write → VictoriaMetrics: ${l.rw.expected.toLocaleString('en')} samples expected, ${l.rw.lost} lost, ${l.rw.differ} with another value; dropped by the queues ${JSON.stringify(l.dropped)}`,
  );
  console.log(
    `  Sparkplug → primary host: ${l.sp.expected.toLocaleString('en')} samples expected, ${l.sp.lost} lost (${l.sp.lostNearKill} of them stamped in the ${2 * SPEED} simulated s before the kill -9${l.sp.examples.length ? `; others: ${l.sp.examples.join(', ')}` : ''}); dropped by the spools ${l.spDropped}; seq gaps ${l.gaps}; the host skipped ${l.host.skipped} metrics, ${l.host.undecodable} undecodable, asked ${l.host.rebirthsAsked} rebirths, saw ${l.host.births} births, dropped ${l.host.late} messages as late`,
  );
  console.log(
    `  verdict: remote write ${l.rw.lost === 0 && l.rw.differ === 0 ? '0 lost' : 'LOSSES'}, Sparkplug ${l.sp.lost === 0 ? '0 lost' : 'LOSSES'}`,
  );

  // ---- paper extrapolation inputs
  const target = 500_000;
  const perSampleEdge = s.cpu.edges / s.stored;
  console.log(`\n== extrapolation inputs (hub/README.md does the arithmetic)`);
  console.log(
    `  ${target.toLocaleString('en')} samples/s (10k racks × 50 points at 1 Hz) at this run's per-sample costs: edges ${fmt(target * perSampleEdge, 1)} cores (of which remote write ${fmt(target * rwCost, 1)}, Sparkplug ${fmt(target * spCost, 1)}), VictoriaMetrics ingest ${fmt(target * c.vmPerSample, 1)} cores, mosquitto ${fmt(target * c.brokerPerSample, 1)} cores`,
  );
  console.log(
    `  one edge of 2,500 racks (125,000 samples/s): ${fmt(125_000 * perSampleEdge, 2)} cores — above the one JavaScript thread a backend has when > 1`,
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    killAll();
    process.exit(1);
  },
);
