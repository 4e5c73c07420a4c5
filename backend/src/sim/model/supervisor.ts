/**
 * The BMS's supervisory-control watchdog ("software override timeout", as real BMSs have it): a supervisor —
 * Plenum — that heartbeats the BMS gets its protocol writes to setpoints and overrides **leased**; when the
 * heartbeat stops for longer than the lease (simulated time), the BMS takes every leased point back: a setpoint
 * gets the value the BMS had before the supervisor's first write of it, an override is handed back to the BMS
 * loop (bumpless). Pure bookkeeping: the model (hall-model.ts) applies the writes and logs them.
 *
 * What is leased: writes whose writer is a protocol session (`opcua:…`, `modbus:…`) to a BMS setpoint or override
 * (signals.ts `isLeasable`: CRAH, CDU, plant) while the lease is live. Never leased: the control API, scenarios,
 * Redfish; rack power limits (IT side: releasing a cap that protects overheated racks because the supervisor died
 * is not safe, so a cap stays until someone lifts it); a write while no heartbeat is live (a supervisor that wants
 * the protection heartbeats first).
 */
import type { HallState } from './hall-state';
import type { WriteBinding } from './writes';

/** The watchdog's state the readings show (in HallState, so the getters read it like any other state). */
export interface BmsState {
  /** last value written to `supervisor_heartbeat` */
  heartbeat: number;
  /** how long a heartbeat holds, s */
  leaseS: number;
  /** a lease session is running: the heartbeat was renewed within the lease */
  live: boolean;
  /** simulated time of the last renewal, Unix ms; null: never */
  renewedAtMs: number | null;
  /** renewedAtMs + lease while live, Unix ms */
  expiresAtMs: number;
  /** the model's simulated time (kept by the model each step, for `supervisor_age`) */
  nowMs: number;
  /** points leased now */
  leasedCount: number;
}

export function initialBmsState(leaseS: number): BmsState {
  return {
    heartbeat: 0,
    leaseS,
    live: false,
    renewedAtMs: null,
    expiresAtMs: 0,
    nowMs: 0,
    leasedCount: 0,
  };
}

/** A point the supervisor holds, and what the BMS will write back. */
export interface LeasedPoint {
  pointId: string;
  binding: WriteBinding;
  /** the BMS's own value before the supervisor's first leased write; null: an override relinquished */
  saved: number | null;
  /** the first leased writer, and when (Unix ms, simulated) */
  by: string;
  sinceMs: number;
}

/** A supervisor's write: over a protocol session (OPC UA, Modbus), as the servers name their writers. */
export function isSupervisorWriter(by: string): boolean {
  return by.startsWith('opcua:') || by.startsWith('modbus:');
}

/** What `HallModel.supervisor()` reports. */
export interface SupervisorSnapshot {
  live: boolean;
  heartbeat: number;
  leaseS: number;
  renewedAtMs: number | null;
  /** when the lease runs out if not renewed; null while no lease is live */
  expiresAtMs: number | null;
  leased: { pointId: string; saved: number | null; by: string; sinceMs: number }[];
}

export class SupervisorWatchdog {
  private leased: LeasedPoint[] = [];
  private readonly index = new Map<string, LeasedPoint>();

  constructor(private readonly s: HallState['bms']) {}

  /** The lease has run out at `t`: the model must take the points back (`expire`). No allocation: once a step. */
  due(t: number): boolean {
    return this.s.live && t >= this.s.expiresAtMs;
  }

  /** A heartbeat at `t`: renews the lease, or starts a new session. Returns whether it started one. */
  renew(t: number): boolean {
    const s = this.s;
    const started = !s.live;
    s.live = true;
    s.renewedAtMs = t;
    s.expiresAtMs = t + s.leaseS * 1000;
    return started;
  }

  /** A new lease length; a live lease now runs out at its last renewal + the new lease. */
  setLease(leaseS: number): void {
    const s = this.s;
    s.leaseS = leaseS;
    if (s.live && s.renewedAtMs !== null) s.expiresAtMs = s.renewedAtMs + leaseS * 1000;
  }

  /**
   * Before a write of a leasable point is applied: a supervisor's write while the lease is live leases the point
   * (saving the BMS's value at the first one; a later one keeps that saved value); anyone else's write (the control
   * API, a scenario: the BMS's own operator) takes the point out of the lease — their value is the BMS's own now.
   */
  beforeWrite(pointId: string, binding: WriteBinding, by: string, t: number): void {
    const held = this.index.get(pointId);
    if (isSupervisorWriter(by)) {
      if (held || !this.s.live) return;
      const p: LeasedPoint = { pointId, binding, saved: binding.get(), by, sinceMs: t };
      this.leased.push(p);
      this.index.set(pointId, p);
    } else if (held) {
      this.leased = this.leased.filter((p) => p !== held);
      this.index.delete(pointId);
    }
    this.s.leasedCount = this.leased.length;
  }

  /** Ends the session: the points to take back, in the order they were leased. */
  expire(): LeasedPoint[] {
    const out = this.leased;
    this.leased = [];
    this.index.clear();
    this.s.live = false;
    this.s.leasedCount = 0;
    return out;
  }

  snapshot(): SupervisorSnapshot {
    const s = this.s;
    return {
      live: s.live,
      heartbeat: s.heartbeat,
      leaseS: s.leaseS,
      renewedAtMs: s.renewedAtMs,
      expiresAtMs: s.live ? s.expiresAtMs : null,
      leased: this.leased.map(({ pointId, saved, by, sinceMs }) => ({ pointId, saved, by, sinceMs })),
    };
  }
}
