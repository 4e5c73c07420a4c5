/** The state the integrator carries from one step to the next, and how it starts. */
import type { HallLayout } from './layout';
import { type SimParams, chwFlowPerChillerLpm, rackPowerW } from './params';
import { PiController } from './physics';
import { Rng } from './prng';
import { initialBmsState, type BmsState } from './supervisor';

export interface RackState {
  /** what the rack's job asks for this step, kW (idle when no job) */
  demandKw: number;
  /** training-step phase of the running job, -1…1 (0 when idle) */
  wave: number;
  /** how far the running job has ramped, 0…1 */
  level: number;
  /** the job drawing power on this rack this step (set by the model), for lost GPU-hours per job */
  jobId: string | undefined;
  powerW: number;
  energyWh: number;
  voltageV: number;
  currentA: number;
  /** per GPU of the representative server */
  gpuW: number[];
  gpuTempC: number[];
  gpuUtilPct: number[];
  /** heat to the liquid loop and to air, W */
  liquidW: number;
  airW: number;
  airflowM3s: number;
  /** coolant warming through this rack, K */
  coolantRiseK: number;
  inletC: number;
  exhaustC: number;
  /** share of this rack's intake that is recirculated hot-aisle air, 0…1 */
  recirculation: number;
  /** power limit set through the BMC, W; Infinity when none */
  capW: number;
  /** this step: share of the job's work done under the power cap (1 uncapped) and under thermal slowdown */
  capSpeed: number;
  thermalSpeed: number;
  /** lost GPU-hours so far (ground truth): to the power cap, to thermal slowdown */
  lostCapGpuH: number;
  lostThermalGpuH: number;
  /** this step's losses, GPU-hours (the model books them to the rack's job) */
  stepLostCapGpuH: number;
  stepLostThermalGpuH: number;
  // fixed per rack, drawn from the seed: manufacturing spread and position in the aisle
  gpuPowerScale: number[];
  gpuTempOffsetK: number[];
  inletOffsetK: number;
  voltageOffsetV: number;
  recirculationWeight: number;
  /** rack ids are GPU UUID sources too: fixed strings */
  gpuUuid: string[];
}

/** How a CRAH's valve loop is controlled: on its supply-air or its return-air sensor. */
export type ValveControl = 'supply' | 'return';

export interface CrahState {
  // ── what the BMS is told (writable) ──
  setpointC: number;
  returnSetpointC: number;
  dpSetpointPa: number;
  fanMinPct: number;
  /** manual fan speed, %; null: the BMS's ΔP loop is in charge */
  fanOverridePct: number | null;
  /** manual valve position, %; null: the BMS's temperature loop is in charge */
  valveOverridePct: number | null;
  valveControl: ValveControl;
  // ── the unit ──
  /** false while a crah_trip fault holds it off */
  running: boolean;
  /** VFD reference after the acceleration limit, % */
  fanRefPct: number;
  fanPct: number;
  valvePct: number;
  /** air leaving the unit (after the fan), °C */
  supplyC: number;
  returnC: number;
  /** water in the coil, °C: the chilled-water supply while it flows */
  coilWaterC: number;
  airflowM3s: number;
  /** what its zone's racks draw, m³/s */
  demandM3s: number;
  filterDpPa: number;
  /** cold air reaching its zone's racks (its own supply mixed with its aisle neighbours'), °C */
  coldC: number;
  /** its zone's hot aisle (airflow-weighted rack exhaust), °C */
  hotC: number;
  /** share of its zone's rack intake that is recirculated air, before the per-rack weighting */
  short: number;
  /** heat taken out of the air by the coil, W (what the chilled water receives) */
  coilW: number;
  fanW: number;
  fanEnergyWh: number;
  // ── the BMS's own sensors: lagged truth + placement offset, then noise ──
  supplySensC: number;
  returnSensC: number;
  supplyMeasC: number;
  returnMeasC: number;
  dpMeasPa: number;
  supplyOffsetK: number;
  returnOffsetK: number;
  dpOffsetPa: number;
  fanPi: PiController;
  valvePi: PiController;
}

export interface CduState {
  setpointC: number;
  /** pump speed setpoint, % */
  pumpSpeedPct: number;
  /** pump speed as a share of nominal, 0…1 */
  pumpFrac: number;
  flowLpm: number;
  supplyC: number;
  returnC: number;
  /** heat the racks put into the coolant, W */
  heatW: number;
  /** heat the exchanger passes to the facility (chilled) water, W */
  rejectW: number;
  /** facility water in the exchanger, °C */
  facilityC: number;
  pumpW: number;
  pumpEnergyWh: number;
}

