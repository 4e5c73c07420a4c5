/**
 * The simulated hall's OPC UA server (node-opcua): one AnalogItemType variable per CRAH, CDU, chilled-water plant,
 * BMS watchdog and rack air-sensor signal under Objects/Plenum/<hall>/…, in namespace `urn:plenum:sim`
 * (address-space.ts has the layout).
 *
 * - Measurements are pushed from the model by `update()` (the runner calls it after every tick) with
 *   `setValueFromSource` and the model's simulated time as source timestamp.
 * - A device with a `device_offline` fault turns its variables Bad (`BadNoCommunication`, value null) until it
 *   is back; writes to it answer the same. A point that is null by design (a relinquished override with no
 *   command to show) reads Good with a Null variant, never BadNoCommunication.
 * - Every writable signal of the model (setpoints, the fan minimum, the overrides) is a writable variable whose
 *   EURange and InstrumentRange are the model's writable range: node-opcua refuses a value outside it with
 *   `BadOutOfRange` before it reaches the model; a good write goes to `model.write(point, value, by)` with `by` =
 *   `opcua:<session user>` (`opcua:anonymous`), and reads back at once. That writer is a supervisor to the BMS:
 *   while it heartbeats (`<hall>.bms.supervisor_heartbeat`, within `supervisor_lease` seconds) its writes of
 *   setpoints and overrides are leased, and the BMS takes them back when the heartbeat stops (model/supervisor.ts).
 * - Relinquish: a write of a **Null variant** to an override (`fan_override`, `valve_override`; the nodes carry
 *   the standard `AllowNulls` property) hands it back to the BMS (`model.write(point, null)`). An override node
 *   reads the command in effect — the override, or while relinquished the speed / position the BMS drives — and
 *   `fan_mode` / `valve_mode` say who is in charge (0 BMS, 1 override).
 * - Endpoints: None, Sign and SignAndEncrypt with Basic256Sha256, Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss
 *   (none of which needs RSA PKCS#1 v1.5, so Node 20 runs them without `--security-revert=CVE-2023-46809`).
 *   Anonymous and username/password sessions. Client and user certificates are accepted without a trust step
 *   (a test bed, not a hardened server); the server's own certificate is created in `pkiDir` on first start.
 */
import * as fs from 'node:fs';
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
  type ISessionContext,
  type Namespace,
  type StatusCode,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import { PlenumError } from '../../common/errors';
import { freePort } from '../../common/free-port';
import type { HallModel, Reading } from '../model';
import { SimInputError } from '../model';
import { EU_UNITS, SIM_NAMESPACE_URI, simNodes, type SimNode } from './address-space';
import { autoAcceptClientCertificates } from './client-trust';
export { autoAcceptClientCertificates } from './client-trust';

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
  /**
   * brings the model to the current simulated time before a write is applied, so the write (and its ground-truth
   * entry) lands at the right time — the runner's tick; @default none: a write lands at the model's last step
   */
  sync?: () => void;
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

/** The model's id of a point from its OPC UA node. */
function pointOf(node: SimNode): string {
  return node.signal.id;
}

/** Who a write came from, for the ground truth: `opcua:<user name>`, `opcua:anonymous` for anonymous sessions. */
export function opcuaWriter(context: ISessionContext | undefined): string {
  let name = '';
  try {
    name = context?.session ? context.getUserName() : '';
  } catch {
    // an identity token node-opcua cannot name (an unparsable certificate): still a write, by an unknown user
  }
  return `opcua:${name === '' || name === 'anonymous' ? 'anonymous' : name}`;
}

/** UAVariable.writeValue's calling forms: (context, dataValue, [indexRange,] callback) or a promise without one. */
type WriteValue = (context: ISessionContext, dataValue: DataValue, ...rest: unknown[]) => unknown;

