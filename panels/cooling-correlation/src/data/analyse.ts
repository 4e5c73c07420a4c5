/**
 * The whole analysis, pure: load and response series (any rates, gaps) → one grid → combined load → per response
 * the lagged-correlation curve, the lag with its confidence, the regression at that lag (slope, r²), the cooling
 * effort per IT kW and the periods it lagged beyond the threshold. Problems come back as messages, never throws.
 */
import { laggedCorrelation } from './lagged-correlation';
import { estimateLag, type LagEstimate } from './lag-estimate';
import { laggingPeriods, type LagPeriod } from './lagging-periods';
import { commonGrid, gapShare, medianInterval, resample, type Grid, type RawSeries } from './resample';

export interface NamedSeries extends RawSeries {
  name: string;
  /** Grafana unit id, e.g. `kwatt`, `celsius` */
  unit?: string;
}

export type LoadCombine = 'sum' | 'mean';

export interface AnalysisSettings {
  /** longest lag searched, either way, s. @default 600 */
  maxLagS: number;
  /** grid step, s; 0 = the coarsest native interval. @default 0 */
  resolutionS: number;
  /** neighbours further apart leave a gap, s; 0 = 5 × each series' interval. @default 0 */
  maxGapS: number;
  /** a response lagging more than this is marked on the time axis, s; 0 = off. @default 180 */
  lagThresholdS: number;
  /** window for the lag over time, s; 0 = 4 × maxLagS. @default 0 */
  windowS: number;
  /** how several load series make one: IT power adds up, utilisation averages */
  loadCombine: LoadCombine;
}

export interface ResponseAnalysis {
  name: string;
  unit?: string;
  /** on the grid */
  values: Float64Array;
  /** lag of each curve point, ms, and its r */
  curveLagMs: Float64Array;
  curveR: Float64Array;
  estimate?: LagEstimate;
  /** the estimate in ms */
  lagMs?: number;
  ciMs?: [number, number];
  /** response units per IT kW (per load unit when the load is not power) */
  effortPerKw?: number;
  /** in ms (grid times) */
  laggingPeriods: Array<{ from: number; to: number; lagMs: number }>;
  /** why there is no estimate, or what to be careful about */
  message?: string;
}

export interface Analysis {
  grid: Grid;
  /** grid times, ms */
  times: Float64Array;
  load: { name: string; unit?: string; values: Float64Array };
  responses: ResponseAnalysis[];
  /** notes for the whole analysis (resampling, gaps) */
  notes: string[];
}

export type AnalysisResult = { ok: true; analysis: Analysis } | { ok: false; message: string };

/** Fewer common grid points than this and no lag is estimated. */
export const MIN_GRID_POINTS = 20;

