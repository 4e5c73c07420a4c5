/**
 * Faults: the kinds the hall can suffer, how a request for one is checked, and the book that keeps them —
 * scheduled, active, ended — logging every start and end to the run's ground truth (ground-truth.ts).
 */
import { SimInputError, SimNotFoundError } from './errors';
import { GroundTruthLog, type FaultTruthEntry } from './ground-truth';

export type FaultType =
  | 'fan_degradation'
  | 'filter_clog'
  | 'pump_failure'
  | 'valve_stuck'
  | 'sensor_drift'
  | 'device_offline'
  | 'crah_trip'
  | 'chiller_trip'
  | 'chw_loss'
  | 'pump_degradation'
  | 'fan_belt_wear';

/** The role of an asset in the simulation; fault types act on some roles only. */
export type AssetRole = 'crah' | 'cdu' | 'pdu' | 'gpu' | 'env' | 'plant' | 'bms';

interface ParamSpec {
  min: number;
  max: number;
  /** undefined: required, or (valve_stuck.positionPct) taken from the process when the fault starts */
  default?: number;
  unit: string;
  /** whole numbers only (a chiller's number) */
  integer?: true;
}

interface FaultSpec {
  /** what the target must be */
  target: 'crah' | 'cdu' | 'plant' | 'point' | 'asset';
  params: Record<string, ParamSpec>;
  description: string;
}

/** Parameters of the slow faults that develop over days. */
const slowLoss = (perDay: number, max: number): Record<string, ParamSpec> => ({
  lossPctPerDay: { min: 0.1, max: 50, default: perDay, unit: '% per day' },
  maxLossPct: { min: 1, max: 90, default: max, unit: '%' },
});

/** Every fault type with its target and parameters (ranges inclusive). README.md has the same table. */
export const FAULT_TYPES: Readonly<Record<FaultType, FaultSpec>> = {
  fan_degradation: {
    target: 'crah',
    description: 'CRAH fan worn or a fan module lost: its speed cannot exceed maxSpeedPct',
    params: {
      maxSpeedPct: { min: 0, max: 99, default: 50, unit: '%' },
      rampS: { min: 0, max: 30 * 86_400, default: 0, unit: 's' },
    },
  },
  filter_clog: {
    target: 'crah',
    description: 'CRAH filter loading up: airflow at a given fan speed drops by airflowLossPct, filter ΔP rises',
    params: {
      airflowLossPct: { min: 1, max: 90, default: 40, unit: '%' },
      rampS: { min: 0, max: 30 * 86_400, default: 0, unit: 's' },
    },
  },
  pump_failure: {
    target: 'cdu',
    description: 'CDU pump trips: coolant flow coasts down to residualFlowPct of nominal within seconds',
    params: { residualFlowPct: { min: 0, max: 99, default: 0, unit: '%' } },
  },
  valve_stuck: {
    target: 'crah',
    description: 'CRAH chilled-water valve frozen at positionPct (default: where it was when the fault started)',
    params: { positionPct: { min: 0, max: 100, unit: '%' } },
  },
  sensor_drift: {
    target: 'point',
    description: 'a sensor reads high (or low) by ratePerHour × hours since the fault started; quality stays good',
    params: { ratePerHour: { min: -50, max: 50, default: 2, unit: 'point unit per hour (°C/h for temperatures)' } },
  },
  device_offline: {
    target: 'asset',
    description: 'a device stops answering: all its points read null with quality bad; Modbus answers 0x0B',
    params: {},
  },
  crah_trip: {
    target: 'crah',
    description: 'CRAH trips (motor protection, power): fan coasts to 0, no cooling; its aisle neighbours take over',
    params: {},
  },
  chiller_trip: {
    target: 'plant',
    description: 'one chiller trips (a compressor or flow alarm): its capacity is lost; the sequencer starts a standby',
    params: { chiller: { min: 1, max: 8, default: 1, unit: '(chiller number)', integer: true } },
  },
  chw_loss: {
    target: 'plant',
    description:
      'chilled water lost: every chiller stops and the flow falls to residualFlowPct; coils and the CDU warm up',
    params: { residualFlowPct: { min: 0, max: 100, default: 0, unit: '%' } },
  },
  pump_degradation: {
    target: 'cdu',
    description:
      'CDU pump wearing (impeller, bearings): its flow at a given speed falls by lossPctPerDay, to maxLossPct',
    params: slowLoss(5, 60),
  },
  fan_belt_wear: {
    target: 'crah',
    description:
      'CRAH fan belts slipping: airflow per fan % falls by lossPctPerDay, to maxLossPct; the fan speed creeps up',
    params: slowLoss(3, 50),
  },
};

export const FAULT_TYPE_NAMES = Object.keys(FAULT_TYPES) as FaultType[];

