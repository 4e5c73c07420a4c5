/**
 * Faults: the real connectors, run by the real SourceRunner, read their devices through a TCP fault proxy
 * (backend/src/testing/fault-proxy.ts) that injects latency, drops, resets, half-open connections, black holes and
 * refusals, and the devices are killed and restarted. Per connector and fault it measures the time back to good
 * data after the fault ends (target ≤ 5 s), whether the gap was marked bad (bad samples while the fault lasted and
 * no good one), sockets and timers left open, and RSS (first vs last third).
 *
 * Devices: Modbus TCP is modbus-serial's ServerTCP in-process (the peer modbus.test.ts uses); Prometheus is an HTTP
 * server serving a DCGM exporter's exposition; Redfish is the BMC-shaped HTTPS server serving the DMTF mockup
 * (connectors/redfish/testkit.ts: a session login, a pinned self-signed certificate; a restart forgets sessions);
 * OPC UA is the simulator's node-opcua server on a hall model in wall time, read in poll mode (a restart is a new
 * server on the same port: the connector must open a new secure channel and session). SNMP and BACnet/IP are UDP:
 * they sit behind backend/src/testing/udp-fault-proxy.ts instead, the faults mapped to what datagrams can suffer
 * (udpFault); their devices are the twin's own faces on a hall model in wall time — the PDUs' rPDU2 agents
 * (sim/snmp/) read by the snmp connector with its apc-rpdu2 profile, the hall BMS's BACnet device (sim/bacnet/) read
 * by the bacnet connector in poll mode; a restart closes the device's socket and binds the same port again.
 * All listen on 127.0.0.1 only and are stopped at the end.
 *
 * Full form: 60 minutes, a fault a minute (RELIABILITY_FAULTS_MINUTES shortens it, e.g. 10); short form: each
 * fault once per connector, connectors in parallel, about 60 s.
 */
import fs from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ServerTCP, type FCallbackVal } from 'modbus-serial';
import { SourceRunner } from '../../backend/src/connectors/runner';
import type {
  ConnectorDefinition,
  SourceInstance,
  SourcePoint,
  SourceSample,
} from '../../backend/src/connectors/types';
import { modbus } from '../../backend/src/connectors/modbus/index';
import { modbusOptions } from '../../backend/src/connectors/modbus/config';
import { sourcePoint as modbusPoint } from '../../backend/src/connectors/modbus/testkit';
import { prometheus } from '../../backend/src/connectors/prometheus/index';
import { prometheusOptions } from '../../backend/src/connectors/prometheus/config';
import { sourcePoint as promPoint } from '../../backend/src/connectors/prometheus/testkit';
import { redfish } from '../../backend/src/connectors/redfish/index';
import { redfishOptions } from '../../backend/src/connectors/redfish/config';
import { makeCert, BmcServer, sourcePoint as redfishPoint } from '../../backend/src/connectors/redfish/testkit';
import { opcua } from '../../backend/src/connectors/opcua/index';
import { simPoints, source as opcuaSource, tempDir } from '../../backend/src/connectors/opcua/testkit';
import { snmp } from '../../backend/src/connectors/snmp/index';
import { snmpOptions } from '../../backend/src/connectors/snmp/config';
import { snmpPoint } from '../../backend/src/connectors/snmp/testkit';
import { bacnet } from '../../backend/src/connectors/bacnet/index';
import { bacnetOptions } from '../../backend/src/connectors/bacnet/config';
import { bacnetPoint, freeUdpPort } from '../../backend/src/connectors/bacnet/testkit';
import { HallModel } from '../../backend/src/sim/model';
import { SimSnmpServer } from '../../backend/src/sim/snmp/snmp-server';
import { SimBacnetServer } from '../../backend/src/sim/bacnet/bacnet-server';
import { UdpFaultProxy, type UdpFault } from '../../backend/src/testing/udp-fault-proxy';
import { SimOpcUaServer } from '../../backend/src/sim/opcua/opcua-server';
import { FaultProxy, type Fault } from '../../backend/src/testing/fault-proxy';
import { activeHandles, expectNoLeaks, freePort } from '../../backend/src/testing/handles';
import { figure, rssMiB, type Figure, type Suite, type SuiteResult } from '../suite';

