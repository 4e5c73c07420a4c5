/**
 * One integration step of the hall's physics: IT power and GPU temperatures per rack, the liquid loop, each
 * CRAH zone's air balance (recirculation when airflow runs short) and the first-order lags of every temperature.
 * README.md describes the model; params.ts holds the numbers.
 */
import type { HallState } from './hall-state';
import type { HallLayout } from './layout';
import { AIR_RHO_CP, type SimParams, WATER_W_PER_K_PER_LPM, rackPowerW } from './params';
import { clamp, lag } from './physics';

// module-local copies: under Jest's sandbox every global lookup (Math.*) in a hot loop is several times slower
const { PI, max, min, sin, sqrt } = Math;

/** What active faults do to the physics this step. */
export interface StepEffects {
  /** per CRAH: highest fan speed it can reach, % */
  fanCapPct: number[];
  /** per CRAH: share of airflow lost to a clogged filter, 0…0.9 */
  airflowLoss: number[];
  /** per CRAH: valve frozen at this position, % */
  valveStuckPct: (number | undefined)[];
  /** CDU pump speed it can reach, share of nominal */
  pumpFrac: number;
}

export function noEffects(crahs: number): StepEffects {
  return {
    fanCapPct: Array.from({ length: crahs }, () => 100),
    airflowLoss: Array.from({ length: crahs }, () => 0),
    valveStuckPct: Array.from({ length: crahs }, () => undefined),
    pumpFrac: 1,
  };
}

/** Grid voltage wander: ±0.5 % over a 3-hour cycle (tap changes, load on the feeder), V. */
function gridWanderV(p: SimParams, t: number): number {
  return 0.005 * p.lineVoltageV * sin((2 * PI * t) / 10_800_000);
}