/** IT kW per load unit, for the effort per kW. */
const KW_PER_UNIT: Record<string, number> = { watt: 1e-3, kwatt: 1, megwatt: 1e3, gwatt: 1e6 };

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${+(ms / 1000).toFixed(2)} s`;
}

function isConstant(v: Float64Array): boolean {
  let first = NaN;
  for (let i = 0; i < v.length; i++) {
    if (Number.isNaN(v[i])) {
      continue;
    }
    if (Number.isNaN(first)) {
      first = v[i];
    } else if (v[i] !== first) {
      return false;
    }
  }
  return true;
}

function combine(parts: Float64Array[], how: LoadCombine): Float64Array {
  const out = new Float64Array(parts[0].length);
  for (let k = 0; k < out.length; k++) {
    let sum = 0;
    let count = 0;
    for (const p of parts) {
      if (!Number.isNaN(p[k])) {
        sum += p[k];
        count++;
      }
    }
    // a sum with a part missing would dip: a gap in any part is a gap in the sum
    out[k] = how === 'sum' ? (count === parts.length ? sum : NaN) : count > 0 ? sum / count : NaN;
  }
  return out;
}

export function analyse(loads: NamedSeries[], responses: NamedSeries[], s: AnalysisSettings): AnalysisResult {
  if (loads.length === 0) {
    return { ok: false, message: 'No load series: choose IT power, GPU power or utilisation under Series → Load.' };
  }
  if (responses.length === 0) {
    return {
      ok: false,
      message: 'No response series: choose a cooling signal (fan, valve, flow, temperature) under Series → Response.',
    };
  }
  const all = [...loads, ...responses];
  const sparse = all.filter((x) => !Number.isFinite(medianInterval(x)));
  if (sparse.length > 0) {
    return {
      ok: false,
      message: `Too little data: ${sparse.map((x) => x.name).join(', ')} has fewer than two samples in the range.`,
    };
  }
  const grid = commonGrid(all, { stepMs: s.resolutionS * 1000, maxGapMs: s.maxGapS * 1000, maxPoints: 200_000 });
  if (!grid || grid.length < MIN_GRID_POINTS) {
    return {
      ok: false,
      message: grid
        ? `Too little data: the series overlap for ${grid.length} samples of ${seconds(grid.step)}; at least ${MIN_GRID_POINTS} are needed. Widen the time range.`
        : 'Too little data: the load and response series do not overlap in time.',
    };
  }
  const notes: string[] = [];
  const intervals = all.map(medianInterval);
  if (Math.max(...intervals) > 1.5 * Math.min(...intervals)) {
    notes.push(
      `Sampling rates differ (${seconds(Math.min(...intervals))}–${seconds(Math.max(...intervals))}): resampled to ${seconds(grid.step)}.`
    );
  }
  const maxGapMs = s.maxGapS * 1000;
  const loadParts = loads.map((l) => resample(l, grid, maxGapMs));
  const load = combine(loadParts, s.loadCombine);
  const loadName = loads.length === 1 ? loads[0].name : `${s.loadCombine} of ${loads.length} load series`;
  for (const [series, values] of loads.map((l, i) => [l, loadParts[i]] as const)) {
    const share = gapShare(values);
    if (share > 0.2) {
      notes.push(`${series.name}: ${Math.round(share * 100)} % of the range is gaps.`);
    }
  }
  if (isConstant(load)) {
    return {
      ok: false,
      message: `${loadName} is constant over the range: there is no load change for cooling to follow.`,
    };
  }
  const times = new Float64Array(grid.length);
  for (let k = 0; k < grid.length; k++) {
    times[k] = grid.start + k * grid.step;
  }
  let maxLag = Math.max(1, Math.round((s.maxLagS * 1000) / grid.step));
  if (maxLag > grid.length / 2) {
    maxLag = Math.floor(grid.length / 2);
    notes.push(`Lags searched up to ${seconds(maxLag * grid.step)} only: the range holds ${grid.length} samples.`);
  }
  const unit = loads[0].unit;
  const kwPerUnit = unit ? KW_PER_UNIT[unit] : undefined;
  const result: ResponseAnalysis[] = responses.map((resp) => {
    const values = resample(resp, grid, maxGapMs);
    const curve = laggedCorrelation(load, values, maxLag);
    const curveLagMs = Float64Array.from(curve.lags, (l) => l * grid.step);
    const base = { name: resp.name, unit: resp.unit, values, curveLagMs, curveR: curve.r, laggingPeriods: [] };
    if (isConstant(values)) {
      return { ...base, message: `${resp.name} is constant over the range: it does not follow the load.` };
    }
    const estimate = estimateLag(load, values, curve);
    if (!estimate) {
      return { ...base, message: `${resp.name}: too few samples overlap the load at any lag.` };
    }
    const share = gapShare(values);
    const messages: string[] = [];
    if (share > 0.2) {
      messages.push(`${Math.round(share * 100)} % of the range is gaps`);
    }
    if (estimate.atEdge) {
      messages.push(
        `the best lag is at the edge of the ±${seconds(maxLag * grid.step)} searched: raise the maximum lag`
      );
    }
    const threshold = Math.round((s.lagThresholdS * 1000) / grid.step);
    const periods: LagPeriod[] =
      s.lagThresholdS > 0
        ? laggingPeriods(load, values, {
            window: Math.round(((s.windowS > 0 ? s.windowS : 4 * s.maxLagS) * 1000) / grid.step),
            maxLag,
            threshold,
          })
        : [];
    return {
      ...base,
      estimate,
      lagMs: estimate.lag * grid.step,
      ciMs: [estimate.ci[0] * grid.step, estimate.ci[1] * grid.step],
      effortPerKw: kwPerUnit ? estimate.fit.slope / kwPerUnit : estimate.fit.slope,
      laggingPeriods: periods.map((p) => ({ from: times[p.from], to: times[p.to], lagMs: p.lag * grid.step })),
      message: messages.length ? messages.join('; ') : undefined,
    };
  });
  return {
    ok: true,
    analysis: { grid, times, load: { name: loadName, unit, values: load }, responses: result, notes },
  };
}
