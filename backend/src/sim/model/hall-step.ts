/**
 * One integration step of the hall: IT power per rack (job demand, BMC power caps, GPU thermal slowdown), the
 * liquid loop and its exchanger to the facility water, each contained cold aisle's air balance and pressure, the
 * BMS's CRAH loops (bms.ts), the coils on the actual chilled water, recirculation where the racks draw more air
 * than the CRAHs deliver, the first-order lags of every temperature, the chilled-water plant (plant.ts) and the
 * energy counters. README.md describes the model; params.ts holds the numbers and their sources.
 *
 * Runs every simulated second for weeks: nothing in here allocates (the context and the effects are built once).
 */
import { controlCrahFan, controlCrahValve, readCrahSensors, type CrahEffects } from './bms';
import { cduPumpPowerW, crahFanPowerW } from './energy';
import type { AisleState, CrahState, HallState, RackState } from './hall-state';
import type { HallLayout } from './layout';
import { AIR_RHO_CP, type SimParams, WATER_W_PER_K_PER_LPM, rackPowerW } from './params';
import { clamp, lag } from './physics';
import { outdoorCycleC, stepPlant, type PlantEffects } from './plant';
import { hashNormal } from './prng';

// module-local copies: under Jest's sandbox every global lookup (Math.*) in a hot loop is several times slower
const { PI, exp, log, max, min, sin, sqrt } = Math;

/** What active faults do to the physics this step (reset and refilled in place every step). */
export interface StepEffects {
  /** per CRAH: fan cap, stuck valve, trip */
  crah: CrahEffects[];
  /** per CRAH: share of airflow lost to a clogged filter, 0…0.9 (raises the filter ΔP) */
  airflowLoss: number[];
  /** per CRAH: share of airflow lost to slipping belts, 0…0.9 */
  beltLoss: number[];
  /** CDU pump speed it can reach, share of nominal (pump_failure) */
  pumpFrac: number;
  /** CDU pump's flow at a given speed, share of new (pump_degradation) */
  pumpCapacity: number;
  plant: PlantEffects;
}

export function noEffects(crahs: number, chillers: number): StepEffects {
  return {
    crah: Array.from({ length: crahs }, () => ({ fanCapPct: 100, valveStuckPct: undefined, tripped: false })),
    airflowLoss: Array.from({ length: crahs }, () => 0),
    beltLoss: Array.from({ length: crahs }, () => 0),
    pumpFrac: 1,
    pumpCapacity: 1,
    plant: { chillerTripped: Array.from({ length: chillers }, () => false), flowFrac: 1 },
  };
}

/** Back to no faults, in place. */
export function resetEffects(fx: StepEffects): void {
  for (let z = 0; z < fx.crah.length; z++) {
    const c = fx.crah[z] as CrahEffects;
    c.fanCapPct = 100;
    c.valveStuckPct = undefined;
    c.tripped = false;
    fx.airflowLoss[z] = 0;
    fx.beltLoss[z] = 0;
  }
  fx.pumpFrac = 1;
  fx.pumpCapacity = 1;
  fx.plant.flowFrac = 1;
  for (let i = 0; i < fx.plant.chillerTripped.length; i++) fx.plant.chillerTripped[i] = false;
}

/** The state's objects grouped the way the step walks them, built once per model. */
export interface StepContext {
  racks: RackState[];
  crahs: CrahState[];
  aisles: AisleState[];
  /** per zone, its racks' states */
  zoneRacks: RackState[][];
  /** per zone, the mean recirculation weight of its racks */
  zoneMeanWeight: number[];
  /** per zone, its aisle's state */
  zoneAisle: AisleState[];
  /** per aisle, its CRAHs' states */
  aisleCrahs: CrahState[][];
}

export function stepContext(s: HallState, layout: HallLayout): StepContext {
  const zoneRacks = layout.zoneRacks.map((idx) => idx.map((i) => s.racks[i] as RackState));
  return {
    racks: s.racks,
    crahs: s.crahs,
    aisles: s.aisles,
    zoneRacks,
    zoneMeanWeight: zoneRacks.map((rs) => rs.reduce((a, r) => a + r.recirculationWeight, 0) / Math.max(1, rs.length)),
    zoneAisle: layout.zoneAisle.map((a) => s.aisles[a] as AisleState),
    aisleCrahs: layout.aisles.map((zs) => zs.map((z) => s.crahs[z] as CrahState)),
  };
}

/** Grid voltage wander: ±0.5 % over a 3-hour cycle (tap changes, load on the feeder), V. */
function gridWanderV(p: SimParams, t: number): number {
  return 0.005 * p.lineVoltageV * sin((2 * PI * t) / 10_800_000);
}

