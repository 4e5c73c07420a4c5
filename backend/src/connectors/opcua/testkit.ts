/**
 * Test helpers of the opcua connector (not shipped code): the simulator's OPC UA server as the real peer,
 * points, sources, sample collection. Test files that load node-opcua must stub `hexy` first (see opcua.test.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ValueType } from '@plenum/model';
import { HallModel } from '../../sim/model';
import type { SimOpcUaOptions, SimOpcUaServer } from '../../sim/opcua/opcua-server';
import type { SourceInstance, SourcePoint, SourceSample } from '../types';
import { opcuaOptions, type OpcUaOptions, type OpcUaOptionsInput } from './config';

export { activeHandles, expectNoLeaks, freePort } from '../modbus/testkit';

export const SIM_NS = 'urn:plenum:sim';

/** A point reading `address` (`nsu=urn:plenum:sim;s=hall1.crah1.supply_temp`). */
export function opcuaPoint(id: string, address: string, valueType: ValueType = 'number'): SourcePoint {
  return {
    id,
    domain: 'OT',
    quantity: 'temperature',
    unit: '°C',
    grafanaUnit: 'celsius',
    valueType,
    kind: 'measurement',
    writable: false,
    location: { site: 's' },
    tags: [],
    source: { connector: 'opcua', source: 'test', address },
    sourceUnit: '°C',
    conversion: { scale: 1, offset: 0 },
  };
}

/** Points for the simulator's node ids (`hall1.crah1.supply_temp` → point `hall1.crah1.supply_temp`). */
export function simPoints(ids: readonly string[], suffix = ''): SourcePoint[] {
  return ids.map((id) => opcuaPoint(id, `nsu=${SIM_NS};s=${id}${suffix}`));
}

/**
 * A source on a test server. The servers here are on loopback and offer SignAndEncrypt, which the default
 * securityMode auto would choose (and then refuse, until their certificate is trusted): tests of anything but
 * security say None, as plenum.yaml does for the simulator on loopback.
 */
export function source(
  options: OpcUaOptionsInput,
  points: SourcePoint[],
  intervalMs = 200,
): SourceInstance<OpcUaOptions> {
  return { name: 'ua', intervalMs, options: opcuaOptions.parse({ securityMode: 'None', ...options }), points };
}

