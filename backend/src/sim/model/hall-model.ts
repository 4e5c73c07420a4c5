/**
 * The simulated AI data hall: pure, deterministic code. Simulated time only moves through `advanceTo`, in fixed
 * steps; the same seed and the same calls give the same series on any machine. Nothing here does I/O or reads
 * the clock: the runner (../runner.ts) owns wall time, servers and files.
 */
import { type Site } from '@plenum/model';
import { PlenumError } from '../../common/errors';
import { SimInputError, SimNotFoundError } from './errors';
import { FaultSchedule } from './fault-schedule';
import {
  FaultBook,
  faultSeverity,
  validateFault,
  type AssetRole,
  type FaultInput,
  type FaultRecord,
  type FaultTargets,
  type GroundTruthEntry,
} from './faults';
import { initialState, type HallState } from './hall-state';
import { noEffects, stepHall, type StepEffects } from './hall-step';
import { JobBook, type JobEvent } from './job-book';
import { JobSchedule, jobRackKw, validateJob, type Job, type JobInput } from './jobs';
import { buildLayout, defaultSite, type HallLayout } from './layout';
import { rackPowerW, resolveParams, type SimParams } from './params';
import { hashString } from './prng';
import { buildGetters, readAll, readOne, type Getter, type ReadingContext, type Reading } from './readings';
import { buildSignals, type SignalInfo } from './signals';

export interface HallModelOptions {
  /** simulated time the run starts at, Unix ms (required: the model never reads the clock) */
  startMs: number;
  /** the topology; @default defaultSite() — the hall of plenum.yaml */
  site?: Site;
  /** which hall of the site; @default the first */
  hall?: string;
  /** @default 1 */
  seed?: number | string;
  /** overrides of the physical parameters (params.ts) */
  params?: Partial<SimParams>;
  /** `generated`: the seeded job schedule; `none`: only jobs added by API or `jobs`. @default generated */
  jobSchedule?: 'generated' | 'none';
  /** jobs known from the start (e.g. a scenario) */
  jobs?: JobInput[];
  /** faults at given times (FaultInput.start), logged to the ground truth like API faults */
  faults?: FaultInput[];
  /** seeded random faults per day of simulated time; @default 0 */
  randomFaultsPerDay?: number;
}

/** A PDU as the Modbus server serves it. */
export interface PduReading {
  /** Modbus unit id, 1-based in rack order */
  unitId: number;
  rack: string;
  /** point id prefix `<site>/<hall>/<row>/<rack>/<pdu>` */
  assetPath: string;
  online: boolean;
  powerKw: number;
  energyKwh: number;
  voltageV: number;
  currentA: number;
  frequencyHz: number;
  /** of the rack's power supplies, 0…1 */
  powerFactor: number;
  /** rated IT power of the rack, kW (for the overload bit) */
  ratedKw: number;
}

/** One rack's GPU server as the DCGM exporter serves it. */
export interface GpuHostReading {
  rack: string;
  row: string;
  hostname: string;
  online: boolean;
  modelName: string;
  gpus: { index: number; uuid: string; pciBusId: string; powerW: number; tempC: number; utilPct: number }[];
}

/** How far ahead the job and fault schedules are generated, ms: `jobs()` shows the coming day. */
const SCHEDULE_HORIZON_MS = 86_400_000;

export class HallModel {
  readonly layout: HallLayout;
  readonly params: Readonly<SimParams>;
  readonly seed: number | string;
  private readonly state: HallState;
  private readonly signalList: SignalInfo[];
  private readonly signalById: Map<string, SignalInfo>;
  private readonly signalIndex: Map<string, number>;
  private readonly getters: ReturnType<typeof buildGetters>;
  private readonly seedHash: number;
  private readonly jobBook = new JobBook();
  private readonly faultBook = new FaultBook();
  private readonly schedule?: JobSchedule;
  private readonly faultSchedule?: FaultSchedule;
  private readonly faultTargets: FaultTargets;
  private readonly rackIndex: Map<string, number>;
  private t: number;
  private step = 0;
  private apiJobSeq = 0;
  private cache?: { step: number; revision: number; readings: Map<string, Reading> };
  /** bumped when anything that readings depend on changes between steps (a fault, a write) */
  private revision = 0;

