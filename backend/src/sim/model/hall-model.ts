/**
 * The simulated AI data hall: pure, deterministic code. Simulated time only moves through `advanceTo`, in fixed
 * steps; the same seed and the same calls give the same series on any machine. Nothing here does I/O or reads
 * the clock: the runner (../runner.ts) owns wall time, servers and files.
 */
import { type Site } from '@plenum/model';
import { PlenumError } from '../../common/errors';
import { energyBaseline, energyReport, type EnergyBaseline, type EnergyReport } from './energy';
import { SimInputError, SimNotFoundError } from './errors';
import { FaultSchedule } from './fault-schedule';
import {
  FaultBook,
  faultSeverity,
  slowFaultLoss,
  validateFault,
  type AssetRole,
  type FaultInput,
  type FaultRecord,
  type FaultTargets,
} from './faults';
import { GroundTruthLog, type GroundTruthEntry } from './ground-truth';
import { initialState, type HallState, type ValveControl } from './hall-state';
import { noEffects, resetEffects, stepContext, stepHall, type StepContext, type StepEffects } from './hall-step';
import { JobBook, type JobEvent } from './job-book';
import { JobSchedule, jobRackKw, validateJob, type Job, type JobInput, type JobPower } from './jobs';
import { buildLayout, defaultSite, type HallLayout } from './layout';
import { rackPowerLimitRange, rackPowerW, resolveParams, type SimParams } from './params';
import { hashString } from './prng';
import { buildGetters, readAll, readOne, type Getter, type ReadingContext, type Reading } from './readings';
import { buildSignals, isLeasable, type SignalInfo } from './signals';
import { SupervisorWatchdog, type SupervisorSnapshot } from './supervisor';
import { buildWriteBindings, powerLimitPointId, type WriteBinding } from './writes';

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
  /** per CRAH id, what its valve loop controls on; @default supply for every CRAH */
  crahValveControl?: Record<string, ValveControl>;
}

/** The true physical state (not what sensors read): for reports and tests, never served over a protocol. */
export interface HallTruth {
  time: number;
  racks: {
    rack: string;
    inletC: number;
    exhaustC: number;
    powerKw: number;
    /** power limit, kW; null: none */
    limitKw: number | null;
    recirculation: number;
    gpuMaxC: number;
  }[];
  crahs: {
    id: string;
    running: boolean;
    fanPct: number;
    valvePct: number;
    supplyC: number;
    returnC: number;
    airflowM3s: number;
    /** true pressure of its cold aisle, Pa */
    coldAisleDpPa: number;
    /** what its BMS reads: supply, return, ΔP */
    bmsSupplyC: number;
    bmsReturnC: number;
    bmsDpPa: number;
  }[];
  cdu: { supplyC: number; returnC: number; flowLpm: number; heatKw: number; facilityC: number };
  plant: {
    outdoorC: number;
    setpointC: number;
    supplyC: number;
    returnC: number;
    flowLpm: number;
    loadKw: number;
    coolingKw: number;
    /** per chiller: 0 off, 1 starting, 2 running, 3 tripped; cooling output kW */
    chillers: { status: number; loadKw: number; capacityKw: number }[];
  };
}

