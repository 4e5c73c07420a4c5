import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import ModbusRTU from 'modbus-serial';
import { modbusOptions } from '../backend/src/connectors/modbus/config';
import { modbus } from '../backend/src/connectors/modbus/index';
import type { ModbusConnector } from '../backend/src/connectors/modbus/modbus';
import type { ReadLimits } from '../backend/src/connectors/modbus/plan';
import { freePort } from '../backend/src/testing/handles';
import type { SourcePoint, SourceSample } from '../backend/src/connectors/types';
import {
  addressOf,
  denseMap,
  mappedRegisters,
  optimumRequests,
  pduMap,
  sparseMap,
  type RegisterMap,
} from './ingest-modbus-maps';

/**
 * Modbus ingest benchmark: for each register map, the requests per poll cycle the connector makes against the
 * optimum for the map (same limits: 125 registers per read, maxGap 10), and registers/s of the connector's
 * gather() loop against a bare modbus-serial client loop issuing exactly the same reads, one at a time on one
 * connection. The server (modbus-serial ServerTCP, bench/ingest-modbus-server.ts) runs in a child process and
 * answers each request after a seeded random 5–20 ms, like real devices; both sides see the same delay sequence.
 *
 *   npm run bench:ingest:modbus              full run (~3 min)
 *   npm run bench:ingest:modbus -- --quick   (or BENCH_QUICK=1) ~30 s
 *
 * Prints figures and ratios; asserts nothing (it fails only if a read fails or a value is bad).
 */

const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';
/** server delay per request, ms */
const DELAY = { min: 5, max: 20 };
const LIMITS: ReadLimits = { maxLength: 125, maxGap: 10 };
/** poll cycles per side, split over two rounds (baseline, Plenum, then Plenum, baseline) */
const CYCLES: Record<string, number> = QUICK ? { pdu: 6, sparse: 6, dense: 30 } : { pdu: 40, sparse: 40, dense: 240 };
const SEED = 20260601;
const TSX = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');

function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