/** A request for a fault. `target` may be a full path or any unambiguous tail of it (`crah2`, `A01/pdu`). */
export interface FaultInput {
  type: FaultType;
  target: string;
  params?: Record<string, number>;
  /** Unix ms; @default now (a start in the past means now) */
  start?: number;
  /** ends by itself after this long, ms; @default never (until cleared) */
  durationMs?: number;
}

export type FaultState = 'scheduled' | 'active' | 'ended' | 'cancelled';

export interface FaultRecord {
  id: string;
  type: FaultType;
  /** full asset path `<site>/<hall>/<row>/<rack>/<asset>` or, for sensor_drift, the point id */
  target: string;
  params: Record<string, number>;
  /** Unix ms */
  start: number;
  /** planned end (durationMs) or actual end (cleared), Unix ms */
  end?: number;
  state: FaultState;
  source: 'api' | 'schedule';
}

/** What the model knows to resolve fault targets against. */
export interface FaultTargets {
  /** asset path → role */
  assets: ReadonlyMap<string, AssetRole>;
  /** measurement point ids that can drift */
  driftable: ReadonlySet<string>;
  /** chillers in the plant (chiller_trip's `chiller` is 1…chillers); @default 8 */
  chillers?: number;
}

/** Resolves `target` to one full id among `ids` by exact match or unique `/`-tail. */
function resolveTail(target: string, ids: Iterable<string>): string[] {
  const all = [...ids];
  if (all.includes(target)) return [target];
  return all.filter((id) => id.endsWith(`/${target}`));
}

/** Checks a fault request and fills its defaults. Throws SimInputError naming the field and what is expected. */
export function validateFault(
  input: FaultInput,
  targets: FaultTargets,
  now: number,
): Omit<FaultRecord, 'id' | 'state' | 'source'> {
  const spec = FAULT_TYPES[input.type as FaultType] as FaultSpec | undefined;
  if (!spec) {
    throw new SimInputError(
      `fault type: unknown type ${JSON.stringify(input.type)}; expected one of ${FAULT_TYPE_NAMES.join(', ')}`,
    );
  }
  if (typeof input.target !== 'string' || input.target.trim() === '') {
    throw new SimInputError(
      `fault target: expected an asset or point id such as "crah1", "A01/pdu" or "A01/env/inlet_temp"`,
    );
  }
  const target = resolveTarget(input.type, spec, input.target.trim(), targets);
  const params: Record<string, number> = {};
  const given = input.params ?? {};
  if (typeof given !== 'object' || Array.isArray(given))
    throw new SimInputError('fault params: expected a mapping of names to numbers');
  for (const key of Object.keys(given)) {
    if (!(key in spec.params)) {
      const names = Object.keys(spec.params);
      throw new SimInputError(
        `fault params.${key}: not a parameter of ${input.type}; expected ${names.length ? names.join(', ') : 'none'}`,
      );
    }
  }
  for (const [key, p] of Object.entries(spec.params)) {
    const v = given[key];
    if (v === undefined) {
      if (p.default !== undefined) params[key] = p.default;
      continue;
    }
    const max = input.type === 'chiller_trip' && key === 'chiller' ? (targets.chillers ?? p.max) : p.max;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < p.min || v > max || (p.integer && !Number.isInteger(v))) {
      const what = p.integer ? `a whole number ${p.min}–${max}` : `a number ${p.min}–${max}`;
      throw new SimInputError(`fault params.${key}: ${JSON.stringify(v)} is out of range; expected ${what} ${p.unit}`);
    }
    params[key] = v;
  }
  if (input.start !== undefined && (typeof input.start !== 'number' || !Number.isFinite(input.start))) {
    throw new SimInputError('fault start: expected Unix milliseconds');
  }
  if (input.durationMs !== undefined && (typeof input.durationMs !== 'number' || !(input.durationMs >= 1000))) {
    throw new SimInputError('fault durationMs: expected at least 1000 ms');
  }
  const start = Math.max(input.start ?? now, now);
  return {
    type: input.type,
    target,
    params,
    start,
    end: input.durationMs === undefined ? undefined : start + input.durationMs,
  };
}

