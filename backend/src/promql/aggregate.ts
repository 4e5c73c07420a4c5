import type { Aggregate } from './ast';
import type { StepSeries } from './eval';
import { quantile } from './functions';
import { labelsKey, METRIC_NAME, type Labels } from './labels';

function groupLabels(l: Labels, without: boolean, grouping: readonly string[]): Labels {
  const out = new Map<string, string>();
  if (without) {
    for (const [k, v] of l) if (k !== METRIC_NAME && !grouping.includes(k)) out.set(k, v);
  } else for (const g of grouping) if (l.has(g)) out.set(g, l.get(g)!);
  return out;
}

/** One group's statistic over the values present at a step, as Prometheus 2.42's aggregation computes it. */
function reduce(op: Aggregate['op'], values: number[], param: number): number {
  switch (op) {
    case 'sum':
      return values.reduce((s, x) => s + x, 0);
    case 'count':
      return values.length;
    case 'group':
      return 1;
    case 'min': {
      let m = values[0]!;
      for (const x of values) if (m > x || Number.isNaN(m)) m = x;
      return m;
    }
    case 'max': {
      let m = values[0]!;
      for (const x of values) if (m < x || Number.isNaN(m)) m = x;
      return m;
    }
    case 'avg': {
      let mean = values[0]!;
      let count = 1;
      for (const x of values.slice(1)) {
        count++;
        if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
          if (!Number.isFinite(x) && !Number.isNaN(x) && mean > 0 === x > 0) continue;
          if (Number.isFinite(x)) continue;
        }
        mean += x / count - mean / count;
      }
      return mean;
    }
    case 'stddev':
    case 'stdvar': {
      let mean = values[0]!;
      let count = 1;
      let acc = 0;
      for (const x of values.slice(1)) {
        count++;
        const delta = x - mean;
        mean += delta / count;
        acc += delta * (x - mean);
      }
      return op === 'stdvar' ? acc / count : Math.sqrt(acc / count);
    }
    case 'quantile':
      return quantile(param, values);
    default:
      return NaN;
  }
}

/**
 * sum, count, group, min and max folded member by member into one array of steps (no per-step array of values):
 * the same operations in the same order as reduce() above, so the same floats, for a group of a thousand series
 * over a thousand steps without a million short-lived arrays.
 */
const STREAMING: Partial<
  Record<Aggregate['op'], (members: readonly StepSeries[], steps: number) => Array<number | undefined>>
> = {
  sum: (members, steps) =>
    fold(
      members,
      steps,
      (acc, x) => acc + x,
      (x) => 0 + x,
    ),
  count: (members, steps) =>
    fold(
      members,
      steps,
      (acc) => acc + 1,
      () => 1,
    ),
  group: (members, steps) =>
    fold(
      members,
      steps,
      () => 1,
      () => 1,
    ),
  min: (members, steps) =>
    fold(
      members,
      steps,
      (m, x) => (m > x || Number.isNaN(m) ? x : m),
      (x) => x,
    ),
  max: (members, steps) =>
    fold(
      members,
      steps,
      (m, x) => (m < x || Number.isNaN(m) ? x : m),
      (x) => x,
    ),
};

function fold(
  members: readonly StepSeries[],
  steps: number,
  next: (acc: number, x: number) => number,
  first: (x: number) => number,
): Array<number | undefined> {
  const acc = new Array<number | undefined>(steps).fill(undefined);
  for (const m of members) {
    const v = m.v;
    for (let i = 0; i < steps; i++) {
      const x = v[i];
      if (x === undefined) continue;
      const a = acc[i];
      acc[i] = a === undefined ? first(x) : next(a, x);
    }
  }
  return acc;
}

/**
 * sum, avg, min, max, count, group, stddev, stdvar, quantile, topk, bottomk with `by` / `without`, step by step.
 * topk/bottomk keep each chosen series' own labels; NaN loses against any number, as in Prometheus.
 */
export function aggregate(
  e: Aggregate,
  input: readonly StepSeries[],
  param: number[] | undefined,
  steps: number,
): StepSeries[] {
  const groups = new Map<string, { labels: Labels; members: StepSeries[] }>();
  // `by`: the group's key straight from the grouping labels (labelsKey's form), its label set only once per group
  const byNames = e.without ? undefined : [...new Set(e.grouping)].sort();
  for (const s of input) {
    let k: string;
    let labels: Labels | undefined;
    if (byNames) {
      k = '';
      for (const n of byNames) {
        const v = s.labels.get(n);
        if (v !== undefined) k += `${k === '' ? '' : '\u0001'}${n}\u0000${v}`;
      }
    } else {
      labels = groupLabels(s.labels, true, e.grouping);
      k = labelsKey(labels);
    }
    const g = groups.get(k);
    if (g) g.members.push(s);
    else groups.set(k, { labels: labels ?? groupLabels(s.labels, false, e.grouping), members: [s] });
  }
  if (e.op === 'topk' || e.op === 'bottomk') {
    const out = new Map<StepSeries, StepSeries>();
    const sign = e.op === 'topk' ? 1 : -1;
    for (let i = 0; i < steps; i++) {
      const k = Math.trunc(param?.[i] ?? NaN);
      if (!(k >= 1)) continue;
      for (const g of groups.values()) {
        const present = g.members.filter((m) => m.v[i] !== undefined);
        const better = (a: number, b: number) =>
          Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : sign * (b - a);
        const chosen = [...present].sort((a, b) => better(a.v[i]!, b.v[i]!)).slice(0, k);
        for (const m of chosen) {
          let o = out.get(m);
          if (!o) out.set(m, (o = { labels: m.labels, v: new Array<number | undefined>(steps).fill(undefined) }));
          o.v[i] = m.v[i];
        }
      }
    }
    return [...out.values()];
  }
  const out: StepSeries[] = [];
  for (const g of groups.values()) {
    const streamed = STREAMING[e.op];
    if (streamed) {
      const v = streamed(g.members, steps);
      if (v.some((x) => x !== undefined)) out.push({ labels: g.labels, v });
      continue;
    }
    let any = false;
    const v = new Array<number | undefined>(steps);
    for (let i = 0; i < steps; i++) {
      const values: number[] = [];
      for (const m of g.members) if (m.v[i] !== undefined) values.push(m.v[i]!);
      if (values.length === 0) continue;
      v[i] = reduce(e.op, values, param?.[i] ?? NaN);
      any = true;
    }
    if (any) out.push({ labels: g.labels, v });
  }
  return out;
}
