/**
 * Physical parameters of the simulated hall, with the values that make it behave like a liquid-assisted AI hall
 * (GB300/B300-class racks). Every value can be overridden through `HallModelOptions.params`; README.md explains
 * the model they feed.
 */
import { SimInputError } from './errors';
export interface SimParams {
  /** fixed integration step, ms of simulated time, @default 1000 */
  stepMs: number;
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

  // ── liquid loop ──
  /** share of GPU heat the cold plates carry to the CDU at full flow (the rest goes to air), @default 0.75 */
  liquidShareOfGpuHeat: number;
  /** coolant flow per rack at full pump speed, l/min, @default 100 */
  cduFlowLpmPerRack: number;
  /** heat the CDU's facility-water exchanger can reject per rack before its supply temperature rises, kW, @default 90 */
  cduCapacityKwPerRack: number;
  /** CDU supply temperature setpoint at start, °C, @default 30 */
  cduSupplySetpointC: number;
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
  /** lowest CRAH fan speed, %, @default 20 */
  crahMinFanPct: number;
  /** supply/demand airflow ratio the fan control holds (a cold-aisle pressure control), @default 1.1 */
  crahAirflowRatioTarget: number;
  /** CRAH supply air setpoint at start, °C, @default 20 */
  crahSupplySetpointC: number;
  /** chilled water entering the CRAH coils, °C, @default 12 */
  chilledWaterC: number;
  /** coil effectiveness with the valve fully open, @default 0.85 */
  coilEffectivenessMax: number;
  /** filter pressure drop at 100 % fan speed when clean, Pa, @default 150 */
  filterDpCleanPa: number;
  /** warming of supply air between the CRAH and the rack fronts, K, @default 0.3 */
  ductGainK: number;
  /** spread of per-rack inlet offsets (position in the aisle, tile leakage), ± K, @default 0.6 */
  inletOffsetSpreadK: number;
  /** share of a zone's recirculation an aisle-end rack receives relative to a mid-aisle one, @default 1.6 */
  aisleEndRecirculationWeight: number;

  // ── first-order time constants, s ──
  /** rack inlet air (mixing with the cold-aisle air volume), @default 150 */
  tauInletS: number;
  /** rack exhaust air (server heat sinks and chassis), @default 60 */
  tauExhaustS: number;
  /** CRAH supply air (coil and water in it), @default 30 */
  tauSupplyAirS: number;
  /** CRAH return air (hot-aisle air volume), @default 30 */
  tauReturnAirS: number;
  /** CRAH fan speed following its command, @default 8 */
  tauFanS: number;
  /** CDU supply coolant, @default 60 */
  tauCduSupplyS: number;
  /** CDU return coolant (transport through the racks), @default 20 */
  tauCduReturnS: number;
  /** CDU pump speed (spin-up / coast-down), @default 5 */
  tauPumpS: number;
  /** GPU die temperature, @default 15 */
  tauGpuS: number;

  // ── PI controllers ──
  /** CRAH valve: % per K of supply-air error, @default 6 */
  valveKp: number;
  /** CRAH valve: % per K·s, @default 0.25 */
  valveKi: number;
  /** CRAH fan: % per unit of airflow-ratio error, @default 60 */
  fanKp: number;
  /** CRAH fan: % per unit·s, @default 6 */
  fanKi: number;

  // ── sensor noise, one standard deviation ──
  /** temperature sensors, K, @default 0.05 */
  noiseTempK: number;
  /** power readings, share of the value, @default 0.002 */
  noisePowerShare: number;
}

export const DEFAULT_PARAMS: Readonly<SimParams> = {
  stepMs: 1000,
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
  liquidShareOfGpuHeat: 0.75,
  cduFlowLpmPerRack: 100,
  cduCapacityKwPerRack: 90,
  cduSupplySetpointC: 30,
  gpuThermalResistanceKPerW: 0.03,
  gpuThrottleC: 87,
  rackAirflowMinM3s: 0.3,
  rackAirflowPerKwM3s: 0.046,
  crahMaxAirflowM3s: 30,
  crahMinFanPct: 20,
  crahAirflowRatioTarget: 1.1,
  crahSupplySetpointC: 20,
  chilledWaterC: 12,
  coilEffectivenessMax: 0.85,
  filterDpCleanPa: 150,
  ductGainK: 0.3,
  inletOffsetSpreadK: 0.6,
  aisleEndRecirculationWeight: 1.6,
  tauInletS: 150,
  tauExhaustS: 60,
  tauSupplyAirS: 30,
  tauReturnAirS: 30,
  tauFanS: 8,
  tauCduSupplyS: 60,
  tauCduReturnS: 20,
  tauPumpS: 5,
  tauGpuS: 15,
  valveKp: 6,
  valveKi: 0.25,
  fanKp: 60,
  fanKi: 6,
  noiseTempK: 0.05,
  noisePowerShare: 0.002,
};

/** Writable setpoints and the range a write must fall in, in the point's unit (°C). */
export const SETPOINT_RANGES = {
  crahSupplySetpointC: { min: 14, max: 27 },
  cduSupplySetpointC: { min: 18, max: 45 },
} as const;

/** Air: density × specific heat at ~25 °C, J/(m³·K). */
export const AIR_RHO_CP = 1206;
/** Water: heat capacity flow of 1 l/min (997 kg/m³ × 4180 J/(kg·K) / 60 s), W/K. */
export const WATER_W_PER_K_PER_LPM = 69.5;

/** Rack IT power in W for a load level u in [0, 1] (linear between idle and full). */
export function rackPowerW(p: SimParams, u: number): number {
  const gpu = p.gpuIdleW + (p.gpuMaxW - p.gpuIdleW) * u;
  const host = p.hostIdleW + (p.hostMaxW - p.hostIdleW) * u;
  return p.rackOverheadW + p.serversPerRack * (host + p.gpusPerServer * gpu);
}

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
  if (!Number.isInteger(out.stepMs) || out.stepMs < 10 || out.stepMs > 60_000) {
    throw new SimInputError(`params.stepMs: expected an integer 10–60000 ms; got ${out.stepMs}`);
  }
  if (!Number.isInteger(out.gpusPerServer) || out.gpusPerServer < 1 || out.gpusPerServer > 16) {
    throw new SimInputError(`params.gpusPerServer: expected an integer 1–16; got ${out.gpusPerServer}`);
  }
  if (out.gpuMaxW <= out.gpuIdleW) throw new SimInputError('params.gpuMaxW: must exceed gpuIdleW');
  return out;
}