/**
 * A fault the suite injects: a proxy fault, or the device killed and restarted; `garbage` (answers that are not the
 * protocol) is the UDP targets' stand-in for a TCP reset (udpFault).
 */
export type Injected = Exclude<Fault, 'pass'> | 'restart' | 'garbage';
export const INJECTED: readonly Injected[] = [
  'latency',
  'drop',
  'reset',
  'half-open',
  'black-hole',
  'refuse',
  'restart',
];

/**
 * What a scheduled fault becomes for a UDP device (SNMP, BACnet/IP) behind testing/udp-fault-proxy.ts: datagrams
 * have no connection to reset, refuse or leave half-open in TCP's sense, so a black hole is a drop both ways, a
 * reset becomes answers that are not the protocol (`garbage`), a refusal is the device's port closed (a restart),
 * half-open forwards the requests and drops the answers.
 */
export function udpFault(f: Injected): { fault: Injected; proxy: UdpFault | 'restart' } {
  switch (f) {
    case 'latency':
    case 'drop':
    case 'half-open':
    case 'garbage':
      return { fault: f, proxy: f };
    case 'black-hole':
      return { fault: f, proxy: 'drop' };
    case 'reset':
      return { fault: 'garbage', proxy: 'garbage' };
    case 'refuse':
    case 'restart':
      return { fault: 'restart', proxy: 'restart' };
  }
}

/** time back to good data after a fault ends, target, ms */
export const RECOVERY_TARGET_MS = 5000;

/** A device behind the proxy that can be killed and started again on the same port. */
interface Device {
  port: number;
  start(): Promise<void>;
  /** kills it: every connection ends at once, the port refuses */
  stop(): Promise<void>;
  /** at the end: stops it and whatever it holds besides (a model clock, a temp folder); @default stop */
  close?(): Promise<void>;
}

/** Modbus TCP: holding registers whose values move, unit 1. */
async function modbusDevice(): Promise<Device> {
  const port = await freePort();
  let server: ServerTCP | undefined;
  const read = (addr: number, length: number, _unit: number, cb: FCallbackVal<number[]>) =>
    cb(
      null,
      Array.from({ length }, (_, i) => (Math.floor(Date.now() / 100) + addr + i) & 0x7fff),
    );
  const d: Device = {
    port,
    async start() {
      const s = new ServerTCP(
        {
          getMultipleHoldingRegisters: read,
          getHoldingRegister: (addr: number, unit: number, cb: FCallbackVal<number>) =>
            read(addr, 1, unit, (e, v) => cb(e, v[0] ?? 0)),
        },
        { host: '127.0.0.1', port, unitID: 255 },
      );
      s.on('socketError', () => undefined);
      await new Promise<void>((resolve, reject) => {
        s.on('initialized', () => resolve());
        s.on('serverError', (e) => reject(e));
      });
      server = s;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.socks.forEach((_, sock) => sock.destroy());
      await new Promise<void>((r) => s.close(() => r()));
    },
  };
  await d.start();
  return d;
}

/** A DCGM exporter's exposition over HTTP, 2 GPUs. */
async function dcgmDevice(): Promise<Device> {
  const port = await freePort();
  let server: http.Server | undefined;
  const d: Device = {
    port,
    async start() {
      const s = http.createServer((_req, res) => {
        const w = (300 + (Date.now() % 1000) / 10).toFixed(1);
        res.setHeader('content-type', 'text/plain; version=0.0.4');
        res.end(
          [
            '# HELP DCGM_FI_DEV_POWER_USAGE Power draw (in W).',
            '# TYPE DCGM_FI_DEV_POWER_USAGE gauge',
            `DCGM_FI_DEV_POWER_USAGE{gpu="0",Hostname="a01-gpu"} ${w}`,
            `DCGM_FI_DEV_POWER_USAGE{gpu="1",Hostname="a01-gpu"} ${w}`,
            '',
          ].join('\n'),
        );
      });
      await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
      server = s;
    },
    async stop() {
      const s = server;
      server = undefined;
      if (!s) return;
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    },
  };
  await d.start();
  return d;
}