/** Lost GPU-hours so far (ground truth): GPU time a job did not get, to power caps and to thermal slowdown. */
export interface LostGpuHours {
  capGpuH: number;
  thermalGpuH: number;
  racks: { rack: string; capGpuH: number; thermalGpuH: number }[];
  /** jobs that lost any */
  jobs: { job: string; capGpuH: number; thermalGpuH: number }[];
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
  private readonly truthLog = new GroundTruthLog();
  private readonly jobBook: JobBook;
  private readonly faultBook = new FaultBook(this.truthLog);
  private readonly bindings: Map<string, WriteBinding>;
  private readonly ctx: StepContext;
  private readonly fx: StepEffects;
  /** full asset path of each CRAH → its index, so effects need no string work per step */
  private readonly crahIndexByPath: Map<string, number>;
  private readonly plantPath: string;
  private readonly bmsPath: string;
  /** the BMS's supervisory-control watchdog: leases protocol writes while a supervisor heartbeats */
  private readonly watchdog: SupervisorWatchdog;
  /** point ids of the BMS setpoints and overrides a supervisor's write leases */
  private readonly leasable: ReadonlySet<string>;
  private readonly jobScratch: JobPower = { kw: 0, level: 0, wave: 0 };
  private readonly lostByJob = new Map<string, { capGpuH: number; thermalGpuH: number }>();
  private energyBase: EnergyBaseline;
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
    this.jobBook = new JobBook(this.params.jobSubmitLeadS * 1000);
    this.layout = buildLayout(opts.site ?? defaultSite(), opts.hall);
    this.rackIndex = new Map(this.layout.racks.map((r, i) => [r.id, i]));
    this.state = initialState(this.layout, this.params, this.seed);
    for (const [crah, mode] of Object.entries(opts.crahValveControl ?? {})) {
      const z = this.layout.crahs.indexOf(crah);
      if (z < 0) {
        throw new SimInputError(
          `crahValveControl.${crah}: no such CRAH in hall "${this.layout.hall}"; expected ${this.layout.crahs.join(', ')}`,
        );
      }
      if (mode !== 'supply' && mode !== 'return') {
        throw new SimInputError(`crahValveControl.${crah}: expected "supply" or "return"; got ${JSON.stringify(mode)}`);
      }
      (this.state.crahs[z] as HallState['crahs'][number]).valveControl = mode;
    }
    this.signalList = buildSignals(this.layout, {
      gpusPerServer: this.params.gpusPerServer,
      chillers: this.params.chillers,
      powerLimit: rackPowerLimitRange(this.params),
      dpRangePa: this.params.bmsDpRangePa,
    });
    this.signalById = new Map(this.signalList.map((s) => [s.id, s]));
    this.signalIndex = new Map(this.signalList.map((s, i) => [s.id, i]));
    this.getters = buildGetters(this.signalList, this.layout, this.state, this.params);
    this.bindings = buildWriteBindings(this.signalList, this.layout, this.state);
    this.ctx = stepContext(this.state, this.layout);
    this.fx = noEffects(this.layout.crahs.length, this.params.chillers);
    const hallPath = `${this.layout.site}/${this.layout.hall}/-/-/`;
    this.crahIndexByPath = new Map(this.layout.crahs.map((c, i) => [hallPath + c, i]));
    this.plantPath = hallPath + this.layout.plant;
    this.bmsPath = hallPath + this.layout.bms;
    this.watchdog = new SupervisorWatchdog(this.state.bms);
    this.leasable = new Set(this.signalList.filter(isLeasable).map((s) => s.id));
    const assets = new Map<string, AssetRole>(this.signalList.map((s) => [s.assetPath, s.role]));
    const driftable = new Set(
      this.signalList.filter((s) => s.kind === 'measurement' && s.quantity !== 'energy').map((s) => s.id),
    );
    this.faultTargets = { assets, driftable, chillers: this.params.chillers };

    // warm-up: run idle before the start so temperatures and controllers begin settled
    this.t = opts.startMs - Math.round(this.params.warmUpS) * 1000;
    this.advanceTo(opts.startMs);
    this.t = opts.startMs;
    this.state.bms.nowMs = this.t;
    this.energyBase = energyBaseline(this.state);

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
        plant: this.layout.plant,
        chillers: this.params.chillers,
        temperatures: temps.map((s) => s.id),
        // not the BMS: its points came later, and seeded schedules stay what they were
        assets: [...new Set(this.signalList.filter((s) => s.role !== 'bms').map((s) => s.assetPath))],
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
   * Writes a writable point (signals() marks them, with their range): CRAH `supply_setpoint`, `return_setpoint`,
   * `dp_setpoint`, `fan_min`, `fan_override`, `valve_override`; CDU `supply_setpoint`, `pump_speed_setpoint`; the
   * plant's `chw_setpoint`; the BMS's `supervisor_heartbeat` and `supervisor_lease`; a rack's `gpu/power_limit`.
   * `null` relinquishes an override (the BMS loop takes over again, bumpless) or removes a power limit. `by` names
   * the writer in the ground truth (@default "api"); a writer `opcua:…` / `modbus:…` is a supervisor, whose writes
   * of setpoints and overrides are leased while its heartbeat is live (supervisor.ts). Throws SimInputError naming
   * the point and the allowed range, or a device error when the device is offline.
   */
  write(pointId: string, value: number | null, by = 'api'): void {
    const sig = this.signalById.get(pointId);
    if (!sig) {
      throw new SimInputError(`no point "${pointId}" in the simulated hall; ${this.writableList()}`);
    }
    if (!sig.writable) {
      throw new SimInputError(`point "${pointId}" is a ${sig.kind}, not writable; ${this.writableList()}`);
    }
    const range = `${sig.min}–${sig.max} ${sig.unit}`;
    if (value === null) {
      if (!sig.relinquish) {
        throw new SimInputError(
          `point "${pointId}": null (relinquish) is taken by overrides and power limits only; expected a number in ${range}`,
        );
      }
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      const orNull = sig.relinquish ? ', or null to relinquish' : '';
      throw new SimInputError(
        `point "${pointId}": expected a number in ${range}${orNull}; got ${JSON.stringify(value)}`,
      );
    } else if (value < (sig.min as number) || value > (sig.max as number)) {
      throw new SimInputError(`point "${pointId}": ${value} ${sig.unit} is out of range; allowed ${range}`);
    }
    if (this.faultBook.active().some((f) => f.type === 'device_offline' && f.target === sig.assetPath)) {
      throw new PlenumError(
        'device',
        `point "${pointId}": device ${sig.assetPath} is offline; the write was not applied`,
      );
    }
    // a lease that ran out since the last step (a shorter lease written since) is taken back first
    if (this.watchdog.due(this.t)) this.expireLease();
    const b = this.bindings.get(pointId) as WriteBinding;
    if (sig.role === 'bms') {
      this.writeSupervisor(sig, b, value as number, by);
      return;
    }
    if (this.leasable.has(pointId)) this.watchdog.beforeWrite(pointId, b, by, this.t);
    this.applyWrite(pointId, b, value, by);
  }

