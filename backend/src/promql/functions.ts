import type { Expr } from './ast';
import { ExecutionError } from './errors';
import { compileRegex } from './parse';
import { METRIC_NAME, type Labels } from './labels';
import type { StepSeries } from './eval';

/**
 * PromQL functions over numbers, written after Prometheus 2.42's promql/functions.go (same formulas, same edge
 * cases: at least two samples for rate, NaN handling of min/max, extrapolation of rate/increase/delta).
 */

export interface WindowContext {
  /** the window [rangeStart, rangeEnd], ms */
  rangeStart: number;
  rangeEnd: number;
  range: number;
  /** the step's evaluation time, ms (predict_linear's intercept time) */
  evalTime: number;
  /** the function's scalar arguments at this step, in order */
  scalars: number[];
}

/** A function of one window of samples `t[a..b)`, `v[a..b)` (b > a); undefined: no output at this step. */
export type RangeFn = (
  t: readonly number[],
  v: readonly number[],
  a: number,
  b: number,
  ctx: WindowContext,
) => number | undefined;

function kahanInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** quantile with linear interpolation between ranks, NaN first (Prometheus' quantile). */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (Number.isNaN(q)) return NaN;
  const sorted = [...values].sort((x, y) => (Number.isNaN(x) ? -1 : Number.isNaN(y) ? 1 : x - y));
  const n = sorted.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower]! * (1 - weight) + sorted[upper]! * weight;
}

function extrapolatedRate(isCounter: boolean, isRate: boolean): RangeFn {
  return (t, v, a, b, ctx) => {
    if (b - a < 2) return undefined;
    const first = v[a]!;
    const last = v[b - 1]!;
    let result = last - first;
    if (isCounter) {
      let prev = 0;
      for (let i = a; i < b; i++) {
        if (v[i]! < prev) result += prev;
        prev = v[i]!;
      }
    }
    let durationToStart = (t[a]! - ctx.rangeStart) / 1000;
    const durationToEnd = (ctx.rangeEnd - t[b - 1]!) / 1000;
    const sampled = (t[b - 1]! - t[a]!) / 1000;
    const avgBetween = sampled / (b - a - 1);
    if (isCounter && result > 0 && first >= 0) {
      const durationToZero = sampled * (first / result);
      if (durationToZero < durationToStart) durationToStart = durationToZero;
    }
    const threshold = avgBetween * 1.1;
    let interval = sampled;
    interval += durationToStart < threshold ? durationToStart : avgBetween / 2;
    interval += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
    result = result * (interval / sampled);
    if (isRate) result = result / (ctx.range / 1000);
    return result;
  };
}

function instantDelta(isRate: boolean): RangeFn {
  return (t, v, a, b) => {
    if (b - a < 2) return undefined;
    const last = v[b - 1]!;
    const prev = v[b - 2]!;
    const result = isRate && last < prev ? last : last - prev;
    const dt = t[b - 1]! - t[b - 2]!;
    if (dt === 0) return undefined;
    return isRate ? result / (dt / 1000) : result;
  };
}

/** Least-squares slope and intercept at `interceptTime` (ms), x in seconds; Kahan sums as Prometheus. */
function linearRegression(t: readonly number[], v: readonly number[], a: number, b: number, interceptTime: number) {
  let n = 0;
  let sumX = 0,
    cX = 0,
    sumY = 0,
    cY = 0,
    sumXY = 0,
    cXY = 0,
    sumX2 = 0,
    cX2 = 0;
  const initY = v[a]!;
  let constY = true;
  for (let i = a; i < b; i++) {
    const y = v[i]!;
    if (constY && i > a && y !== initY) constY = false;
    n += 1;
    const x = (t[i]! - interceptTime) / 1e3;
    [sumX, cX] = kahanInc(x, sumX, cX);
    [sumY, cY] = kahanInc(y, sumY, cY);
    [sumXY, cXY] = kahanInc(x * y, sumXY, cXY);
    [sumX2, cX2] = kahanInc(x * x, sumX2, cX2);
  }
  if (constY) {
    if (!Number.isFinite(initY) && !Number.isNaN(initY)) return { slope: NaN, intercept: NaN };
    return { slope: 0, intercept: initY };
  }
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return { slope, intercept: sumY / n - (slope * sumX) / n };
}

