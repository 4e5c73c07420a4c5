/**
 * AI training jobs: what a job is, how its rack power evolves (ramp, training-step ripple, stop) and the seeded
 * schedule of jobs the hall runs unless told otherwise.
 */
import { SimInputError } from './errors';
import type { RackLayout } from './layout';
import { Rng } from './prng';

// module-local copies: under Jest's sandbox every global lookup (Math.*) in a hot loop is several times slower
const { PI, ceil, floor, max, min, round, sin } = Math;

export interface Job {
  id: string;
  user: string;
  /** rack ids the job runs on */
  racks: string[];
  /** GPUs allocated (informational; the power model uses expectedKwPerRack) */
  gpus: number;
  /** mean IT power per rack once ramped up, kW */
  expectedKwPerRack: number;
  /** Unix ms */
  start: number;
  durationMs: number;
  /** time from idle to full power, ms */
  rampMs: number;
  /** period of one training step (compute then all-reduce), ms */
  stepPeriodMs: number;
  /** amplitude of the per-step power ripple as a share of the job power (0.1 = ±10 %) */
  ripple: number;
  /** generated from the seed, or added through the API */
  source: 'schedule' | 'api';
}

/** What a caller gives to add a job; unset fields get the defaults in `JOB_DEFAULTS`. */
export interface JobInput {
  id?: string;
  user?: string;
  racks: string[];
  gpus?: number;
  expectedKwPerRack: number;
  /** Unix ms; @default now (a start in the past means now) */
  start?: number;
  durationMs: number;
  rampMs?: number;
  stepPeriodMs?: number;
  ripple?: number;
}

export const JOB_DEFAULTS = { user: 'api', rampMs: 10_000, stepPeriodMs: 4_000, ripple: 0.1 } as const;

/** Ramp-down after the job ends (processes exit, GPUs drop to idle), ms. */
export const JOB_RAMP_DOWN_MS = 3_000;

/**
 * The rack power a job asks for at `t`, kW, or undefined when it does not run then. Linear ramp from idle to
 * `expectedKwPerRack` over `rampMs`, a sine ripple of ±`ripple` at the training-step period, a linear ramp
 * down over JOB_RAMP_DOWN_MS after the end.
 */
export function jobRackKw(
  job: Job,
  t: number,
  idleKw: number,
  /** filled and returned, so the integrator's every-step call allocates nothing */
  out: JobPower = { kw: 0, level: 0, wave: 0 },
): JobPower | undefined {
  const end = job.start + job.durationMs;
  if (t < job.start || t >= end + JOB_RAMP_DOWN_MS) return undefined;
  const since = t - job.start;
  const level = t < end ? min(1, since / job.rampMs) : max(0, 1 - (t - end) / JOB_RAMP_DOWN_MS);
  const wave = sin((2 * PI * since) / job.stepPeriodMs);
  out.kw = idleKw + (job.expectedKwPerRack * (1 + job.ripple * wave) - idleKw) * level;
  out.level = level;
  out.wave = wave;
  return out;
}

/** A job's draw on each of its racks at one moment: kW, ramp level 0…1, training-step phase −1…1. */
export interface JobPower {
  kw: number;
  level: number;
  wave: number;
}

/** Checks a job request against the hall and fills defaults. Throws SimInputError naming the field. */
export function validateJob(
  input: JobInput,
  ctx: { now: number; racks: readonly RackLayout[]; idleKw: number; maxKw: number; gpusPerRack: number; id: string },
): Job {
  const err = (field: string, msg: string) => new SimInputError(`job ${field}: ${msg}`);
  const num = (field: string, v: unknown, min: number, max: number, unit: string): number => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw err(field, `expected a number ${min}–${max} ${unit}`);
    if (v < min || v > max) throw err(field, `${v} ${unit} is out of range; expected ${min}–${max} ${unit}`);
    return v;
  };
  if (!Array.isArray(input.racks) || input.racks.length === 0)
    throw err('racks', 'expected a non-empty list of rack ids');
  const known = new Set(ctx.racks.map((r) => r.id));
  const unknown = input.racks.filter((r) => typeof r !== 'string' || !known.has(r));
  if (unknown.length > 0) {
    const ids = ctx.racks.map((r) => r.id);
    const list = ids.length > 12 ? `${ids.slice(0, 12).join(', ')}, …` : ids.join(', ');
    throw err(
      'racks',
      `unknown rack${unknown.length > 1 ? 's' : ''} ${unknown.map((r) => JSON.stringify(r)).join(', ')}; expected rack ids such as ${list}`,
    );
  }
  if (new Set(input.racks).size !== input.racks.length) throw err('racks', 'a rack is listed twice');
  if (input.id !== undefined && (typeof input.id !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(input.id))) {
    throw err('id', 'expected 1–64 letters, digits, "_", ".", ":" or "-"');
  }
  if (
    input.user !== undefined &&
    (typeof input.user !== 'string' || input.user.length === 0 || input.user.length > 64)
  ) {
    throw err('user', 'expected a name of 1–64 characters');
  }
  const kw = num('expectedKwPerRack', input.expectedKwPerRack, ceil(ctx.idleKw), floor(ctx.maxKw), 'kW');
  const durationMs = num('durationMs', input.durationMs, 1000, 30 * 86_400_000, 'ms');
  const start = input.start === undefined ? ctx.now : num('start', input.start, 0, 8.64e15, 'ms (Unix)');
  const gpus =
    input.gpus === undefined ? input.racks.length * ctx.gpusPerRack : num('gpus', input.gpus, 1, 1e6, 'GPUs');
  return {
    id: input.id ?? ctx.id,
    user: input.user ?? JOB_DEFAULTS.user,
    racks: [...input.racks],
    gpus: round(gpus),
    expectedKwPerRack: kw,
    start: max(start, ctx.now),
    durationMs,
    rampMs: input.rampMs === undefined ? JOB_DEFAULTS.rampMs : num('rampMs', input.rampMs, 1000, 120_000, 'ms'),
    stepPeriodMs:
      input.stepPeriodMs === undefined
        ? JOB_DEFAULTS.stepPeriodMs
        : num('stepPeriodMs', input.stepPeriodMs, 1000, 60_000, 'ms'),
    ripple: input.ripple === undefined ? JOB_DEFAULTS.ripple : num('ripple', input.ripple, 0, 0.3, '(share)'),
    source: 'api',
  };
}