  /** The BMS's supervisory-control watchdog: heartbeat, lease, what is leased (with the values it will restore). */
  supervisor(): SupervisorSnapshot {
    return this.watchdog.snapshot();
  }

  /**
   * Sets a rack's power limit as its BMC takes one (Redfish PowerControl / PowerLimit), kW, or removes it with
   * null. A capped rack draws at most the limit and its job runs proportionally slower (lostGpuHours()). Throws
   * SimInputError naming the rack and the range.
   */
  setRackPowerLimit(rack: string, kw: number | null, by = 'api'): void {
    const i = this.rackIndex.get(rack);
    if (i === undefined) {
      const ids = this.layout.racks.map((r) => r.id);
      throw new SimInputError(
        `rack "${rack}": no such rack in hall "${this.layout.hall}"; expected a rack id such as ${ids.slice(0, 3).join(', ')}, …`,
      );
    }
    const { min, max } = rackPowerLimitRange(this.params);
    if (kw !== null && (typeof kw !== 'number' || !Number.isFinite(kw) || kw < min || kw > max)) {
      throw new SimInputError(
        `rack ${rack} power limit: ${typeof kw === 'number' ? kw : JSON.stringify(kw)} kW is out of range; allowed ${min}–${max} kW, or null for no limit`,
      );
    }
    const id = powerLimitPointId(this.layout, i);
    const sig = this.signalById.get(id);
    if (sig && this.faultBook.active().some((f) => f.type === 'device_offline' && f.target === sig.assetPath)) {
      throw new PlenumError('device', `rack ${rack}: its BMC (${sig.assetPath}) is offline; the limit was not applied`);
    }
    this.applyWrite(id, this.bindings.get(id) as WriteBinding, kw, by);
  }

  /** Each rack's power limit, kW (null: none). */
  rackPowerLimits(): { rack: string; kw: number | null }[] {
    return this.layout.racks.map((r, i) => ({
      rack: r.id,
      kw: (this.bindings.get(powerLimitPointId(this.layout, i)) as WriteBinding).get(),
    }));
  }

  /**
   * Imposes an outdoor temperature (°C, −40…55) instead of the daily cycle, or hands back to the cycle with null;
   * the chillers' capacity and COP follow it. Logged to the ground truth like a write.
   */
  setOutdoorTemperature(tempC: number | null, by = 'api'): void {
    if (tempC !== null && (typeof tempC !== 'number' || !Number.isFinite(tempC) || tempC < -40 || tempC > 55)) {
      throw new SimInputError(
        `outdoor temperature: ${typeof tempC === 'number' ? tempC : JSON.stringify(tempC)} °C is out of range; allowed −40–55 °C, or null for the daily cycle`,
      );
    }
    const pl = this.state.plant;
    this.applyWrite(
      `${this.plantPath}/outdoor_temp`,
      { get: () => pl.outdoorOverrideC, set: (v) => (pl.outdoorOverrideC = v) },
      tempC,
      by,
    );
    if (tempC !== null) pl.outdoorC = tempC;
  }

  /** Cooling energy so far (since `startMs`), per component: CRAH fans, chillers, chilled-water and CDU pumps. */
  energy(): EnergyReport {
    return energyReport(this.state, this.layout, this.energyBase);
  }