export class SimOpcUaServer {
  private server?: OPCUAServer;
  private managers: OPCUACertificateManager[] = [];
  private nodes: SimNode[] = [];
  private readonly variables = new Map<string, { setValueFromSource(v: Variant, s: StatusCode, t: Date): void }>();
  /** the current DataValue of each writable node (they are read through a getter so writes can reach the model) */
  private readonly setpoints = new Map<string, DataValue>();
  /** the writer of each DataValue being written, from its session (the setter node-opcua calls gets no session) */
  private readonly writers = new WeakMap<DataValue, string>();
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
    const accept = autoAcceptClientCertificates(host);
    if (!accept)
      (this.opts.log ?? console.warn)(
        `opcua server: listening on ${host}, not loopback: unknown client certificates are refused; trust one by moving it from ${path.join(pkiDir, 'server', 'rejected')} to ${path.join(pkiDir, 'server', 'trusted', 'certs')}`,
      );
    const serverPki = new OPCUACertificateManager({
      rootFolder: path.join(pkiDir, 'server'),
      automaticallyAcceptUnknownCertificate: accept,
      disableFileWatchers: true,
    });
    const userPki = new OPCUACertificateManager({
      rootFolder: path.join(pkiDir, 'users'),
      automaticallyAcceptUnknownCertificate: accept,
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
        const dv = this.dataValue(
          this.commandReading(node, (p) => readings.get(p)),
          ts,
        );
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

  /**
   * What a node reads: the point's reading, except that an override node shows the command in effect while it is
   * relinquished (the reading of `effectiveFrom`), so it always reads a number unless the device is offline.
   */
  private commandReading(node: SimNode, read: (pointId: string) => Reading | undefined): Reading | undefined {
    const r = read(pointOf(node));
    if (!node.effectiveFrom || !r || r.quality !== 'good' || r.value !== null) return r;
    return read(node.effectiveFrom) ?? r;
  }

  /**
   * Good readings are Double variants; a good null (no override and nothing to show in its place) is a Good Null
   * variant; a bad reading (device offline) is BadNoCommunication with a Null variant; uncertain stays uncertain.
   */
  private dataValue(r: Reading | undefined, ts: Date): DataValue {
    const statusCode =
      r === undefined || r.quality === 'bad'
        ? OFFLINE_STATUS
        : r.quality === 'uncertain'
          ? StatusCodes.UncertainLastUsableValue
          : StatusCodes.Good;
    const value =
      r && r.quality !== 'bad' && r.value !== null
        ? new Variant({ dataType: DataType.Double, value: r.value })
        : new Variant({ dataType: DataType.Null });
    return new DataValue({ value, statusCode, sourceTimestamp: ts, serverTimestamp: new Date() });
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
        const v = ns.addAnalogDataItem({
          ...common,
          instrumentRange: node.range,
          accessLevel: 'CurrentRead | CurrentWrite',
          userAccessLevel: 'CurrentRead | CurrentWrite',
          value: {
            timestamped_get: () => this.setpoints.get(id) as DataValue,
            timestamped_set: async (dv: DataValue) => this.writeNumber(node, dv),
          },
        });
        if (sig.relinquish) {
          // OPC UA Part 3's AllowNulls property: tells clients a Null variant is a meaningful write here
          ns.addVariable({
            propertyOf: v,
            browseName: { name: 'AllowNulls', namespaceIndex: 0 },
            typeDefinition: 'PropertyType',
            dataType: 'Boolean',
            value: { dataType: DataType.Boolean, value: true },
          });
        }
        this.interceptWrites(v, node);
      } else {
        const v = ns.addAnalogDataItem({ ...common, accessLevel: 'CurrentRead', userAccessLevel: 'CurrentRead' });
        this.variables.set(pointOf(node), v);
      }
    }
  }

  /**
   * Wraps the variable's writeValue (the call that still carries the client's session): remembers the session's
   * user for the setter, and handles a Null variant on a relinquishable node itself, since node-opcua refuses
   * Null variants with BadTypeMismatch before any setter runs (its access checks would pass: these nodes are
   * writable by every session). Everything else takes node-opcua's own path (type check, InstrumentRange →
   * BadOutOfRange, then `writeNumber`).
   */
  private interceptWrites(variable: UAVariable, node: SimNode): void {
    const target = variable as unknown as { writeValue: WriteValue };
    const original = target.writeValue.bind(variable) as WriteValue;
    target.writeValue = (context, dataValue, ...rest) => {
      const by = opcuaWriter(context);
      if (node.signal.relinquish && dataValue?.value?.dataType === DataType.Null) {
        const status = this.apply(node, null, by);
        const callback = rest.find((a): a is (err: Error | null, s: StatusCode) => void => typeof a === 'function');
        if (!callback) return Promise.resolve(status);
        callback(null, status);
        return undefined;
      }
      if (dataValue) this.writers.set(dataValue, by);
      return original(context, dataValue, ...rest);
    };
  }

  /**
   * node-opcua's setter for a numeric write, already inside the InstrumentRange. The DataValue node-opcua keeps
   * and notifies is made the model's read-back, so subscribers see what the model applied.
   */
  private writeNumber(node: SimNode, dv: DataValue): StatusCode {
    const v: unknown = dv.value?.value;
    if (typeof v !== 'number' || !Number.isFinite(v)) return StatusCodes.BadTypeMismatch;
    if (v < node.range.low || v > node.range.high) return StatusCodes.BadOutOfRange;
    const status = this.apply(node, v, this.writers.get(dv) ?? opcuaWriter(undefined));
    if (status.isGood()) {
      const back = this.setpoints.get(pointOf(node)) as DataValue;
      dv.value = new Variant({ dataType: back.value.dataType, value: back.value.value as unknown });
      dv.statusCode = back.statusCode;
      dv.sourceTimestamp = back.sourceTimestamp;
    }
    return status;
  }

  /** Writes the model (null relinquishes) and refreshes the nodes' values from it at once. */
  private apply(node: SimNode, value: number | null, by: string): StatusCode {
    const id = pointOf(node);
    try {
      this.opts.sync?.();
      this.model.write(id, value, by);
    } catch (err) {
      if (err instanceof SimInputError) return value === null ? StatusCodes.BadTypeMismatch : StatusCodes.BadOutOfRange;
      if (err instanceof PlenumError && err.origin === 'device') return OFFLINE_STATUS;
      this.log(`opcua server: write ${value} to ${id} (${by}) failed: ${(err as Error)?.message ?? String(err)}`);
      return StatusCodes.BadInternalError;
    }
    // every node at once, not just this one: fan_mode / valve_mode must say who is in charge right after the write
    this.update();
    return StatusCodes.Good;
  }
}
