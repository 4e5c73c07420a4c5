/**
 * The one guard every write passes (ARCHITECTURE.md, "Acting on the plant"). It judges an intent (verdict.ts),
 * records the verdict durably — trace and an `automation` event — before anything is sent, converts the value to
 * the point's source unit, writes through the point's connector, reads back and verifies, and holds a lease for
 * the owner. A lease not renewed runs out and the point is handed back to the BMS (restore the saved value, or
 * relinquish); an emergency stop hands back everything; a heartbeat keeps the device's own watchdog from taking the
 * plant back while Plenum runs, so a crash of Plenum returns the plant to the BMS within the device's lease.
 */
import type { NewEvent, Point } from '@plenum/model';
import { errorMessage } from '../../common/errors';
import type { SourcePoint, WriteOutcome } from '../../connectors/types';
import type { AutomationConfig } from '../config';
import type { AutomationStore, LeaseRow } from '../store';
import { effectiveLimits, heartbeatLimits } from './limits';
import {
  actorName,
  judge,
  nextStep,
  type Actor,
  type EffectiveLimits,
  type InputSample,
  type Owner,
  type PointGuardState,
  type Verdict,
  type WriteIntent,
} from './verdict';

/** Where writes go: a connector's point (through its runner) or a rack's power limit (Redfish). */
export interface PlantWriter {
  /** `value` in the point's source unit; null relinquishes */
  write(point: SourcePoint, value: number | null): Promise<WriteOutcome>;
}

export interface GuardDeps {
  config: AutomationConfig;
  /** every configured point (and virtual ones such as rack power limits), by id */
  points: ReadonlyMap<string, SourcePoint>;
  writer: PlantWriter;
  /** the latest reading of a point, as an input (with when it was last proven current) */
  latest(pointId: string): InputSample;
  store: AutomationStore;
  /** records an event (durable when it returns) stamped with the run's clock */
  addEvent(e: Omit<NewEvent, 'time'>): void;
  /** the run's clock, Unix ms */
  now(): number;
  /** wall ms the run's clock takes for `ms` of its own time (speed) */
  toWallMs(ms: number): number;
  log(message: string): void;
}

export interface GuardResult {
  verdict: Verdict;
  /** the value the point had before, canonical */
  from?: number | null;
  /** the device's read-back, canonical; undefined when nothing was written */
  readBack?: number | boolean | string | null;
  /** true when the read-back matched within the point's tolerance */
  verified?: boolean;
  /** why the write failed at the device */
  error?: string;
  /** the trace entry of the verdict */
  traceId?: number;
}

export interface LeaseView {
  pointId: string;
  owner: string;
  priority: number;
  value: number;
  saved: number | null;
  leaseUntil: number;
  release: 'restore' | 'relinquish';
}

const GUARD: Actor = { kind: 'system', id: 'guard' };

/** the shortest device lease in wall time the heartbeat asks for (only a sped-up clock comes near it), ms */
const DEVICE_LEASE_MIN_WALL_MS = 5000;

const round = (v: number) => Math.round(v * 1000) / 1000;

function toSource(p: SourcePoint, canonical: number): number {
  return (canonical - p.conversion.offset) / p.conversion.scale;
}

function toCanonical(p: SourcePoint, source: unknown): number | boolean | string | null {
  return typeof source === 'number' ? source * p.conversion.scale + p.conversion.offset : (source as string | null);
}

function locationOf(p: Point): NewEvent['location'] {
  const l = p.location;
  return {
    ...(l.hall && { hall: l.hall }),
    ...(l.row && { row: l.row }),
    ...(l.rack && { rack: l.rack }),
    ...(l.asset && { asset: l.asset }),
  };
}