function resolveTarget(type: FaultType, spec: FaultSpec, target: string, t: FaultTargets): string {
  if (spec.target === 'point') {
    const found = resolveTail(target, t.driftable);
    if (found.length === 1) return found[0] as string;
    throw new SimInputError(
      found.length === 0
        ? `fault target: no measurement point ${JSON.stringify(target)} for ${type}; expected a point id such as "A01/env/inlet_temp" or "crah1/supply_temp"`
        : `fault target: ${JSON.stringify(target)} matches ${found.length} points (${found.slice(0, 3).join(', ')}, …); give more of the id`,
    );
  }
  const candidates = [...t.assets]
    .filter(([, role]) => spec.target === 'asset' || role === spec.target)
    .map(([p]) => p);
  const found = resolveTail(target, candidates);
  if (found.length === 1) return found[0] as string;
  const names = candidates.map((c) => c.split('/').slice(-1)[0]);
  const kind = spec.target === 'plant' ? 'chilled-water plant' : spec.target.toUpperCase();
  const what =
    spec.target === 'asset'
      ? 'an asset such as "crah1", "cdu1" or "A01/pdu"'
      : `a ${kind}: ${[...new Set(names)].join(', ')}`;
  throw new SimInputError(
    found.length === 0
      ? `fault target: ${JSON.stringify(target)} is not a valid target for ${type}; expected ${what}`
      : `fault target: ${JSON.stringify(target)} matches ${found.length} assets (${found.slice(0, 3).join(', ')}, …); give more of the path`,
  );
}

/** Severity in [0, 1] of a fault at `t`, following its `rampS` (1 at once when it has none). */
export function faultSeverity(f: FaultRecord, t: number): number {
  const ramp = (f.params.rampS ?? 0) * 1000;
  return ramp <= 0 ? 1 : Math.min(1, Math.max(0, (t - f.start) / ramp));
}

/** Share lost to a slow fault (pump_degradation, fan_belt_wear) at `t`: lossPctPerDay × days, up to maxLossPct. */
export function slowFaultLoss(f: FaultRecord, t: number): number {
  const days = Math.max(0, t - f.start) / 86_400_000;
  return Math.min(f.params.maxLossPct ?? 50, (f.params.lossPctPerDay ?? 3) * days) / 100;
}

/**
 * The faults of one run. `update(t)` starts and ends them as simulated time passes and logs each transition,
 * with the fault's own start or end time, to the ground truth.
 */
export class FaultBook {
  private readonly faults: FaultRecord[] = [];
  /** the active faults, kept in step with `faults` so the integrator can read them every step without copying */
  private activeList: FaultRecord[] = [];
  private seq = 0;

  /** `log`: the run's ground truth, shared with the writes the model logs. */
  constructor(private readonly log: GroundTruthLog = new GroundTruthLog()) {}

  add(f: Omit<FaultRecord, 'id' | 'state' | 'source'>, source: 'api' | 'schedule'): FaultRecord {
    const rec: FaultRecord = { ...f, id: `f-${++this.seq}`, state: 'scheduled', source };
    this.faults.push(rec);
    return rec;
  }

  /**
   * Starts faults due by `t` and ends those whose end passed. `onStart` may fill params taken from the process
   * (valve_stuck position) before the start is logged.
   */
  update(t: number, onStart: (f: FaultRecord) => void): void {
    // runs every step: nothing is allocated unless a fault starts or ends
    let due: [FaultRecord, 'start' | 'end', number][] | undefined;
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i] as FaultRecord;
      if (f.state === 'scheduled' && f.start <= t) {
        f.state = 'active';
        onStart(f);
        (due ??= []).push([f, 'start', f.start]);
      }
      if (f.state === 'active' && f.end !== undefined && f.end <= t) {
        f.state = 'ended';
        (due ??= []).push([f, 'end', f.end]);
      }
    }
    if (!due) return;
    this.refreshActive();
    // one step may hold several transitions: the log stays in time order
    due.sort((a, b) => a[2] - b[2]);
    for (const [f, phase, time] of due) this.record(f, phase, time);
  }

  /** Ends an active fault at `t` or cancels a scheduled one; an ended one is returned unchanged. */
  clear(id: string, t: number): FaultRecord {
    const f = this.faults.find((x) => x.id === id);
    if (!f) throw new SimNotFoundError(`no fault "${id}"; GET /faults lists them`);
    if (f.state === 'scheduled') {
      f.state = 'cancelled';
    } else if (f.state === 'active') {
      f.state = 'ended';
      f.end = t;
      this.refreshActive();
      this.record(f, 'end', t);
    }
    return { ...f, params: { ...f.params } };
  }

  /** The active faults (the book's own array: read it, do not keep or change it). */
  active(): readonly FaultRecord[] {
    return this.activeList;
  }

  all(): FaultRecord[] {
    return this.faults.map((f) => ({ ...f, params: { ...f.params } }));
  }

  private refreshActive(): void {
    this.activeList = this.faults.filter((f) => f.state === 'active');
  }

  private record(f: FaultRecord, phase: 'start' | 'end', time: number): void {
    const entry: FaultTruthEntry = {
      time,
      phase,
      faultId: f.id,
      type: f.type,
      target: f.target,
      params: { ...f.params },
      source: f.source,
    };
    this.log.push(entry);
  }
}
