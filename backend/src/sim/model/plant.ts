/**
 * The chilled-water plant: air-cooled chillers whose capacity and COP follow the outdoor and the leaving-water
 * temperature, a sequencer that stages them on load and on supply temperature (with the delays real sequencers
 * have), one chilled-water pump per running chiller, and the loop's water as two mixed tanks (supply and return
 * headers) whose thermal mass makes the supply temperature rise when the load exceeds the staged capacity.
 * params.ts cites the source of every number.
 */
import type { ChillerState, PlantState } from './hall-state';
import { type SimParams, WATER_J_PER_M3_K, WATER_W_PER_K_PER_LPM, chwFlowPerChillerLpm } from './params';
import { clamp, lag } from './physics';

// module-local copies: under Jest's sandbox every global lookup (Math.*) in a hot loop is several times slower
const { PI, cos, max, min } = Math;

/** DOE-2 part-load curve of electric input (EIRFPLR), a + b·PLR + c·PLR² (params.ts [DOE-2]). */
const EIR_PLR = [0.222903, 0.313387, 0.46371] as const;

/** What faults do to the plant this step. */
export interface PlantEffects {
  /** per chiller: held off by a chiller_trip (or every chiller by chw_loss) */
  chillerTripped: boolean[];
  /** share of design flow that still circulates (chw_loss residual), 0…1 */
  flowFrac: number;
}

/** Outdoor air temperature at `t` (Unix ms, UTC): a cosine over the day peaking at `outdoorPeakHour`, °C. */
export function outdoorCycleC(p: SimParams, t: number): number {
  const hour = (t % 86_400_000) / 3_600_000;
  return p.outdoorMeanC + p.outdoorSwingK * cos((2 * PI * (hour - p.outdoorPeakHour)) / 24);
}

/** Capacity of one chiller at a leaving-water and an outdoor temperature, W (linear correction factors [York]). */
export function chillerCapacityW(p: SimParams, leavingC: number, outdoorC: number): number {
  const fLwt = clamp(1 + p.chillerCapPerKLwt * (leavingC - 12), 0.6, 1.5);
  const fOut = clamp(1 - p.chillerCapPerKOutdoor * (outdoorC - 35), 0.5, 1.4);
  return p.chillerRatedKw * 1000 * fLwt * fOut;
}

/**
 * Full-load COP: a share of the Carnot COP between the evaporating (leaving water − approach) and condensing
 * (outdoor + approach) temperatures; the lift is held at ≥ 10 K (the compressor's minimum pressure ratio).
 */
export function chillerCop(p: SimParams, leavingC: number, outdoorC: number): number {
  const evapK = leavingC - p.chillerEvapApproachK + 273.15;
  const condK = outdoorC + p.chillerCondApproachK + 273.15;
  return (p.chillerCarnotEfficiency * evapK) / max(10, condK - evapK);
}

/** Electric input of one chiller delivering `loadW` of its `capW` at `cop` (full load), W [DOE-2]. */
export function chillerPowerW(capW: number, loadW: number, cop: number): number {
  if (capW <= 0 || cop <= 0) return 0;
  const plr = clamp(loadW / capW, 0, 1);
  return (capW / cop) * (EIR_PLR[0] + EIR_PLR[1] * plr + EIR_PLR[2] * plr * plr);
}

const enabled = (c: ChillerState) => c.status === 1 || c.status === 2;

/** Starts the next available chiller (lowest number, off for at least its minimum off time). */
function startNext(pl: PlantState, p: SimParams): boolean {
  for (const c of pl.chillers) {
    if (c.status === 0 && c.timerS >= p.chillerMinOffS) {
      c.status = 1;
      c.timerS = 0;
      c.loadLimit = 0;
      c.startSeq = ++pl.startSeq;
      return true;
    }
  }
  return false;
}

/** Stops the enabled chiller started last. */
function stopLast(pl: PlantState): void {
  let last: ChillerState | undefined;
  for (const c of pl.chillers) if (enabled(c) && (!last || c.startSeq > last.startSeq)) last = c;
  if (!last) return;
  last.status = 0;
  last.timerS = 0;
  last.loadW = 0;
  last.powerW = 0;
}

/**
 * One step of the plant: trips, the sequencer, the chillers' output, the loop's supply and return temperatures,
 * electric power and energy. `loadW` is the heat the coils, the CDU and the pumps put into the water this step.
 */