export function stepHall(s: HallState, layout: HallLayout, p: SimParams, t: number, fx: StepEffects): void {
  const dt = p.stepMs / 1000;
  const n = layout.racks.length;
  const idleW = rackPowerW(p, 0);
  const maxW = rackPowerW(p, 1);
  const { cdu } = s;
  // grid frequency: slow swings of ±20 mHz with faster ±5 mHz on top, as a European grid shows
  s.gridHz = 50 + 0.02 * sin((2 * PI * t) / 1_020_000) + 0.005 * sin((2 * PI * t) / 97_000);

  // ── liquid loop: the pump, and how much of the GPU heat the cold plates still carry ──
  cdu.pumpFrac = lag(cdu.pumpFrac, fx.pumpFrac, p.tauPumpS, dt);
  cdu.flowLpm = p.cduFlowLpmPerRack * n * cdu.pumpFrac;
  // cold plates keep up down to half flow (the coolant just warms more); below that they lose grip
  const capture = clamp(cdu.pumpFrac / 0.5, 0, 1);
  const rEff = p.gpuThermalResistanceKPerW / max(capture, 0.1);
  const flowPerRack = max(cdu.flowLpm / n, 0.5);

  // ── racks: power, GPU temperatures, heat split ──
  let liquidTotalW = 0;
  s.racks.forEach((r) => {
    const u = clamp((r.demandKw * 1000 - idleW) / (maxW - idleW), 0, 1);
    const coolantC = cdu.supplyC + 0.5 * r.coolantRiseK;
    let gpuSum = 0;
    for (let g = 0; g < p.gpusPerServer; g++) {
      const demandW = (p.gpuIdleW + (p.gpuMaxW - p.gpuIdleW) * u) * (r.gpuPowerScale[g] ?? 1);
      const offset = r.gpuTempOffsetK[g] ?? 0;
      // thermal slowdown: the GPU caps its power to hold its temperature at the throttle point
      const allowedW = (p.gpuThrottleC - coolantC - offset) / rEff;
      const w = min(demandW, max(allowedW, p.gpuIdleW));
      r.gpuW[g] = w;
      r.gpuTempC[g] = lag(r.gpuTempC[g] ?? coolantC, coolantC + offset + rEff * w, p.tauGpuS, dt);
      // utilisation stays high while throttled (clocks drop, kernels still run); dips in the all-reduce phase
      r.gpuUtilPct[g] = clamp(r.level * (95 + 4 * r.wave), 0, 100);
      gpuSum += w;
    }
    const hostW = p.hostIdleW + (p.hostMaxW - p.hostIdleW) * u;
    r.powerW = p.rackOverheadW + p.serversPerRack * (hostW + gpuSum);
    r.energyWh += (r.powerW * dt) / 3600;
    r.voltageV = p.lineVoltageV + r.voltageOffsetV + gridWanderV(p, t) - 0.02 * r.currentA;
    r.currentA = r.powerW / (sqrt(3) * r.voltageV * p.powerFactor);
    r.liquidW = p.liquidShareOfGpuHeat * capture * p.serversPerRack * gpuSum;
    r.airW = r.powerW - r.liquidW;
    r.airflowM3s = p.rackAirflowMinM3s + (p.rackAirflowPerKwM3s * r.airW) / 1000;
    r.coolantRiseK = min(30, r.liquidW / (flowPerRack * WATER_W_PER_K_PER_LPM));
    liquidTotalW += r.liquidW;
  });

  // ── CRAH zones: fan and valve control, air balance, rack inlet and exhaust ──
  s.crahs.forEach((c, z) => {
    const racks = (layout.zoneRacks[z] ?? []).map((i) => s.racks[i] as HallState['racks'][number]);
    const demand = racks.reduce((a, r) => a + r.airflowM3s, 0);
    const hotC = demand > 0 ? racks.reduce((a, r) => a + r.airflowM3s * r.exhaustC, 0) / demand : c.returnC;
    c.demandM3s = demand;

    const loss = fx.airflowLoss[z] ?? 0;
    const capPct = fx.fanCapPct[z] ?? 100;
    // the fan holds supply a little above demand, as a cold-aisle pressure control would
    const ratio = demand > 0 ? c.airflowM3s / demand : p.crahAirflowRatioTarget;
    const cmd = c.fanPi.update(p.crahAirflowRatioTarget - ratio, dt, capPct);
    c.fanPct = lag(c.fanPct, min(cmd, capPct), p.tauFanS, dt);
    c.airflowM3s = (c.fanPct / 100) * p.crahMaxAirflowM3s * (1 - loss);
    c.filterDpPa = (p.filterDpCleanPa * (c.fanPct / 100) ** 2) / (1 - loss) ** 2;
    const supply = c.airflowM3s;
    const short = demand > 0 ? max(0, (demand - supply) / demand) : 0;

    // return air: the hot aisle, diluted by supply air that bypassed the racks when there is surplus
    if (supply > 1e-6) {
      const returnTarget = supply >= demand ? (demand * hotC + (supply - demand) * c.supplyC) / supply : hotC;
      c.returnC = lag(c.returnC, returnTarget, p.tauReturnAirS, dt);
    }
    const stuck = fx.valveStuckPct[z];
    if (stuck !== undefined) {
      c.valvePct = stuck;
      c.valvePi.track(stuck);
    } else {
      c.valvePct = c.valvePi.update(c.supplyC - c.setpointC, dt);
    }
    const effectiveness = (p.coilEffectivenessMax * c.valvePct) / 100;
    const supplyTarget = supply > 1e-6 ? c.returnC - effectiveness * (c.returnC - p.chilledWaterC) : c.returnC;
    c.supplyC = lag(c.supplyC, supplyTarget, p.tauSupplyAirS, dt);

    // inlets: supply air, mixed with hot-aisle air where the racks draw more than the CRAH delivers
    const meanWeight = racks.reduce((a, r) => a + r.recirculationWeight, 0) / max(1, racks.length);
    for (const r of racks) {
      r.recirculation = min(0.9, (short * r.recirculationWeight) / meanWeight);
      const inletTarget = (1 - r.recirculation) * (c.supplyC + p.ductGainK) + r.recirculation * hotC + r.inletOffsetK;
      r.inletC = lag(r.inletC, inletTarget, p.tauInletS, dt);
      r.exhaustC = lag(r.exhaustC, r.inletC + r.airW / (AIR_RHO_CP * r.airflowM3s), p.tauExhaustS, dt);
    }
  });

  // ── CDU: supply held at its setpoint unless the load exceeds what the facility water can take ──
  cdu.heatW = liquidTotalW;
  const flow = cdu.flowLpm;
  const excessW = max(0, liquidTotalW - p.cduCapacityKwPerRack * 1000 * n);
  const supplyTarget = cdu.setpointC + (flow > 1 ? excessW / (flow * WATER_W_PER_K_PER_LPM) : 0);
  cdu.supplyC = lag(cdu.supplyC, supplyTarget, p.tauCduSupplyS, dt);
  const riseK = flow > 1 ? min(30, liquidTotalW / (flow * WATER_W_PER_K_PER_LPM)) : 0;
  cdu.returnC = lag(cdu.returnC, cdu.supplyC + riseK, p.tauCduReturnS, dt);
}