interface Server {
  port: number;
  command(line: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const port = await freePort();
  const script = path.join(__dirname, 'ingest-modbus-server.ts');
  const child: ChildProcess = spawn(TSX, [script, String(port), String(DELAY.min), String(DELAY.max)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting: Array<(line: string) => void> = [];
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let ready: () => void = () => undefined;
  const readyP = new Promise<void>((resolve, reject) => {
    ready = resolve;
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before it listened`)));
    child.once('error', reject);
  });
  lines.on('line', (line) => {
    if (line === 'READY') ready();
    else waiting.shift()?.(line);
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      child.kill('SIGTERM');
    }
    const t = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(t);
  };
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  try {
    await readyP;
  } catch (e) {
    await stop();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return {
    port,
    command: (line) =>
      new Promise((resolve) => {
        waiting.push((answer) => resolve(JSON.parse(answer) as Record<string, unknown>));
        child.stdin?.write(`${line}\n`);
      }),
    stop,
  };
}

function pointsOf(map: RegisterMap): SourcePoint[] {
  return map.points.map((p, i) => ({
    id: `bench/${map.name}/u${p.unitId}/${p.table}${p.address}/${i}`,
    domain: 'OT',
    quantity: 'power',
    unit: 'kW',
    grafanaUnit: 'kwatt',
    valueType: 'number',
    kind: 'measurement',
    writable: false,
    location: { site: 'bench' },
    tags: [],
    source: { connector: 'modbus', source: 'bench', address: addressOf(p) },
    sourceUnit: 'kW',
    conversion: { scale: 1, offset: 0 },
  }));
}

function connector(port: number, map: RegisterMap): ModbusConnector {
  return modbus.init({
    name: 'bench',
    intervalMs: 1000,
    options: modbusOptions.parse({
      host: '127.0.0.1',
      port,
      timeoutMs: 1000,
      retries: 1,
      maxGap: LIMITS.maxGap,
      maxRegistersPerRead: LIMITS.maxLength,
    }),
    points: pointsOf(map),
  }) as ModbusConnector;
}

interface Side {
  cycles: number;
  wallMs: number;
  cpuMs: number;
  registers: number;
  requests: number;
}

const empty = (): Side => ({ cycles: 0, wallMs: 0, cpuMs: 0, registers: 0, requests: 0 });

/** Runs `cycles` polls of `poll` with the server's delay sequence reset to the same seed; adds to `into`. */
async function timed(server: Server, cycles: number, poll: () => Promise<void>, into: Side): Promise<void> {
  await server.command(`reset ${SEED}`);
  const c0 = cpuMs();
  const w0 = performance.now();
  for (let i = 0; i < cycles; i++) await poll();
  into.wallMs += performance.now() - w0;
  into.cpuMs += cpuMs() - c0;
  const s = (await server.command('stats')) as { requests: number; registers: number };
  into.cycles += cycles;
  into.requests += s.requests;
  into.registers += s.registers;
}

interface MapResult {
  map: RegisterMap;
  optimum: { requests: number; exhaustiveGroups: number; groups: number };
  plannedRequests: number;
  plannedRegisters: number;
  plenum: Side;
  bare: Side;
  connectorRequests: number;
  samples: number;
}

async function benchMap(server: Server, map: RegisterMap, cycles: number): Promise<MapResult> {
  const optimum = optimumRequests(map, LIMITS);
  const c = connector(server.port, map);
  const reads = c.reads;
  const client = new ModbusRTU();
  let samples = 0;
  const sink = async (batch: SourceSample[]): Promise<void> => {
    samples += batch.length;
    const bad = batch.find((s) => s.quality !== 'good');
    if (bad) throw new Error(`${map.name}: bad sample ${JSON.stringify(bad)}`);
  };
  const plenumPoll = () => c.gather(sink);
  const barePoll = async () => {
    for (const r of reads) {
      client.setID(r.unitId);
      const res =
        r.table === 'hr'
          ? await client.readHoldingRegisters(r.start, r.count)
          : await client.readInputRegisters(r.start, r.count);
      if (res.data.length !== r.count) throw new Error(`${map.name}: short answer`);
    }
  };
  const plenum = empty();
  const bare = empty();
  try {
    await client.connectTCP('127.0.0.1', { port: server.port });
    client.setTimeout(1000);
    // warm-up (connect, JIT) outside the timed cycles
    await plenumPoll();
    await barePoll();
    const half = Math.max(1, Math.round(cycles / 2));
    const statsBefore = c.stats.requests;
    samples = 0;
    await timed(server, half, barePoll, bare);
    await timed(server, half, plenumPoll, plenum);
    await timed(server, half, plenumPoll, plenum);
    await timed(server, half, barePoll, bare);
    if (samples !== plenum.cycles * map.points.length) throw new Error(`${map.name}: ${samples} samples`);
    return {
      map,
      optimum,
      plannedRequests: reads.length,
      plannedRegisters: reads.reduce((n, r) => n + r.count, 0),
      plenum,
      bare,
      connectorRequests: c.stats.requests - statsBefore,
      samples,
    };
  } finally {
    await c.close();
    await new Promise<void>((resolve) => client.close(() => resolve()));
  }
}

const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function report(r: MapResult): string[] {
  const perCycle = (s: Side) => s.requests / s.cycles;
  const regsPerS = (s: Side) => s.registers / (s.wallMs / 1000);
  const cpuPerK = (s: Side) => (s.cpuMs / s.registers) * 1000;
  const ratio = regsPerS(r.plenum) / regsPerS(r.bare);
  return [
    `${r.map.name}: ${r.map.description}; ${r.map.points.length} points, ${mappedRegisters(r.map)} mapped registers`,
    `  requests/cycle   Plenum ${fmt(perCycle(r.plenum), 1)} (server log; connector stats ${fmt(r.connectorRequests / r.plenum.cycles, 1)}), ` +
      `optimum ${r.optimum.requests} (DP over ${r.optimum.groups} unit/table groups; ${r.optimum.exhaustiveGroups} independent clusters also by exhaustive search, agreeing)` +
      `  → ${fmt(perCycle(r.plenum) / r.optimum.requests, 2)}× optimum`,
    `  registers/cycle  ${r.plannedRegisters} read (gap fill included) in ${r.plannedRequests} planned requests; bare loop ${fmt(perCycle(r.bare), 1)} requests/cycle`,
    `  registers/s      Plenum ${fmt(regsPerS(r.plenum))}, bare modbus-serial ${fmt(regsPerS(r.bare))}  → ${fmt(ratio, 3)}× (target ≥ 0.9×)` +
      `  [${r.plenum.cycles} cycles each, ${fmt(r.plenum.wallMs / 1000, 1)} s vs ${fmt(r.bare.wallMs / 1000, 1)} s]`,
    `  CPU ms/1000 regs Plenum ${fmt(cpuPerK(r.plenum), 2)}, bare ${fmt(cpuPerK(r.bare), 2)}  → ${fmt(cpuPerK(r.plenum) / cpuPerK(r.bare), 2)}×` +
      ` (client process; Plenum includes decoding ${fmt(r.samples / r.plenum.cycles)} samples/cycle)`,
  ];
}

async function main(): Promise<void> {
  const t0 = Date.now();
  log(`${QUICK ? 'quick' : 'full'} run; server delay ${DELAY.min}–${DELAY.max} ms per request, seed ${SEED}`);
  const server = await startServer();
  const out: string[] = [];
  try {
    for (const map of [pduMap(40), sparseMap(10, SEED), denseMap()]) {
      const cycles = CYCLES[map.name] as number;
      log(`${map.name}: ${cycles} cycles per side`);
      out.push(...report(await benchMap(server, map, cycles)));
    }
  } finally {
    await server.stop();
  }
  console.log(
    `\nModbus ingest (${QUICK ? 'quick' : 'full'}; limits 125 registers/read, maxGap 10; server delay ${DELAY.min}–${DELAY.max} ms/request, same seeded sequence for both sides)`,
  );
  for (const line of out) console.log(line);
  console.log(`total ${fmt((Date.now() - t0) / 1000, 1)} s`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
