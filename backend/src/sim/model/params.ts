/**
 * Physical parameters of the simulated hall, with the values that make it behave like a liquid-assisted AI hall
 * (GB300/B300-class racks) on a chilled-water plant. Every value can be overridden through
 * `HallModelOptions.params`; README.md ("The model") explains the model they feed and repeats the sources.
 *
 * Sources cited below (short names used in the comments):
 * - [G36]  ASHRAE Guideline 36-2021 sequences as implemented in LBNL's Modelica Buildings library
 *          (lbl-srg/modelica-buildings, Buildings.Controls.OBC.ASHRAE.G36): supply-fan PI `kFanSpe` 0.1 (normalised
 *          by the pressure span), `TiFanSpe` 60 s; supply-air PI `kTSup` 0.05 /K, `TiTSup` 300 s (example AHU) to
 *          600 s (library default); chiller staging: failsafe `TDif` 1 K held 15 min (§5.20.4.15), hold 15 min
 *          per stage change (`delayStaCha` 900 s).
 * - [Carrier] Carrier 17/19EX and 19XR (PIC) manuals: a lag chiller starts only after the lead's ramp loading has
 *          completed and a LAG START TIMER has elapsed; ramp loading limits the loading rate after a start.
 * - [Trane] Trane RTAE manual: ≈ 45 s from power-up to the first compressor at best (flow proof, oil, EXV).
 * - [SOO]  a published screw-chiller sequence of operation (scribd "Sequence of Operation – Chiller"): slide valve
 *          closed → fully open in ≈ 3 min after start.
 * - [SBC]  Saia-Burgess Optimizer chiller sequencer defaults: minimum on 300 s, minimum off 600 s.
 * - [York] York YLCC-H air-cooled chiller correction factors: capacity 1.045 / 0.902 / 0.754 at 25 / 35 / 45 °C
 *          condenser air (≈ −1.45 %/K) and +3.6…4.1 %/K of leaving-water temperature.
 * - [DOE-2] DOE-2 / EnergyPlus Chiller:Electric:EIR part-load curve EIRFPLR = 0.2229 + 0.3134·PLR + 0.4637·PLR²
 *          (DOE-2 centrifugal record, as shipped with EnergyPlus and Modelica Buildings).
 * - [Eurovent] air-cooled chillers are rated near EER 3 at 35 °C air / 7 °C leaving water (EN 14511 conditions).
 * - [Erden] Erden, Khalifa, Schmidt, "Transient thermal response of servers through air temperature measurements",
 *          InterPACK2013-73281, and J. Electron. Packag. 136(3) 2014: servers have time constants of several
 *          minutes (lumped capacitance).
 * - [Khankari] Khankari, "Rate of heating analysis of data centers during power shutdown", ASHRAE Trans. 117(1)
 *          2011: the room heats fastest at first, at a rate set by IT power over air + equipment heat capacity.
 * - [DCK2008] Data Center Knowledge, "How much time, once the cooling fails?" (2008): Hosting365, all chillers
 *          lost, the room rose ≈ 2 °C (3.5 °F) per minute and passed 40 °C within 15 min.
 * - [WP179] Schneider Electric White Paper 179 (Lin, Zhang, VanGilder), "Data center temperature rise during a
 *          cooling system outage": density, containment and restart times set the rise; chilled-water volume
 *          buys ride-through.
 * - [EN16798] EN 16798-3 specific fan power classes: SFP 2 = 500–750 W per m³/s.
 * - [Belimo] Belimo SR/NR valve actuators: 90 s running time for a full stroke.
 * - [loop]  chiller makers' minimum loop volume guidance of 3–10 US gal per ton (≈ 3–11 l per kW).
 */
import { SimInputError } from './errors';
export interface SimParams {
  /** fixed integration step, ms of simulated time, @default 1000 */
  stepMs: number;
  /**
   * how long before a job's start its scheduler announces it (job_submit webhook): a queued job's resources are
   * known while it waits for its nodes; Slurm's prolog and a Kubernetes admission hook run in this window, s,
   * @default 120
   */
  jobSubmitLeadS: number;
  /** simulated time run at idle before `startMs` so temperatures and controllers start settled, s, @default 1200 */
  warmUpS: number;