  constructor(opts: HallModelOptions) {
    if (!Number.isFinite(opts.startMs)) throw new SimInputError('startMs: expected Unix milliseconds');
    this.seed = opts.seed ?? 1;
    this.seedHash = hashString(String(this.seed));
    this.params = resolveParams(opts.params);
    this.layout = buildLayout(opts.site ?? defaultSite(), opts.hall);
    this.rackIndex = new Map(this.layout.racks.map((r, i) => [r.id, i]));
    this.state = initialState(this.layout, this.params, this.seed);
    this.signalList = buildSignals(this.layout, this.params.gpusPerServer);
    this.signalById = new Map(this.signalList.map((s) => [s.id, s]));
    this.signalIndex = new Map(this.signalList.map((s, i) => [s.id, i]));
    this.getters = buildGetters(this.signalList, this.layout, this.state, this.params);
    const assets = new Map<string, AssetRole>(this.signalList.map((s) => [s.assetPath, s.role]));
    const driftable = new Set(
      this.signalList.filter((s) => s.kind === 'measurement' && s.quantity !== 'energy').map((s) => s.id),
    );
    this.faultTargets = { assets, driftable };

    // warm-up: run idle before the start so temperatures and controllers begin settled
    this.t = opts.startMs - Math.round(this.params.warmUpS) * 1000;
    this.advanceTo(opts.startMs);
    this.t = opts.startMs;

    if ((opts.jobSchedule ?? 'generated') === 'generated') {
      this.schedule = new JobSchedule(this.seed, opts.startMs, this.layout.racks, this.gpusPerRack());
    }
    for (const j of opts.jobs ?? []) this.addJob(j);
    for (const f of opts.faults ?? []) this.addFault(f, 'schedule');
    const perDay = opts.randomFaultsPerDay ?? 0;
    if (perDay > 0) {
      const temps = this.signalList.filter(
        (s) => s.quantity === 'temperature' && s.kind === 'measurement' && s.gpu === undefined,
      );
      this.faultSchedule = new FaultSchedule(this.seed, opts.startMs, perDay, {
        crahs: this.layout.crahs,
        cdu: this.layout.cdu,
        temperatures: temps.map((s) => s.id),
        assets: [...new Set(this.signalList.map((s) => s.assetPath))],
      });
    }
    this.extendSchedules(opts.startMs);
  }

  /** Offline assets and drifting points as of now: what turns the state into sensor readings. */
  private readingContext(): ReadingContext {
    const offline = new Set<string>();
    const drift = new Map<string, FaultRecord[]>();
    for (const f of this.faultBook.active()) {
      if (f.type === 'device_offline') offline.add(f.target);
      if (f.type === 'sensor_drift') drift.set(f.target, [...(drift.get(f.target) ?? []), f]);
    }
    return { seedHash: this.seedHash, step: this.step, now: this.t, offline, drift };
  }

  /** Simulated time of the current state, Unix ms. */
  now(): number {
    return this.t;
  }

  /**
   * Integrates in fixed steps up to `simTimeMs` (the last whole step at or before it). A time at or before
   * `now()` does nothing: simulated time never runs backwards.
   */
  advanceTo(simTimeMs: number): void {
    const dtMs = this.params.stepMs;
    if (!(simTimeMs >= this.t + dtMs)) return;
    this.extendSchedules(simTimeMs);
    while (this.t + dtMs <= simTimeMs) this.stepOnce(this.t + dtMs);
  }

  /** Every point and its current reading, keyed by point id. */
  readings(): Map<string, Reading> {
    if (this.cache?.step !== this.step || this.cache.revision !== this.revision) {
      this.cache = {
        step: this.step,
        revision: this.revision,
        readings: readAll(this.signalList, this.getters, this.readingContext()),
      };
    }
    return this.cache.readings;
  }

  /** One point's reading (the same value `readings()` holds). Throws SimNotFoundError for an unknown id. */
  reading(pointId: string): Reading {
    if (this.cache?.step === this.step && this.cache.revision === this.revision) {
      const r = this.cache.readings.get(pointId);
      if (r) return r;
    }
    const i = this.signalIndex.get(pointId);
    if (i === undefined)
      throw new SimNotFoundError(`no point "${pointId}" in the simulated hall; signals() lists them`);
    return readOne(this.signalList[i] as SignalInfo, i, this.getters[i] as Getter, this.readingContext());
  }

  /** The catalog of points: id, unit, quantity, kind, writable range. */
  signals(): readonly SignalInfo[] {
    return this.signalList;
  }

