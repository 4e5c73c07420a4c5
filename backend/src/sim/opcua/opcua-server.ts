/**
 * The simulated hall's OPC UA server (node-opcua): one AnalogItemType variable per CRAH, CDU and rack air-sensor
 * signal under Objects/Plenum/<hall>/…, in namespace `urn:plenum:sim` (address-space.ts has the layout).
 *
 * - Measurements are pushed from the model by `update()` (the runner calls it after every tick) with
 *   `setValueFromSource` and the model's simulated time as source timestamp.
 * - A device with a `device_offline` fault turns its variables Bad (`BadNoCommunication`, value null) until it
 *   is back; writes to it answer the same.
 * - Setpoints (`supply_setpoint` of each CRAH and the CDU) are writable: a value outside the InstrumentRange
 *   (= the model's writable range) is refused with `BadOutOfRange` before it reaches the model; a good write goes
 *   to `model.write()`.
 * - Endpoints: None, Sign and SignAndEncrypt with Basic256Sha256, Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss
 *   (none of which needs RSA PKCS#1 v1.5, so Node 20 runs them without `--security-revert=CVE-2023-46809`).
 *   Anonymous and username/password sessions. Client and user certificates are accepted without a trust step
 *   (a test bed, not a hardened server); the server's own certificate is created in `pkiDir` on first start.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import {
  DataType,
  DataValue,
  makeEUInformation,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  StatusCodes,
  Variant,
  type Namespace,
  type StatusCode,
  type UAObject,
} from 'node-opcua';
import { PlenumError } from '../../common/errors';
import type { HallModel, Reading } from '../model';
import { SimInputError } from '../model';
import { EU_UNITS, SIM_NAMESPACE_URI, simNodes, type SimNode } from './address-space';

/** Security policies the server offers besides None; all work on Node 20 without reverting CVE-2023-46809. */
export const SIM_SECURITY_POLICIES = ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const;

/** Status of every variable of an offline device, and of writes to it. */
export const OFFLINE_STATUS = StatusCodes.BadNoCommunication;

export interface SimOpcUaOptions {
  /** listen and advertised address, @default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port, @default 4840 */
  port?: number;
  /** PKI folder of the server (own certificate and key, trusted/rejected client certificates); created if missing */
  pkiDir: string;
  /** username → password, @default { operator: 'operator' } */
  users?: Readonly<Record<string, string>>;
  /** anonymous sessions allowed, @default true */
  allowAnonymous?: boolean;
  /** OperationLimits.MaxMonitoredItemsPerCall: larger CreateMonitoredItems calls get BadTooManyOperations, @default 10000 */
  maxMonitoredItemsPerCall?: number;
  /**
   * Other OperationLimits (node-opcua enforces each: a larger call gets BadTooManyOperations), as embedded
   * controllers and gateways have small ones, @default node-opcua's (10000 nodes per Read/Write/Browse)
   */
  operationLimits?: SimOperationLimits;
  /** ServerCapabilities.MaxMonitoredItemsPerSubscription, @default 100000 */
  maxMonitoredItemsPerSubscription?: number;
  /** namespaces registered before `urn:plenum:sim`, so its index moves (tests of index-independent clients) */
  extraNamespaces?: readonly string[];
  /** @default console.warn */
  log?: (message: string) => void;
}

export interface SimOperationLimits {
  maxNodesPerRead?: number;
  maxNodesPerWrite?: number;
  maxNodesPerBrowse?: number;
  maxNodesPerTranslateBrowsePathsToNodeIds?: number;
  maxMonitoredItemsPerCall?: number;
}

/** What the server reads and writes: the hall model, or anything with the same accessors. */
export type SimOpcUaModel = Pick<HallModel, 'signals' | 'readings' | 'reading' | 'write' | 'now' | 'layout' | 'params'>;

/** Asks the OS for a free port (node-opcua advertises the port in its endpoint URLs, so it must be known first). */
async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** The model's id of a point from its OPC UA node. */
function pointOf(node: SimNode): string {
  return node.signal.id;
}

export class SimOpcUaServer {
  private server?: OPCUAServer;
  private managers: OPCUACertificateManager[] = [];
  private nodes: SimNode[] = [];
  private readonly variables = new Map<string, { setValueFromSource(v: Variant, s: StatusCode, t: Date): void }>();
  /** the current DataValue of each setpoint (setpoints are read through a getter so writes can reach the model) */
  private readonly setpoints = new Map<string, DataValue>();
  private boundPort?: number;
  private nsIndex?: number;
  private readonly log: (message: string) => void;
  /** requests received, by type (`CreateMonitoredItemsRequest`: 4), for tests and diagnostics */
  readonly requestCounts = new Map<string, number>();

