/**
 * What a scenario run records of the twin's ground truth (pure): the report's figures and the time series of
 * its plots, sampled once per simulated minute — fine enough for limits a hall crosses in minutes (a room warms
 * ≈ 2 °C/min after total cooling loss), small enough for a week (10 080 samples per series).
 */
import type { EnergyReport } from '../model/energy';
import type { HallTruth, LostGpuHours } from '../model/hall-model';
import type { Figures } from '../../scenario/metrics';

/** ASHRAE TC 9.9 rate of change: at most 5 °C over any 15 minutes. */
export const ROC_LIMIT_K = 5;
export const ROC_WINDOW_MIN = 15;

export interface RackFigures {
  rack: string;
  maxInletC: number;
  minutesAbove27C: number;
  minutesAbove32C: number;
  rateOfChangeViolations: number;
  gpuThrottleMin: number;
  maxGpuC: number;
}

/** Columnar series, one entry per recorded minute. */
export interface RecordedSeries {
  time: number[];
  inletMinC: number[];
  inletMeanC: number[];
  inletMaxC: number[];
  crahSupplyMeanC: number[];
  crahFanMeanPct: number[];
  chwSupplyC: number[];
  chillersRunning: number[];
  outdoorC: number[];
  cduSupplyC: number[];
  gpuMaxC: number[];
  itKw: number[];
  coolingKw: number[];
  coolingKwh: number[];
}

export class ScenarioRecorder {
  readonly series: RecordedSeries = {
    time: [],
    inletMinC: [],
    inletMeanC: [],
    inletMaxC: [],
    crahSupplyMeanC: [],
    crahFanMeanPct: [],
    chwSupplyC: [],
    chillersRunning: [],
    outdoorC: [],
    cduSupplyC: [],
    gpuMaxC: [],
    itKw: [],
    coolingKw: [],
    coolingKwh: [],
  };
  private readonly racks: RackFigures[];
  /** per rack, the last ROC_WINDOW_MIN + 1 inlet temperatures */
  private readonly history: number[][];
  private anyAbove27 = 0;
  private anyAbove32 = 0;
  private minInletC = Infinity;
  private maxChwC = -Infinity;
  private itKwh = 0;
  private last?: { energy: EnergyReport; lost: LostGpuHours };

  constructor(
    rackIds: readonly string[],
    /** GPU die temperature of thermal slowdown, °C (params.gpuThrottleC) */
    private readonly throttleC: number,
    /** minutes between observations, @default 1 */
    private readonly periodMin = 1,
  ) {
    this.racks = rackIds.map((rack) => ({
      rack,
      maxInletC: -Infinity,
      minutesAbove27C: 0,
      minutesAbove32C: 0,
      rateOfChangeViolations: 0,
      gpuThrottleMin: 0,
      maxGpuC: -Infinity,
    }));
    this.history = rackIds.map(() => []);
  }

  /** One observation, every `periodMin` simulated minutes. */
  observe(t: HallTruth, energy: EnergyReport, lost: LostGpuHours): void {
    const m = this.periodMin;
    let above27 = false;
    let above32 = false;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let gpuMax = -Infinity;
    let itKw = 0;
    t.racks.forEach((r, i) => {
      const f = this.racks[i] as RackFigures;
      const c = r.inletC;
      f.maxInletC = Math.max(f.maxInletC, c);
      f.maxGpuC = Math.max(f.maxGpuC, r.gpuMaxC);
      if (c > 27) {
        f.minutesAbove27C += m;
        above27 = true;
      }
      if (c > 32) {
        f.minutesAbove32C += m;
        above32 = true;
      }
      // the die sits at the throttle point (within sensor-free float noise) while it slows down
      if (r.gpuMaxC >= this.throttleC - 0.2) f.gpuThrottleMin += m;
      const h = this.history[i] as number[];
      h.push(c);
      if (h.length > ROC_WINDOW_MIN / m + 1) h.shift();
      if (h.length > 1 && Math.abs(c - (h[0] as number)) > ROC_LIMIT_K) f.rateOfChangeViolations += m;
      min = Math.min(min, c);
      max = Math.max(max, c);
      sum += c;
      gpuMax = Math.max(gpuMax, r.gpuMaxC);
      itKw += r.powerKw;
    });
    if (above27) this.anyAbove27 += m;
    if (above32) this.anyAbove32 += m;
    this.minInletC = Math.min(this.minInletC, min);
    this.maxChwC = Math.max(this.maxChwC, t.plant.supplyC);
    this.itKwh += (itKw * m) / 60;
    const running = t.crahs.filter((c) => c.running);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    const s = this.series;
    s.time.push(t.time);
    s.inletMinC.push(min);
    s.inletMeanC.push(sum / Math.max(1, t.racks.length));
    s.inletMaxC.push(max);
    s.crahSupplyMeanC.push(mean(running.map((c) => c.supplyC)));
    s.crahFanMeanPct.push(mean(t.crahs.map((c) => c.fanPct)));
    s.chwSupplyC.push(t.plant.supplyC);
    s.chillersRunning.push(t.plant.chillers.filter((c) => c.status === 2).length);
    s.outdoorC.push(t.plant.outdoorC);
    s.cduSupplyC.push(t.cdu.supplyC);
    s.gpuMaxC.push(gpuMax);
    s.itKw.push(itKw);
    s.coolingKw.push(energy.totalKw);
    s.coolingKwh.push(energy.totalKwh);
    this.last = { energy, lost };
  }

  perRack(): RackFigures[] {
    return this.racks.map((r) => ({ ...r }));
  }

  figures(): Figures {
    const cooling = this.last?.energy.totalKwh ?? 0;
    return {
      maxInletC: Math.max(...this.racks.map((r) => r.maxInletC)),
      minutesAbove27C: this.anyAbove27,
      rackMinutesAbove27C: sum(this.racks.map((r) => r.minutesAbove27C)),
      minutesAbove32C: this.anyAbove32,
      rackMinutesAbove32C: sum(this.racks.map((r) => r.minutesAbove32C)),
      minInletC: this.minInletC,
      rateOfChangeViolations: sum(this.racks.map((r) => r.rateOfChangeViolations)),
      maxGpuC: Math.max(...this.racks.map((r) => r.maxGpuC)),
      gpuThrottleRackMin: sum(this.racks.map((r) => r.gpuThrottleMin)),
      thermalGpuHours: this.last?.lost.thermalGpuH ?? 0,
      cappedGpuHours: this.last?.lost.capGpuH ?? 0,
      maxChwSupplyC: this.maxChwC,
      itEnergyKwh: this.itKwh,
      coolingEnergyKwh: cooling,
      coolingPerItEnergy: this.itKwh > 0 ? cooling / this.itKwh : 0,
    };
  }
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
