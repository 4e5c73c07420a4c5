import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { SourcePoint, SourceSample } from '../backend/src/connectors/types';
import { opcua } from '../backend/src/connectors/opcua';
import { opcuaOptions } from '../backend/src/connectors/opcua/config';

/**
 * OPC UA ingest benchmark: the opcua connector against a bare node-opcua client on the same local server, in one
 * run, for 10 000 and 50 000 monitored items that change every second.
 *
 *   npm run bench:ingest:opcua              full run: 10 000 and 50 000 items, 20 waves (s) measured, 2 runs each (≈ 5 min)
 *   npm run bench:ingest:opcua -- --quick   (or BENCH_QUICK=1) 2 000 items, 10 waves measured
 *
 * The server (bench/ingest-opcua-server.ts) runs in a child process, so this process's CPU (process.cpuUsage) is
 * the client's alone. Every value is a per-item sequence number, so lost changes are counted exactly: per item,
 * last − first + 1 − received. Both clients use the same layout (subscriptions of 5 000 items, CreateMonitoredItems
 * calls of 1 000, publishing and sampling 1 000 ms, queue 10, no deadband) and the same per-item sequence check;
 * the baseline counts node-opcua's `changed` events, the connector's sink counts SourceSamples. In production the
 * sink is the historian's ingest: its cost is not measured here (bench/historian.bench.ts does).
 *
 * Each client runs twice per size (bare, Plenum, Plenum, bare), each run against a fresh server child, after an
 * unmeasured warm-up of both; the window starts after a full GC; the run with less CPU per notification is compared.
 *
 * Prints figures and ratios; asserts nothing.
 */

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
const SIZES = QUICK ? [2000] : [10_000, 50_000];
/** sampling and publishing interval: every item changes once per interval (one wave), ms */
const INTERVAL_MS = 1000;
/** measured window after every item delivered its first value and the warm-up, ms */
const WINDOW_MS = QUICK ? 10_000 : 20_000;
/** waves skipped after the first full one (subscription set-up settles), ms */
const WARMUP_MS = 5000;
const WAVES = WINDOW_MS / INTERVAL_MS;
/** items of the unmeasured run of both clients first, so neither pays for compiling node-opcua's hot paths */
const JIT_WARMUP_ITEMS = 2000;
const QUEUE_SIZE = 10;
const PER_CALL = 1000;
const PER_SUBSCRIPTION = 5000;
const NAMESPACE = 'urn:plenum:bench';
const TSX = join(__dirname, '..', 'node_modules', '.bin', 'tsx');
/** server children alive, killed on Ctrl-C */
const live = new Set<ChildProcess>();

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** a full garbage collection (V8's gc() without --expose-gc on the command line) */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Per-item sequence bookkeeping: first and last sequence number seen, values received. */
class Sequences {
  readonly first: Float64Array;
  readonly last: Float64Array;
  readonly received: Float64Array;
  /** values received in total, and items with at least one */
  total = 0;
  seen = 0;
  /** values whose sequence number was not above the item's last one (duplicates, reordering) */
  outOfOrder = 0;

  constructor(readonly n: number) {
    this.first = new Float64Array(n).fill(NaN);
    this.last = new Float64Array(n);
    this.received = new Float64Array(n);
  }

  /** called whenever the values received reach a multiple of the items (one wave's worth) */
  onWave?: () => void;

  add(i: number, seq: number): void {
    this.total++;
    if (this.received[i] === 0) {
      this.first[i] = seq;
      this.seen++;
    } else if (seq <= this.last[i]!) this.outOfOrder++;
    this.last[i] = seq;
    this.received[i]!++;
    if (this.total % this.n === 0) this.onWave?.();
  }

  /** changes the server made (per its sequence numbers) that never arrived */
  lost(): number {
    let lost = 0;
    for (let i = 0; i < this.n; i++) {
      if (this.received[i]! > 0) lost += this.last[i]! - this.first[i]! + 1 - this.received[i]!;
    }
    return lost;
  }
}

interface Window {
  /** notifications (values) received in the window */
  notifications: number;
  cpuMs: number;
  wallMs: number;
  /** false: a time window (the counts never reached a whole number of waves) */
  byWaves: boolean;
  /** CPU of the median wave (robust to a GC or JIT burst landing in one wave); NaN without waves */
  medianWaveCpuMs: number;
}

interface Figures {
  name: string;
  items: number;
  /** notifications (values) received in the window */
  notifications: number;
  cpuMs: number;
  wallMs: number;
  /** over the whole run, from the first value of each item to its last */
  lost: number;
  outOfOrder: number;
  totalReceived: number;
  missingItems: number;
  setupMs: number;
  byWaves: boolean;
  medianWaveCpuMs: number;
  note?: string;
}

/** Starts the server child with `n` variables; resolves with its endpoint once it listens. */
async function startServer(n: number, pkiDir: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const child = spawn(TSX, [join(__dirname, 'ingest-opcua-server.ts'), String(n), pkiDir], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 120 s: ${stderr}`)), 120_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^READY (\d+)$/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  return { child, endpoint: `opc.tcp://127.0.0.1:${port}` };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Waits until every item delivered a value and `WARMUP_MS`, then measures CPU over exactly `WINDOW_MS / INTERVAL_MS`
 * waves: from the moment the values received reach a multiple of the items to the moment they reach the next
 * multiple that many waves later (a time window would cut a wave in two and count its CPU but not all of its
 * values). Falls back to a time window when the counts never line up (changes lost).
 */
async function measure(seq: Sequences, label: string, waves: number): Promise<Window> {
  const end = Date.now() + 60_000;
  while (seq.seen < seq.n) {
    if (Date.now() > end) throw new Error(`${label}: only ${seq.seen} of ${seq.n} items delivered a value in 60 s`);
    await sleep(50);
  }
  await sleep(WARMUP_MS);
  const fallback = { total: seq.total, cpu: cpuMs(), wall: performance.now() };
  return new Promise<Window>((resolve) => {
    let start: typeof fallback | undefined;
    const finish = (from: typeof fallback, byWaves: boolean) => {
      clearTimeout(timer);
      seq.onWave = undefined;
      resolve({
        notifications: seq.total - from.total,
        cpuMs: cpuMs() - from.cpu,
        wallMs: performance.now() - from.wall,
        byWaves,
        medianWaveCpuMs: median(perWave),
      });
    };
    const timer = setTimeout(() => finish(fallback, false), waves * INTERVAL_MS * 2);
    const perWave: number[] = [];
    let prev = 0;
    seq.onWave = () => {
      // the window starts with an empty young and old generation: garbage of the set-up (or of the previous
      // client) is not charged to it
      if (!start) collectGarbage();
      const c = cpuMs();
      if (start) perWave.push(c - prev);
      prev = c;
      if (!start) start = { total: seq.total, cpu: c, wall: performance.now() };
      else if (seq.total - start.total >= waves * seq.n) finish(start, true);
    };
  });
}

/** The baseline: node-opcua's client, monitored item groups of 1 000, a handler that only counts. */
async function runBare(endpoint: string, n: number, pkiDir: string, waves: number): Promise<Figures> {
  const {
    AttributeIds,
    ClientMonitoredItemGroup,
    MessageSecurityMode,
    OPCUACertificateManager,
    OPCUAClient,
    SecurityPolicy,
    TimestampsToReturn,
  } = await import('node-opcua');
  const seq = new Sequences(n);
  const t0 = performance.now();
  const manager = new OPCUACertificateManager({ rootFolder: pkiDir, disableFileWatchers: true });
  const client = OPCUAClient.create({
    applicationName: 'PlenumBenchBare',
    endpointMustExist: false,
    securityMode: MessageSecurityMode.None,
    securityPolicy: SecurityPolicy.None,
    clientCertificateManager: manager,
    connectionStrategy: { maxRetry: 1 },
  });
  await client.connect(endpoint);
  try {
    const session = await client.createSession2();
    const nsIndex = (await session.readNamespaceArray()).indexOf(NAMESPACE);
    for (let s = 0; s < n; s += PER_SUBSCRIPTION) {
      const subscription = await session.createSubscription2({
        requestedPublishingInterval: INTERVAL_MS,
        requestedMaxKeepAliveCount: 5,
        requestedLifetimeCount: 120,
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 0,
      });
      for (let c = s; c < Math.min(n, s + PER_SUBSCRIPTION); c += PER_CALL) {
        const base = c;
        const items = [];
        for (let i = c; i < Math.min(n, c + PER_CALL); i++) {
          items.push({ nodeId: `ns=${nsIndex};s=v${i}`, attributeId: AttributeIds.Value });
        }
        const group = ClientMonitoredItemGroup.create(
          subscription,
          items,
          { samplingInterval: INTERVAL_MS, queueSize: QUEUE_SIZE, discardOldest: true },
          TimestampsToReturn.Both,
        );
        group.on('changed', (_item, dv, index) => seq.add(base + index, dv.value.value as number));
        await new Promise<void>((resolve, reject) => {
          group.once('initialized', () => resolve());
          group.once('terminated', (err?: Error) => reject(err ?? new Error('terminated')));
        });
      }
    }
    const setupMs = performance.now() - t0;
    const m = await measure(seq, 'bare client', waves);
    await session.close(true);
    return result('bare node-opcua client (counts `changed`)', n, seq, m, setupMs);
  } finally {
    await client.disconnect();
    manager.dispose?.();
  }
}

function benchPoint(i: number): SourcePoint {
  return {
    id: `bench/opcua/v${i}`,
    domain: 'OT',
    quantity: 'temperature',
    unit: '°C',
    grafanaUnit: 'celsius',
    valueType: 'number',
    kind: 'measurement',
    writable: false,
    location: { site: 'bench' },
    tags: [],
    source: { connector: 'opcua', source: 'bench', address: `nsu=${NAMESPACE};s=v${i}` },
    sourceUnit: '°C',
    conversion: { scale: 1, offset: 0 },
  };
}

/** Plenum: the opcua connector as the source runner drives it (init, start(sink), stop), the sink only counts. */
async function runPlenum(endpoint: string, n: number, pkiDir: string, waves: number): Promise<Figures> {
  const points = Array.from({ length: n }, (_, i) => benchPoint(i));
  const index = new Map(points.map((p, i) => [p.id, i]));
  const connector = opcua.init({
    name: 'bench',
    intervalMs: INTERVAL_MS,
    options: opcuaOptions.parse({
      endpoint,
      pkiDir,
      samplingIntervalMs: INTERVAL_MS,
      publishingIntervalMs: INTERVAL_MS,
      queueSize: QUEUE_SIZE,
      deadband: { type: 'none', value: 0 },
      maxItemsPerCall: PER_CALL,
      maxItemsPerSubscription: PER_SUBSCRIPTION,
    }),
    points,
  });
  if (connector.mode !== 'subscribe') throw new Error('expected a subscribed connector');
  const seq = new Sequences(n);
  let bad = 0;
  const sink = async (batch: SourceSample[]) => {
    for (const s of batch) {
      if (s.quality !== 'good') {
        bad++;
        continue;
      }
      seq.add(index.get(s.pointId)!, s.value as number);
    }
  };
  const t0 = performance.now();
  try {
    await connector.start(sink);
    const setupMs = performance.now() - t0;
    const m = await measure(seq, 'Plenum opcua connector', waves);
    const f = result('Plenum opcua connector (sink counts)', n, seq, m, setupMs);
    if (bad > 0) f.note = `${bad} bad samples`;
    return f;
  } finally {
    await connector.stop();
  }
}

function result(name: string, n: number, seq: Sequences, m: Window, setupMs: number): Figures {
  return {
    name,
    items: n,
    ...m,
    lost: seq.lost(),
    outOfOrder: seq.outOfOrder,
    totalReceived: seq.total,
    missingItems: n - seq.seen,
    setupMs,
  };
}

const per1000 = (f: Figures) => (f.cpuMs / f.notifications) * 1000;

/** The run with the least CPU per notification; lost changes and anomalies summed over all runs. */
function best(runs: Figures[]): Figures & { runs: Figures[] } {
  const b = runs.reduce((x, y) => (per1000(y) < per1000(x) ? y : x));
  const sum = (k: 'lost' | 'outOfOrder' | 'missingItems') => runs.reduce((t, f) => t + f[k], 0);
  const notes = runs.map((f) => f.note).filter(Boolean);
  return {
    ...b,
    lost: sum('lost'),
    outOfOrder: sum('outOfOrder'),
    missingItems: sum('missingItems'),
    totalReceived: runs.reduce((t, f) => t + f.totalReceived, 0),
    note: notes.length > 0 ? notes.join('; ') : undefined,
    runs,
  };
}

/** One client against a fresh server child (so neither inherits the other's server state). */
async function withServer(
  n: number,
  root: string,
  run: (endpoint: string, pkiDir: string) => Promise<Figures>,
): Promise<Figures> {
  const dir = mkdtempSync(join(root, 'run-'));
  const { child, endpoint } = await startServer(n, join(dir, 'server-pki'));
  try {
    return await run(endpoint, join(dir, 'client-pki'));
  } finally {
    await stopServer(child);
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n');
}

async function main(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'plenum-bench-opcua-'));
  const onSignal = () => {
    for (const child of live) child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  try {
    log(
      `${QUICK ? 'quick' : 'full'} run: ${SIZES.map((n) => fmt(n)).join(' and ')} items, ${WINDOW_MS / 1000} s measured after ${WARMUP_MS / 1000} s warm-up; server in a child process`,
    );
    log(`warm-up: both clients on ${fmt(JIT_WARMUP_ITEMS)} items, not measured …`);
    await withServer(JIT_WARMUP_ITEMS, root, (endpoint, pki) => runBare(endpoint, JIT_WARMUP_ITEMS, pki, 3));
    await withServer(JIT_WARMUP_ITEMS, root, (endpoint, pki) => runPlenum(endpoint, JIT_WARMUP_ITEMS, pki, 3));
    const results: Array<{ bare: ReturnType<typeof best>; plenum: ReturnType<typeof best> }> = [];
    for (const n of SIZES) {
      // bare, Plenum, Plenum, bare: a GC or JIT burst, or a machine hiccup, lands in one run and not in both of
      // a client's runs; the better run of each is compared
      const runs: Record<'bare' | 'plenum', Figures[]> = { bare: [], plenum: [] };
      for (const which of ['bare', 'plenum', 'plenum', 'bare'] as const) {
        log(`${fmt(n)} items: ${which === 'bare' ? 'bare node-opcua client' : 'Plenum opcua connector'} …`);
        const f = await withServer(n, root, (endpoint, pki) =>
          which === 'bare' ? runBare(endpoint, n, pki, WAVES) : runPlenum(endpoint, n, pki, WAVES),
        );
        log(
          `${which}: ${fmt(f.notifications)} notifications, ${fmt(f.cpuMs)} CPU-ms, lost ${f.lost} (set-up ${fmt(f.setupMs / 1000, 1)} s)`,
        );
        runs[which].push(f);
      }
      results.push({ bare: best(runs.bare), plenum: best(runs.plenum) });
    }

    const rows: string[][] = [['figure', 'Plenum', 'bare client', 'ratio']];
    for (const { bare, plenum } of results) {
      const how = (f: Figures) =>
        f.byWaves ? `${fmt(f.notifications / f.items)} waves` : `${fmt(f.wallMs / 1000, 1)} s`;
      rows.push([`${fmt(plenum.items)} items`, '', '', '']);
      rows.push(['  measured (whole waves; else a time window)', how(plenum), how(bare), '']);
      rows.push(['  runs (the better one is shown)', fmt(plenum.runs.length), fmt(bare.runs.length), '']);
      rows.push(['  notifications received', fmt(plenum.notifications), fmt(bare.notifications), '']);
      rows.push([
        '  per second (expected: items)',
        fmt(plenum.notifications / (plenum.wallMs / 1000)),
        fmt(bare.notifications / (bare.wallMs / 1000)),
        '',
      ]);
      rows.push(['  lost changes (all runs, from sequence numbers)', fmt(plenum.lost), fmt(bare.lost), '']);
      rows.push([
        '  out of order / items never heard from',
        `${plenum.outOfOrder} / ${plenum.missingItems}`,
        `${bare.outOfOrder} / ${bare.missingItems}`,
        '',
      ]);
      rows.push(['  values received, all runs', fmt(plenum.totalReceived), fmt(bare.totalReceived), '']);
      rows.push([
        '  client CPU ms per 1 000 notifications',
        per1000(plenum).toFixed(2),
        per1000(bare).toFixed(2),
        `${(per1000(plenum) / per1000(bare)).toFixed(2)}× (target ≤ 1.30×)`,
      ]);
      const each = (f: ReturnType<typeof best>) => f.runs.map((r) => per1000(r).toFixed(2)).join(' / ');
      rows.push(['    each run', each(plenum), each(bare), '']);
      const median1000 = (f: Figures) => (f.medianWaveCpuMs / f.items) * 1000;
      rows.push([
        '    same, median wave (robust to one GC/JIT burst)',
        median1000(plenum).toFixed(2),
        median1000(bare).toFixed(2),
        `${(median1000(plenum) / median1000(bare)).toFixed(2)}×`,
      ]);
      rows.push([
        '  client CPU, % of one core',
        fmt((plenum.cpuMs / plenum.wallMs) * 100, 1),
        fmt((bare.cpuMs / bare.wallMs) * 100, 1),
        '',
      ]);
      rows.push(['  set-up: connect + subscribe, s', fmt(plenum.setupMs / 1000, 1), fmt(bare.setupMs / 1000, 1), '']);
      if (plenum.note) rows.push([`  note: ${plenum.note}`, '', '', '']);
    }
    console.log('');
    console.log(table(rows));
    console.log('');
    console.log(
      'Plenum: the opcua connector (init → start(sink) → stop) with a sink that only counts and checks sequence numbers;',
    );
    console.log(
      "in production that sink is the historian's ingest, not measured here. Bare: node-opcua's client, ClientMonitoredItemGroup",
    );
    console.log(
      `'changed' handler with the same check. Both: subscriptions of ${fmt(PER_SUBSCRIPTION)}, calls of ${fmt(PER_CALL)}, sampling = publishing = ${INTERVAL_MS} ms, queue ${QUEUE_SIZE}, no deadband.`,
    );
    console.log('CPU: process.cpuUsage() of this process (the server runs in a child process and is not counted).');
  } finally {
    process.removeListener('SIGINT', onSignal);
    rmSync(root, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
