import type { Aggregate, At, Binary, Call, Expr, MatrixSelector, Subquery, VectorSelector } from './ast';
import { aggregate } from './aggregate';
import { binary } from './binary';
import { ExecutionError, PromError } from './errors';
import { INSTANT_FUNCTIONS, RANGE_FUNCTIONS, absentLabels, labelReplace, type RangeFn } from './functions';
import { dropName, labelsKey, type Labels } from './labels';
import { typeOf } from './parse';
import { rollupStat, type RollupStat } from './rollup-plan';
import { lowerBound, type RawSamples, type SampleSource } from './source';

/** One series of an instant vector evaluated at every step: `v[i]` is its value at step i, undefined when absent. */
export interface StepSeries {
  labels: Labels;
  v: Array<number | undefined>;
}

export type Value =
  | { kind: 'scalar'; v: number[] }
  | { kind: 'vector'; series: StepSeries[] }
  /** a range vector at a single instant (an instant query of `x[5m]`): raw samples */
  | { kind: 'matrix'; series: Array<{ labels: Labels; t: number[]; v: number[] }> }
  | { kind: 'string'; value: string };

/** A range vector over the steps: the series' samples (stale markers dropped) and, per step, its window's end. */
export interface RangeSeries {
  labels: Labels;
  t: number[];
  v: number[];
}

export interface RangeWindows {
  series: RangeSeries[];
  /** per step, the window's end (ms, inclusive); the window is [end − range, end] as in Prometheus 2.x */
  ends: number[];
  range: number;
  /** some samples are rollup buckets (raw retention expired), read for the statistic asked (rollup-plan.ts) */
  rolled?: boolean;
}

export interface EvalOptions {
  /** how far back an instant selector looks for a sample, ms. @default 300000 (Prometheus' 5 min) */
  lookbackDelta?: number;
  /** step of a subquery written without one (`x[1h:]`), ms: Prometheus' global evaluation_interval. @default 60000 */
  subqueryStep?: number;
  /** most samples one query may load; beyond, an execution error. @default 50 000 000 (Prometheus' --query.max-samples) */
  maxSamples?: number;
  /** the query is abandoned with a timeout error after this time (Unix ms) */
  deadline?: number;
}

/**
 * Evaluates PromQL at a list of steps (an instant query is one step), over a SampleSource. Every node yields its
 * value at all steps at once, like Prometheus' rangeEval, so a range query reads each selector's samples once.
 * Pure: no I/O beyond the source, no clock (the deadline is compared with Date.now only when given).
 */
export class Evaluator {
  private readonly lookback: number;
  private readonly subStep: number;
  private readonly maxSamples: number;
  private loaded = 0;

  constructor(
    private readonly source: SampleSource,
    /** the query's start and end (ms), for `@ start()` and `@ end()` */
    private readonly start: number,
    private readonly end: number,
    private readonly opts: EvalOptions = {},
  ) {
    this.lookback = opts.lookbackDelta ?? 300_000;
    this.subStep = opts.subqueryStep ?? 60_000;
    this.maxSamples = opts.maxSamples ?? 50_000_000;
  }

  eval(e: Expr, ts: readonly number[]): Value {
    this.checkDeadline();
    switch (e.kind) {
      case 'number':
        return { kind: 'scalar', v: ts.map(() => e.value) };
      case 'string':
        return { kind: 'string', value: e.value };
      case 'vector':
        return { kind: 'vector', series: this.selector(e, ts) };
      case 'matrix':
      case 'subquery':
        return this.rawMatrix(e, ts);
      case 'unary': {
        const v = this.eval(e.expr, ts);
        if (e.op === '+') return v;
        if (v.kind === 'scalar') return { kind: 'scalar', v: v.v.map((x) => -x) };
        if (v.kind !== 'vector') throw new PromError('internal', 'unary minus on a non-numeric value');
        return {
          kind: 'vector',
          series: collect(
            v.series.map((s) => ({ labels: dropName(s.labels), v: s.v.map((x) => (x === undefined ? x : -x)) })),
          ),
        };
      }
      case 'aggregate':
        return this.aggregate(e, ts);
      case 'binary':
        return this.binary(e, ts);
      case 'call':
        return this.call(e, ts);
    }
  }

  vector(e: Expr, ts: readonly number[]): StepSeries[] {
    const v = this.eval(e, ts);
    if (v.kind === 'vector') return v.series;
    throw new PromError('internal', `expected an instant vector, got ${v.kind}`);
  }

  scalar(e: Expr, ts: readonly number[]): number[] {
    const v = this.eval(e, ts);
    if (v.kind === 'scalar') return v.v;
    throw new PromError('internal', `expected a scalar, got ${v.kind}`);
  }

