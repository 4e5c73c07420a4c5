/**
 * The one clock of a run. Sample, event and query times all come from it, in the simulator and in the backend:
 * simulated time = `start + max(0, wall − epoch) × speed` — held at `start` until the epoch, so processes started
 * a little earlier (a scenario run) begin together. Both processes get the same spec in the environment
 * variable PLENUM_CLOCK (`npm start --speed 60` and `npm run scenario` set it for both), so they compute the same
 * time from the same wall clock; without it both run on the wall clock. Liveness, timeouts and backoff stay in
 * wall time: they are about how the network and the devices behave, not about the simulated hall.
 */

export const CLOCK_ENV = 'PLENUM_CLOCK';

export interface ClockSpec {
  /** simulated seconds per wall second, (0, 3600]; 1 for the wall clock */
  speed: number;
  /** simulated time at `epochMs`, Unix ms */
  startMs: number;
  /** the wall time the run's clock started, Unix ms */
  epochMs: number;
}

/** Fastest clock: one wall second is an hour. */
export const MAX_CLOCK_SPEED = 3600;

export class Clock {
  constructor(
    readonly spec: ClockSpec,
    private readonly wall: () => number = Date.now,
  ) {}

  /** the wall clock (speed 1, simulated time = wall time) */
  static wall(wall: () => number = Date.now): Clock {
    return new Clock({ speed: 1, startMs: 0, epochMs: 0 }, wall);
  }

  /** A simulated clock starting now at `startMs` (@default the wall time now). */
  static startingNow(speed: number, startMs?: number, wall: () => number = Date.now): Clock {
    const epochMs = wall();
    return new Clock(checkSpec({ speed, startMs: startMs ?? epochMs, epochMs }, 'clock'), wall);
  }

  /** A simulated clock held at `startMs` until the wall time `epochMs`, then running at `speed`. */
  static startingAt(epochMs: number, speed: number, startMs: number, wall: () => number = Date.now): Clock {
    return new Clock(checkSpec({ speed, startMs, epochMs }, 'clock'), wall);
  }

  /** true when the clock is not the wall clock */
  get simulated(): boolean {
    return this.spec.speed !== 1 || this.spec.startMs !== this.spec.epochMs;
  }

  /** Unix ms on this clock */
  now(): number {
    const { speed, startMs, epochMs } = this.spec;
    return Math.round(startMs + Math.max(0, this.wall() - epochMs) * speed);
  }

  /** wall ms that `ms` of this clock's time take */
  toWallMs(ms: number): number {
    return ms / this.spec.speed;
  }

  /** the PLENUM_CLOCK value that gives another process this clock */
  toString(): string {
    const { speed, startMs, epochMs } = this.spec;
    return `speed=${speed};start=${new Date(startMs).toISOString()};epoch=${epochMs}`;
  }

  describe(): string {
    return this.simulated
      ? `simulated ×${this.spec.speed}, ${new Date(this.spec.startMs).toISOString()} at wall ${new Date(this.spec.epochMs).toISOString()}`
      : 'wall clock';
  }
}

function checkSpec(s: ClockSpec, where: string): ClockSpec {
  if (!(s.speed > 0 && s.speed <= MAX_CLOCK_SPEED))
    throw new Error(`${where}: speed ${s.speed} is out of range; expected a number in (0, ${MAX_CLOCK_SPEED}]`);
  if (!Number.isFinite(s.startMs)) throw new Error(`${where}: start is not a time`);
  if (!Number.isFinite(s.epochMs)) throw new Error(`${where}: epoch is not a time`);
  return s;
}

/** Parses `speed=60;start=2026-12-01T00:00:00.000Z;epoch=1764547200000` (Clock.toString()). */
export function parseClock(text: string, where = CLOCK_ENV): ClockSpec {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const i = part.indexOf('=');
    const key = part.slice(0, i).trim();
    if (i <= 0 || !['speed', 'start', 'epoch'].includes(key))
      throw new Error(
        `${where}: unknown part ${JSON.stringify(part)}; expected speed=<x>;start=<ISO time>;epoch=<Unix ms>`,
      );
    fields.set(key, part.slice(i + 1).trim());
  }
  for (const k of ['speed', 'start', 'epoch'])
    if (!fields.has(k))
      throw new Error(`${where}: ${k}= is missing; expected speed=<x>;start=<ISO time>;epoch=<Unix ms>`);
  const speed = Number(fields.get('speed'));
  const startMs = Date.parse(fields.get('start') as string);
  const epochMs = Number(fields.get('epoch'));
  if (Number.isNaN(startMs)) throw new Error(`${where}: start=${fields.get('start')} is not an ISO 8601 time`);
  if (!Number.isInteger(epochMs))
    throw new Error(`${where}: epoch=${fields.get('epoch')} is not a whole number of Unix ms`);
  return checkSpec({ speed, startMs, epochMs }, where);
}

/** The clock PLENUM_CLOCK describes, or the wall clock when it is unset or empty. */
export function clockFromEnv(env: NodeJS.ProcessEnv, wall: () => number = Date.now): Clock {
  const text = env[CLOCK_ENV];
  return text ? new Clock(parseClock(text), wall) : Clock.wall(wall);
}
