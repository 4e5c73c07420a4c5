import type { ConnectorState } from '@plenum/model';
import { errorMessage } from '../common/errors';
import type { Connector, ConnectorDefinition, SampleSink, SourceInstance } from './types';

/** up: last gather/start succeeded; degraded: recent failures, retrying; down: not running (failed start). */
export type SourceState = ConnectorState;

export interface SourceStatus {
  source: string;
  connector: string;
  state: SourceState;
  /** Unix ms of the last successful gather or delivery */
  lastSuccess?: number;
  /** the last error, without secrets */
  lastError?: string;
  consecutiveFailures: number;
  /** failed gathers or starts since start-up */
  failures: number;
  samples: number;
  /** samples per second over the last minute (a moving average, updated on delivery) */
  samplesPerSecond: number;
}

export interface RunnerHooks {
  /** called on every state change, e.g. to record a connector event */
  onStateChange?(status: SourceStatus, previous: SourceState): void;
}

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
    for (const k of this.slots.keys()) if (k <= slot - this.windowMs / 1000) this.slots.delete(k);
  }

  perSecond(now: number): number {
    const first = Math.floor(now / 1000) - this.windowMs / 1000;
    let sum = 0;
    for (const [k, v] of this.slots) if (k > first) sum += v;
    return sum / (this.windowMs / 1000);
  }
}

/** Backoff after failures, ms: doubles from the interval up to 60 s. */
const MAX_BACKOFF_MS = 60_000;

/**
 * Runs one source: polls `gather` every interval without overlap (a slow gather delays the next one rather than
 * piling up), or `start`s a subscribed connector. Failures never escape as unhandled rejections: they set the
 * state to degraded, are kept in `lastError`, and the next attempt waits with backoff.
 */
export class SourceRunner {
  private _connector?: Connector;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly _status: SourceStatus;
  private readonly rate = new WindowRate(60_000);

  constructor(
    private readonly def: ConnectorDefinition<never>,
    private readonly source: SourceInstance<never>,
    private readonly sink: SampleSink,
    private readonly hooks: RunnerHooks = {},
  ) {
    this._status = {
      source: source.name,
      connector: def.name,
      state: 'starting',
      consecutiveFailures: 0,
      failures: 0,
      samples: 0,
      samplesPerSecond: 0,
    };
  }

  /** The source's status; a running subscription's own link state (dropped, recovering) is folded in on read. */
  get status(): SourceStatus {
    const c = this._connector;
    const h = c?.mode === 'subscribe' && !this.stopped && this._status.state !== 'down' ? c.health?.() : undefined;
    if (h && h.state !== this._status.state) {
      if (h.lastError) this._status.lastError = h.lastError;
      this.setState(h.state);
    }
    return this._status;
  }

  /** the running connector, once `start` has initialised it */
  get connector(): Connector | undefined {
    return this._connector;
  }

  start(): void {
    try {
      this._connector = this.def.init(this.source);
    } catch (err) {
      this.fail(err, 'down');
      return;
    }
    const counted: SampleSink = async (samples) => {
      await this.sink(samples);
      const now = Date.now();
      this._status.samples += samples.length;
      this.rate.add(samples.length, now);
      this._status.samplesPerSecond = this.rate.perSecond(now);
      this._status.lastSuccess = now;
    };
    const c = this._connector;
    if (c.mode === 'subscribe') {
      this.running = c.start(counted).then(
        () => this.succeed(),
        (err) => this.fail(err, 'down'),
      );
      return;
    }
    const tick = async () => {
      if (this.stopped) return;
      try {
        await c.gather(counted);
        this.succeed();
      } catch (err) {
        this.fail(err, 'degraded');
      }
      if (this.stopped) return;
      const backoff = Math.min(
        MAX_BACKOFF_MS,
        this.source.intervalMs * 2 ** Math.min(this._status.consecutiveFailures, 10),
      );
      const delay = this._status.consecutiveFailures
        ? backoff
        : this.source.intervalMs - (Date.now() % this.source.intervalMs);
      this.timer = setTimeout(() => (this.running = tick()), delay);
    };
    this.running = tick();
  }

  /**
   * Stops polling and closes the connector: waits for a gather in flight at most `timeoutMs`, then closes anyway
   * (close aborts requests in progress), and gives close the same bound.
   */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const c = this._connector;
    await bounded(this.running ?? Promise.resolve(), timeoutMs);
    if (c) await bounded(c.mode === 'poll' ? c.close() : c.stop(), timeoutMs);
    this.setState('stopped');
  }

  private succeed(): void {
    this._status.lastSuccess = Date.now();
    this._status.consecutiveFailures = 0;
    this.setState('up');
  }

  private fail(err: unknown, state: SourceState): void {
    this._status.lastError = errorMessage(err);
    this._status.consecutiveFailures++;
    this._status.failures++;
    this.setState(state);
  }

  private setState(state: SourceState): void {
    const previous = this._status.state;
    if (previous === state) return;
    this._status.state = state;
    this.hooks.onStateChange?.({ ...this._status }, previous);
  }
}