export function stepPlant(pl: PlantState, p: SimParams, dt: number, fx: PlantEffects, loadW: number): void {
  const chillers = pl.chillers;
  pl.loadW = loadW;

  // ── trips: a running chiller that trips is replaced at once by a standby (the sequencer's failover) ──
  let failover = false;
  for (let i = 0; i < chillers.length; i++) {
    const c = chillers[i] as ChillerState;
    const tripped = fx.chillerTripped[i] === true;
    if (tripped && c.status !== 3) {
      if (enabled(c)) failover = true;
      c.status = 3;
      c.timerS = 0;
      c.loadW = 0;
      c.powerW = 0;
    } else if (!tripped && c.status === 3) {
      // reset: available again once its anti-recycle time (counted from the trip) has passed
      c.status = 0;
    }
  }

  // ── pumps and flow: one pump per enabled chiller, the lead pump always (the loads need circulation) ──
  let on = 0;
  for (const c of chillers) if (enabled(c)) on++;
  pl.pumpsOn = max(1, on);
  pl.flowAvail = fx.flowFrac;
  pl.flowLpm = pl.pumpsOn * chwFlowPerChillerLpm(p) * fx.flowFrac;
  const fc = pl.flowLpm * WATER_W_PER_K_PER_LPM;

  // ── chillers: capacity at the current temperatures, the load shared by capacity ──
  let available = 0;
  let fullCap = 0;
  let lastCap = 0;
  let lastSeq = -1;
  for (const c of chillers) {
    c.capW = chillerCapacityW(p, pl.supplyC, pl.outdoorC);
    if (c.status === 2) available += c.capW * c.loadLimit;
    if (enabled(c)) {
      fullCap += c.capW;
      if (c.startSeq > lastSeq) [lastSeq, lastCap] = [c.startSeq, c.capW];
    }
  }
  // chillers stop on low flow (flow switch): with the flow gone nothing is cooled
  if (fx.flowFrac < 0.3) available = 0;
  const neededW = max(0, fc * (pl.returnC - pl.setpointC));
  pl.coolingW = min(available, neededW);
  const cop = chillerCop(p, pl.supplyC, pl.outdoorC);
  pl.cop = pl.coolingW > 0 ? cop : 0;
  for (const c of chillers) {
    c.loadW = c.status === 2 && available > 0 ? (pl.coolingW * c.capW * c.loadLimit) / available : 0;
    c.powerW = c.status === 2 ? chillerPowerW(c.capW, c.loadW, cop) : 0;
    c.energyWh += (c.powerW * dt) / 3600;
  }

  // ── the loop: supply header follows what leaves the chillers, return header what leaves the loads ──
  const halfC = (WATER_J_PER_M3_K * p.chwLoopVolumeM3) / 2;
  if (fc > 1) {
    const leavingC = pl.returnC - pl.coolingW / fc;
    pl.supplyC = lag(pl.supplyC, leavingC, halfC / fc, dt);
    pl.returnC = lag(pl.returnC, pl.supplyC + loadW / fc, halfC / fc, dt);
  } else {
    // no circulation: the headers' water only mixes slowly by conduction (the loads warm their own water)
    pl.supplyC = lag(pl.supplyC, pl.returnC, 600, dt);
  }

  // ── pumps' power (∝ speed³: a pump that lost flow has stopped) and energy ──
  pl.pumpW = pl.pumpsOn * p.chwPumpRatedKw * 1000 * fx.flowFrac * fx.flowFrac * fx.flowFrac;
  pl.pumpEnergyWh += (pl.pumpW * dt) / 3600;

  // ── chillers' own sequences: start-up, soft loading, off timers ──
  for (const c of chillers) {
    c.timerS += dt;
    if (c.status === 1 && c.timerS >= p.chillerStartS) {
      c.status = 2;
      c.timerS = 0;
      c.loadLimit = 0;
    } else if (c.status === 2) {
      c.loadLimit = p.chillerRampS > 0 ? min(1, c.loadLimit + dt / p.chillerRampS) : 1;
    }
  }

  // ── the sequencer ──
  pl.sinceStageS += dt;
  on = 0;
  for (const c of chillers) if (enabled(c)) on++;
  if (failover || on < p.chillersMinRunning || (on === 0 && neededW > 0)) {
    if (startNext(pl, p)) {
      pl.sinceStageS = 0;
      pl.upTimerS = 0;
      pl.downTimerS = 0;
    }
    return;
  }
  const up = neededW > p.stageUpLoadShare * fullCap || pl.supplyC > pl.setpointC + p.stageUpSupplyOffsetK;
  pl.upTimerS = up ? pl.upTimerS + dt : 0;
  const down =
    on > max(1, p.chillersMinRunning) &&
    neededW < p.stageDownLoadShare * (fullCap - lastCap) &&
    pl.supplyC <= pl.setpointC + 0.5;
  pl.downTimerS = down ? pl.downTimerS + dt : 0;
  if (pl.sinceStageS < p.minStageIntervalS) return;
  if (pl.upTimerS >= p.stageUpDelayS) {
    if (startNext(pl, p)) {
      pl.sinceStageS = 0;
      pl.upTimerS = 0;
    }
  } else if (pl.downTimerS >= p.stageDownDelayS) {
    stopLast(pl);
    pl.sinceStageS = 0;
    pl.downTimerS = 0;
  }
}

/** Chillers with their compressor running (starting ones not counted). */
export function chillersRunning(pl: PlantState): number {
  let n = 0;
  for (const c of pl.chillers) if (c.status === 2) n++;
  return n;
}

/** Electric power of the plant (chillers and chilled-water pumps), W. */
export function plantPowerW(pl: PlantState): number {
  let w = pl.pumpW;
  for (const c of pl.chillers) w += c.powerW;
  return w;
}