  // ── IT load ──
  /** identical 8-GPU servers per rack, running one job in lockstep, @default 10 */
  serversPerRack: number;
  /** GPUs per server (what the DCGM exporter lists per rack), @default 8 */
  gpusPerServer: number;
  /** W per GPU at idle, @default 60 */
  gpuIdleW: number;
  /** W per GPU at full load (B300-class TDP), @default 1400 */
  gpuMaxW: number;
  /** W per server besides the GPUs (CPUs, NICs, fans) at idle, @default 250 */
  hostIdleW: number;
  /** the same at full load, @default 2000 */
  hostMaxW: number;
  /** W per rack for switches and management, constant, @default 700 */
  rackOverheadW: number;
  /** nominal line-to-line voltage of the three-phase rack feed, V, @default 415 */
  lineVoltageV: number;
  /** power factor of the rack's power supplies, @default 0.98 */
  powerFactor: number;
  /** GPU model name reported by the DCGM exporter, @default "NVIDIA B300" */
  gpuModelName: string;
  /**
   * lowest rack power limit a BMC accepts, kW (Redfish PowerControl AllowableMin): about idle plus a tenth of the
   * dynamic range, where the GPUs' own minimum power limits sit, @default 20
   */
  rackPowerLimitMinKw: number;

  // ── liquid loop (CDU) ──
  /** share of GPU heat the cold plates carry to the CDU at full flow (the rest goes to air), @default 0.75 */
  liquidShareOfGpuHeat: number;
  /** coolant flow per rack at full pump speed, l/min, @default 100 */
  cduFlowLpmPerRack: number;
  /** CDU supply temperature setpoint at start, °C, @default 30 */
  cduSupplySetpointC: number;
  /** CDU pump speed setpoint at start, %, @default 100 */
  cduPumpSpeedPct: number;
  /**
   * effectiveness of the CDU's plate heat exchanger (coolant ↔ facility water) with full facility-water flow; plate
   * exchangers run 0.6–0.9. The facility water is a branch of the chilled-water loop, so the CDU holds its supply
   * only while `chw + (return − chw)(1 − ε)` stays below the setpoint. @default 0.7
   */
  cduHxEffectiveness: number;
  /** electrical power of the CDU pumps at 100 % speed, kW (ρgHQ/η: 0.067 m³/s × 20 m / 0.65), @default 20 */
  cduPumpRatedKw: number;
  /** thermal resistance GPU die → coolant at full flow, K/W, @default 0.03 */
  gpuThermalResistanceKPerW: number;
  /** GPU temperature above which the GPU caps its power (thermal slowdown), °C, @default 87 */
  gpuThrottleC: number;

  // ── air path ──
  /** rack airflow at idle (server fans at minimum), m³/s, @default 0.3 */
  rackAirflowMinM3s: number;
  /** extra rack airflow per kW of heat rejected to air, m³/s per kW, @default 0.046 */
  rackAirflowPerKwM3s: number;
  /** airflow of one CRAH at 100 % fan speed with a clean filter, m³/s, @default 30 */
  crahMaxAirflowM3s: number;
  /** CRAH fan power at 100 % speed, kW: SFP 0.7 kW per m³/s [EN16798 class SFP 2] × 30 m³/s; ∝ speed³, @default 21 */
  crahRatedFanKw: number;
  /** CRAH coil NTU at 100 % airflow and a fully open valve (ε = 1 − e^−NTU = 0.80); NTU ∝ airflow^−0.4, @default 1.6 */
  coilNtuAtMaxAirflow: number;
  /** filter pressure drop at 100 % fan speed when clean, Pa, @default 150 */
  filterDpCleanPa: number;
  /** warming of supply air between the CRAH and the rack fronts, K, @default 0.3 */
  ductGainK: number;
  /** spread of per-rack inlet offsets (position in the aisle, tile leakage), ± K, @default 0.6 */
  inletOffsetSpreadK: number;
  /** share of a zone's recirculation an aisle-end rack receives relative to a mid-aisle one, @default 1.6 */
  aisleEndRecirculationWeight: number;
  /**
   * leakage of a contained cold aisle per CRAH zone: Q = C·√|ΔP| (orifice law), m³/s per √Pa. 0.9 lets ≈ 8 % of a
   * zone's design airflow bypass at 5 Pa, what containment with tile and door gaps leaks. @default 0.9
   */
  containmentLeakM3sPerSqrtPa: number;
  /**
   * how local a zone's air balance is within its cold aisle, 0…1: 0 = the aisle is one well-mixed pool (a neighbour
   * CRAH's surplus reaches every rack), 1 = each CRAH feeds only its own racks. @default 0.25
   */
  zoneLocality: number;