/** 0 off (available after its minimum off time), 1 starting (pump, flow proof, compressor start), 2 running, 3 tripped */
export type ChillerStatus = 0 | 1 | 2 | 3;

export interface ChillerState {
  status: ChillerStatus;
  /** time in the current status, s */
  timerS: number;
  /** soft loading: share of its capacity it may deliver, 0…1 */
  loadLimit: number;
  /** order of its last start (the sequencer stops the last one started first) */
  startSeq: number;
  /** capacity at the current temperatures, W */
  capW: number;
  loadW: number;
  powerW: number;
  energyWh: number;
}

export interface PlantState {
  /** outdoor air, °C */
  outdoorC: number;
  /** an outdoor temperature imposed by a scenario, °C; null: the daily cycle */
  outdoorOverrideC: number | null;
  setpointC: number;
  supplyC: number;
  returnC: number;
  flowLpm: number;
  /** share of design flow reaching the loads (chw_loss lowers it), 0…1 */
  flowAvail: number;
  /** heat into the loop from coils, CDU and pumps, W */
  loadW: number;
  /** heat the chillers take out, W */
  coolingW: number;
  chillers: ChillerState[];
  upTimerS: number;
  downTimerS: number;
  sinceStageS: number;
  startSeq: number;
  pumpsOn: number;
  pumpW: number;
  pumpEnergyWh: number;
  /** coefficient of performance of the running chillers at this moment */
  cop: number;
}

export interface AisleState {
  /** cold-aisle pressure against the hot side, Pa (negative: racks draw more than the CRAHs deliver) */
  dpPa: number;
  supplyM3s: number;
  demandM3s: number;
  /** share of the aisle's demand the CRAHs do not deliver, 0…1 */
  short: number;
  /** supply-weighted temperature of the air the aisle's CRAHs deliver, °C */
  poolC: number;
}

export interface HallState {
  /** grid frequency at the rack feeds, Hz */
  gridHz: number;
  racks: RackState[];
  crahs: CrahState[];
  aisles: AisleState[];
  cdu: CduState;
  plant: PlantState;
  /** the BMS's supervisory-control watchdog (supervisor.ts) */
  bms: BmsState;
}