  private checkDeadline(): void {
    if (this.opts.deadline !== undefined && Date.now() > this.opts.deadline)
      throw new PromError('timeout', 'query timed out in expression evaluation');
  }

  private count(n: number): void {
    this.loaded += n;
    if (this.loaded > this.maxSamples)
      throw new ExecutionError(
        `query processing would load too many samples into memory in query execution (more than ${this.maxSamples})`,
      );
  }

  private atTime(at: At | undefined, t: number): number {
    if (at === undefined) return t;
    if (at === 'start') return this.start;
    if (at === 'end') return this.end;
    return at;
  }

  /** The instant vector selector at each step: the newest sample within the lookback delta, unless it is stale. */
  private selector(e: VectorSelector, ts: readonly number[], withTime = false): StepSeries[] {
    const refs = ts.map((t) => this.atTime(e.at, t) - e.offset);
    if (refs.length === 0) return [];
    const lo = Math.min(...refs) - this.lookback;
    const hi = Math.max(...refs);
    const out: StepSeries[] = [];
    const selected = this.source.select(e.matchers);
    // one step at or after a series' newest sample (an alert rule at "now"): that sample is the answer
    const newest = refs.length === 1 && this.source.newest ? this.source.newest(selected) : undefined;
    const r0 = refs[0]!;
    for (let k = 0; k < selected.length; k++) {
      const ref = selected[k]!;
      const n = newest?.[k];
      if (n === null) continue;
      if (n !== undefined && n.t <= r0) {
        this.count(1);
        if (n.t >= r0 - this.lookback && n.v !== null)
          out.push({ labels: ref.labels, v: [withTime ? n.t / 1000 : n.v] });
        continue;
      }
      const s = this.source.samples(ref, lo, hi);
      this.count(s.t.length);
      const v = lookbackValues(s, refs, this.lookback, withTime);
      if (v) out.push({ labels: ref.labels, v });
    }
    return out;
  }

  /** A range vector argument, for every step. */
  windows(e: Expr, ts: readonly number[], stat?: RollupStat): RangeWindows {
    if (e.kind === 'matrix') return this.matrixWindows(e, ts, stat);
    if (e.kind === 'subquery') return this.subqueryWindows(e, ts);
    throw new PromError('internal', `expected a range vector, got ${e.kind}`);
  }

  private matrixWindows(e: MatrixSelector, ts: readonly number[], stat?: RollupStat): RangeWindows {
    const sel = e.selector;
    const ends = ts.map((t) => this.atTime(sel.at, t) - sel.offset);
    const series: RangeSeries[] = [];
    let rolled = false;
    if (ends.length) {
      const lo = Math.min(...ends) - e.range;
      const hi = Math.max(...ends);
      for (const ref of this.source.select(sel.matchers)) {
        const s = this.source.samples(ref, lo, hi, stat);
        if (s.bucketMs) rolled = true;
        this.count(s.t.length);
        const t: number[] = [];
        const v: number[] = [];
        const { stale } = s;
        for (let i = 0; i < s.t.length; i++) {
          if (stale?.[i]) continue;
          t.push(s.t[i]!);
          v.push(s.v[i]!);
        }
        if (t.length) series.push({ labels: ref.labels, t, v });
      }
    }
    return { series, ends, range: e.range, rolled };
  }

  /**
   * A subquery: its expression evaluated at steps aligned to multiples of its step (from the first after
   * start − offset − range to end − offset), as Prometheus 2.x evaluates it, then windowed like a range selector.
   */
  private subqueryWindows(e: Subquery, ts: readonly number[]): RangeWindows {
    const step = e.step ?? this.subStep;
    if (step <= 0) throw new PromError('bad_data', 'subquery step must be greater than 0');
    const ends = ts.map((t) => this.atTime(e.at, t) - e.offset);
    if (ends.length === 0) return { series: [], ends, range: e.range };
    const first = Math.min(...ends) - e.range;
    const last = Math.max(...ends);
    let s0 = step * Math.trunc(first / step);
    if (s0 < first) s0 += step;
    const inner: number[] = [];
    for (let t = s0; t <= last; t += step) inner.push(t);
    if (inner.length > 11_000 * 100)
      throw new ExecutionError(`subquery of ${inner.length} steps: too many (use a larger subquery step)`);
    const v = this.eval(e.expr, inner);
    const stepSeries: StepSeries[] =
      v.kind === 'scalar' ? [{ labels: new Map(), v: v.v } as StepSeries] : v.kind === 'vector' ? v.series : [];
    const series = stepSeries.map((s) => {
      const t: number[] = [];
      const vals: number[] = [];
      s.v.forEach((x, i) => {
        if (x !== undefined) {
          t.push(inner[i]!);
          vals.push(x);
        }
      });
      return { labels: s.labels, t, v: vals };
    });
    return { series: series.filter((s) => s.t.length > 0), ends, range: e.range };
  }