export function tempDir(prefix = 'plenum-opcua-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The simulator's OPC UA server on a model that runs in wall time, updated every `tickMs`. */
export interface SimPeer {
  model: HallModel;
  server: SimOpcUaServer;
  endpoint: string;
  port: number;
  /** stops the server (the model and its clock stay, for a restart) */
  stop(): Promise<void>;
  /** starts a new server on the same port and PKI, e.g. with other namespaces first */
  restart(opts?: Partial<SimOpcUaOptions>): Promise<void>;
  /** stops server and clock */
  close(): Promise<void>;
}

export async function startSim(opts: Partial<SimOpcUaOptions> & { pkiDir: string }, tickMs = 100): Promise<SimPeer> {
  // loaded here so helpers like opcuaPoint do not load node-opcua
  const { SimOpcUaServer } = await import('../../sim/opcua/opcua-server');
  const model = new HallModel({ startMs: Date.now(), jobSchedule: 'none', params: { stepMs: 100 } });
  let server = new SimOpcUaServer(model, { port: 0, log: () => undefined, ...opts });
  const port = await server.start();
  const timer = setInterval(() => {
    model.advanceTo(Date.now());
    server.update();
  }, tickMs);
  const peer: SimPeer = {
    model,
    get server() {
      return server;
    },
    endpoint: server.endpointUrl as string,
    port,
    stop: () => server.stop(),
    async restart(more = {}) {
      server = new SimOpcUaServer(model, { log: () => undefined, ...opts, ...more, port });
      await server.start();
    },
    async close() {
      clearInterval(timer);
      await server.stop();
    },
  };
  return peer;
}

/** Collects what a connector delivers; `until` waits for a condition on everything received so far. */
export function collector() {
  const samples: SourceSample[] = [];
  return {
    samples,
    sink: async (batch: SourceSample[]) => void samples.push(...batch),
    async until(what: string, cond: (all: SourceSample[]) => boolean, ms = 10_000): Promise<void> {
      const end = Date.now() + ms;
      while (!cond(samples)) {
        if (Date.now() > end)
          throw new Error(`timed out after ${ms} ms waiting for ${what}; got ${samples.length} samples`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    /** samples received after index `from` */
    since(from: number): SourceSample[] {
      return samples.slice(from);
    },
  };
}

/** The simulator as its own process (`sim/main.ts`, OPC UA only), so a test can kill it with SIGKILL. */
export interface SimProcess {
  endpoint: string;
  port: number;
  /** kill -9: no goodbye to clients, sockets reset by the kernel */
  kill9(): Promise<void>;
  /** a new process on the same port and data folder; resolves once it serves */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts `backend/src/sim/main.ts` serving only OPC UA on `port`, with `--opcua-limits limits` (the server's
 * OperationLimits: `5`, or `read=5,monitored=10`), its PKI in `dataDir`.
 */
export async function startSimProcess(port: number, limits: string, dataDir: string): Promise<SimProcess> {
  const { spawn } = await import('node:child_process');
  const repo = path.resolve(__dirname, '../../../..');
  // node itself with tsx's loader, not the tsx wrapper: SIGKILL must reach the process that holds the socket
  const args = [
    '--import',
    'tsx',
    path.join(repo, 'backend/src/sim/main.ts'),
    ...['--config', path.join(repo, 'plenum.yaml'), '--opcua-port', String(port), '--opcua-limits', limits],
    ...['--modbus-port', 'off', '--dcgm-port', 'off', '--control-port', 'off', '--no-jobs', '--data-dir', dataDir],
  ];
  let child: import('node:child_process').ChildProcess | undefined;
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const c = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      let out = '';
      const timer = setTimeout(
        () => reject(new Error(`the simulator did not serve OPC UA within 30 s:\n${out}`)),
        30_000,
      );
      const onData = (d: Buffer) => {
        out += d.toString();
        if (out.includes('sim: OPC UA')) {
          clearTimeout(timer);
          resolve();
        }
      };
      c.stdout!.on('data', onData);
      c.stderr!.on('data', onData);
      c.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the simulator exited (${code}):\n${out}`));
      });
    });
  const kill9 = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  await launch();
  return { endpoint: `opc.tcp://127.0.0.1:${port}`, port, kill9, restart: launch, close: kill9 };
}

/** Namespace of the typed-node fixture server. */
export const TYPED_NS = 'urn:plenum:test:typed';

/**
 * One node of the typed fixture: `s=<id>` in TYPED_NS. `dataType` is a built-in name, `Duration` (a namespace-0
 * subtype of Double), `vendor` (a DataType of the fixture's own namespace derived from Double) or `enum` (an
 * enumeration of the fixture's namespace: Int32 on the wire).
 */
export interface TypedNode {
  id: string;
  dataType: string;
  /** initial value: a scalar, or an array for `valueRank: 1` */
  value: unknown;
  /** the Variant type of the initial value, @default dataType */
  variantType?: string;
  valueRank?: number;
  /** @default 'CurrentRead | CurrentWrite' */
  accessLevel?: string;
  /** @default accessLevel */
  userAccessLevel?: string;
}

/** Nodes of every type the connector writes, and of some it must refuse. */
export const TYPED_NODES: readonly TypedNode[] = [
  { id: 'bool', dataType: 'Boolean', value: false },
  { id: 'sbyte', dataType: 'SByte', value: 0 },
  { id: 'byte', dataType: 'Byte', value: 0 },
  { id: 'int16', dataType: 'Int16', value: 0 },
  { id: 'uint16', dataType: 'UInt16', value: 0 },
  { id: 'int32', dataType: 'Int32', value: 0 },
  { id: 'uint32', dataType: 'UInt32', value: 0 },
  { id: 'int64', dataType: 'Int64', value: [0, 0] },
  { id: 'uint64', dataType: 'UInt64', value: [0, 0] },
  { id: 'float', dataType: 'Float', value: 0 },
  { id: 'double', dataType: 'Double', value: 0 },
  { id: 'string', dataType: 'String', value: '' },
  { id: 'text', dataType: 'LocalizedText', value: { text: '' } },
  { id: 'time', dataType: 'DateTime', value: new Date(0) },
  { id: 'duration', dataType: 'Duration', value: 0, variantType: 'Double' },
  { id: 'vendor', dataType: 'vendor', value: 0, variantType: 'Double' },
  { id: 'enum', dataType: 'enum', value: 0, variantType: 'Int32' },
  { id: 'any', dataType: 'BaseDataType', value: 7, variantType: 'Int32' },
  // String, not Double: under Jest a Double array (a Float64Array of Jest's realm) fails node-opcua's encoder
  { id: 'array', dataType: 'String', value: ['a', 'b'], valueRank: 1 },
  { id: 'bytes', dataType: 'ByteString', value: Buffer.from('ab') },
  { id: 'readonly', dataType: 'Double', value: 1, accessLevel: 'CurrentRead' },
  { id: 'denied', dataType: 'Double', value: 1, userAccessLevel: 'CurrentRead' },
];

export interface TypedServer {
  endpoint: string;
  /** requests received, by type (`WriteRequest`: 2) */
  requestCounts: Map<string, number>;
  stop(): Promise<void>;
}

/** A node-opcua server on a free port holding TYPED_NODES (the simulator's nodes are all Double). */
export async function startTypedServer(pkiDir: string): Promise<TypedServer> {
  const { DataType, OPCUACertificateManager, OPCUAServer, Variant, VariantArrayType } = await import('node-opcua');
  const port = await (await import('../modbus/testkit')).freePort();
  const pki = new OPCUACertificateManager({
    rootFolder: path.join(pkiDir, 'typed-server'),
    automaticallyAcceptUnknownCertificate: true,
    disableFileWatchers: true,
  });
  const server = new OPCUAServer({ port, host: '127.0.0.1', hostname: '127.0.0.1', serverCertificateManager: pki });
  const requestCounts = new Map<string, number>();
  server.on('request', (request: { schema?: { name?: string } }) => {
    const type = request.schema?.name ?? 'unknown';
    requestCounts.set(type, (requestCounts.get(type) ?? 0) + 1);
  });
  await server.initialize();
  const addressSpace = server.engine.addressSpace!;
  const ns = addressSpace.registerNamespace(TYPED_NS);
  const vendor = ns.createDataType({ browseName: 'CelsiusValue', isAbstract: false, subtypeOf: 'Double' });
  const fanState = ns.addEnumerationType({ browseName: 'FanState', enumeration: ['off', 'low', 'high'] });
  const folder = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'Typed', nodeId: 's=typed' });
  for (const n of TYPED_NODES) {
    const dataType = n.dataType === 'vendor' ? vendor.nodeId : n.dataType === 'enum' ? fanState.nodeId : n.dataType;
    const variantType = DataType[(n.variantType ?? n.dataType) as keyof typeof DataType] as number;
    const access = n.accessLevel ?? 'CurrentRead | CurrentWrite';
    ns.addVariable({
      organizedBy: folder,
      browseName: n.id,
      nodeId: `s=${n.id}`,
      dataType,
      valueRank: n.valueRank ?? -1,
      ...(n.valueRank === 1 ? { arrayDimensions: [0] } : {}),
      accessLevel: access as never,
      userAccessLevel: (n.userAccessLevel ?? access) as never,
      value: new Variant({
        dataType: variantType,
        arrayType: n.valueRank === 1 ? VariantArrayType.Array : VariantArrayType.Scalar,
        value: n.value,
      }),
    });
  }
  await server.start();
  return {
    endpoint: `opc.tcp://127.0.0.1:${port}`,
    requestCounts,
    async stop() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        server.shutdown(0).catch(() => undefined),
        new Promise<void>((r) => (timer = setTimeout(r, 3000))),
      ]);
      clearTimeout(timer);
      server.removeAllListeners('request');
      await pki.dispose().catch(() => undefined);
    },
  };
}