  constructor(
    private readonly model: SimOpcUaModel,
    private readonly opts: SimOpcUaOptions,
  ) {
    this.log = opts.log ?? ((m) => console.warn(m));
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  /** `opc.tcp://<host>:<port>` once started. */
  get endpointUrl(): string | undefined {
    return this.boundPort === undefined ? undefined : `opc.tcp://${this.opts.host ?? '127.0.0.1'}:${this.boundPort}`;
  }

  /** Index of `urn:plenum:sim` in this run's NamespaceArray. */
  get namespaceIndex(): number | undefined {
    return this.nsIndex;
  }

  /** The served nodes: string id, path, unit and range of each signal. */
  get served(): readonly SimNode[] {
    return this.nodes;
  }

  /** Builds the address space and listens; rejects naming the port when it is taken. */
  async start(): Promise<number> {
    if (this.server) throw new Error('opcua server: already started');
    const host = this.opts.host ?? '127.0.0.1';
    const port = this.opts.port === undefined ? 4840 : this.opts.port === 0 ? await freePort(host) : this.opts.port;
    const pkiDir = path.resolve(this.opts.pkiDir);
    fs.mkdirSync(pkiDir, { recursive: true });
    const serverPki = new OPCUACertificateManager({
      rootFolder: path.join(pkiDir, 'server'),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    });
    const userPki = new OPCUACertificateManager({
      rootFolder: path.join(pkiDir, 'users'),
      automaticallyAcceptUnknownCertificate: true,
      disableFileWatchers: true,
    });
    this.managers = [serverPki, userPki];
    const users = this.opts.users ?? { operator: 'operator' };
    const limits = this.opts;
    const server = new OPCUAServer({
      port,
      host,
      hostname: host === '0.0.0.0' || host === '::' ? undefined : host,
      serverCertificateManager: serverPki,
      userCertificateManager: userPki,
      securityPolicies: [SecurityPolicy.None, ...SIM_SECURITY_POLICIES.map((p) => SecurityPolicy[p])],
      securityModes: [MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt],
      allowAnonymous: this.opts.allowAnonymous ?? true,
      userManager: { isValidUser: (u: string, p: string) => Object.hasOwn(users, u) && users[u] === p },
      buildInfo: { productName: 'Plenum hall simulator', manufacturerName: 'Plenum' },
      serverCapabilities: {
        maxMonitoredItemsPerSubscription: limits.maxMonitoredItemsPerSubscription,
        operationLimits: {
          ...limits.operationLimits,
          maxMonitoredItemsPerCall: limits.operationLimits?.maxMonitoredItemsPerCall ?? limits.maxMonitoredItemsPerCall,
        },
      },
    });
    this.server = server;
    server.on('request', (request: { schema?: { name?: string } }) => {
      const type = request.schema?.name ?? request.constructor.name;
      this.requestCounts.set(type, (this.requestCounts.get(type) ?? 0) + 1);
    });
    try {
      await server.initialize();
      this.buildAddressSpace(server);
      this.update();
      await server.start();
    } catch (err) {
      await this.stop();
      throw new Error(`opcua server: cannot listen on ${host}:${port}: ${(err as Error)?.message ?? String(err)}`);
    }
    this.boundPort = port;
    return port;
  }

  /**
   * Pushes the model's current readings into the variables (source timestamp: the model's simulated time). Never
   * throws: a failure is logged and the next update tries again.
   */
  update(): void {
    if (!this.server || this.nodes.length === 0) return;
    try {
      const readings = this.model.readings();
      const ts = new Date(this.model.now());
      for (const node of this.nodes) {
        const id = pointOf(node);
        const dv = this.dataValue(readings.get(id), ts);
        if (node.signal.writable) this.setpoints.set(id, dv);
        else this.variables.get(id)?.setValueFromSource(dv.value, dv.statusCode, ts);
      }
    } catch (err) {
      this.log(`opcua server: update failed: ${(err as Error)?.stack ?? String(err)}`);
    }
  }

  /**
   * Closes every client session from the server side (deleting their subscriptions), as a server that restarts its
   * session layer or drops idle clients does; clients keep their connection. Returns how many were closed.
   */
  closeSessions(): number {
    const engine = this.server?.engine;
    if (!engine) return 0;
    const sessions = engine.getSessions();
    for (const s of sessions) engine.closeSession(s.authenticationToken, true, 'Forcing');
    return sessions.length;
  }

  /** Closes every session and the listener; bounded (node-opcua drops open channels), never rejects. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.boundPort = undefined;
    let timer: NodeJS.Timeout | undefined;
    if (server) {
      await Promise.race([
        server.shutdown(0).catch((err: unknown) => this.log(`opcua server: shutdown: ${(err as Error)?.message}`)),
        new Promise<void>((r) => (timer = setTimeout(r, 3000))),
      ]);
      clearTimeout(timer);
      server.removeAllListeners('request');
    }
    const managers = this.managers;
    this.managers = [];
    await Promise.allSettled(managers.map((m) => m.dispose()));
    this.variables.clear();
    this.setpoints.clear();
  }

  private dataValue(r: Reading | undefined, ts: Date): DataValue {
    if (r && r.quality === 'good' && r.value !== null) {
      return new DataValue({
        value: new Variant({ dataType: DataType.Double, value: r.value }),
        statusCode: StatusCodes.Good,
        sourceTimestamp: ts,
        serverTimestamp: new Date(),
      });
    }
    return new DataValue({
      value: new Variant({ dataType: DataType.Null }),
      statusCode: OFFLINE_STATUS,
      sourceTimestamp: ts,
      serverTimestamp: new Date(),
    });
  }

  private buildAddressSpace(server: OPCUAServer): void {
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('no address space after initialize');
    for (const uri of this.opts.extraNamespaces ?? []) addressSpace.registerNamespace(uri);
    const ns: Namespace = addressSpace.registerNamespace(SIM_NAMESPACE_URI);
    this.nsIndex = ns.index;
    const m = this.model;
    this.nodes = simNodes(m.signals(), { racks: m.layout.racks.length, crahMaxAirflowM3s: m.params.crahMaxAirflowM3s });
    const root = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'Plenum', nodeId: 's=plenum' });
    const containers = new Map<string, UAObject>();
    const container = (p: string[]): UAObject => {
      const key = p.join('.');
      const known = containers.get(key);
      if (known) return known;
      const parent = p.length === 1 ? root : container(p.slice(0, -1));
      const name = p[p.length - 1] as string;
      const isAsset = this.nodes.some((n) => n.path.join('.') === key);
      const created = isAsset
        ? ns.addObject({ organizedBy: parent, browseName: name, nodeId: `s=${key}` })
        : ns.addFolder(parent, { browseName: name, nodeId: `s=${key}` });
      containers.set(key, created);
      return created;
    };
    for (const node of this.nodes) {
      const sig = node.signal;
      const unit = EU_UNITS[sig.unit];
      const common = {
        componentOf: container(node.path),
        browseName: sig.signal,
        nodeId: `s=${node.id}`,
        dataType: 'Double',
        engineeringUnitsRange: node.range,
        ...(unit ? { engineeringUnits: makeEUInformation(unit.code, unit.symbol, unit.description) } : {}),
        minimumSamplingInterval: 100,
        description: `${sig.quantity} (${sig.kind}) of ${sig.assetPath}; point ${sig.id}`,
      };
      if (sig.writable) {
        const id = pointOf(node);
        this.setpoints.set(id, this.dataValue(undefined, new Date(m.now())));
        ns.addAnalogDataItem({
          ...common,
          instrumentRange: node.range,
          accessLevel: 'CurrentRead | CurrentWrite',
          userAccessLevel: 'CurrentRead | CurrentWrite',
          value: {
            timestamped_get: () => this.setpoints.get(id) as DataValue,
            timestamped_set: async (dv: DataValue) => this.write(node, dv),
          },
        });
      } else {
        const v = ns.addAnalogDataItem({ ...common, accessLevel: 'CurrentRead', userAccessLevel: 'CurrentRead' });
        this.variables.set(pointOf(node), v);
      }
    }
  }

  /** A client's write to a setpoint (already inside the InstrumentRange: node-opcua checks it before this). */
  private write(node: SimNode, dv: DataValue): StatusCode {
    const v: unknown = dv.value?.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) return StatusCodes.BadTypeMismatch;
    if (v < node.range.low || v > node.range.high) return StatusCodes.BadOutOfRange;
    const id = pointOf(node);
    try {
      this.model.write(id, v);
    } catch (err) {
      if (err instanceof SimInputError) return StatusCodes.BadOutOfRange;
      if (err instanceof PlenumError && err.origin === 'device') return OFFLINE_STATUS;
      this.log(`opcua server: write ${v} to ${id} failed: ${(err as Error)?.message ?? String(err)}`);
      return StatusCodes.BadInternalError;
    }
    this.setpoints.set(id, this.dataValue(this.model.reading(id), new Date(this.model.now())));
    return StatusCodes.Good;
  }
}