  // ── first-order time constants, s ──
  /** rack inlet air (cold-aisle air, floor and rack doors), @default 150 */
  tauInletS: number;
  /** rack exhaust air: server heat sinks and chassis, "several minutes" [Erden], @default 180 */
  tauExhaustS: number;
  /** CRAH supply air (coil and water in it), @default 30 */
  tauSupplyAirS: number;
  /** CRAH return air (hot-aisle air volume), @default 30 */
  tauReturnAirS: number;
  /** CRAH fan speed following its (slew-limited) reference, @default 8 */
  tauFanS: number;
  /** cold-aisle pressure (aisle volume against the leakage), @default 3 */
  tauDpS: number;
  /** water in a CRAH coil following the chilled-water supply (or warming to the air when flow stops), @default 20 */
  tauCoilWaterS: number;
  /** CDU supply coolant, @default 60 */
  tauCduSupplyS: number;
  /** CDU return coolant (transport through the racks), @default 20 */
  tauCduReturnS: number;
  /** facility water in the CDU exchanger following the chilled-water supply, @default 30 */
  tauFacilityWaterS: number;
  /** CDU pump speed (spin-up / coast-down), @default 5 */
  tauPumpS: number;
  /** GPU die temperature, @default 15 */
  tauGpuS: number;

  // ── BMS local control (CRAHs) ──
  /** CRAH cold-aisle ΔP setpoint at start, Pa (contained aisles run 2–15 Pa), @default 5 */
  crahDpSetpointPa: number;
  /** lowest CRAH fan speed the BMS commands, %, @default 20 */
  crahMinFanPct: number;
  /** CRAH supply-air setpoint at start, °C, @default 20 */
  crahSupplySetpointC: number;
  /** CRAH return-air setpoint at start (valves on return-air control), °C, @default 32 */
  crahReturnSetpointC: number;
  /** fan PI gain, % per Pa of ΔP error: [G36] 0.1 normalised by a 25 Pa span, @default 0.4 */
  fanKpPctPerPa: number;
  /** fan PI integral time, s [G36], @default 60 */
  fanTiS: number;
  /** fan VFD acceleration limit, % per s (0 → 100 % in 50 s), @default 2 */
  fanSlewPctPerS: number;
  /** valve PI gain, % per K of supply (or return) air error [G36 kTSup 0.05 /K], @default 5 */
  valveKpPctPerK: number;
  /**
   * valve PI integral time, s. [G36] uses 300 s (example AHU) to 600 s (library default) for comfort-cooling air
   * handlers; a data-hall CRAH is tuned tighter but still "a minute or more" for a stable loop with a 90 s
   * actuator and a 30 s coil, @default 180
   */
  valveTiS: number;
  /** valve actuator running time for a full stroke, s [Belimo], @default 90 */
  valveStrokeS: number;
  /** BMS temperature sensors' own lag (probe in the airstream), s, @default 20 */
  bmsSensorTauS: number;
  /** BMS temperature sensor noise, 1 σ, K, @default 0.1 */
  bmsTempNoiseK: number;
  /** spread of the supply-air sensor's placement offset (stratification after the coil), ± K, @default 0.5 */
  bmsSupplyOffsetSpreadK: number;
  /** spread of the return-air sensor's placement offset (mixing at the unit intake), ± K, @default 1 */
  bmsReturnOffsetSpreadK: number;
  /** cold-aisle ΔP transmitter noise, 1 σ, Pa (turbulence and ±1 % of span), @default 0.3 */
  bmsDpNoisePa: number;
  /** spread of the ΔP transmitter's offset (tap placement, zero drift), ± Pa, @default 0.5 */
  bmsDpOffsetSpreadPa: number;
  /** ΔP transmitter range, ± Pa: readings saturate there, @default 50 */
  bmsDpRangePa: number;
  /**
   * the supervisory-control watchdog's lease at start, s (5–86 400; writable as `bms/supervisor_lease`): how long
   * one heartbeat holds the supervisor's writes before the BMS takes them back; 30 s is the guard contract of
   * Plenum's automation (control back to the BMS within 30 s of Plenum going silent), @default 30
   */
  bmsSupervisorLeaseS: number;

