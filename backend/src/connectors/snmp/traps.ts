/**
 * Traps and informs → events. A UDP listener (net-snmp's receiver) on the source's `traps.port`/`traps.host`
 * accepts SNMPv1/v2c notifications whose community is one of `traps.communities` (default: the agents'
 * communities) and SNMPv3 ones from a USM user of `traps.users` (default: the v3 agents' users; keys localized
 * to the sender's engine id for traps, to the listener's for informs, as RFC 3414 has it), answers informs
 * (net-snmp sends the Response), and turns each into a Plenum event: the
 * notification's name and severity from the profiles' `notifications` (else its OID, severity warning), the agent
 * by sender address, the variable bindings in `data`. A notification with another community is dropped and
 * counted; an undecodable datagram is counted, never a crash.
 */
import type { NewEvent } from '@plenum/model';
import snmp from 'net-snmp';
import type { ResolvedAgent, SnmpUser } from './config';
import { counter64, octets, TYPE, type Varbind } from './decode';
import { usmUser } from './link';
import type { Profile } from './profiles';

/** snmpTrapOID.0 (SNMPv2-MIB): the varbind naming a v2 notification */
export const SNMP_TRAP_OID = '1.3.6.1.6.3.1.1.4.1.0';
/** sysUpTime.0, the first varbind of every v2 notification */
export const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

export interface TrapStats {
  traps: number;
  informs: number;
  /** wrong community or USM user, failed authentication or decryption, undecodable, or a PDU that is no notification */
  rejected: number;
}

export interface NotificationInfo {
  name: string;
  severity: 'info' | 'warning' | 'critical';
}

/** Every profile's `notifications`, by OID. */
export function notificationsOf(profiles: ReadonlyMap<string, Profile>): Map<string, NotificationInfo> {
  const out = new Map<string, NotificationInfo>();
  for (const p of profiles.values()) {
    for (const [oid, n] of Object.entries(p.notifications))
      out.set(oid, { name: `${p.name}:${n.name}`, severity: n.severity });
  }
  return out;
}

function valueOf(vb: Varbind): unknown {
  if (vb.type === TYPE.Counter64) return counter64(vb.value);
  if (vb.type === TYPE.OctetString || vb.type === TYPE.Opaque) return octets(vb.value);
  return vb.value;
}

export class TrapListener {
  readonly stats: TrapStats = { traps: 0, informs: 0, rejected: 0 };
  private receiver?: snmp.Receiver;
  private _port = 0;

  constructor(
    private readonly o: {
      source: string;
      host: string;
      port: number;
      communities: readonly string[];
      users: readonly SnmpUser[];
      agents: readonly ResolvedAgent[];
      notifications: ReadonlyMap<string, NotificationInfo>;
      now: () => number;
    },
    private readonly onEvent: (e: NewEvent) => void,
  ) {}

  get port(): number {
    return this._port;
  }

  /** Binds the listener; rejects with a named error when the port cannot be bound (in use, privileged). */
  async start(): Promise<void> {
    if (this.receiver) return;
    await new Promise<void>((resolve, reject) => {
      let bound = false;
      const r = snmp.createReceiver({ port: this.o.port, address: this.o.host, transport: 'udp4' }, (err, n) => {
        if (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (!bound && (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')) {
            reject(new Error(`cannot listen for SNMP traps on udp ${this.o.host}:${this.o.port}: ${err.message}`));
            return;
          }
          this.stats.rejected++;
          return;
        }
        if (n) this.deliver(n);
      });
      this.receiver = r;
      for (const c of this.o.communities) r.getAuthorizer().addCommunity(c);
      for (const u of this.o.users) r.getAuthorizer().addUser(usmUser(u));
      // net-snmp binds asynchronously and reports bind errors through the callback; a bound socket has a port
      const sockets = (r as unknown as { listener: { sockets: Record<string, import('node:dgram').Socket> } }).listener
        .sockets;
      const socket = Object.values(sockets)[0];
      socket?.once('listening', () => {
        bound = true;
        this._port = socket.address().port;
        resolve();
      });
    });
  }

  private deliver(n: snmp.Notification): void {
    const pdu = n.pdu;
    const inform = pdu.type === 166;
    if (pdu.type !== 164 && pdu.type !== 167 && !inform) {
      this.stats.rejected++;
      return;
    }
    if (inform) this.stats.informs++;
    else this.stats.traps++;
    let trapOid: string;
    const varbinds = pdu.varbinds.filter((vb) => vb.oid !== SYS_UPTIME && vb.oid !== SNMP_TRAP_OID);
    if (pdu.type === 164) {
      // SNMPv1 Trap-PDU → the v2 notification OID (RFC 3584 §3.1)
      const generic = pdu.generic ?? 6;
      trapOid = generic < 6 ? `1.3.6.1.6.3.1.1.5.${generic + 1}` : `${pdu.enterprise}.0.${pdu.specific ?? 0}`;
    } else {
      trapOid = String(pdu.varbinds.find((vb) => vb.oid === SNMP_TRAP_OID)?.value ?? 'unknown');
    }
    const info = this.o.notifications.get(trapOid);
    const agent = this.o.agents.find((a) => a.host === n.rinfo.address);
    const from = agent ? `agent "${agent.name}"` : n.rinfo.address;
    const name = info?.name ?? trapOid;
    const values = Object.fromEntries(varbinds.map((vb) => [vb.oid, valueOf(vb)]));
    this.onEvent({
      time: this.o.now(),
      type: 'alarm',
      severity: info?.severity ?? 'warning',
      title: `${from}: ${name}`,
      ...(varbinds.length > 0
        ? { text: varbinds.map((vb) => `${vb.oid} = ${JSON.stringify(valueOf(vb))}`).join(', ') }
        : {}),
      tags: ['snmp', inform ? 'inform' : 'trap'],
      source: this.o.source,
      data: {
        notification: trapOid,
        ...(info ? { name: info.name } : {}),
        ...(agent ? { agent: agent.name } : {}),
        address: `${n.rinfo.address}:${n.rinfo.port}`,
        kind: inform ? 'inform' : 'trap',
        varbinds: values,
      },
    });
  }

  async stop(): Promise<void> {
    const r = this.receiver;
    this.receiver = undefined;
    if (!r) return;
    await new Promise<void>((resolve) => {
      try {
        r.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