export class Guard {
  private stopped: boolean;
  private readonly leases = new Map<string, LeaseRow>();
  private readonly lastWrite = new Map<string, { value: number | null; at: number }>();
  private readonly lastBad = new Map<string, number>();
  /** allowed writes per actor, Unix ms, for the breaker window */
  private readonly writesBy = new Map<string, number[]>();
  private readonly locked: Set<string>;
  /** the last verdict per actor and point that became an event, to keep refusals from flooding the events */
  private readonly lastEvent = new Map<string, { code: string; at: number }>();
  private heartbeatTimer?: NodeJS.Timeout;
  /** the next try of hand-backs that failed at start */
  private handBackTimer?: NodeJS.Timeout;
  private closing = false;
  private heartbeatStarted = false;
  /** points whose hand-back write is in flight, so that a second hand-back does not send it again */
  private readonly handingBack = new Set<string>();
  /** failed hand-backs in a row per point, for the retry backoff */
  private readonly handBackFailures = new Map<string, number>();
  private heartbeatSeq = 0;
  private heartbeatOk?: boolean;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly d: GuardDeps) {
    this.stopped = d.store.get<boolean>('stopped') ?? false;
    this.locked = new Set(d.store.get<string[]>('breaker-locked') ?? []);
    for (const l of d.store.leases()) this.leases.set(l.pointId, l);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Hands back leases a previous run left (it crashed or was killed), then starts the heartbeat. Right after a
   * start a connector may have no session yet (OPC UA opens it at its first start) or its device may be down: a
   * failed hand-back keeps its lease and is tried again (release), and the heartbeat waits until every lease left
   * is handed back or the device's lease has passed — by then the BMS's watchdog has taken back what Plenum could
   * not; a heartbeat started earlier would keep Plenum's old value leased at the BMS.
   */
  async start(): Promise<void> {
    const left = [...this.leases.values()];
    for (const l of left)
      await this.release(l.pointId, GUARD, 'Plenum restarted; a lease of the previous run is handed back');
    this.heartbeatAfterHandBacks(left, Date.now());
  }

  private heartbeatAfterHandBacks(left: readonly LeaseRow[], since: number): void {
    if (this.closing) return;
    // still the guard's to hand back: the same row (a new lease or an operator's write replaces it)
    const pending = left.filter((l) => this.leases.get(l.pointId) === l);
    if (pending.length === 0) return this.startHeartbeat();
    const hb = this.d.config.heartbeat;
    if (Date.now() - since >= (hb ? this.d.toWallMs(hb.lease) : 0)) {
      this.d.log(
        `${pending.length} lease(s) of the previous run not handed back yet (${pending.map((l) => l.pointId).join(', ')}); starting the heartbeat, still trying`,
      );
      return this.startHeartbeat();
    }
    this.handBackTimer = setTimeout(() => {
      // the retries are expire()'s (the engine calls it every second); run it here too for a guard on its own
      void this.expire().then(() => this.heartbeatAfterHandBacks(pending, since));
    }, 1000);
  }

  limitsOf(pointId: string): EffectiveLimits | undefined {
    const p = this.d.points.get(pointId);
    if (!p) return undefined;
    const hb = this.d.config.heartbeat;
    if (hb && (pointId === hb.point || pointId === hb.leasePoint)) return heartbeatLimits();
    return effectiveLimits(p, this.d.config.points);
  }

  private state(pointId: string): PointGuardState {
    const l = this.leases.get(pointId);
    const lw = this.lastWrite.get(pointId);
    return {
      current: this.d.latest(pointId),
      ...(lw && { lastWrite: lw }),
      ...(l && { owner: l.owner }),
    };
  }

  private note(inputs: readonly InputSample[], now: number): void {
    for (const i of inputs) if (i.quality !== 'good') this.lastBad.set(i.pointId, now);
  }

  /** The verdict a write would get now (dry-run and approve modes), without writing. */
  judge(w: WriteIntent): Verdict {
    const now = this.d.now();
    const s = this.state(w.pointId);
    this.note([...w.inputs, ...(s.current ? [s.current] : [])], now);
    const p = this.d.points.get(w.pointId);
    const key = actorName(w.actor);
    const window = this.d.config.guard.breaker.window;
    // counted per point: a rule that oscillates on one point is the failure the breaker is for
    const recent = (this.writesBy.get(`${key}|${w.pointId}`) ?? []).filter((t) => now - t < window);
    return judge(w, s, {
      now,
      stopped: this.stopped,
      limits: this.limitsOf(w.pointId),
      writable: !!p && (p.writable || w.pointId.endsWith('/power_limit')),
      staleAfterMs: this.staleAfterMs(),
      settleMs: this.d.config.guard.settle,
      lastBadAt: (id) => this.lastBad.get(id),
      breaker: { locked: this.locked.has(key), writes: recent.length, max: this.d.config.guard.breaker.maxWrites },
    });
  }

  /**
   * Judges and, when allowed, writes: the verdict is traced and becomes an event first; then the write, the
   * read-back check (a mismatch is an alarm, never a retry) and the lease for the owner.
   */
  async write(w: WriteIntent, leaseMs = this.d.config.guard.lease): Promise<GuardResult> {
    const now = this.d.now();
    const verdict = this.judge(w);
    const p = this.d.points.get(w.pointId);
    const current = this.d.latest(w.pointId);
    const from = typeof current.value === 'number' ? current.value : null;
    const traceId = this.d.store.trace({
      time: now,
      kind: 'verdict',
      actor: actorName(w.actor),
      pointId: w.pointId,
      data: { intent: w, verdict, from },
    });
    if (!verdict.allow) {
      if (verdict.code === 'breaker' && !this.locked.has(actorName(w.actor))) this.lock(w.actor, verdict.reason);
      this.event(w, p, verdict, from, now);
      return { verdict, from, traceId };
    }
    this.event(w, p, verdict, from, now);
    const result = await this.send(w, p as SourcePoint, from, now);
    if (result.error === undefined) {
      const key = `${actorName(w.actor)}|${w.pointId}`;
      this.writesBy.set(key, [
        ...(this.writesBy.get(key) ?? []).filter((t) => now - t < this.d.config.guard.breaker.window),
        now,
      ]);
      if (w.value !== null) this.hold(w, from, now, leaseMs);
    }
    return { verdict, traceId, ...result };
  }

  private async send(
    w: WriteIntent,
    p: SourcePoint,
    from: number | null,
    now: number,
  ): Promise<Omit<GuardResult, 'verdict'>> {
    const limits = this.limitsOf(w.pointId) as EffectiveLimits;
    this.lastWrite.set(w.pointId, { value: w.value, at: now });
    let outcome: WriteOutcome;
    const work = this.d.writer.write(p, w.value === null ? null : toSource(p, w.value));
    this.inFlight.add(work);
    try {
      outcome = await work;
    } catch (err) {
      const error = errorMessage(err);
      this.d.store.trace({
        time: this.d.now(),
        kind: 'write-failed',
        actor: actorName(w.actor),
        pointId: w.pointId,
        data: { error },
      });
      this.d.addEvent({
        type: 'alarm',
        severity: 'warning',
        title: `write to ${w.pointId} failed: ${error}`.slice(0, 200),
        text: `${actorName(w.actor)} wanted ${w.value === null ? 'to hand it back' : round(w.value)}; ${error}`,
        pointId: w.pointId,
        location: locationOf(p),
        tags: ['automation', 'write-failed'],
        source: 'automation',
        data: { actor: w.actor, intent: w, error },
      });
      return { from, error };
    } finally {
      this.inFlight.delete(work);
    }
    const readBack = toCanonical(p, outcome.readBack);
    const verified =
      w.value === null || (typeof readBack === 'number' && Math.abs(readBack - w.value) <= limits.tolerance + 1e-9);
    this.d.store.trace({
      time: this.d.now(),
      kind: 'write',
      actor: actorName(w.actor),
      pointId: w.pointId,
      data: { value: w.value, from, readBack, verified, rawStatus: outcome.rawStatus },
    });
    if (!verified) {
      this.d.addEvent({
        type: 'alarm',
        severity: 'critical',
        title: `read-back mismatch on ${w.pointId}: wrote ${round(w.value as number)}, device holds ${String(typeof readBack === 'number' ? round(readBack) : readBack)}`,
        text: 'The device does not hold what Plenum wrote; it is not written again. Check the device and its local control.',
        pointId: w.pointId,
        location: locationOf(p),
        tags: ['automation', 'read-back'],
        source: 'automation',
        data: { actor: w.actor, value: w.value, readBack, from },
      });
    }
    return { from, readBack, verified };
  }

  /**
   * A lease on the run's clock that outlives three evaluations (one a second of wall time): on a sped-up clock a
   * second of wall time is many simulated seconds.
   */
  private leaseFor(leaseMs: number): number {
    const speed = 1000 / this.d.toWallMs(1000);
    return Math.max(leaseMs, 3 * 1000 * speed);
  }

  /**
   * staleAfter on the run's clock. Connectors poll in wall seconds whatever the speed, so on a sped-up clock every
   * reading is already speed × its poll period old (×240: a 5 s poll is 20 simulated minutes) and a data-time
   * staleAfter refused every write. Counted in wall time instead, the interlock trips after the same silence of a
   * source as on a real clock (as predict's staleAfter stretches; at speed 1 nothing changes).
   */
  private staleAfterMs(): number {
    const s = this.d.config.guard.staleAfter;
    return Math.max(s, Math.round((s * s) / this.d.toWallMs(s)));
  }

  private hold(w: WriteIntent, from: number | null, now: number, leaseMs: number): void {
    const prev = this.leases.get(w.pointId);
    const owner: Owner = { actor: w.actor, priority: w.priority, leaseUntil: now + this.leaseFor(leaseMs) };
    const lease: LeaseRow = {
      pointId: w.pointId,
      owner,
      value: w.value as number,
      // the device's own value is the one before Plenum's first write of this lease, whoever holds it now
      saved: prev ? prev.saved : from,
      release: (this.limitsOf(w.pointId) as EffectiveLimits).release,
    };
    this.leases.set(w.pointId, lease);
    this.d.store.putLease(lease);
  }

  /** Extends the leases `actor` holds (a rule whose condition still holds renews them every evaluation). */
  renew(actor: Actor, leaseMs = this.d.config.guard.lease): void {
    const now = this.d.now();
    for (const l of this.leases.values()) {
      if (l.owner.actor.kind === actor.kind && l.owner.actor.id === actor.id) {
        l.owner = { ...l.owner, leaseUntil: now + this.leaseFor(leaseMs) };
        this.d.store.putLease(l);
      }
    }
  }

  /**
   * The value to write now on the way to `wanted`, within the point's step, slew and dwell (verdict.ts,
   * `nextStep`); a point without limits gets `wanted`, which the guard then refuses, naming why.
   */
  nextStep(pointId: string, wanted: number): { value: number } | { wait: string } {
    const l = this.limitsOf(pointId);
    return l ? nextStep(wanted, this.state(pointId), l, this.d.now()) : { value: wanted };
  }

  /** the value Plenum last wrote to a point it holds, canonical; undefined when it holds none */
  heldValue(pointId: string): number | undefined {
    return this.leases.get(pointId)?.value;
  }

  /** who holds a point now (an unexpired lease), undefined when the BMS has it */
  ownerOf(pointId: string): { actor: Actor; priority: number } | undefined {
    const o = this.leases.get(pointId)?.owner;
    return o && o.leaseUntil > this.d.now() ? { actor: o.actor, priority: o.priority } : undefined;
  }

  /** points `actor` holds now */
  held(actor: Actor): string[] {
    return [...this.leases.values()]
      .filter((l) => l.owner.actor.kind === actor.kind && l.owner.actor.id === actor.id)
      .map((l) => l.pointId);
  }

  /** Hands a point back to the BMS: writes the saved value back (restore) or a null (relinquish). */
  async release(pointId: string, actor: Actor, reason: string): Promise<GuardResult | undefined> {
    const l = this.leases.get(pointId);
    if (!l || this.handingBack.has(pointId)) return undefined;
    const restore = l.release === 'restore' && l.saved !== null;
    const intent: WriteIntent = {
      pointId,
      value: null,
      actor,
      priority: 1,
      reason: `${reason}; ${restore ? `restore ${round(l.saved as number)}` : 'relinquish to the BMS'} (held by ${actorName(l.owner.actor)})`,
      inputs: [],
    };
    const p = this.d.points.get(pointId);
    const now = this.d.now();
    const verdict: Verdict = { allow: true, checks: ['release'] };
    const traceId = this.d.store.trace({
      time: now,
      kind: 'release',
      actor: actorName(actor),
      pointId,
      data: { intent, lease: l },
    });
    this.event(intent, p, verdict, l.value, now);
    const drop = () => {
      this.handBackFailures.delete(pointId);
      if (this.leases.get(pointId) !== l) return;
      this.leases.delete(pointId);
      this.d.store.deleteLease(pointId);
    };
    if (!p) {
      drop();
      return { verdict, traceId };
    }
    // the lease stays while the hand-back is sent: nobody else writes the point meanwhile, and a failed one
    // is not forgotten
    this.handingBack.add(pointId);
    try {
      // a restore is a write of the saved value; a relinquish is the null write
      const r = await this.send({ ...intent, value: restore ? l.saved : null }, p, l.value, now);
      if (r.error === undefined) drop();
      else this.keepForRetry(l);
      return { verdict, traceId, ...r };
    } finally {
      this.handingBack.delete(pointId);
    }
  }

  /**
   * A hand-back the device did not take: the point is still Plenum's value at the device, and with the heartbeat
   * running its watchdog would keep it so. The guard holds the lease (durably, so a restart tries it too) and
   * expire() sends the hand-back again after 1 s, doubling to 30 s (wall time).
   */
  private keepForRetry(l: LeaseRow): void {
    const n = (this.handBackFailures.get(l.pointId) ?? 0) + 1;
    this.handBackFailures.set(l.pointId, n);
    const waitMs = Math.min(30_000, 1000 * 2 ** (n - 1));
    const speed = 1000 / this.d.toWallMs(1000);
    l.owner = { actor: GUARD, priority: 1, leaseUntil: this.d.now() + waitMs * speed };
    if (this.leases.get(l.pointId) !== l) return; // taken meanwhile by a newer lease
    this.d.store.putLease(l);
  }

  /** Hands back every lease of `actor` (a rule that cleared, went to observe, or was locked). */
  async releaseAll(actor: Actor | undefined, by: Actor, reason: string): Promise<number> {
    const mine = [...this.leases.values()].filter(
      (l) => !actor || (l.owner.actor.kind === actor.kind && l.owner.actor.id === actor.id),
    );
    for (const l of mine) await this.release(l.pointId, by, reason);
    return mine.length;
  }

  /** Leases that ran out without renewal are handed back. Called every second by the engine. */
  async expire(): Promise<void> {
    const now = this.d.now();
    for (const l of [...this.leases.values()]) {
      if (l.owner.leaseUntil > now) continue;
      const retry = l.owner.actor.kind === GUARD.kind && l.owner.actor.id === GUARD.id;
      await this.release(
        l.pointId,
        GUARD,
        retry
          ? 'handed back again: the last hand-back failed'
          : `lease of ${actorName(l.owner.actor)} ran out without renewal`,
      );
    }
  }

  /**
   * Emergency stop: nothing more is written, every lease is handed back. Answers at once (the hand-backs run
   * in the background and report as events); stays stopped across restarts until resumed.
   */
  emergencyStop(by: Actor): { released: Promise<number>; leases: number } {
    this.stopped = true;
    this.d.store.set('stopped', true);
    const leases = this.leases.size;
    this.d.store.trace({ time: this.d.now(), kind: 'stop', actor: actorName(by), data: { leases } });
    this.d.addEvent({
      type: 'automation',
      severity: 'critical',
      title: `emergency stop by ${actorName(by)}: every rule to observe, ${leases} point${leases === 1 ? '' : 's'} handed back`,
      tags: ['automation', 'stop'],
      source: 'automation',
      data: { actor: by, leases },
    });
    const released = this.releaseAll(undefined, by, 'emergency stop').catch((err: unknown) => {
      this.d.log(`emergency stop: handing back failed: ${errorMessage(err)}`);
      return 0;
    });
    return { released, leases };
  }

  resume(by: Actor): void {
    this.stopped = false;
    this.d.store.set('stopped', false);
    this.d.store.trace({ time: this.d.now(), kind: 'resume', actor: actorName(by), data: {} });
    this.d.addEvent({
      type: 'automation',
      severity: 'info',
      title: `automation resumed by ${actorName(by)} (rules stay in observe until a mode is set)`,
      tags: ['automation', 'resume'],
      source: 'automation',
      data: { actor: by },
    });
  }

  /** Clears a breaker lock (an operator, when the rule is set to a mode again). */
  unlock(actor: Actor): void {
    if (this.locked.delete(actorName(actor))) this.d.store.set('breaker-locked', [...this.locked]);
    for (const k of [...this.writesBy.keys()]) if (k.startsWith(`${actorName(actor)}|`)) this.writesBy.delete(k);
  }

  isLocked(actor: Actor): boolean {
    return this.locked.has(actorName(actor));
  }

  private lock(actor: Actor, reason: string): void {
    this.locked.add(actorName(actor));
    this.d.store.set('breaker-locked', [...this.locked]);
    this.d.addEvent({
      type: 'alarm',
      severity: 'critical',
      title: `circuit breaker: ${actorName(actor)} locked`,
      text: `${reason}. Its points are handed back; an operator unlocks it by setting its mode again.`,
      tags: ['automation', 'breaker'],
      source: 'automation',
      data: { actor },
    });
    void this.releaseAll(actor, GUARD, 'circuit breaker');
  }

  leaseViews(): LeaseView[] {
    return [...this.leases.values()].map((l) => ({
      pointId: l.pointId,
      owner: actorName(l.owner.actor),
      priority: l.owner.priority,
      value: l.value,
      saved: l.saved,
      leaseUntil: l.owner.leaseUntil,
      release: l.release,
    }));
  }

  private event(w: WriteIntent, p: Point | undefined, v: Verdict, from: number | null, now: number): void {
    const key = `${actorName(w.actor)}|${w.pointId}`;
    const code = v.allow ? 'allow' : v.code;
    const last = this.lastEvent.get(key);
    // a refusal repeated every evaluation is traced each time, but an event once a minute at most
    if (!v.allow && last?.code === code && now - last.at < 60_000) return;
    this.lastEvent.set(key, { code, at: now });
    const what = w.value === null ? 'hand back to the BMS' : `${from === null ? '?' : round(from)} → ${round(w.value)}`;
    this.d.addEvent({
      type: 'automation',
      severity: v.allow ? 'info' : 'warning',
      title:
        `${actorName(w.actor)} ${v.allow ? 'writes' : 'refused'}: ${w.pointId.split('/').slice(-2).join('/')} ${what}${v.allow ? '' : ` — ${v.reason}`}`.slice(
          0,
          250,
        ),
      text: w.reason,
      pointId: w.pointId,
      ...(p && { location: locationOf(p) }),
      tags: ['automation', v.allow ? 'write' : 'refused', w.actor.kind],
      source: 'automation',
      data: { actor: w.actor, intent: w, verdict: v, from },
    });
  }

  // ── heartbeat to the device watchdog ──

  private startHeartbeat(): void {
    this.heartbeatStarted = true;
    const hb = this.d.config.heartbeat;
    if (!hb) return;
    const period = Math.max(250, this.d.toWallMs(hb.lease / 3));
    // on a sped-up clock a wall-time heartbeat covers more simulated time: the device's lease must cover three
    // beats, and never less than DEVICE_LEASE_MIN_WALL_MS of wall time — at ×30 a 30 s lease is one wall second,
    // which one busy moment of a loaded host (a GC, another process) let lapse, and the BMS took the plant back
    const speed = hb.lease / this.d.toWallMs(hb.lease);
    const leaseMs = Math.max(hb.lease, 3 * period * speed, DEVICE_LEASE_MIN_WALL_MS * speed);
    const beat = async () => {
      const p = this.d.points.get(hb.point);
      if (!p) return;
      try {
        if (this.heartbeatSeq === 0 && hb.leasePoint) {
          const lp = this.d.points.get(hb.leasePoint);
          if (lp) await this.d.writer.write(lp, toSource(lp, Math.ceil(leaseMs / 1000)));
        }
        await this.d.writer.write(p, ++this.heartbeatSeq % 1_000_000);
        if (this.heartbeatOk !== true)
          this.d.log(`heartbeat to ${hb.point} every ${period} ms (device lease ${hb.lease / 1000} s)`);
        this.heartbeatOk = true;
      } catch (err) {
        if (this.heartbeatOk !== false) {
          this.d.log(`heartbeat to ${hb.point} failed: ${errorMessage(err)}`);
          this.d.store.trace({
            time: this.d.now(),
            kind: 'heartbeat-failed',
            actor: 'system:guard',
            pointId: hb.point,
            data: { error: errorMessage(err) },
          });
        }
        this.heartbeatOk = false;
      }
    };
    this.d.store.trace({
      time: this.d.now(),
      kind: 'heartbeat',
      actor: 'system:guard',
      pointId: hb.point,
      data: { periodMs: period, leaseMs },
    });
    let running = false;
    this.heartbeatTimer = setInterval(() => {
      if (running) return;
      running = true;
      void beat().finally(() => (running = false));
    }, period);
    void beat();
  }

  /**
   * Shutdown: hands every lease back (the BMS is in charge again at once, not after the device lease), stops the
   * heartbeat; bounded by the writes' own timeouts.
   */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.handBackTimer);
    clearInterval(this.heartbeatTimer);
    await Promise.allSettled([...this.inFlight]);
    await this.releaseAll(undefined, GUARD, 'Plenum is stopping');
  }
}