  // ── chilled-water plant ──
  /** chillers in the plant, @default 3 */
  chillers: number;
  /**
   * capacity of one chiller at design (35 °C outdoor, 12 °C leaving water), kW: two carry a normal day of ≈ 3 MW,
   * the full hall (5.3 MW) needs all three and, on a warm afternoon, more. @default 1500
   */
  chillerRatedKw: number;
  /** capacity change per K of leaving-water temperature above 12 °C, share [York], @default 0.035 */
  chillerCapPerKLwt: number;
  /** capacity change per K of outdoor temperature above 35 °C, share (negative slope) [York], @default 0.0145 */
  chillerCapPerKOutdoor: number;
  /** share of the Carnot COP the chiller achieves: EER ≈ 3 at 35 °C / 7 °C [Eurovent], @default 0.48 */
  chillerCarnotEfficiency: number;
  /** evaporating temperature below the leaving water, K, @default 4 */
  chillerEvapApproachK: number;
  /** condensing temperature above outdoor air (air-cooled condenser), K, @default 12 */
  chillerCondApproachK: number;
  /** chilled-water supply setpoint at start, °C (data halls run 10–18 °C), @default 12 */
  chwSetpointC: number;
  /** design ΔT of the chilled water: flow per chiller = rated kW / (ΔT × 69.5 W/K per l/min), K, @default 6 */
  chwDesignDeltaK: number;
  /** water in the chilled-water loop (pipes, coils, headers), m³: 30 m³ ≈ 6 US gal per ton of the plant [loop], @default 30 */
  chwLoopVolumeM3: number;
  /** one chilled-water pump (one per chiller) at design flow, kW (ρgHQ/η: 0.06 m³/s × 30 m / 0.7), @default 25 */
  chwPumpRatedKw: number;
  /** chillers kept running whatever the load, @default 1 */
  chillersMinRunning: number;
  /** stage up when the load needs more than this share of the enabled chillers' capacity, @default 0.9 */
  stageUpLoadShare: number;
  /** … or when the chilled-water supply is this far above its setpoint [G36 TDif], K, @default 1 */
  stageUpSupplyOffsetK: number;
  /** how long a stage-up condition must hold, s ([G36] uses 900 s; a data-hall sequencer 5 min), @default 300 */
  stageUpDelayS: number;
  /** stage down when the load fits in this share of one chiller fewer, @default 0.6 */
  stageDownLoadShare: number;
  /** how long a stage-down condition must hold, s [G36], @default 900 */
  stageDownDelayS: number;
  /** hold between two stage changes, s ([G36] 900 s; [Carrier] lag start timer), @default 600 */
  minStageIntervalS: number;
  /** from start command to compressor running (pump, flow proof, oil, start), s [Trane, Carrier], @default 120 */
  chillerStartS: number;
  /** soft loading from 0 to full capacity after the compressor starts, s [SOO, Carrier], @default 300 */
  chillerRampS: number;
  /** a stopped or tripped chiller may start again after this, s (anti-recycle) [SBC], @default 600 */
  chillerMinOffS: number;
  /** daily mean outdoor temperature, °C (a temperate summer day), @default 20 */
  outdoorMeanC: number;
  /** half the daily swing of the outdoor temperature, K (lows ≈ 14 °C, highs ≈ 26 °C), @default 6 */
  outdoorSwingK: number;
  /** hour of the day (UTC) of the warmest moment, @default 15 */
  outdoorPeakHour: number;

  // ── sensor noise of the points served (racks, CDU, plant), one standard deviation ──
  /** temperature sensors, K, @default 0.05 */
  noiseTempK: number;
  /** power readings, share of the value, @default 0.002 */
  noisePowerShare: number;
}