  /**
   * Writes a setpoint (`…/crahN/supply_setpoint` 14–27 °C, `…/cdu1/supply_setpoint` 18–45 °C). Throws an error
   * naming the point and the allowed range when the value is outside it, the point is not writable, or its
   * device is offline.
   */
  write(pointId: string, value: number): void {
    const sig = this.signalById.get(pointId);
    const writable = this.signalList.filter((s) => s.writable);
    if (!sig) {
      throw new SimInputError(
        `no point "${pointId}" in the simulated hall; writable points: ${writable.map((s) => s.id).join(', ')}`,
      );
    }
    if (!sig.writable) {
      throw new SimInputError(
        `point "${pointId}" is a ${sig.kind}, not writable; writable points are the supply_setpoint of each CRAH and of the CDU`,
      );
    }
    const range = `${sig.min}–${sig.max} ${sig.unit}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new SimInputError(`point "${pointId}": expected a number in ${range}; got ${JSON.stringify(value)}`);
    }
    if (value < (sig.min as number) || value > (sig.max as number)) {
      throw new SimInputError(`point "${pointId}": ${value} ${sig.unit} is out of range; allowed ${range}`);
    }
    if (this.faultBook.active().some((f) => f.type === 'device_offline' && f.target === sig.assetPath)) {
      throw new PlenumError(
        'device',
        `point "${pointId}": device ${sig.assetPath} is offline; the write was not applied`,
      );
    }
    if (sig.role === 'cdu') this.state.cdu.setpointC = value;
    else {
      const c = this.state.crahs[this.layout.crahs.indexOf(sig.assetPath.split('/').pop() as string)];
      if (c) c.setpointC = value;
    }
    this.revision++;
  }

  /** Adds a fault now or at `input.start`. Throws SimInputError naming the bad field. */
  injectFault(input: FaultInput): FaultRecord {
    return this.addFault(input, 'api');
  }

  /** Ends an active fault now (logged) or cancels a scheduled one. Throws SimNotFoundError for an unknown id. */
  clearFault(id: string): FaultRecord {
    const f = this.faultBook.clear(id, this.t);
    this.revision++;
    return f;
  }

  /** Every fault of the run: scheduled, active, ended, cancelled. */
  faults(): FaultRecord[] {
    return this.faultBook.all();
  }

  /** Append-only: every fault start and end so far, in time order. */
  groundTruth(): readonly GroundTruthEntry[] {
    return this.faultBook.groundTruth();
  }

  /** Every job known so far (the schedule runs a day ahead of `now()`), by start time. */
  jobs(): Job[] {
    return this.jobBook.list();
  }

  /** Adds a job (start defaults to now). Throws SimInputError naming the bad field. */
  addJob(input: JobInput): Job {
    const job = validateJob(input, {
      now: this.t,
      racks: this.layout.racks,
      idleKw: rackPowerW(this.params, 0) / 1000,
      maxKw: rackPowerW(this.params, 1) / 1000,
      gpusPerRack: this.gpusPerRack(),
      id: `api-${++this.apiJobSeq}`,
    });
    if (this.jobBook.has(job.id)) throw new SimInputError(`job id: "${job.id}" exists already`);
    this.jobBook.add(job);
    return job;
  }

  /** Append-only: job starts and ends so far, in time order. */
  jobEvents(): readonly JobEvent[] {
    return this.jobBook.jobEvents();
  }

  /** The PDUs in Modbus unit order, read from the same readings (drift and offline included). */
  pdus(): PduReading[] {
    const rd = this.readings();
    const out: PduReading[] = [];
    for (const r of this.layout.racks) {
      if (r.assets.pdu === undefined || r.pduUnitId === undefined) continue;
      const base = `${this.layout.site}/${this.layout.hall}/${r.row}/${r.id}/${r.assets.pdu}`;
      const v = (s: string) => rd.get(`${base}/${s}`)?.value ?? null;
      const power = v('power');
      out.push({
        unitId: r.pduUnitId,
        rack: r.id,
        assetPath: base,
        online: power !== null,
        powerKw: power ?? 0,
        energyKwh: v('energy') ?? 0,
        voltageV: v('voltage') ?? 0,
        currentA: v('current') ?? 0,
        frequencyHz: v('frequency') ?? 0,
        powerFactor: this.params.powerFactor,
        ratedKw: r.ratedKw,
      });
    }
    return out;
  }

  /** Each rack's GPU server (its 8 GPUs) as the DCGM exporter serves them. */
  gpuHosts(): GpuHostReading[] {
    const rd = this.readings();
    const out: GpuHostReading[] = [];
    this.layout.racks.forEach((r, i) => {
      if (r.assets.gpu === undefined) return;
      const base = `${this.layout.site}/${this.layout.hall}/${r.row}/${r.id}/${r.assets.gpu}`;
      const online = rd.get(`${base}/utilization`)?.value !== null;
      const st = this.state.racks[i];
      out.push({
        rack: r.id,
        row: r.row,
        hostname: `${r.id.toLowerCase()}-${r.assets.gpu}`,
        online,
        modelName: this.params.gpuModelName,
        gpus: Array.from({ length: this.params.gpusPerServer }, (_, g) => ({
          index: g,
          uuid: st?.gpuUuid[g] ?? '',
          pciBusId: `00000000:${(0x18 + 0x10 * g).toString(16).toUpperCase().padStart(2, '0')}:00.0`,
          powerW: rd.get(`${base}/gpu${g}_power`)?.value ?? 0,
          tempC: rd.get(`${base}/gpu${g}_temp`)?.value ?? 0,
          utilPct: rd.get(`${base}/gpu${g}_utilization`)?.value ?? 0,
        })),
      });
    });
    return out;
  }

  // ───────────────────────────────────────────────────────────────────────────────────────────────────────────

  private gpusPerRack(): number {
    return this.params.serversPerRack * this.params.gpusPerServer;
  }

  private addFault(input: FaultInput, source: 'api' | 'schedule'): FaultRecord {
    const f = this.faultBook.add(validateFault(input, this.faultTargets, this.t), source);
    // a fault due now takes effect at once, so readings reflect it before the next step
    this.faultBook.update(this.t, (x) => this.onFaultStart(x));
    this.revision++;
    return this.faultBook.all().find((x) => x.id === f.id) as FaultRecord;
  }

  private onFaultStart(f: FaultRecord): void {
    if (f.type === 'valve_stuck' && f.params.positionPct === undefined) {
      const c = this.state.crahs[this.layout.crahs.indexOf(f.target.split('/').pop() as string)];
      f.params.positionPct = Math.round((c?.valvePct ?? 0) * 10) / 10;
    }
  }

  private extendSchedules(until: number): void {
    const horizon = until + SCHEDULE_HORIZON_MS;
    if (this.schedule) for (const j of this.schedule.generateUntil(horizon)) this.jobBook.add(j);
    if (this.faultSchedule) for (const f of this.faultSchedule.generateUntil(horizon)) this.addFault(f, 'schedule');
  }

  private stepOnce(t: number): void {
    const idleKw = rackPowerW(this.params, 0) / 1000;
    for (const r of this.state.racks) {
      r.demandKw = idleKw;
      r.level = 0;
      r.wave = 0;
    }
    for (const job of this.jobBook.update(t)) {
      const p = jobRackKw(job, t, idleKw);
      if (!p) continue;
      for (const id of job.racks) {
        const r = this.state.racks[this.rackIndex.get(id) as number];
        // two jobs on one rack (an API job over a scheduled one): the larger draw wins
        if (r && p.kw >= r.demandKw) {
          r.demandKw = p.kw;
          r.level = p.level;
          r.wave = p.wave;
        }
      }
    }
    this.faultBook.update(t, (f) => this.onFaultStart(f));
    stepHall(this.state, this.layout, this.params, t, this.effects(t));
    this.t = t;
    this.step++;
  }

  private effects(t: number): StepEffects {
    const fx = noEffects(this.layout.crahs.length);
    for (const f of this.faultBook.active()) {
      const z = this.layout.crahs.indexOf(f.target.split('/').pop() as string);
      const sev = faultSeverity(f, t);
      switch (f.type) {
        case 'fan_degradation':
          fx.fanCapPct[z] = Math.min(fx.fanCapPct[z] ?? 100, 100 - (100 - (f.params.maxSpeedPct ?? 50)) * sev);
          break;
        case 'filter_clog':
          fx.airflowLoss[z] = Math.max(fx.airflowLoss[z] ?? 0, ((f.params.airflowLossPct ?? 40) / 100) * sev);
          break;
        case 'valve_stuck':
          fx.valveStuckPct[z] = f.params.positionPct;
          break;
        case 'pump_failure':
          fx.pumpFrac = Math.min(fx.pumpFrac, (f.params.residualFlowPct ?? 0) / 100);
          break;
      }
    }
    return fx;
  }
}