  /** An instant query of a range vector (`x[5m]`): the raw samples of its one window. */
  private rawMatrix(e: MatrixSelector | Subquery, ts: readonly number[]): Value {
    const w = this.windows(e, ts);
    const end = w.ends[w.ends.length - 1] ?? 0;
    return {
      kind: 'matrix',
      series: w.series.flatMap((s) => {
        const a = lowerBound(s.t, end - w.range);
        const b = lowerBound(s.t, end + 1);
        return b > a ? [{ labels: s.labels, t: s.t.slice(a, b), v: s.v.slice(a, b) }] : [];
      }),
    };
  }

  private aggregate(e: Aggregate, ts: readonly number[]): Value {
    const input = this.vector(e.expr, ts);
    const param = e.param ? this.scalar(e.param, ts) : undefined;
    return { kind: 'vector', series: aggregate(e, input, param, ts.length) };
  }

  private binary(e: Binary, ts: readonly number[]): Value {
    const l = this.eval(e.lhs, ts);
    const r = this.eval(e.rhs, ts);
    const out = binary(e, l, r, ts.length);
    return out.kind === 'vector' ? { kind: 'vector', series: collect(out.series) } : out;
  }

  private call(e: Call, ts: readonly number[]): Value {
    const n = ts.length;
    switch (e.name) {
      case 'time':
        return { kind: 'scalar', v: ts.map((t) => t / 1000) };
      case 'vector':
        return { kind: 'vector', series: [{ labels: new Map(), v: this.scalar(e.args[0]!, ts) }] };
      case 'scalar': {
        const s = this.vector(e.args[0]!, ts);
        return {
          kind: 'scalar',
          v: ts.map((_, i) => {
            const present = s.filter((x) => x.v[i] !== undefined);
            return present.length === 1 ? present[0]!.v[i]! : NaN;
          }),
        };
      }
      case 'timestamp': {
        const arg = e.args[0]!;
        const series =
          arg.kind === 'vector'
            ? this.selector(arg, ts, true)
            : this.vector(arg, ts).map((s) => ({
                labels: s.labels,
                v: s.v.map((x, i) => (x === undefined ? x : ts[i]! / 1000)),
              }));
        return { kind: 'vector', series: collect(series.map((s) => ({ labels: dropName(s.labels), v: s.v }))) };
      }
      case 'absent':
      case 'absent_over_time': {
        const arg = e.args[0]!;
        const present = new Array<boolean>(n).fill(false);
        if (e.name === 'absent') {
          for (const s of this.vector(arg, ts)) s.v.forEach((x, i) => x !== undefined && (present[i] = true));
        } else {
          const w = this.windows(arg, ts);
          for (const s of w.series)
            w.ends.forEach((end, i) => {
              if (lowerBound(s.t, end + 1) > lowerBound(s.t, end - w.range)) present[i] = true;
            });
        }
        const v = present.map((p) => (p ? undefined : 1));
        return { kind: 'vector', series: v.some((x) => x !== undefined) ? [{ labels: absentLabels(arg), v }] : [] };
      }
      case 'sort':
      case 'sort_desc': {
        const s = this.vector(e.args[0]!, ts);
        if (n !== 1) return { kind: 'vector', series: s };
        const dir = e.name === 'sort' ? 1 : -1;
        const key = (x: StepSeries) => x.v[0] ?? NaN;
        return {
          kind: 'vector',
          series: [...s].sort((a, b) =>
            Number.isNaN(key(a)) ? 1 : Number.isNaN(key(b)) ? -1 : dir * (key(a) - key(b)),
          ),
        };
      }
      case 'label_replace': {
        const [v, ...strs] = e.args;
        const [dst, repl, src, re] = strs.map((s) => (s!.kind === 'string' ? s.value : ''));
        return { kind: 'vector', series: collect(labelReplace(this.vector(v!, ts), dst!, repl!, src!, re!)) };
      }
    }
    const rangeFn = RANGE_FUNCTIONS[e.name];
    if (rangeFn) {
      const matrixArg = e.args.findIndex((a) => typeOf(a) === 'matrix');
      const scalars = e.args.map((a, i) => (i === matrixArg ? undefined : this.scalar(a, ts)));
      const stat = rollupStat(e.name);
      const w = this.windows(e.args[matrixArg]!, ts, stat);
      const keepName = e.name === 'last_over_time';
      const perWindow = (fn: RangeFn, win: RangeWindows) =>
        rangeValues(fn, win, ts, (i) => scalars.map((sc) => sc?.[i] ?? NaN).filter((_, k) => k !== matrixArg));
      let values: Array<Array<number | undefined> | undefined>;
      if (w.rolled && (e.name === 'count_over_time' || e.name === 'avg_over_time')) {
        // buckets hold counts and sums: a window's count is the sum of its counts, its mean sum ÷ count
        const counts = perWindow(SUM, e.name === 'count_over_time' ? w : this.windows(e.args[matrixArg]!, ts, 'count'));
        const sums = e.name === 'avg_over_time' ? perWindow(SUM, w) : undefined;
        values = sums ? sums.map((v, k) => v?.map((x, i) => (x === undefined ? x : x / counts[k]![i]!))) : counts;
      } else values = perWindow(rangeFn, w);
      const out: StepSeries[] = [];
      w.series.forEach((s, k) => {
        const v = values[k];
        if (v) out.push({ labels: keepName ? s.labels : dropName(s.labels), v });
      });
      return { kind: 'vector', series: collect(out) };
    }
    const instantFn = INSTANT_FUNCTIONS[e.name];
    if (instantFn) {
      const input = this.vector(e.args[0]!, ts);
      const scalars = e.args.slice(1).map((a) => this.scalar(a, ts));
      const out = input.map((s) => ({
        labels: dropName(s.labels),
        v: s.v.map((x, i) =>
          x === undefined
            ? undefined
            : instantFn(
                x,
                scalars.map((sc) => sc[i]!),
              ),
        ),
      }));
      return { kind: 'vector', series: collect(out.filter((s) => s.v.some((x) => x !== undefined))) };
    }
    throw new PromError('internal', `function ${e.name} has no implementation`);
  }
}