/** Noise streams of the BMS sensors, apart from the served points' (which use the signal index). */
const BMS_NOISE_BASE = 0x7f000000;

/**
 * One step to simulated time `t` (Unix ms). `step` numbers the step (noise), `seedHash` is the run's seed hash.
 */
export function stepHall(
  s: HallState,
  ctx: StepContext,
  p: SimParams,
  t: number,
  step: number,
  seedHash: number,
  fx: StepEffects,
): void {
  const dt = p.stepMs / 1000;
  const racks = ctx.racks;
  const n = racks.length;
  const idleW = rackPowerW(p, 0);
  const maxW = rackPowerW(p, 1);
  const { cdu, plant } = s;
  // grid frequency: slow swings of ±20 mHz with faster ±5 mHz on top, as a European grid shows
  s.gridHz = 50 + 0.02 * sin((2 * PI * t) / 1_020_000) + 0.005 * sin((2 * PI * t) / 97_000);
  plant.outdoorC = plant.outdoorOverrideC ?? outdoorCycleC(p, t);
  const fw = plant.flowAvail;

  // ── liquid loop: the pump, and how much of the GPU heat the cold plates still carry ──
  cdu.pumpFrac = lag(cdu.pumpFrac, min(cdu.pumpSpeedPct / 100, fx.pumpFrac), p.tauPumpS, dt);
  const flowFrac = cdu.pumpFrac * fx.pumpCapacity;
  cdu.flowLpm = p.cduFlowLpmPerRack * n * flowFrac;
  // cold plates keep up down to half flow (the coolant just warms more); below that they lose grip
  const capture = clamp(flowFrac / 0.5, 0, 1);
  const rEff = p.gpuThermalResistanceKPerW / max(capture, 0.1);
  const flowPerRack = max(cdu.flowLpm / n, 0.5);
  const gpus = p.serversPerRack * p.gpusPerServer;

  // ── racks: power (job demand, power cap, thermal slowdown), GPU temperatures, heat split ──
  let liquidTotalW = 0;
  for (let i = 0; i < n; i++) {
    const r = racks[i] as RackState;
    const u = clamp((r.demandKw * 1000 - idleW) / (maxW - idleW), 0, 1);
    const coolantC = cdu.supplyC + 0.5 * r.coolantRiseK;
    const gpuDemandW = p.gpuIdleW + (p.gpuMaxW - p.gpuIdleW) * u;
    const hostDemandW = p.hostIdleW + (p.hostMaxW - p.hostIdleW) * u;
    let scaleSum = 0;
    for (let g = 0; g < p.gpusPerServer; g++) scaleSum += r.gpuPowerScale[g] ?? 1;
    // a BMC power limit scales the dynamic power (above idle) of GPUs and hosts alike until the rack fits
    const idleRackW = p.rackOverheadW + p.serversPerRack * (p.hostIdleW + p.gpuIdleW * scaleSum);
    const demandRackW = p.rackOverheadW + p.serversPerRack * (hostDemandW + gpuDemandW * scaleSum);
    const k =
      demandRackW > r.capW && demandRackW > idleRackW
        ? clamp((r.capW - idleRackW) / (demandRackW - idleRackW), 0, 1)
        : 1;
    let gpuSum = 0;
    let dynDemand = 0;
    let dynDone = 0;
    for (let g = 0; g < p.gpusPerServer; g++) {
      const scale = r.gpuPowerScale[g] ?? 1;
      const idleG = p.gpuIdleW * scale;
      const demandW = idleG + k * (gpuDemandW * scale - idleG);
      const offset = r.gpuTempOffsetK[g] ?? 0;
      // thermal slowdown: the GPU caps its power to hold its temperature at the throttle point
      const allowedW = (p.gpuThrottleC - coolantC - offset) / rEff;
      const w = min(demandW, max(allowedW, p.gpuIdleW));
      r.gpuW[g] = w;
      r.gpuTempC[g] = lag(r.gpuTempC[g] ?? coolantC, coolantC + offset + rEff * w, p.tauGpuS, dt);
      // utilisation stays high while throttled (clocks drop, kernels still run); dips in the all-reduce phase
      r.gpuUtilPct[g] = clamp(r.level * (95 + 4 * r.wave), 0, 100);
      gpuSum += w;
      dynDemand += demandW - idleG;
      dynDone += max(0, w - idleG);
    }
    const hostW = p.hostIdleW + k * (hostDemandW - p.hostIdleW);
    r.powerW = p.rackOverheadW + p.serversPerRack * (hostW + gpuSum);
    r.energyWh += (r.powerW * dt) / 3600;
    r.voltageV = p.lineVoltageV + r.voltageOffsetV + gridWanderV(p, t) - 0.02 * r.currentA;
    r.currentA = r.powerW / (sqrt(3) * r.voltageV * p.powerFactor);
    r.liquidW = p.liquidShareOfGpuHeat * capture * p.serversPerRack * gpuSum;
    r.airW = r.powerW - r.liquidW;
    r.airflowM3s = p.rackAirflowMinM3s + (p.rackAirflowPerKwM3s * r.airW) / 1000;
    r.coolantRiseK = min(30, r.liquidW / (flowPerRack * WATER_W_PER_K_PER_LPM));
    liquidTotalW += r.liquidW;
    // the job's work runs at k × (thermal share) of its pace: what is missing is lost GPU time (ground truth)
    const thermal = dynDemand > 1e-9 ? min(1, dynDone / dynDemand) : 1;
    r.capSpeed = k;
    r.thermalSpeed = thermal;
    if (r.level > 0) {
      r.stepLostCapGpuH = (gpus * (1 - k) * dt) / 3600;
      r.stepLostThermalGpuH = (gpus * k * (1 - thermal) * dt) / 3600;
      r.lostCapGpuH += r.stepLostCapGpuH;
      r.lostThermalGpuH += r.stepLostThermalGpuH;
    } else {
      r.stepLostCapGpuH = 0;
      r.stepLostThermalGpuH = 0;
    }
  }

  // ── CDU: supply held at its setpoint while the facility water (a branch of the chilled water) allows ──
  cdu.facilityC = lag(cdu.facilityC, fw * plant.supplyC + (1 - fw) * cdu.returnC, p.tauFacilityWaterS, dt);
  cdu.heatW = liquidTotalW;
  const flow = cdu.flowLpm;
  const lowestSupplyC = cdu.returnC - p.cduHxEffectiveness * min(1, fw) * (cdu.returnC - cdu.facilityC);
  cdu.supplyC = lag(cdu.supplyC, max(cdu.setpointC, lowestSupplyC), p.tauCduSupplyS, dt);
  const riseK = flow > 1 ? min(30, liquidTotalW / (flow * WATER_W_PER_K_PER_LPM)) : 0;
  cdu.returnC = lag(cdu.returnC, cdu.supplyC + riseK, p.tauCduReturnS, dt);
  cdu.rejectW = flow > 1 ? fw * max(0, flow * WATER_W_PER_K_PER_LPM * (cdu.returnC - cdu.supplyC)) : 0;
  cdu.pumpW = cduPumpPowerW(p, cdu.pumpFrac);
  cdu.pumpEnergyWh += (cdu.pumpW * dt) / 3600;

  // ── CRAH zones: what the racks draw, the hot aisle, what each CRAH delivers ──
  const crahs = ctx.crahs;
  for (let z = 0; z < crahs.length; z++) {
    const c = crahs[z] as CrahState;
    const zr = ctx.zoneRacks[z] as RackState[];
    let demand = 0;
    let heat = 0;
    for (let j = 0; j < zr.length; j++) {
      const r = zr[j] as RackState;
      demand += r.airflowM3s;
      heat += r.airflowM3s * r.exhaustC;
    }
    c.demandM3s = demand;
    c.hotC = demand > 0 ? heat / demand : c.returnC;
    const loss = 1 - (1 - (fx.airflowLoss[z] ?? 0)) * (1 - (fx.beltLoss[z] ?? 0));
    c.airflowM3s = (c.fanPct / 100) * p.crahMaxAirflowM3s * (1 - loss);
    const clog = fx.airflowLoss[z] ?? 0;
    c.filterDpPa = (p.filterDpCleanPa * (c.fanPct / 100) ** 2) / (1 - clog) ** 2;
  }

  // ── contained cold aisles: one pressure per aisle, set by supply against demand through the leaks ──
  for (let a = 0; a < ctx.aisles.length; a++) {
    const ai = ctx.aisles[a] as AisleState;
    const cs = ctx.aisleCrahs[a] as CrahState[];
    let supply = 0;
    let demand = 0;
    let supplyHeat = 0;
    let hot = 0;
    for (let j = 0; j < cs.length; j++) {
      const c = cs[j] as CrahState;
      supply += c.airflowM3s;
      demand += c.demandM3s;
      supplyHeat += c.airflowM3s * c.supplyC;
      hot += c.hotC;
    }
    const leak = p.containmentLeakM3sPerSqrtPa * max(1, cs.length);
    const x = (supply - demand) / max(1e-6, leak);
    ai.dpPa = lag(ai.dpPa, clamp(x >= 0 ? x * x : -x * x, -200, 200), p.tauDpS, dt);
    ai.supplyM3s = supply;
    ai.demandM3s = demand;
    ai.short = demand > 0 ? max(0, (demand - supply) / demand) : 0;
    ai.poolC = supply > 1e-6 ? supplyHeat / supply : hot / max(1, cs.length);
  }

  // ── each CRAH: its BMS loops, the coil on the actual chilled water, return air; then its zone's racks ──
  let coilTotalW = 0;
  const m = 1 - p.zoneLocality;
  for (let z = 0; z < crahs.length; z++) {
    const c = crahs[z] as CrahState;
    const ai = ctx.zoneAisle[z] as AisleState;
    const ce = fx.crah[z] as CrahEffects;
    const qs = c.airflowM3s;
    // cold air at this zone's racks: its own CRAH's, mixed with what the aisle's other CRAHs deliver
    const others = ai.supplyM3s - qs;
    const denom = qs + m * others;
    c.coldC = denom > 1e-6 ? (qs * c.supplyC + m * (ai.supplyM3s * ai.poolC - qs * c.supplyC)) / denom : c.hotC;
    const localShort = c.demandM3s > 0 ? max(0, 1 - qs / c.demandM3s) : 0;
    c.short = p.zoneLocality * localShort + (1 - p.zoneLocality) * ai.short;

    const noise = BMS_NOISE_BASE + 3 * z;
    readCrahSensors(
      c,
      p,
      dt,
      ai.dpPa,
      hashNormal(seedHash, noise, step),
      hashNormal(seedHash, noise + 1, step),
      hashNormal(seedHash, noise + 2, step),
    );
    c.running = !ce.tripped;
    controlCrahFan(c, p, dt, ce);
    controlCrahValve(c, p, dt, ce);

    // the coil: ε–NTU with the air side limiting (NTU ∝ airflow^−0.4), heat output linear in valve position
    c.coilWaterC = lag(c.coilWaterC, fw * plant.supplyC + (1 - fw) * c.returnC, p.tauCoilWaterS, dt);
    c.fanW = crahFanPowerW(p, c.fanPct);
    c.fanEnergyWh += (c.fanW * dt) / 3600;
    let supplyTarget = c.returnC;
    c.coilW = 0;
    if (qs > 0.01 * p.crahMaxAirflowM3s) {
      const ntu = p.coilNtuAtMaxAirflow * exp(0.4 * log(p.crahMaxAirflowM3s / qs));
      const eps = (1 - exp(-ntu)) * (c.valvePct / 100);
      const offCoilC = c.returnC - eps * (c.returnC - c.coilWaterC);
      c.coilW = max(0, AIR_RHO_CP * qs * (c.returnC - offCoilC));
      // the fan's power ends up in the air it moves
      supplyTarget = offCoilC + c.fanW / (AIR_RHO_CP * qs);
    }
    c.supplyC = lag(c.supplyC, supplyTarget, p.tauSupplyAirS, dt);
    coilTotalW += fw * c.coilW;

    // return air: the hot aisle, diluted by the aisle's surplus supply air that bypassed the racks
    const bypass = ai.supplyM3s > 1e-6 ? (qs * max(0, ai.supplyM3s - ai.demandM3s)) / ai.supplyM3s : 0;
    const returnTarget = qs > 1e-6 ? ((qs - bypass) * c.hotC + bypass * c.coldC) / qs : c.hotC;
    c.returnC = lag(c.returnC, returnTarget, p.tauReturnAirS, dt);

    // inlets: cold air, mixed with hot-aisle air where the racks draw more than the CRAHs deliver
    const zr = ctx.zoneRacks[z] as RackState[];
    const meanWeight = ctx.zoneMeanWeight[z] as number;
    for (let j = 0; j < zr.length; j++) {
      const r = zr[j] as RackState;
      r.recirculation = min(0.9, (c.short * r.recirculationWeight) / meanWeight);
      const inletTarget = (1 - r.recirculation) * (c.coldC + p.ductGainK) + r.recirculation * c.hotC + r.inletOffsetK;
      r.inletC = lag(r.inletC, inletTarget, p.tauInletS, dt);
      r.exhaustC = lag(r.exhaustC, r.inletC + r.airW / (AIR_RHO_CP * r.airflowM3s), p.tauExhaustS, dt);
    }
  }

  // ── the chilled-water plant: coils, the CDU and the pumps' own heat against the staged chillers ──
  stepPlant(plant, p, dt, fx.plant, coilTotalW + cdu.rejectW + plant.pumpW);
}
