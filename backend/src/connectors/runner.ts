import type { ConnectorState } from '@plenum/model';
import { errorMessage } from '../common/errors';
import {
  gatherVerdict,
  livenessFor,
  silenceReason,
  SILENT_STATUS,
  tally,
  addTally,
  type GatherTally,
  type Liveness,
} from './liveness';
import {
  WriteError,
  type Connector,
  type ConnectorDefinition,
  type SampleSink,
  type SourceInstance,
  type SourceSample,
  type WriteOutcome,
  type WriteRequest,
} from './types';

/**
 * up: data flows as configured; degraded: failing, or silent (README "Liveness"), retrying; down: not running
 * (failed start); starting, stopped.
 */
export type SourceState = ConnectorState;

export interface SourceError {
  /** Unix ms */
  at: number;
  message: string;
}

export interface SourceStatus {
  source: string;
  connector: string;
  state: SourceState;
  /** Unix ms of the last successful gather or delivery */
  lastSuccess?: number;
  /** Unix ms of the last sample delivered (any quality) */
  lastSampleAt?: number;
  /** why the source is not up, without secrets; absent while it is up */
  lastError?: string;
  /** Unix ms of the most recent error; kept after recovery, with the message in `recentErrors` */
  lastErrorAt?: number;
  /** the last errors, newest first, at most RECENT_ERRORS */
  recentErrors: SourceError[];
  consecutiveFailures: number;
  /** failed gathers or starts since start-up */
  failures: number;
  samples: number;
  /** samples per second over the last minute; falls to 0 within a minute when nothing arrives */
  samplesPerSecond: number;
  /** times the connector was built again from scratch because it stayed silent (by the runner or itself) */
  rebuilds: number;
  /**
   * how its points report: every poll, on change (a subscription whose liveness proves unchanged values), or on
   * events only (job webhooks) — an old sample is stale only for the first
   */
  reports: SourceReports;
}

export type SourceReports = 'every-interval' | 'on-change' | 'on-event';

export interface RunnerHooks {
  /** called on every state change, e.g. to record a connector event */
  onStateChange?(status: SourceStatus, previous: SourceState): void;
  /** a log line (rebuilds) @default console.warn */
  log?(message: string): void;
}

/** errors kept in `recentErrors` */
export const RECENT_ERRORS = 10;

/** Waits for `work` at most `ms`; its failure is not ours to report here (the runner already recorded it). */
async function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let guard: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise<void>((r) => (guard = setTimeout(r, ms)))]);
  clearTimeout(guard);
}

/** Events per second over a sliding window, in one-second slots (no timers). */
class WindowRate {
  private readonly slots = new Map<number, number>();
  constructor(private readonly windowMs: number) {}

  add(n: number, now: number): void {
    const slot = Math.floor(now / 1000);
    this.slots.set(slot, (this.slots.get(slot) ?? 0) + n);
    this.prune(slot);
  }

  perSecond(now: number): number {
    const slot = Math.floor(now / 1000);
    this.prune(slot);
    let sum = 0;
    for (const v of this.slots.values()) sum += v;
    return sum / (this.windowMs / 1000);
  }

  private prune(slot: number): void {
    for (const k of this.slots.keys()) if (k <= slot - this.windowMs / 1000) this.slots.delete(k);
  }
}

/**
 * Longest backoff after failures, ms: the next poll waits interval × 2ⁿ, at most this (and never less than the
 * interval). Short, because a source must be back within 5 s of its device (issue 17, faults suite: with 60 s a
 * 20 s outage was recovered 11–16 s after it ended); one attempt every 3 s costs a failing device no more than a
 * fast poll does.
 */
export const MAX_BACKOFF_MS = 3000;

/** ms before the next poll after `failures` consecutive failures of a source polled every `intervalMs`. */
export function backoffMs(intervalMs: number, failures: number): number {
  return Math.min(Math.max(intervalMs, MAX_BACKOFF_MS), intervalMs * 2 ** Math.min(failures, 10));
}

/**
 * Runs one source: polls `gather` every interval without overlap (a slow gather delays the next one rather than
 * piling up), or `start`s a subscribed connector. Failures never escape as unhandled rejections: they set the
 * state to degraded, are kept in `lastError`, and the next attempt waits with backoff.
 *
 * Liveness of polled sources (README "Liveness"): a gather that delivers no usable sample leaves the source
 * degraded; a gather that has not finished after `staleAfterMs` makes it degraded and marks its points bad
 * (SILENT_STATUS); silent for `rebuildAfterMs` since its last usable sample, the connector is closed and built
 * again from scratch. Subscribed connectors report their own liveness through `health()`.
 */
