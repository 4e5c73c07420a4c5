/**
 * Electric power of the cooling plant and its energy so far, per component, for reports: CRAH fans (∝ speed³,
 * the fan affinity laws, × rated kW), chillers (load over COP with the DOE-2 part-load curve, plant.ts), the
 * chilled-water pumps and the CDU pumps (∝ speed³). The integrator adds each step's energy into the state.
 */
import type { HallState } from './hall-state';
import type { HallLayout } from './layout';
import type { SimParams } from './params';
import { plantPowerW } from './plant';

/** CRAH fan power at `fanPct`, W. */
export function crahFanPowerW(p: SimParams, fanPct: number): number {
  const f = fanPct / 100;
  return p.crahRatedFanKw * 1000 * f * f * f;
}

/** CDU pump power at speed `frac` of nominal, W. */
export function cduPumpPowerW(p: SimParams, frac: number): number {
  return p.cduPumpRatedKw * 1000 * frac * frac * frac;
}

export interface ComponentEnergy {
  /** asset id (`crah1`, `cdu1`) or `<plant>/chillerN`, `<plant>/chw_pumps` */
  id: string;
  /** electric power now, kW */
  kw: number;
  /** since the run started (warm-up excluded), kWh */
  kwh: number;
}

/** Cooling energy of the run so far, per component, with totals. */
export interface EnergyReport {
  crahFans: ComponentEnergy[];
  chillers: ComponentEnergy[];
  chwPumps: ComponentEnergy;
  cduPumps: ComponentEnergy;
  /** all of the above */
  totalKw: number;
  totalKwh: number;
  /** heat taken out by the chillers now, kW, and their COP */
  coolingKw: number;
  cop: number;
}

/** Energy counters at the end of the warm-up, subtracted so a report covers the run only. */
export interface EnergyBaseline {
  crahWh: number[];
  chillerWh: number[];
  chwPumpWh: number;
  cduPumpWh: number;
}

export function energyBaseline(s: HallState): EnergyBaseline {
  return {
    crahWh: s.crahs.map((c) => c.fanEnergyWh),
    chillerWh: s.plant.chillers.map((c) => c.energyWh),
    chwPumpWh: s.plant.pumpEnergyWh,
    cduPumpWh: s.cdu.pumpEnergyWh,
  };
}

export function energyReport(s: HallState, layout: HallLayout, base: EnergyBaseline): EnergyReport {
  const kwh = (wh: number, b = 0) => (wh - b) / 1000;
  const crahFans = s.crahs.map((c, i) => ({
    id: layout.crahs[i] as string,
    kw: c.fanW / 1000,
    kwh: kwh(c.fanEnergyWh, base.crahWh[i]),
  }));
  const chillers = s.plant.chillers.map((c, i) => ({
    id: `${layout.plant}/chiller${i + 1}`,
    kw: c.powerW / 1000,
    kwh: kwh(c.energyWh, base.chillerWh[i]),
  }));
  const chwPumps = {
    id: `${layout.plant}/chw_pumps`,
    kw: s.plant.pumpW / 1000,
    kwh: kwh(s.plant.pumpEnergyWh, base.chwPumpWh),
  };
  const cduPumps = { id: layout.cdu, kw: s.cdu.pumpW / 1000, kwh: kwh(s.cdu.pumpEnergyWh, base.cduPumpWh) };
  const all = [...crahFans, ...chillers, chwPumps, cduPumps];
  return {
    crahFans,
    chillers,
    chwPumps,
    cduPumps,
    totalKw: (plantPowerW(s.plant) + s.cdu.pumpW + s.crahs.reduce((a, c) => a + c.fanW, 0)) / 1000,
    totalKwh: all.reduce((a, c) => a + c.kwh, 0),
    coolingKw: s.plant.coolingW / 1000,
    cop: s.plant.cop,
  };
}
