/**
 * The twin's SNMP face: every rack PDU also answers SNMP v2c as an APC rPDU2 agent of its own (rpdu2.ts), beside
 * its Modbus unit — net-snmp's agent side, one agent and one UDP port per PDU as on a site where each PDU has its
 * own address: unit n (A01 = 1, …) listens on `port + n − 1`, or on a free port each when `port` is 0.
 *
 * Values come from the same model and the same clock as the Modbus face: the PDU's reading at the model's current
 * time is written into its agent's MIB before the agent answers each datagram, so one answer (and a Modbus read at
 * the same model time) shows one instant. A PDU that is offline
 * (`device_offline`) drops its datagrams, as an unreachable agent does (the client times out). Read-only: a SET
 * gets notWritable (SNMP writes are out of scope, as in the connector).
 */
import dgram from 'node:dgram';
import * as snmp from 'net-snmp';
import { errorMessage } from '../../common/errors';
import type { PduReading } from '../model';
import { SCALARS, TABLES, scalarValues, tableRows, type CellType, type PduContext } from './rpdu2';
import { freeUdpPort } from '../../common/free-port';

export interface SimSnmpOptions {
  /** @default 127.0.0.1 */
  host?: string;
  /** UDP port of unit 1's agent; unit n listens on port + n − 1; 0 gives each a free port */
  port: number;
  /** the v2c community every agent accepts (others are dropped, as agents do), @default public */
  community?: string;
  log?: (m: string) => void;
}

/** What the face reads of the model. */
export interface SnmpPduSource {
  pdus(): PduReading[];
  readonly params: { serversPerRack: number; rackOverheadW: number };
}

const TYPE: Record<CellType, number> = {
  integer: snmp.ObjectType.Integer,
  string: snmp.ObjectType.OctetString,
  oid: snmp.ObjectType.OID,
  timeticks: snmp.ObjectType.TimeTicks,
};

interface PduAgent {
  unitId: number;
  rack: string;
  port: number;
  agent?: snmp.Agent;
  socket?: dgram.Socket;
  rowsAdded: boolean;
  peakKw: number;
  peakA: number;
}

export class SimSnmpServer {
  /** datagrams the agents took, dropped (PDU offline) and complained about (bad datagram, wrong community) */
  readonly stats = { requests: 0, dropped: 0, complaints: 0 };
  private readonly agents: PduAgent[] = [];
  private readonly host: string;
  private readonly log: (m: string) => void;
  private startedAt = Date.now();
  private running = false;

  constructor(
    private readonly model: SnmpPduSource,
    private readonly opts: SimSnmpOptions,
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.log = opts.log ?? ((m) => console.warn(m));
    const port = opts.port;
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new RangeError(`sim snmp: port: expected 0–65535; got ${port}`);
    for (const p of model.pdus()) {
      if (port > 0 && port + p.unitId - 1 > 65535)
        throw new RangeError(`sim snmp: port ${port} + ${p.unitId - 1} PDUs is past 65535; choose a lower port`);
      this.agents.push({ unitId: p.unitId, rack: p.rack, port: 0, rowsAdded: false, peakKw: 0, peakA: 0 });
    }
  }

  /** rack id → UDP port of its PDU's agent, once started (ports stay the same across stop/start). */
  ports(): Record<string, number> {
    return Object.fromEntries(this.agents.map((a) => [a.rack, a.port]));
  }

  /** The port of the first PDU's agent (unit 1): the base of `port + n − 1`, or the first free one. */
  get port(): number | undefined {
    return this.agents[0]?.port || undefined;
  }

  /** Starts every agent; rejects naming the port that cannot be bound (what did start is stopped again). */
  async start(): Promise<this> {
    if (this.running) throw new Error('sim snmp: already started');
    this.running = true;
    this.startedAt = Date.now();
    try {
      for (const a of this.agents) {
        if (a.port === 0) a.port = this.opts.port === 0 ? await freeUdpPort(this.host) : this.opts.port + a.unitId - 1;
        await this.startAgent(a);
      }
    } catch (err) {
      await this.stop();
      throw err;
    }
    return this;
  }