  /** The true state now: temperatures the sensors do not see exactly, the plant's chillers, the aisles' pressure. */
  truth(): HallTruth {
    const s = this.state;
    return {
      time: this.t,
      racks: this.layout.racks.map((r, i) => {
        const x = s.racks[i] as HallState['racks'][number];
        return {
          rack: r.id,
          inletC: x.inletC,
          exhaustC: x.exhaustC,
          powerKw: x.powerW / 1000,
          limitKw: x.capW === Infinity ? null : x.capW / 1000,
          recirculation: x.recirculation,
          gpuMaxC: Math.max(...x.gpuTempC),
        };
      }),
      crahs: s.crahs.map((c, z) => ({
        id: this.layout.crahs[z] as string,
        running: c.running,
        fanPct: c.fanPct,
        valvePct: c.valvePct,
        supplyC: c.supplyC,
        returnC: c.returnC,
        airflowM3s: c.airflowM3s,
        coldAisleDpPa: (s.aisles[this.layout.zoneAisle[z] as number] as HallState['aisles'][number]).dpPa,
        bmsSupplyC: c.supplyMeasC,
        bmsReturnC: c.returnMeasC,
        bmsDpPa: c.dpMeasPa,
      })),
      cdu: {
        supplyC: s.cdu.supplyC,
        returnC: s.cdu.returnC,
        flowLpm: s.cdu.flowLpm,
        heatKw: s.cdu.heatW / 1000,
        facilityC: s.cdu.facilityC,
      },
      plant: {
        outdoorC: s.plant.outdoorC,
        setpointC: s.plant.setpointC,
        supplyC: s.plant.supplyC,
        returnC: s.plant.returnC,
        flowLpm: s.plant.flowLpm,
        loadKw: s.plant.loadW / 1000,
        coolingKw: s.plant.coolingW / 1000,
        chillers: s.plant.chillers.map((c) => ({
          status: c.status,
          loadKw: c.loadW / 1000,
          capacityKw: c.capW / 1000,
        })),
      },
    };
  }

