/** The state the integrator carries from one step to the next, and how it starts. */
import type { HallLayout } from './layout';
import { type SimParams, rackPowerW } from './params';
import { PiController } from './physics';
import { Rng } from './prng';

export interface RackState {
  /** what the rack's job asks for this step, kW (idle when no job) */
  demandKw: number;
  /** training-step phase of the running job, -1…1 (0 when idle) */
  wave: number;
  /** how far the running job has ramped, 0…1 */
  level: number;
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
  // fixed per rack, drawn from the seed: manufacturing spread and position in the aisle
  gpuPowerScale: number[];
  gpuTempOffsetK: number[];
  inletOffsetK: number;
  voltageOffsetV: number;
  recirculationWeight: number;
  /** rack ids are GPU UUID sources too: fixed strings */
  gpuUuid: string[];
}

export interface CrahState {
  setpointC: number;
  fanPct: number;
  valvePct: number;
  supplyC: number;
  returnC: number;
  airflowM3s: number;
  demandM3s: number;
  filterDpPa: number;
  fanPi: PiController;
  valvePi: PiController;
}

export interface CduState {
  setpointC: number;
  /** pump speed as a share of nominal, 0…1 */
  pumpFrac: number;
  flowLpm: number;
  supplyC: number;
  returnC: number;
  heatW: number;
}

export interface HallState {
  /** grid frequency at the rack feeds, Hz */
  gridHz: number;
  racks: RackState[];
  crahs: CrahState[];
  cdu: CduState;
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
  const crahs = layout.crahs.map((): CrahState => ({
    setpointC: p.crahSupplySetpointC,
    fanPct: 30,
    valvePct: 30,
    supplyC: p.crahSupplySetpointC,
    returnC: p.crahSupplySetpointC + 8,
    airflowM3s: 0,
    demandM3s: 0,
    filterDpPa: 0,
    fanPi: new PiController(p.fanKp, p.fanKi, p.crahMinFanPct, 100, 30),
    valvePi: new PiController(p.valveKp, p.valveKi, 0, 100, 30),
  }));
  const cdu: CduState = {
    setpointC: p.cduSupplySetpointC,
    pumpFrac: 1,
    flowLpm: p.cduFlowLpmPerRack * layout.racks.length,
    supplyC: p.cduSupplySetpointC,
    returnC: p.cduSupplySetpointC + 1,
    heatW: 0,
  };
  return { gridHz: 50, racks, crahs, cdu };
}