const USERS = ['alice', 'bob', 'chen', 'dana', 'emeka', 'farah', 'goran', 'hiro', 'ines', 'jonas'];
const RACK_COUNTS = [1, 2, 2, 4, 4, 4, 8, 10];

/**
 * The seeded job schedule, generated a day at a time as simulated time advances so a run of any length has
 * jobs. At the start about half the racks get a job within the first two minutes (the hall is busy from the
 * first screen); then jobs arrive as a Poisson process (mean every 12 min) on free, contiguous racks of one row,
 * run 20 min–6 h (log-uniform) at 40–120 kW per rack, ramping up in 5–20 s with a 2–8 s training step.
 */
export class JobSchedule {
  private readonly rng: Rng;
  private readonly busyUntil = new Map<string, number>();
  private generatedTo: number;
  private nextArrival: number;
  private seq = 1000;

  constructor(
    seed: number | string,
    private readonly startMs: number,
    private readonly racks: readonly RackLayout[],
    private readonly gpusPerRack: number,
  ) {
    this.rng = new Rng(seed, 'jobs');
    this.generatedTo = startMs;
    this.nextArrival = startMs;
  }

  /** Jobs starting in [generated so far, until); call with increasing `until`. */
  generateUntil(until: number): Job[] {
    const out: Job[] = [];
    if (this.generatedTo === this.startMs && until > this.startMs) out.push(...this.initialBatch());
    while (this.nextArrival < until) {
      const t = this.nextArrival;
      // whole seconds: schedules read better and every job starts on a step boundary
      this.nextArrival = t + max(1, round(this.rng.exponential(12 * 60))) * 1000;
      if (t === this.startMs) continue; // the initial batch stands for the first arrival
      const job = this.makeJob(t, this.rng.pick(RACK_COUNTS));
      if (job) out.push(job);
    }
    this.generatedTo = max(this.generatedTo, until);
    return out;
  }

  private initialBatch(): Job[] {
    const out: Job[] = [];
    for (let i = 0; i < 40; i++) {
      const busy = [...this.busyUntil.values()].filter((v) => v > this.startMs).length;
      if (busy >= this.racks.length / 2) break;
      const job = this.makeJob(this.startMs + this.rng.int(5, 120) * 1000, this.rng.pick(RACK_COUNTS));
      if (job) out.push(job);
    }
    return out;
  }

  private makeJob(start: number, wanted: number): Job | undefined {
    // draw every random number first, so a failed placement consumes the same stream as a successful one
    const durationMs = round(this.rng.logUniform(20 * 60_000, 6 * 3_600_000) / 1000) * 1000;
    const kw = round(this.rng.uniform(40, 120) * 10) / 10;
    const rampMs = this.rng.int(5, 20) * 1000;
    const stepPeriodMs = this.rng.int(20, 80) * 100;
    const ripple = round(this.rng.uniform(0.08, 0.12) * 1000) / 1000;
    const user = this.rng.pick(USERS);
    const offset = this.rng.next();
    const racks = this.place(start, wanted, offset) ?? this.place(start, max(1, wanted >> 1), offset);
    if (!racks) return undefined;
    for (const r of racks) this.busyUntil.set(r, start + durationMs + 60_000);
    return {
      id: `job-${++this.seq}`,
      user,
      racks,
      gpus: racks.length * this.gpusPerRack,
      expectedKwPerRack: kw,
      start,
      durationMs,
      rampMs,
      stepPeriodMs,
      ripple,
      source: 'schedule',
    };
  }

  /** `count` free racks next to each other in one row, the first run found from a seeded offset. */
  private place(t: number, count: number, offset: number): string[] | undefined {
    const n = this.racks.length;
    const first = floor(offset * n);
    for (let k = 0; k < n; k++) {
      const i = (first + k) % n;
      const run = this.racks.slice(i, i + count);
      if (run.length !== count || run.some((r) => r.row !== this.racks[i]?.row)) continue;
      if (run.every((r) => (this.busyUntil.get(r.id) ?? 0) <= t)) return run.map((r) => r.id);
    }
    return undefined;
  }
}