export const DEFAULT_PARAMS: Readonly<SimParams> = {
  stepMs: 1000,
  jobSubmitLeadS: 120,
  warmUpS: 1200,
  serversPerRack: 10,
  gpusPerServer: 8,
  gpuIdleW: 60,
  gpuMaxW: 1400,
  hostIdleW: 250,
  hostMaxW: 2000,
  rackOverheadW: 700,
  lineVoltageV: 415,
  powerFactor: 0.98,
  gpuModelName: 'NVIDIA B300',
  rackPowerLimitMinKw: 20,
  liquidShareOfGpuHeat: 0.75,
  cduFlowLpmPerRack: 100,
  cduSupplySetpointC: 30,
  cduPumpSpeedPct: 100,
  cduHxEffectiveness: 0.7,
  cduPumpRatedKw: 20,
  gpuThermalResistanceKPerW: 0.03,
  gpuThrottleC: 87,
  rackAirflowMinM3s: 0.3,
  rackAirflowPerKwM3s: 0.046,
  crahMaxAirflowM3s: 30,
  crahRatedFanKw: 21,
  coilNtuAtMaxAirflow: 1.6,
  filterDpCleanPa: 150,
  ductGainK: 0.3,
  inletOffsetSpreadK: 0.6,
  aisleEndRecirculationWeight: 1.6,
  containmentLeakM3sPerSqrtPa: 0.9,
  zoneLocality: 0.25,
  tauInletS: 150,
  tauExhaustS: 180,
  tauSupplyAirS: 30,
  tauReturnAirS: 30,
  tauFanS: 8,
  tauDpS: 3,
  tauCoilWaterS: 20,
  tauCduSupplyS: 60,
  tauCduReturnS: 20,
  tauFacilityWaterS: 30,
  tauPumpS: 5,
  tauGpuS: 15,
  crahDpSetpointPa: 5,
  crahMinFanPct: 20,
  crahSupplySetpointC: 20,
  crahReturnSetpointC: 32,
  fanKpPctPerPa: 0.4,
  fanTiS: 60,
  fanSlewPctPerS: 2,
  valveKpPctPerK: 5,
  valveTiS: 180,
  valveStrokeS: 90,
  bmsSensorTauS: 20,
  bmsTempNoiseK: 0.1,
  bmsSupplyOffsetSpreadK: 0.5,
  bmsReturnOffsetSpreadK: 1,
  bmsDpNoisePa: 0.3,
  bmsDpOffsetSpreadPa: 0.5,
  bmsDpRangePa: 50,
  bmsSupervisorLeaseS: 30,
  chillers: 3,
  chillerRatedKw: 1500,
  chillerCapPerKLwt: 0.035,
  chillerCapPerKOutdoor: 0.0145,
  chillerCarnotEfficiency: 0.48,
  chillerEvapApproachK: 4,
  chillerCondApproachK: 12,
  chwSetpointC: 12,
  chwDesignDeltaK: 6,
  chwLoopVolumeM3: 30,
  chwPumpRatedKw: 25,
  chillersMinRunning: 1,
  stageUpLoadShare: 0.9,
  stageUpSupplyOffsetK: 1,
  stageUpDelayS: 300,
  stageDownLoadShare: 0.6,
  stageDownDelayS: 900,
  minStageIntervalS: 600,
  chillerStartS: 120,
  chillerRampS: 300,
  chillerMinOffS: 600,
  outdoorMeanC: 20,
  outdoorSwingK: 6,
  outdoorPeakHour: 15,
  noiseTempK: 0.05,
  noisePowerShare: 0.002,
};

/**
 * Writable points and the range a write must fall in, in the point's unit. `relinquish`: the point also takes
 * `null` (an override handed back to the BMS, a power limit removed). The rack power limit's range depends on
 * the parameters (`rackPowerLimitRange`).
 */
export const WRITABLE_RANGES = {
  crahSupplySetpointC: { min: 14, max: 27 },
  crahReturnSetpointC: { min: 24, max: 40 },
  crahDpSetpointPa: { min: 2, max: 25 },
  crahFanMinPct: { min: 10, max: 60 },
  crahFanOverridePct: { min: 0, max: 100 },
  crahValveOverridePct: { min: 0, max: 100 },
  cduSupplySetpointC: { min: 18, max: 45 },
  cduPumpSpeedPct: { min: 20, max: 100 },
  chwSetpointC: { min: 6, max: 20 },
  /** the supervisor's heartbeat: any value renews the lease; a 16-bit counter (it fits one Modbus register) */
  bmsSupervisorHeartbeat: { min: 0, max: 65_535 },
  /** the supervisor's lease, s */
  bmsSupervisorLeaseS: { min: 5, max: 86_400 },
} as const;

/** The setpoints of the first version (CRAH and CDU supply), kept for callers that import them by this name. */
export const SETPOINT_RANGES = {
  crahSupplySetpointC: WRITABLE_RANGES.crahSupplySetpointC,
  cduSupplySetpointC: WRITABLE_RANGES.cduSupplySetpointC,
} as const;