function stdvarOverTime(v: readonly number[], a: number, b: number): number {
  let count = 0;
  let mean = 0,
    cMean = 0,
    aux = 0,
    cAux = 0;
  for (let i = a; i < b; i++) {
    const x = v[i]!;
    count++;
    const delta = x - (mean + cMean);
    [mean, cMean] = kahanInc(delta / count, mean, cMean);
    [aux, cAux] = kahanInc(delta * (x - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

export const RANGE_FUNCTIONS: Readonly<Record<string, RangeFn>> = {
  rate: extrapolatedRate(true, true),
  increase: extrapolatedRate(true, false),
  delta: extrapolatedRate(false, false),
  irate: instantDelta(true),
  idelta: instantDelta(false),
  deriv: (t, v, a, b) => (b - a < 2 ? undefined : linearRegression(t, v, a, b, t[a]!).slope),
  predict_linear: (t, v, a, b, ctx) => {
    if (b - a < 2) return undefined;
    const { slope, intercept } = linearRegression(t, v, a, b, ctx.evalTime);
    return slope * ctx.scalars[0]! + intercept;
  },
  avg_over_time: (_t, v, a, b) => {
    let mean = 0,
      c = 0,
      count = 0;
    for (let i = a; i < b; i++) {
      const x = v[i]!;
      count++;
      if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
        if (!Number.isFinite(x) && !Number.isNaN(x) && mean > 0 === x > 0) continue;
        if (Number.isFinite(x)) continue;
      }
      [mean, c] = kahanInc(x / count - mean / count, mean, c);
    }
    return !Number.isFinite(mean) && !Number.isNaN(mean) ? mean : mean + c;
  },
  sum_over_time: (_t, v, a, b) => {
    let sum = 0,
      c = 0;
    for (let i = a; i < b; i++) [sum, c] = kahanInc(v[i]!, sum, c);
    return !Number.isFinite(sum) && !Number.isNaN(sum) ? sum : sum + c;
  },
  count_over_time: (_t, _v, a, b) => b - a,
  min_over_time: (_t, v, a, b) => {
    let m = v[a]!;
    for (let i = a; i < b; i++) if (v[i]! < m || Number.isNaN(m)) m = v[i]!;
    return m;
  },
  max_over_time: (_t, v, a, b) => {
    let m = v[a]!;
    for (let i = a; i < b; i++) if (v[i]! > m || Number.isNaN(m)) m = v[i]!;
    return m;
  },
  last_over_time: (_t, v, _a, b) => v[b - 1]!,
  present_over_time: () => 1,
  stdvar_over_time: (_t, v, a, b) => stdvarOverTime(v, a, b),
  stddev_over_time: (_t, v, a, b) => Math.sqrt(stdvarOverTime(v, a, b)),
  quantile_over_time: (_t, v, a, b, ctx) => quantile(ctx.scalars[0]!, v.slice(a, b)),
  changes: (_t, v, a, b) => {
    let n = 0;
    for (let i = a + 1; i < b; i++) {
      const cur = v[i]!;
      const prev = v[i - 1]!;
      if (cur !== prev && !(Number.isNaN(cur) && Number.isNaN(prev))) n++;
    }
    return n;
  },
  resets: (_t, v, a, b) => {
    let n = 0;
    for (let i = a + 1; i < b; i++) if (v[i]! < v[i - 1]!) n++;
    return n;
  },
};

/** Go's math.Pow where it differs from `**`: 1^y = 1 and (−1)^±Inf = 1. */
function pow(x: number, y: number): number {
  if (x === 1 || y === 0) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

export type InstantFn = (x: number, scalars: readonly number[]) => number | undefined;

export const INSTANT_FUNCTIONS: Readonly<Record<string, InstantFn>> = {
  abs: Math.abs,
  ceil: Math.ceil,
  floor: Math.floor,
  exp: Math.exp,
  sqrt: Math.sqrt,
  ln: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sgn: (x) => (x < 0 ? -1 : x > 0 ? 1 : x),
  round: (x, [toNearest = 1]) => {
    const inv = 1 / toNearest;
    return Math.floor(x * inv + 0.5) / inv;
  },
  clamp: (x, [min, max]) => (max! < min! ? undefined : Math.max(min!, Math.min(max!, x))),
  clamp_min: (x, [min]) => Math.max(min!, x),
  clamp_max: (x, [max]) => Math.min(max!, x),
};

export { pow };

/** absent()'s labels: the selector's equality matchers, except the metric name and labels matched twice or otherwise. */
export function absentLabels(arg: Expr): Labels {
  const sel = arg.kind === 'vector' ? arg : arg.kind === 'matrix' ? arg.selector : undefined;
  const out = new Map<string, string>();
  if (!sel) return out;
  const drop: string[] = [];
  for (const m of sel.matchers) {
    if (m.name === METRIC_NAME) continue;
    if (m.type === '=' && !out.has(m.name)) out.set(m.name, m.value);
    else drop.push(m.name);
  }
  for (const d of drop) out.delete(d);
  return out;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Go regexp's Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(
    /\$(\$|\{([^}]*)\}|([a-zA-Z0-9_]+))/g,
    (all, what: string, braced?: string, bare?: string) => {
      if (what === '$') return '$';
      const name = braced ?? bare ?? '';
      if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
      return m.groups?.[name] ?? '';
    },
  );
}

export function labelReplace(
  input: readonly StepSeries[],
  dst: string,
  repl: string,
  src: string,
  re: string,
): StepSeries[] {
  const regex = compileRegex(
    re,
    `the label_replace() regex ${JSON.stringify(re.length > 80 ? `${re.slice(0, 80)}…` : re)}`,
  );
  if (!LABEL_NAME.test(dst)) throw new ExecutionError(`invalid destination label name in label_replace(): ${dst}`);
  return input.map((s) => {
    const m = regex.exec(s.labels.get(src) ?? '');
    if (!m) return s;
    const value = expand(repl, m);
    const labels = new Map(s.labels);
    if (value === '') labels.delete(dst);
    else labels.set(dst, value);
    return { labels, v: s.v };
  });
}