/** A plausible idle starting point; the warm-up run settles it. */
export function initialState(layout: HallLayout, p: SimParams, seed: number | string): HallState {
  const rng = new Rng(seed, 'hardware');
  const idleW = rackPowerW(p, 0);
  const racks = layout.racks.map((r): RackState => {
    const g = p.gpusPerServer;
    return {
      demandKw: idleW / 1000,
      wave: 0,
      level: 0,
      jobId: undefined,
      powerW: idleW,
      // PDUs that have been in service for a while: 1–6 months at ~30 kW
      energyWh: Math.round(rng.uniform(20_000, 130_000)) * 1000,
      voltageV: p.lineVoltageV,
      currentA: 0,
      gpuW: Array.from({ length: g }, () => p.gpuIdleW),
      gpuTempC: Array.from({ length: g }, () => p.cduSupplySetpointC + 2),
      gpuUtilPct: Array.from({ length: g }, () => 0),
      liquidW: 0,
      airW: idleW,
      airflowM3s: p.rackAirflowMinM3s,
      coolantRiseK: 0,
      inletC: p.crahSupplySetpointC + 1,
      exhaustC: p.crahSupplySetpointC + 8,
      recirculation: 0,
      capW: Infinity,
      capSpeed: 1,
      thermalSpeed: 1,
      lostCapGpuH: 0,
      lostThermalGpuH: 0,
      stepLostCapGpuH: 0,
      stepLostThermalGpuH: 0,
      gpuPowerScale: Array.from({ length: g }, () => rng.uniform(0.97, 1.03)),
      gpuTempOffsetK: Array.from({ length: g }, () => rng.uniform(-1.5, 1.5)),
      inletOffsetK: rng.uniform(-p.inletOffsetSpreadK, p.inletOffsetSpreadK),
      voltageOffsetV: rng.uniform(-2, 2),
      recirculationWeight: r.aisleEnd ? p.aisleEndRecirculationWeight : 1,
      gpuUuid: Array.from(
        { length: g },
        () => `GPU-${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
      ),
    };
  });
  // a stream of its own, so adding BMS sensors leaves the racks' seeded hardware (GPU UUIDs, offsets) as it was
  const bms = new Rng(seed, 'bms-sensors');
  const crahs = layout.crahs.map((): CrahState => {
    const supplyOffsetK = bms.uniform(-p.bmsSupplyOffsetSpreadK, p.bmsSupplyOffsetSpreadK);
    const returnOffsetK = bms.uniform(-p.bmsReturnOffsetSpreadK, p.bmsReturnOffsetSpreadK);
    const dpOffsetPa = bms.uniform(-p.bmsDpOffsetSpreadPa, p.bmsDpOffsetSpreadPa);
    const supplyC = p.crahSupplySetpointC;
    const returnC = p.crahSupplySetpointC + 8;
    return {
      setpointC: p.crahSupplySetpointC,
      returnSetpointC: p.crahReturnSetpointC,
      dpSetpointPa: p.crahDpSetpointPa,
      fanMinPct: p.crahMinFanPct,
      fanOverridePct: null,
      valveOverridePct: null,
      valveControl: 'supply',
      running: true,
      fanRefPct: 30,
      fanPct: 30,
      valvePct: 50,
      supplyC,
      returnC,
      coilWaterC: p.chwSetpointC,
      airflowM3s: 0,
      demandM3s: 0,
      filterDpPa: 0,
      coldC: supplyC,
      hotC: returnC,
      short: 0,
      coilW: 0,
      fanW: 0,
      fanEnergyWh: 0,
      supplySensC: supplyC + supplyOffsetK,
      returnSensC: returnC + returnOffsetK,
      supplyMeasC: supplyC + supplyOffsetK,
      returnMeasC: returnC + returnOffsetK,
      dpMeasPa: p.crahDpSetpointPa,
      supplyOffsetK,
      returnOffsetK,
      dpOffsetPa,
      fanPi: new PiController(p.fanKpPctPerPa, p.fanKpPctPerPa / Math.max(1, p.fanTiS), 0, 100, 30),
      valvePi: new PiController(p.valveKpPctPerK, p.valveKpPctPerK / Math.max(1, p.valveTiS), 0, 100, 50),
    };
  });
  const aisles = layout.aisles.map((): AisleState => ({
    dpPa: p.crahDpSetpointPa,
    supplyM3s: 0,
    demandM3s: 0,
    short: 0,
    poolC: p.crahSupplySetpointC,
  }));
  const cdu: CduState = {
    setpointC: p.cduSupplySetpointC,
    pumpSpeedPct: p.cduPumpSpeedPct,
    pumpFrac: p.cduPumpSpeedPct / 100,
    flowLpm: p.cduFlowLpmPerRack * layout.racks.length,
    supplyC: p.cduSupplySetpointC,
    returnC: p.cduSupplySetpointC + 1,
    heatW: 0,
    rejectW: 0,
    facilityC: p.chwSetpointC,
    pumpW: 0,
    pumpEnergyWh: 0,
  };
  const chillers = Array.from({ length: p.chillers }, (_, i): ChillerState => ({
    // the lead chillers run at start (at least the minimum), the others wait ready
    status: i < Math.max(1, p.chillersMinRunning) ? 2 : 0,
    timerS: p.chillerMinOffS,
    loadLimit: 1,
    startSeq: i < Math.max(1, p.chillersMinRunning) ? i + 1 : 0,
    capW: p.chillerRatedKw * 1000,
    loadW: 0,
    powerW: 0,
    energyWh: 0,
  }));
  const plant: PlantState = {
    outdoorC: p.outdoorMeanC,
    outdoorOverrideC: null,
    setpointC: p.chwSetpointC,
    supplyC: p.chwSetpointC,
    returnC: p.chwSetpointC + 1,
    flowLpm: chwFlowPerChillerLpm(p),
    flowAvail: 1,
    loadW: 0,
    coolingW: 0,
    chillers,
    upTimerS: 0,
    downTimerS: 0,
    sinceStageS: p.minStageIntervalS,
    startSeq: Math.max(1, p.chillersMinRunning),
    pumpsOn: 1,
    pumpW: 0,
    pumpEnergyWh: 0,
    cop: 0,
  };
  return { gridHz: 50, racks, crahs, aisles, cdu, plant, bms: initialBmsState(p.bmsSupervisorLeaseS) };
}