const SUM = RANGE_FUNCTIONS.sum_over_time!;

/** A range function over each series' window at every step; undefined for a series with no value at any step. */
function rangeValues(
  fn: RangeFn,
  w: RangeWindows,
  ts: readonly number[],
  scalarsAt: (step: number) => number[],
): Array<Array<number | undefined> | undefined> {
  return w.series.map((s) => {
    let any = false;
    const v = w.ends.map((end, i) => {
      const a = lowerBound(s.t, end - w.range);
      const b = lowerBound(s.t, end + 1);
      if (b <= a) return undefined;
      const x = fn(s.t, s.v, a, b, {
        rangeStart: end - w.range,
        rangeEnd: end,
        range: w.range,
        evalTime: ts[i]!,
        scalars: scalarsAt(i),
      });
      if (x !== undefined) any = true;
      return x;
    });
    return any ? v : undefined;
  });
}

/**
 * Merges series that ended up with the same labels (a dropped metric name, a label_replace), as long as they do not
 * both have a value at one step — Prometheus' "vector cannot contain metrics with the same labelset".
 */
export function collect(series: readonly StepSeries[]): StepSeries[] {
  const byKey = new Map<string, StepSeries>();
  for (const s of series) {
    const k = labelsKey(s.labels);
    const have = byKey.get(k);
    if (!have) {
      byKey.set(k, s);
      continue;
    }
    const v = have.v.map((x, i) => {
      const y = s.v[i];
      if (x !== undefined && y !== undefined)
        throw new ExecutionError('vector cannot contain metrics with the same labelset');
      return x ?? y;
    });
    byKey.set(k, { labels: have.labels, v });
  }
  return [...byKey.values()];
}

/**
 * An instant selector's value at each reference time: the newest sample at or before it and within the lookback,
 * unless that sample is a stale marker; undefined when the series has no value at any step. Reference times that
 * do not decrease (a range query) are walked with one pointer through the samples, others by binary search.
 */
function lookbackValues(
  s: RawSamples,
  refs: readonly number[],
  lookback: number,
  withTime: boolean,
): Array<number | undefined> | undefined {
  const { t, v: vals, stale, bucketMs } = s;
  const n = t.length;
  if (n === 0) return undefined;
  const out = new Array<number | undefined>(refs.length);
  let any = false;
  /** index of the newest sample at or before the reference time, −1 before the first */
  let i = -1;
  let prev = -Infinity;
  for (let k = 0; k < refs.length; k++) {
    const r = refs[k]!;
    if (r < prev) i = lowerBound(t, r + 1) - 1;
    else while (i + 1 < n && t[i + 1]! <= r) i++;
    prev = r;
    if (i < 0 || t[i]! < r - (bucketMs ? Math.max(lookback, bucketMs[i]!) : lookback)) {
      out[k] = undefined;
      continue;
    }
    if (stale?.[i]) {
      out[k] = undefined;
      continue;
    }
    any = true;
    out[k] = withTime ? t[i]! / 1000 : vals[i]!;
  }
  return any ? out : undefined;
}