/** A Redfish BMC over HTTPS serving the DMTF mockup; user admin. */
async function bmcDevice(cert: { key: string; cert: string }): Promise<Device> {
  const bmc = new BmcServer({ tls: cert, users: { admin: 'fault-pw' } });
  await bmc.start();
  return {
    port: bmc.port,
    start: async () => void (await bmc.start()),
    stop: () => bmc.stop(),
  };
}

/** The simulator's OPC UA server over a hall model that runs in wall time (ticks every 100 ms). */
async function opcuaDevice(dir: string): Promise<Device> {
  const port = await freePort();
  const model = new HallModel({ startMs: Date.now(), jobSchedule: 'none', params: { stepMs: 100 } });
  let server: SimOpcUaServer | undefined;
  const timer = setInterval(() => {
    model.advanceTo(Date.now());
    server?.update();
  }, 100);
  const d: Device = {
    port,
    async start() {
      const s = new SimOpcUaServer(model, { port, pkiDir: `${dir}/server-pki`, log: () => undefined });
      await s.start();
      server = s;
    },
    async stop() {
      const s = server;
      server = undefined;
      await s?.stop();
    },
    async close() {
      clearInterval(timer);
      await d.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await d.start();
  return d;
}

/** A hall model in wall time (a step every 100 ms, ticked every 100 ms) for the twin's faces; `stop` ends its clock. */
function wallModel(): { model: HallModel; stop(): void } {
  const model = new HallModel({ startMs: Date.now(), jobSchedule: 'none', params: { stepMs: 100 } });
  model.addJob({ racks: ['A01'], expectedKwPerRack: 90, durationMs: 86_400_000, rampMs: 1000 });
  const timer = setInterval(() => model.advanceTo(Date.now()), 100);
  return { model, stop: () => clearInterval(timer) };
}

/**
 * The twin's SNMP face (sim/snmp/): its PDUs as rPDU2 agents, the first one's port behind the proxy. A restart
 * closes every agent's socket (datagrams then meet a closed port) and binds the same ports again.
 */
async function snmpDevice(): Promise<Device> {
  const hall = wallModel();
  const server = new SimSnmpServer(hall.model, { port: 0, log: () => undefined });
  await server.start();
  return {
    port: server.ports().A01!,
    start: async () => void (await server.start()),
    stop: () => server.stop(),
    async close() {
      await server.stop();
      hall.stop();
    },
  };
}

/** The twin's BACnet/IP face (sim/bacnet/): the hall BMS as one device, restarted on the same port. */
async function bacnetDevice(): Promise<Device> {
  const hall = wallModel();
  const port = await freeUdpPort();
  let server: SimBacnetServer | undefined;
  const d: Device = {
    port,
    async start() {
      server = await new SimBacnetServer(hall.model, { port, log: () => undefined }).start();
    },
    async stop() {
      const s = server;
      server = undefined;
      await s?.stop();
    },
    async close() {
      await d.stop();
      hall.stop();
    },
  };
  await d.start();
  return d;
}

interface Target {
  name: string;
  /** a UDP device: behind the UDP fault proxy, its faults mapped by udpFault; @default tcp */
  transport?: 'udp';
  device: Device;
  def: ConnectorDefinition<never>;
  source(proxyPort: number): SourceInstance<never>;
}

/** poll interval of every source, ms */
const INTERVAL_MS = 500;
/** liveness of every source: silent after 2 s, rebuilt after 6 s (defaults are 5 s / 30 s; the soak is faster) */
const LIVENESS = { staleAfterMs: 2000, rebuildAfterMs: 6000 };

/**
 * The connectors under test. OPC UA runs in the full form only: there a half-open link can still deliver a good
 * answer in the fault's first seconds and leave a second proxy connection open for a period (docs/reliability.md);
 * the CI form keeps to the connectors that meet every figure.
 */
function targets(short: boolean): Array<() => Promise<Target>> {
  const all: Array<() => Promise<Target>> = [
    async () => ({
      name: 'modbus',
      device: await modbusDevice(),
      def: modbus as ConnectorDefinition<never>,
      source: (port) =>
        ({
          name: 'fault-modbus',
          intervalMs: INTERVAL_MS,
          liveness: LIVENESS,
          options: modbusOptions.parse({ host: '127.0.0.1', port, timeoutMs: 500, retries: 1, connectTimeoutMs: 1000 }),
          points: [modbusPoint('m/a', 'unit=1;hr=0'), modbusPoint('m/b', 'unit=1;hr=4;uint32')],
        }) as SourceInstance<never>,
    }),
    async () => ({
      name: 'prometheus',
      device: await dcgmDevice(),
      def: prometheus as ConnectorDefinition<never>,
      source: (port) =>
        ({
          name: 'fault-dcgm',
          intervalMs: INTERVAL_MS,
          liveness: LIVENESS,
          options: prometheusOptions.parse({ url: `http://127.0.0.1:${port}/metrics`, timeoutMs: 1000 }),
          points: [
            promPoint('p/gpu0', 'DCGM_FI_DEV_POWER_USAGE gpu=0'),
            promPoint('p/sum', 'DCGM_FI_DEV_POWER_USAGE;agg=sum'),
          ] as SourcePoint[],
        }) as SourceInstance<never>,
    }),
    async () => {
      const cert = makeCert();
      return {
        name: 'redfish',
        device: await bmcDevice(cert),
        def: redfish as ConnectorDefinition<never>,
        source: (port) =>
          ({
            name: 'fault-bmc',
            intervalMs: INTERVAL_MS,
            liveness: LIVENESS,
            options: redfishOptions.parse({
              url: `https://127.0.0.1:${port}`,
              username: 'admin',
              password: 'fault-pw',
              tls: { fingerprint: cert.fingerprint },
              timeoutMs: 1000,
              // one request at a time: one kept-alive socket, as the suite expects of every connector
              maxConcurrency: 1,
            }),
            points: [
              redfishPoint('r/power', '1U:power'),
              redfishPoint('r/limit', '1U/Power#PowerControl/0/PowerLimit/LimitInWatts'),
            ],
          }) as SourceInstance<never>,
      };
    },
    async () => ({
      name: 'snmp',
      transport: 'udp',
      device: await snmpDevice(),
      def: snmp as ConnectorDefinition<never>,
      source: (port) =>
        ({
          name: 'fault-snmp',
          intervalMs: INTERVAL_MS,
          liveness: LIVENESS,
          options: snmpOptions.parse({
            agents: [{ name: 'pdu-a01', host: '127.0.0.1', port, community: 'public' }],
            timeoutMs: 500,
            retries: 1,
          }),
          points: [
            snmpPoint('s/power', 'object=apc-rpdu2:device.power;index=1', 'number', 'kW', 'power'),
            snmpPoint('s/current', 'object=apc-rpdu2:phase.current;index=1', 'number', 'A', 'current'),
          ],
        }) as SourceInstance<never>,
    }),
    async () => {
      // the connector's own socket: a free port (the library binds 47808 for 0)
      const localPort = await freeUdpPort();
      return {
        name: 'bacnet',
        transport: 'udp',
        device: await bacnetDevice(),
        def: bacnet as ConnectorDefinition<never>,
        source: (port) =>
          ({
            name: 'fault-bacnet',
            intervalMs: INTERVAL_MS,
            liveness: LIVENESS,
            options: bacnetOptions.parse({
              devices: [{ name: 'bms', host: '127.0.0.1', port }],
              localPort,
              localAddress: '127.0.0.1',
              timeoutMs: 500,
              retries: 1,
              read: 'poll',
            }),
            points: [
              bacnetPoint('b/supply', 'device=bms;object=analog-input:102', '°C', 'temperature'),
              bacnetPoint('b/fan', 'device=bms;object=analog-input:101', '%', 'utilization'),
            ],
          }) as SourceInstance<never>,
      };
    },
  ];
  const opcuaTarget = async (): Promise<Target> => {
    const dir = tempDir('plenum-fault-opcua-');
    return {
      name: 'opcua',
      device: await opcuaDevice(dir),
      def: opcua as ConnectorDefinition<never>,
      source: (port) =>
        ({
          ...opcuaSource(
            {
              endpoint: `opc.tcp://127.0.0.1:${port}`,
              pkiDir: `${dir}/client-pki`,
              mode: 'poll',
              requestTimeoutMs: 1000,
              connectTimeoutMs: 2000,
              keepAliveMs: 1000,
              reconnect: { initialDelayMs: 200, maxDelayMs: 1000, rebuildAfterMs: LIVENESS.rebuildAfterMs },
            },
            simPoints(['hall1.crah1.supply_temp', 'hall1.cdu1.flow']),
            INTERVAL_MS,
          ),
          name: 'fault-opcua',
          liveness: LIVENESS,
        }) as SourceInstance<never>,
    };
  };
  return short ? all : [...all, opcuaTarget];
}

/** One fault as it went. */
export interface FaultRun {
  connector: string;
  fault: Injected;
  /** ms from the fault's end to the first good sample, or undefined when none came within the wait */
  recoveryMs?: number;
  /** bad samples read or delivered while the fault lasted, and good samples read while it lasted after a grace
   * of a second (an answer to a request sent before the fault) */
  bad: number;
  good: number;
  /** proxy connections open and Timeout handles at the end of the fault's period, before the next one */
  proxyOpen: number;
  timers: number;
  /** UDP sockets open (every target's, the proxies' included) a period after the fault */
  udpSockets: number;
  /** when the three counts above were taken (the soaks run side by side: their runs are compared in time order) */
  measuredAt: number;
  /** the target is a UDP device (no proxy connections) */
  udp?: boolean;
}

/** UDP socket handles open now (node names them UDPWRAP or UDPWrap). */
function udpHandles(): number {
  const h = activeHandles();
  return (h.UDPWRAP ?? 0) + (h.UDPWrap ?? 0);
}

/** A TCP fault as the TCP proxy plays it; a restart is the device's. */
function tcpFault(f: Injected): { fault: Injected; proxy: Fault | 'restart' } {
  if (f === 'garbage') throw new Error('faults: garbage is a UDP fault (udpFault); the TCP proxy has none');
  return { fault: f, proxy: f };
}

/** Either proxy, as the soak drives it: a fault by name, connections open (0 for UDP: no connections). */
interface AnyProxy {
  port: number;
  open: number;
  set(fault: string): Promise<void>;
  stop(): Promise<void>;
}

async function faultProxy(t: Target): Promise<AnyProxy> {
  if (t.transport === 'udp') {
    const p = await new UdpFaultProxy(t.device.port).start();
    // over the UDP connectors' 500 ms timeout, as the TCP proxy's 1.5 s is over theirs
    p.latencyMs = 1500;
    return {
      port: p.port,
      open: 0,
      set: async (fault) => void (p.fault = fault as UdpFault),
      stop: () => p.stop(),
    };
  }
  const p = new FaultProxy({ targetPort: t.device.port, latencyMs: 1500 });
  await p.start();
  return {
    get port() {
      return p.port;
    },
    get open() {
      return p.open;
    },
    set: (fault) => p.set(fault as Fault),
    stop: () => p.stop(),
  };
}

interface Received {
  at: number;
  s: SourceSample;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `cycles` faults against one connector through its own proxy, `faultMs` each, one every `periodMs`. */
async function soak(
  make: () => Promise<Target>,
  plan: Array<{ fault: Injected; ms: number }>,
  periodMs: number,
  log: (line: string) => void,
  errors: string[],
): Promise<FaultRun[]> {
  const t = await make();
  const proxy = await faultProxy(t);
  const got: Received[] = [];
  const runner = new SourceRunner(
    t.def,
    t.source(proxy.port),
    async (batch) => {
      const at = Date.now();
      for (const s of batch) got.push({ at, s });
      // keep memory flat over an hour: only the last minute is needed
      if (got.length > 20_000) got.splice(0, got.length - 10_000);
    },
    { log: (m) => log(`${t.name}: ${m}`) },
  );
  const runs: FaultRun[] = [];
  const goodAfter = async (since: number, ms: number): Promise<number | undefined> => {
    const end = Date.now() + ms;
    for (;;) {
      const g = got.find((r) => r.at > since && r.s.quality === 'good');
      if (g) return g.at - since;
      if (Date.now() > end) return undefined;
      await sleep(20);
    }
  };
  // the event loop's delay during each fault (see graceMs)
  const lag = monitorEventLoopDelay({ resolution: 20 });
  lag.enable();
  runner.start();
  try {
    if ((await goodAfter(0, 10_000)) === undefined) {
      errors.push(`${t.name}: no good sample within 10 s of start (${runner.status.lastError ?? 'no error'})`);
      return runs;
    }
    for (const planned of plan) {
      const { fault, proxy: how } = t.transport === 'udp' ? udpFault(planned.fault) : tcpFault(planned.fault);
      const faultMs = planned.ms;
      const cycleStart = Date.now();
      lag.reset();
      const start = Date.now();
      if (how === 'restart') await t.device.stop();
      else await proxy.set(how);
      await sleep(faultMs);
      const end = Date.now();
      if (how === 'restart') await t.device.start();
      else await proxy.set('pass');
      const recoveryMs = await goodAfter(end, 30_000);
      // a good sample counts by its own read time, not by when the runner delivered it: a poll hands over its
      // samples when it ends, so good answers read just before the fault arrive a second into it when the rest of
      // the poll times out (CI saw that, under load). A bad one counts by either: connectors stamp a failed read
      // with the poll's start. A good sample of the first second may still answer a request sent before the fault
      // (plus the event loop's worst delay meanwhile: an answer that came through before the fault is read when the
      // loop gets to it — under load a second later), and one delivered after the fault's end was answered after it
      // (a poll stamped at its start whose retry went out once the fault had ended: CI saw one in a UDP black hole);
      // a bad one from the fault's start on is the gap marked (under load the first failed poll can end within that
      // second, and the runner's backoff then puts the next one past a short fault: CI saw 0 bad for UDP half-open
      // and garbage)
      const graceMs = 1000 + lag.max / 1e6;
      const inFault = (t: number) => t > start + graceMs && t <= end;
      const inOutage = (t: number) => t > start && t <= end;
      const during = got.filter((r) =>
        r.s.quality === 'bad' ? inOutage(r.s.ts) || inOutage(r.at) : inFault(r.s.ts) && r.at <= end,
      );
      const run: FaultRun = {
        connector: t.name,
        fault,
        recoveryMs,
        bad: during.filter((r) => r.s.quality === 'bad').length,
        good: during.filter((r) => r.s.quality === 'good').length,
        proxyOpen: proxy.open,
        timers: activeHandles().Timeout ?? 0,
        udpSockets: udpHandles(),
        measuredAt: Date.now(),
        ...(t.transport === 'udp' && { udp: true }),
      };
      runs.push(run);
      log(
        `${t.name} ${fault}: back in ${recoveryMs === undefined ? '> 30 s' : `${recoveryMs} ms`}, during: ${run.bad} bad, ${run.good} good; proxy open ${run.proxyOpen}; state ${runner.status.state}${graceMs > 1100 ? `; event loop delayed up to ${(graceMs - 1000).toFixed(0)} ms` : ''}`,
      );
      got.splice(0, got.length);
      const rest = periodMs - (Date.now() - cycleStart);
      if (rest > 0) await sleep(rest);
      // sockets of the fault are closed by now (a late close is not a leak; one still open at the next fault is)
      run.proxyOpen = proxy.open;
      run.timers = activeHandles().Timeout ?? 0;
      run.udpSockets = udpHandles();
      run.measuredAt = Date.now();
      if (run.proxyOpen > 1) log(`${t.name} ${fault}: ${run.proxyOpen} proxy connections still open a period later`);
    }
  } finally {
    lag.disable();
    await runner.stop();
    await proxy.stop();
    await (t.device.close ?? t.device.stop)();
  }
  return runs;
}

/** The full form's length in minutes: RELIABILITY_FAULTS_MINUTES, @default 60. */
function fullMinutes(): number {
  const m = Number(process.env.RELIABILITY_FAULTS_MINUTES ?? 60);
  return Number.isFinite(m) && m > 0 ? m : 60;
}

/** A seeded shuffle of the faults, repeated to `n` (every fault equally often). */
function schedule(n: number, seed: number): Injected[] {
  let x = seed >>> 0 || 1;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const out: Injected[] = [];
  while (out.length < n) {
    const round = [...INJECTED];
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [round[i], round[j]] = [round[j] as Injected, round[i] as Injected];
    }
    out.push(...round);
  }
  return out.slice(0, n);
}

export function summarise(runs: FaultRun[], rss: number[], leak: string | undefined): Figure[] {
  const figures: Figure[] = [];
  const connectors = [...new Set(runs.map((r) => r.connector))];
  for (const c of connectors) {
    for (const f of [...INJECTED, 'garbage' as const]) {
      const rs = runs.filter((r) => r.connector === c && r.fault === f);
      if (!rs.length) continue;
      const worst = Math.max(...rs.map((r) => r.recoveryMs ?? Infinity));
      figures.push(
        figure(
          `faults: ${c} ${f}: back to good data after the fault (worst of ${rs.length})`,
          `≤ ${RECOVERY_TARGET_MS / 1000} s`,
          Number.isFinite(worst) ? `${(worst / 1000).toFixed(2)} s` : 'never (> 30 s)',
          worst <= RECOVERY_TARGET_MS,
        ),
      );
      const marked = rs.filter((r) => r.bad > 0 && r.good === 0).length;
      figures.push(
        figure(
          `faults: ${c} ${f}: gap marked bad (bad samples, no good one, while it lasted)`,
          `${rs.length}/${rs.length}`,
          `${marked}/${rs.length} (bad ${rs.reduce((n, r) => n + r.bad, 0)}, good ${rs.reduce((n, r) => n + r.good, 0)})`,
          marked === rs.length,
        ),
      );
    }
    const open = Math.max(...runs.filter((r) => r.connector === c).map((r) => r.proxyOpen));
    // UDP has no connections to count: its sockets are counted below, and at the end
    if (runs.some((r) => r.connector === c && r.udp)) continue;
    figures.push(
      figure(`faults: ${c}: proxy connections open a period after each fault (most)`, '≤ 1', String(open), open <= 1),
    );
  }
  // in time order: the soaks run side by side, and each count is of the whole process
  const inTime = [...runs].sort((a, b) => a.measuredAt - b.measuredAt);
  const timers = inTime.map((r) => r.timers);
  const third = Math.max(1, Math.floor(timers.length / 3));
  const tFirst = Math.max(...timers.slice(0, third));
  const tLast = Math.max(...timers.slice(-third));
  figures.push(
    figure(
      'faults: Timeout handles a period after each fault, first vs last third (most)',
      'no growth',
      `${tFirst} → ${tLast}`,
      tLast <= tFirst + 2,
    ),
  );
  const udp = inTime.map((r) => r.udpSockets);
  if (runs.some((r) => r.udp)) {
    // the fewest: a socket that leaks stays and raises every later count, while one soak's device restart or
    // connector rebuild, seen from another soak's count, is a socket for a moment (CI saw 46 → 47 from that)
    const uFirst = Math.min(...udp.slice(0, third));
    const uLast = Math.min(...udp.slice(-third));
    figures.push(
      figure(
        'faults: UDP sockets a period after each fault, first vs last third (fewest)',
        'no growth',
        `${uFirst} → ${uLast}`,
        uLast <= uFirst,
      ),
    );
  }
  figures.push(figure('faults: sockets and timers left after stop', '0', leak ?? '0', leak === undefined));
  const rt = Math.max(1, Math.floor(rss.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const first = mean(rss.slice(0, rt));
  const last = mean(rss.slice(-rt));
  figures.push(
    figure(
      'faults: RSS, mean of the first vs the last third',
      'flat (≤ +10 % or + 20 MiB)',
      `${first.toFixed(0)} → ${last.toFixed(0)} MiB`,
      last <= Math.max(first * 1.1, first + 20),
    ),
  );
  return figures;
}

const faults: Suite = async ({ short, seed, log }): Promise<SuiteResult> => {
  const before = activeHandles();
  const errors: string[] = [];
  // short: each fault once, 2.5 s long, one every 6 s; full: a fault a minute, 20 s long
  const minutes = fullMinutes();
  const faultMs = short ? 2500 : 20_000;
  const periodMs = short ? 6000 : 60_000;
  // the short form ends with one long outage: long enough for a growing backoff to show (it did, at 60 s)
  const plan = (short ? schedule(INJECTED.length, seed) : schedule(minutes, seed)).map((fault) => ({
    fault,
    ms: faultMs,
  }));
  if (short) plan.push({ fault: 'black-hole', ms: 12_000 });
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssMiB()), short ? 500 : 5000);
  let runs: FaultRun[] = [];
  try {
    const per = await Promise.all(targets(short).map((make) => soak(make, plan, periodMs, log, errors)));
    runs = per.flat();
  } finally {
    clearInterval(sampler);
  }
  let leak: string | undefined;
  try {
    await expectNoLeaks(before, 3000);
  } catch (err) {
    leak = (err as Error).message;
  }
  return {
    suite: 'faults',
    figures: summarise(runs, rss, leak),
    failures: errors,
    notes: [
      `${short ? 'short' : `full (${minutes} min)`} form: ${plan.length} faults per connector (${plan.map((p) => `${p.fault} ${p.ms / 1000} s`).join(', ')}), one every ${periodMs / 1000} s; poll ${INTERVAL_MS} ms, staleAfter ${LIVENESS.staleAfterMs} ms, rebuildAfter ${LIVENESS.rebuildAfterMs} ms; latency fault 1.5 s each way (over the 0.5 s Modbus / 1 s Prometheus and Redfish timeouts)`,
      'devices: modbus-serial ServerTCP in-process, an HTTP DCGM exposition, a Redfish BMC over HTTPS with a session (the DMTF mockup); restart = the device server closed (connections cut; the BMC forgets its sessions) and started again on the same port',
      'UDP devices behind the UDP fault proxy: the twin’s rPDU2 SNMP agents (snmp connector, timeout 500 ms, 1 retry) and its BACnet/IP BMS (bacnet connector, poll, timeout 500 ms, 1 retry); black hole = drop both ways, reset → garbage answers, refuse → restart (a closed UDP port)',
    ],
  };
};

export default faults;