export class SourceRunner {
  private _connector?: Connector;
  private timer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  /** bumped when the connector is rebuilt: callbacks of the replaced one are ignored */
  private generation = 0;
  private readonly _status: SourceStatus;
  private readonly rate = new WindowRate(60_000);
  private readonly liveness: Liveness;
  private readonly log: (message: string) => void;
  /** Unix ms the gather in flight started, else undefined */
  private gatherStartedAt?: number;
  /** Unix ms of the last usable (good or uncertain) sample, or of start / the last rebuild */
  private lastUsableAt = Date.now();
  /** Unix ms since the source has been silent (degraded without a failure), else undefined */
  private silentSince?: number;
  private rebuilding = false;

  constructor(
    private readonly def: ConnectorDefinition<never>,
    private readonly source: SourceInstance<never>,
    private readonly sink: SampleSink,
    private readonly hooks: RunnerHooks = {},
  ) {
    this.liveness = source.liveness ?? livenessFor(source.intervalMs);
    this.log = hooks.log ?? ((m) => console.warn(`source "${source.name}": ${m}`));
    this._status = {
      source: source.name,
      connector: def.name,
      state: 'starting',
      recentErrors: [],
      consecutiveFailures: 0,
      failures: 0,
      samples: 0,
      samplesPerSecond: 0,
      rebuilds: 0,
      reports: 'every-interval',
    };
  }

  /**
   * The source's status; a running subscription's own link state (dropped, recovering, silent) is folded in,
   * and the ingest rate computed, on read.
   */
  get status(): SourceStatus {
    const c = this._connector;
    const h = c?.mode === 'subscribe' && !this.stopped && this._status.state !== 'down' ? c.health?.() : undefined;
    if (h) {
      if (h.rebuilds !== undefined) this._status.rebuilds = h.rebuilds;
      if (h.state === 'up') this.setState('up');
      else this.problem(h.lastError ?? `the link is ${h.state}`, h.state);
    }
    this._status.samplesPerSecond = this.rate.perSecond(Date.now());
    return this._status;
  }

  /** the running connector, once `start` has initialised it */
  get connector(): Connector | undefined {
    return this._connector;
  }

  /** the rules this source runs by */
  get rules(): Liveness {
    return this.liveness;
  }

  start(): void {
    if (!this.init()) return;
    const c = this._connector as Connector;
    this._status.reports = c.mode === 'poll' ? 'every-interval' : c.health ? 'on-change' : 'on-event';
    if (c.mode === 'subscribe') {
      this.running = c.start(this.counted(this.generation)).then(
        () => {
          // a connector with health() says itself when it is up; one without delivers only on events
          if (!c.health) this.succeed();
          else void this.status;
        },
        (err) => this.fail(err, 'down'),
      );
      return;
    }
    const period = Math.min(1000, Math.max(50, Math.floor(this.liveness.staleAfterMs / 5)));
    this.watchdog = setInterval(() => this.watch(), period);
    this.running = this.tick(this.generation);
  }