/** Air: density × specific heat at ~25 °C, J/(m³·K). */
export const AIR_RHO_CP = 1206;
/** Water: heat capacity flow of 1 l/min (997 kg/m³ × 4180 J/(kg·K) / 60 s), W/K. */
export const WATER_W_PER_K_PER_LPM = 69.5;
/** Water: volumetric heat capacity, J/(m³·K). */
export const WATER_J_PER_M3_K = 997 * 4180;

/** Rack IT power in W for a load level u in [0, 1] (linear between idle and full). */
export function rackPowerW(p: SimParams, u: number): number {
  const gpu = p.gpuIdleW + (p.gpuMaxW - p.gpuIdleW) * u;
  const host = p.hostIdleW + (p.hostMaxW - p.hostIdleW) * u;
  return p.rackOverheadW + p.serversPerRack * (host + p.gpusPerServer * gpu);
}

/** The range a rack power limit must fall in, kW: the BMC's floor up to the rack's full draw (0.1 kW steps). */
export function rackPowerLimitRange(p: SimParams): { min: number; max: number } {
  return { min: p.rackPowerLimitMinKw, max: Math.floor(rackPowerW(p, 1) / 100) / 10 };
}

/** Chilled-water flow of one chiller's pump at design, l/min. */
export function chwFlowPerChillerLpm(p: SimParams): number {
  return (p.chillerRatedKw * 1000) / (p.chwDesignDeltaK * WATER_W_PER_K_PER_LPM);
}

const INTEGER_PARAMS: Partial<Record<keyof SimParams, [number, number]>> = {
  stepMs: [10, 60_000],
  gpusPerServer: [1, 16],
  serversPerRack: [1, 64],
  chillers: [1, 8],
  chillersMinRunning: [0, 8],
};

/** Defaults with the overrides applied; throws SimInputError naming an unknown or impossible parameter. */
export function resolveParams(overrides: Partial<SimParams> = {}): SimParams {
  const out: SimParams = { ...DEFAULT_PARAMS };
  for (const [key, value] of Object.entries(overrides)) {
    if (!(key in DEFAULT_PARAMS)) {
      throw new SimInputError(
        `params.${key}: unknown parameter; expected one of ${Object.keys(DEFAULT_PARAMS).join(', ')}`,
      );
    }
    const def = DEFAULT_PARAMS[key as keyof SimParams];
    if (typeof def === 'number' && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new SimInputError(`params.${key}: expected a number ≥ 0; got ${JSON.stringify(value)}`);
    }
    if (typeof def === 'string' && typeof value !== 'string')
      throw new SimInputError(`params.${key}: expected a string`);
    (out as unknown as Record<string, unknown>)[key] = value;
  }
  for (const [key, [lo, hi]] of Object.entries(INTEGER_PARAMS) as [keyof SimParams, [number, number]][]) {
    const v = out[key] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) {
      const unit = key === 'stepMs' ? ' ms' : '';
      throw new SimInputError(`params.${key}: expected an integer ${lo}–${hi}${unit}; got ${v}`);
    }
  }
  if (out.gpuMaxW <= out.gpuIdleW) throw new SimInputError('params.gpuMaxW: must exceed gpuIdleW');
  if (out.chillersMinRunning > out.chillers) {
    throw new SimInputError(
      `params.chillersMinRunning: ${out.chillersMinRunning} exceeds params.chillers (${out.chillers})`,
    );
  }
  if (out.zoneLocality > 1) throw new SimInputError(`params.zoneLocality: expected 0–1; got ${out.zoneLocality}`);
  if (out.outdoorPeakHour >= 24) {
    throw new SimInputError(`params.outdoorPeakHour: expected an hour 0–23.99; got ${out.outdoorPeakHour}`);
  }
  const lease = WRITABLE_RANGES.bmsSupervisorLeaseS;
  if (out.bmsSupervisorLeaseS < lease.min || out.bmsSupervisorLeaseS > lease.max) {
    throw new SimInputError(
      `params.bmsSupervisorLeaseS: expected ${lease.min}–${lease.max} s; got ${out.bmsSupervisorLeaseS}`,
    );
  }
  const rmax = rackPowerLimitRange(out).max;
  if (out.rackPowerLimitMinKw >= rmax) {
    throw new SimInputError(
      `params.rackPowerLimitMinKw: ${out.rackPowerLimitMinKw} kW must be below the rack's full power (${rmax} kW)`,
    );
  }
  return out;
}