  private async startAgent(a: PduAgent): Promise<void> {
    let socket: dgram.Socket | undefined;
    const dgramModule = {
      createSocket: (type: 'udp4' | 'udp6') => {
        const s = dgram.createSocket(type);
        const emit = s.emit.bind(s) as (event: string, ...args: unknown[]) => boolean;
        // before the agent sees a datagram: the PDU's MIB at the model's time, or nothing while it is offline
        (s as unknown as { emit: typeof emit }).emit = (event, ...args) => {
          if (event === 'message' && !this.prepare(a)) return false;
          return emit(event, ...args);
        };
        socket = s;
        return s;
      },
    };
    a.rowsAdded = false;
    const agent = snmp.createAgent({ port: a.port, address: this.host, transport: 'udp4', dgramModule }, (error) => {
      // bad datagrams, a wrong community: the agent's own complaints, not the twin's failure; the first and every
      // 100th, so a client polling with a wrong community does not flood the log
      if (!error || !this.running) return;
      if (this.stats.complaints++ % 100 === 0)
        this.log(`sim snmp: PDU ${a.rack} (udp ${a.port}): ${errorMessage(error)} (${this.stats.complaints} so far)`);
    });
    agent.getAuthorizer().addCommunity(this.opts.community ?? 'public');
    const mib = agent.getMib();
    for (const s of SCALARS)
      mib.registerProvider({
        name: s.name,
        type: snmp.MibProviderType.Scalar,
        oid: s.oid,
        scalarType: TYPE[s.type],
        maxAccess: snmp.MaxAccess['read-only'],
      });
    for (const t of TABLES)
      mib.registerProvider({
        name: t.name,
        type: snmp.MibProviderType.Table,
        oid: t.entry,
        maxAccess: snmp.MaxAccess['not-accessible'],
        tableColumns: t.columns.map((c) => ({
          number: c.number,
          name: c.name,
          type: TYPE[c.type],
          maxAccess: snmp.MaxAccess['read-only'],
        })),
        tableIndex: [{ columnName: 'index' }],
      });
    a.agent = agent;
    a.socket = socket;
    this.prepare(a, true);
    await new Promise<void>((resolve, reject) => {
      if (!socket) return reject(new Error('sim snmp: net-snmp created no socket'));
      socket.once('listening', () => resolve());
      socket.once('error', (e) =>
        reject(new Error(`sim: cannot serve SNMP on udp ${this.host}:${a.port}: ${e.message}`)),
      );
    });
  }

  /**
   * Brings the agent's MIB to the model's time; false when the PDU is offline (its datagram is dropped). `force`
   * fills the MIB even then (at start: the tree must exist for later answers).
   */
  private prepare(a: PduAgent, force = false): boolean {
    // the model caches its readings per step and change (a fault, a write): this is 40 small objects, no physics
    const p = this.model.pdus().find((x) => x.unitId === a.unitId);
    if (!p || (!p.online && !force)) {
      this.stats.dropped++;
      return false;
    }
    if (!force) this.stats.requests++;
    if (p.online) {
      a.peakKw = Math.max(a.peakKw, p.powerKw);
      a.peakA = Math.max(a.peakA, p.currentA);
    }
    const mib = a.agent?.getMib();
    if (!mib) return false;
    const ctx: PduContext = {
      reading: p,
      servers: this.model.params.serversPerRack,
      overheadW: this.model.params.rackOverheadW,
      peakKw: a.peakKw,
      peakA: a.peakA,
      upMs: Date.now() - this.startedAt,
    };
    try {
      for (const [name, value] of Object.entries(scalarValues(ctx))) mib.setScalarValue(name, value);
      const rows = tableRows(ctx);
      for (const t of TABLES) {
        for (const row of rows[t.name] ?? []) {
          if (!a.rowsAdded) mib.addTableRow(t.name, row);
          else
            for (let c = 1; c < t.columns.length; c++)
              mib.setTableSingleCell(t.name, t.columns[c]!.number, [row[0]], row[c]);
        }
      }
      a.rowsAdded = true;
    } catch (err) {
      // a value the MIB refuses (a bug here): answered with the last values, logged
      this.log(`sim snmp: PDU ${a.rack}: cannot fill its MIB: ${errorMessage(err)}`);
    }
    return true;
  }

  /** Closes every agent's socket; bounded, never rejects; `start()` serves the same ports again. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(
      this.agents.map(
        (a) =>
          new Promise<void>((resolve) => {
            const s = a.socket;
            a.agent = undefined;
            a.socket = undefined;
            if (!s) return resolve();
            s.once('close', () => resolve());
            try {
              s.close();
            } catch {
              resolve(); // not bound (a failed start)
            }
          }),
      ),
    );
  }
}