  /** GPU-hours jobs lost so far to power caps and to thermal slowdown, per rack and per job (ground truth). */
  lostGpuHours(): LostGpuHours {
    const racks = this.layout.racks.map((r, i) => {
      const st = this.state.racks[i] as HallState['racks'][number];
      return { rack: r.id, capGpuH: st.lostCapGpuH, thermalGpuH: st.lostThermalGpuH };
    });
    return {
      capGpuH: racks.reduce((a, r) => a + r.capGpuH, 0),
      thermalGpuH: racks.reduce((a, r) => a + r.thermalGpuH, 0),
      racks,
      jobs: [...this.lostByJob].map(([job, v]) => ({ job, ...v })),
    };
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

  /** Append-only: every fault start and end and every accepted write so far, in time order. */
  groundTruth(): readonly GroundTruthEntry[] {
    return this.truthLog.all();
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

  private writableList(): string {
    const hall = this.signalList.filter((s) => s.writable && s.rack === undefined).map((s) => s.id);
    const limit = this.signalList.find((s) => s.writable && s.signal === 'power_limit');
    return `writable points: ${hall.join(', ')}${limit ? ` and each rack's power limit (${limit.id}, …)` : ''}`;
  }

  /**
   * `supervisor_heartbeat` renews the lease (a new session when none is live; only that first heartbeat is logged:
   * renewals every few seconds would bury the ground truth); `supervisor_lease` sets its length (logged).
   */
  private writeSupervisor(sig: SignalInfo, b: WriteBinding, value: number, by: string): void {
    if (sig.signal === 'supervisor_heartbeat') {
      if (this.watchdog.renew(this.t)) {
        this.applyWrite(sig.id, b, value, by);
      } else {
        b.set(value);
        this.revision++;
      }
      return;
    }
    this.applyWrite(sig.id, b, value, by);
    this.watchdog.setLease(value);
    if (this.watchdog.due(this.t)) this.expireLease();
  }

  /**
   * The heartbeat was not renewed within the lease: every leased point back to the BMS — its saved value (an
   * override: relinquished, or the BMS operator's own override that was in effect before), logged `bms-watchdog`;
   * then the session's end (`supervisor_status` 1 → 0). A point already back at its saved value needs nothing.
   */
  private expireLease(): void {
    const points = this.watchdog.expire();
    for (let i = 0; i < points.length; i++) {
      const p = points[i] as (typeof points)[number];
      if (p.binding.get() !== p.saved) this.applyWrite(p.pointId, p.binding, p.saved, 'bms-watchdog');
    }
    this.truthLog.push({
      time: this.t,
      phase: 'write',
      type: 'write',
      target: `${this.bmsPath}/supervisor_status`,
      by: 'bms-watchdog',
      from: 1,
      to: 0,
      source: 'api',
    });
    this.revision++;
  }

  private applyWrite(pointId: string, b: WriteBinding, value: number | null, by: string): void {
    const from = b.get();
    b.set(value);
    this.truthLog.push({
      time: this.t,
      phase: 'write',
      type: 'write',
      target: pointId,
      by,
      from,
      to: value,
      source: 'api',
    });
    this.revision++;
  }

  private stepOnce(t: number): void {
    const idleKw = rackPowerW(this.params, 0) / 1000;
    const racks = this.state.racks;
    for (let i = 0; i < racks.length; i++) {
      const r = racks[i] as HallState['racks'][number];
      r.demandKw = idleKw;
      r.level = 0;
      r.wave = 0;
      r.jobId = undefined;
    }
    const running = this.jobBook.update(t);
    for (let j = 0; j < running.length; j++) {
      const job = running[j] as Job;
      const p = jobRackKw(job, t, idleKw, this.jobScratch);
      if (!p) continue;
      for (let k = 0; k < job.racks.length; k++) {
        const r = racks[this.rackIndex.get(job.racks[k] as string) as number];
        // two jobs on one rack (an API job over a scheduled one): the larger draw wins
        if (r && p.kw >= r.demandKw) {
          r.demandKw = p.kw;
          r.level = p.level;
          r.wave = p.wave;
          r.jobId = job.id;
        }
      }
    }
    this.faultBook.update(t, (f) => this.onFaultStart(f));
    this.fillEffects(t);
    stepHall(this.state, this.ctx, this.params, t, this.step, this.seedHash, this.fx);
    for (let i = 0; i < racks.length; i++) {
      const r = racks[i] as HallState['racks'][number];
      if (r.jobId === undefined || (r.stepLostCapGpuH === 0 && r.stepLostThermalGpuH === 0)) continue;
      let e = this.lostByJob.get(r.jobId);
      if (!e) this.lostByJob.set(r.jobId, (e = { capGpuH: 0, thermalGpuH: 0 }));
      e.capGpuH += r.stepLostCapGpuH;
      e.thermalGpuH += r.stepLostThermalGpuH;
    }
    this.t = t;
    this.step++;
    this.state.bms.nowMs = t;
    // the supervisory-control watchdog, once a step (no allocation unless the lease runs out)
    if (this.watchdog.due(t)) this.expireLease();
  }

  /** What the active faults do this step, into the reused effects object. */
  private fillEffects(t: number): void {
    const fx = this.fx;
    resetEffects(fx);
    const active = this.faultBook.active();
    for (let i = 0; i < active.length; i++) {
      const f = active[i] as FaultRecord;
      const z = this.crahIndexByPath.get(f.target) ?? -1;
      const crah = fx.crah[z];
      switch (f.type) {
        case 'fan_degradation':
          if (crah)
            crah.fanCapPct = Math.min(crah.fanCapPct, 100 - (100 - (f.params.maxSpeedPct ?? 50)) * faultSeverity(f, t));
          break;
        case 'filter_clog':
          fx.airflowLoss[z] = Math.max(
            fx.airflowLoss[z] ?? 0,
            ((f.params.airflowLossPct ?? 40) / 100) * faultSeverity(f, t),
          );
          break;
        case 'valve_stuck':
          if (crah) crah.valveStuckPct = f.params.positionPct;
          break;
        case 'crah_trip':
          if (crah) crah.tripped = true;
          break;
        case 'fan_belt_wear':
          fx.beltLoss[z] = Math.max(fx.beltLoss[z] ?? 0, slowFaultLoss(f, t));
          break;
        case 'pump_failure':
          fx.pumpFrac = Math.min(fx.pumpFrac, (f.params.residualFlowPct ?? 0) / 100);
          break;
        case 'pump_degradation':
          fx.pumpCapacity = Math.min(fx.pumpCapacity, 1 - slowFaultLoss(f, t));
          break;
        case 'chiller_trip':
          fx.plant.chillerTripped[(f.params.chiller ?? 1) - 1] = true;
          break;
        case 'chw_loss':
          for (let c = 0; c < fx.plant.chillerTripped.length; c++) fx.plant.chillerTripped[c] = true;
          fx.plant.flowFrac = Math.min(fx.plant.flowFrac, (f.params.residualFlowPct ?? 0) / 100);
          break;
      }
    }
  }
}