  /**
   * Stops polling and closes the connector: waits for a gather in flight at most `timeoutMs`, then closes anyway
   * (close aborts requests in progress), and gives close the same bound.
   */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.watchdog);
    const c = this._connector;
    await bounded(this.running ?? Promise.resolve(), timeoutMs);
    if (c) await bounded(c.mode === 'poll' ? c.close() : c.stop(), timeoutMs);
    this.setState('stopped');
  }

  /**
   * Writes one point through the running connector (only the automation guard calls this: ARCHITECTURE.md,
   * "Acting on the plant"). Throws a WriteError: `config` when the source is not running or its connector cannot
   * write; otherwise whatever the connector's `write` throws.
   */
  async write(req: WriteRequest): Promise<WriteOutcome> {
    const c = this._connector;
    const what = `source "${this.source.name}" (${this.def.name})`;
    if (this.stopped || !c || this._status.state === 'down') throw new WriteError('config', `${what} is not running`);
    if (!c.write) throw new WriteError('config', `${what} cannot write`);
    return c.write(req);
  }

  /** Initialises the connector; a failure leaves the source down. */
  private init(): boolean {
    try {
      this._connector = this.def.init(this.source);
      return true;
    } catch (err) {
      this.fail(err, 'down');
      return false;
    }
  }

  /** The sink of one connector instance: counts, rates and tallies deliveries while it is the current one. */
  private counted(gen: number): SampleSink {
    // Counted before the sink's fsync and applied after it, in a `then` rather than after an `await`: an async
    // function keeps its parameters until it returns, and a batch held across the fsync survives two scavenges and
    // is promoted — the old generation then fills with dead samples (bench:scale, issue 14).
    return (samples) => {
      const t: GatherTally = { samples: 0, good: 0 };
      tally(t, samples);
      return this.sink(samples).then(() => this.delivered(gen, t));
    };
  }

  /** a delivery the sink took: counts, rates, liveness */
  private delivered(gen: number, t: GatherTally): void {
    if (gen !== this.generation) return;
    const now = Date.now();
    this._status.samples += t.samples;
    this.rate.add(t.samples, now);
    this._status.lastSuccess = now;
    if (t.samples > 0) this._status.lastSampleAt = now;
    if (t.good > 0) {
      this.lastUsableAt = now;
      this.silentSince = undefined;
    }
    if (this.current) addTally(this.current, t);
  }

  /** what the gather in flight has delivered so far */
  private current?: GatherTally;

  private async tick(gen: number): Promise<void> {
    const c = this._connector;
    if (this.stopped || gen !== this.generation || c?.mode !== 'poll') return;
    const t: GatherTally = { samples: 0, good: 0 };
    this.current = t;
    this.gatherStartedAt = Date.now();
    try {
      await c.gather(this.counted(gen));
      if (gen !== this.generation) return;
      const v = gatherVerdict(t, this.source.points.length);
      if (v.state === 'up') this.succeed();
      else {
        this.problem(v.reason, 'degraded');
        this.silentSince ??= this.lastUsableAt;
      }
    } catch (err) {
      if (gen !== this.generation) return;
      this.fail(err, 'degraded');
    } finally {
      if (gen === this.generation) {
        this.gatherStartedAt = undefined;
        this.current = undefined;
      }
    }
    if (this.stopped || gen !== this.generation) return;
    if (this.rebuildDue(Date.now())) return void this.rebuild();
    const interval = this.source.intervalMs;
    const failures = this._status.consecutiveFailures;
    const delay = failures ? backoffMs(interval, failures) : interval - (Date.now() % interval);
    this.timer = setTimeout(() => (this.running = this.tick(gen)), delay);
  }

  /** Every fraction of staleAfter: a gather that does not finish is silence; long silence is a rebuild. */
  private watch(): void {
    if (this.stopped || this.rebuilding) return;
    const now = Date.now();
    if (this.gatherStartedAt !== undefined) {
      const reason = silenceReason(now - this.gatherStartedAt, this.liveness, this.source.intervalMs);
      if (reason) {
        if (this._status.state === 'up' || this._status.state === 'starting') this.markSilent(now);
        this.problem(
          `${reason}: the poll that started ${((now - this.gatherStartedAt) / 1000).toFixed(1)} s ago has not finished`,
          'degraded',
        );
        this.silentSince ??= this.lastUsableAt;
      }
    }
    if (this.rebuildDue(now)) void this.rebuild();
  }

  private rebuildDue(now: number): boolean {
    return this.silentSince !== undefined && now - this.silentSince > this.liveness.rebuildAfterMs;
  }

  /** One bad sample per point, so panels show the gap instead of the last value. */
  private markSilent(now: number): void {
    const ts = this.source.clock?.() ?? now;
    const samples: SourceSample[] = this.source.points.map((p) => ({
      pointId: p.id,
      ts,
      value: p.valueType === 'number' ? 0 : p.valueType === 'boolean' ? false : '',
      quality: 'bad',
      rawStatus: SILENT_STATUS,
    }));
    if (samples.length)
      this.sink(samples).catch((err) => this.log(`cannot mark silent points bad: ${errorMessage(err)}`));
  }

  /** Closes the silent connector (aborting a gather in flight) and builds a new one from the source. */
  private async rebuild(): Promise<void> {
    if (this.rebuilding || this.stopped) return;
    this.rebuilding = true;
    const old = this._connector;
    const silentS = ((Date.now() - (this.silentSince ?? this.lastUsableAt)) / 1000).toFixed(1);
    this.generation++;
    clearTimeout(this.timer);
    this.gatherStartedAt = undefined;
    this.current = undefined;
    this._status.rebuilds++;
    this.log(
      `no usable sample for ${silentS} s (rebuildAfter ${this.liveness.rebuildAfterMs} ms): closing the connector and building it again`,
    );
    try {
      if (old?.mode === 'poll') await bounded(old.close(), 5000);
      if (this.stopped) return;
      this.lastUsableAt = Date.now();
      this.silentSince = undefined;
      if (!this.init()) return;
      this.running = this.tick(this.generation);
    } finally {
      this.rebuilding = false;
    }
  }

  private succeed(): void {
    this._status.lastSuccess = Date.now();
    this._status.consecutiveFailures = 0;
    this.setState('up');
  }

  private fail(err: unknown, state: SourceState): void {
    this._status.consecutiveFailures++;
    this._status.failures++;
    this.problem(errorMessage(err), state);
  }

  /** Not up, for `reason`: recorded once per distinct reason in the history. */
  private problem(reason: string, state: SourceState): void {
    if (this._status.lastError !== reason || this._status.state !== state) {
      const at = Date.now();
      this._status.lastError = reason;
      this._status.lastErrorAt = at;
      const recent = this._status.recentErrors;
      if (recent[0]?.message !== reason) {
        recent.unshift({ at, message: reason });
        recent.length = Math.min(recent.length, RECENT_ERRORS);
      }
    }
    this.setState(state);
  }

  private setState(state: SourceState): void {
    const previous = this._status.state;
    if (state === 'up') delete this._status.lastError;
    if (previous === state) return;
    this._status.state = state;
    this.hooks.onStateChange?.({ ...this._status, recentErrors: [...this._status.recentErrors] }, previous);
  }
}
