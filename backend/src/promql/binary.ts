import { COMPARISON_OPS, SET_OPS, type Binary, type BinaryOp, type VectorMatching } from './ast';
import { ExecutionError, PromError } from './errors';
import type { StepSeries, Value } from './eval';
import { pow } from './functions';
import { dropName, labelsKey, METRIC_NAME, signature, type Labels } from './labels';

/** The arithmetic result, or for a comparison the lhs value when true and undefined when false. */
function elem(op: BinaryOp, l: number, r: number): number | undefined {
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return l / r;
    case '%':
      return l % r;
    case '^':
      return pow(l, r);
    case 'atan2':
      return Math.atan2(l, r);
    case '==':
      return l === r ? l : undefined;
    case '!=':
      return l !== r ? l : undefined;
    case '>':
      return l > r ? l : undefined;
    case '<':
      return l < r ? l : undefined;
    case '>=':
      return l >= r ? l : undefined;
    case '<=':
      return l <= r ? l : undefined;
    default:
      throw new PromError('internal', `operator ${op} on numbers`);
  }
}

/** Prometheus 2.42's shouldDropMetricName: the arithmetic operators except atan2 drop `__name__`. */
const dropsName = (op: BinaryOp) => !COMPARISON_OPS.has(op) && !SET_OPS.has(op) && op !== 'atan2';

/** Scalar–scalar, vector–scalar and vector–vector operations at every step (Prometheus' VectorBinop and friends). */
export function binary(e: Binary, l: Value, r: Value, steps: number): Value {
  const { op, returnBool } = e;
  if (l.kind === 'scalar' && r.kind === 'scalar') {
    return {
      kind: 'scalar',
      v: l.v.map((x, i) => {
        const y = r.v[i]!;
        if (COMPARISON_OPS.has(op)) return elem(op, x, y) === undefined ? 0 : 1;
        return elem(op, x, y)!;
      }),
    };
  }
  if (l.kind === 'vector' && r.kind === 'scalar')
    return { kind: 'vector', series: vectorScalar(e, l.series, r.v, false) };
  if (l.kind === 'scalar' && r.kind === 'vector')
    return { kind: 'vector', series: vectorScalar(e, r.series, l.v, true) };
  if (l.kind !== 'vector' || r.kind !== 'vector')
    throw new PromError('internal', 'binary operation on a non-numeric value');
  if (SET_OPS.has(op)) return { kind: 'vector', series: setOp(op, e.matching, l.series, r.series, steps) };
  return { kind: 'vector', series: vectorVector(op, returnBool, e.matching, l.series, r.series, steps) };
}

function vectorScalar(e: Binary, vec: readonly StepSeries[], sc: readonly number[], swap: boolean): StepSeries[] {
  const { op, returnBool } = e;
  const cmp = COMPARISON_OPS.has(op);
  const out: StepSeries[] = [];
  for (const s of vec) {
    let any = false;
    const v = s.v.map((x, i) => {
      if (x === undefined) return undefined;
      const y = sc[i]!;
      let value = swap ? elem(op, y, x) : elem(op, x, y);
      // a comparison keeps the vector's value, whichever side it is on
      if (cmp && swap && value !== undefined) value = x;
      if (returnBool) value = value === undefined ? 0 : 1;
      if (value !== undefined) any = true;
      return value;
    });
    if (any) out.push({ labels: dropsName(op) || returnBool ? dropName(s.labels) : s.labels, v });
  }
  return out;
}

/** and / or / unless, matched per step on the signature (on / ignoring; the metric name never counts unless on'd). */
function setOp(
  op: BinaryOp,
  m: VectorMatching,
  lhs: readonly StepSeries[],
  rhs: readonly StepSeries[],
  steps: number,
): StepSeries[] {
  const lsig = lhs.map((s) => signature(s.labels, m.on, m.labels));
  const rsig = rhs.map((s) => signature(s.labels, m.on, m.labels));
  const sigsAt = (series: readonly StepSeries[], sigs: string[], i: number) => {
    const set = new Set<string>();
    series.forEach((s, k) => s.v[i] !== undefined && set.add(sigs[k]!));
    return set;
  };
  const left = lhs.map((s) => ({ labels: s.labels, v: new Array<number | undefined>(steps) }));
  const right = rhs.map((s) => ({ labels: s.labels, v: new Array<number | undefined>(steps) }));
  for (let i = 0; i < steps; i++) {
    if (op === 'or') {
      const ls = sigsAt(lhs, lsig, i);
      lhs.forEach((s, k) => (left[k]!.v[i] = s.v[i]));
      rhs.forEach((s, k) => {
        if (s.v[i] !== undefined && !ls.has(rsig[k]!)) right[k]!.v[i] = s.v[i];
      });
    } else {
      const rs = sigsAt(rhs, rsig, i);
      lhs.forEach((s, k) => {
        if (s.v[i] === undefined) return;
        if (rs.has(lsig[k]!) === (op === 'and')) left[k]!.v[i] = s.v[i];
      });
    }
  }
  return [...left, ...right].filter((s) => s.v.some((x) => x !== undefined));
}

/** The result's labels for a matched pair: Prometheus' resultMetric. `many` is the many side (lhs unless group_right). */
function resultLabels(many: Labels, one: Labels, op: BinaryOp, m: VectorMatching, returnBool: boolean): Labels {
  const out = new Map(many);
  if (dropsName(op) || returnBool) out.delete(METRIC_NAME);
  if (m.card === 'one-to-one') {
    if (m.on) {
      for (const k of [...out.keys()]) if (!m.labels.includes(k)) out.delete(k);
    } else for (const k of m.labels) out.delete(k);
  } else {
    for (const k of m.include) {
      const v = one.get(k);
      if (v !== undefined && v !== '') out.set(k, v);
      else out.delete(k);
    }
  }
  return out;
}

function vectorVector(
  op: BinaryOp,
  returnBool: boolean,
  m: VectorMatching,
  lhs: readonly StepSeries[],
  rhs: readonly StepSeries[],
  steps: number,
): StepSeries[] {
  // group_right: the many side is the rhs; swap, and swap back for the operation itself
  const swapped = m.card === 'one-to-many';
  const many = swapped ? rhs : lhs;
  const one = swapped ? lhs : rhs;
  const manySig = many.map((s) => signature(s.labels, m.on, m.labels));
  const oneSig = one.map((s) => signature(s.labels, m.on, m.labels));
  const out = new Map<string, StepSeries>();
  const labelsOf = new Map<string, Labels>();
  for (let i = 0; i < steps; i++) {
    const oneBySig = new Map<string, number>();
    one.forEach((s, k) => {
      if (s.v[i] === undefined) return;
      const sig = oneSig[k]!;
      const other = oneBySig.get(sig);
      if (other !== undefined) {
        const side = swapped ? 'left' : 'right';
        throw new ExecutionError(
          `found duplicate series for the match group ${sigText(one[k]!.labels, m)} on the ${side} hand-side of the operation: [${labelsText(one[other]!.labels)}, ${labelsText(s.labels)}];many-to-many matching not allowed: matching labels must be unique on one side`,
        );
      }
      oneBySig.set(sig, k);
    });
    const matchedSigs = new Set<string>();
    const inserted = new Set<string>();
    many.forEach((s, k) => {
      const x = s.v[i];
      if (x === undefined) return;
      const sig = manySig[k]!;
      const j = oneBySig.get(sig);
      if (j === undefined) return;
      if (m.card === 'one-to-one') {
        if (matchedSigs.has(sig))
          throw new ExecutionError(
            'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)',
          );
        matchedSigs.add(sig);
      }
      const y = one[j]!.v[i]!;
      const [vl, vr] = swapped ? [y, x] : [x, y];
      let value = elem(op, vl, vr);
      if (returnBool) value = value === undefined ? 0 : 1;
      if (value === undefined) return;
      const labels = resultLabels(s.labels, one[j]!.labels, op, m, returnBool);
      const key = labelsKey(labels);
      if (m.card !== 'one-to-one') {
        if (inserted.has(key))
          throw new ExecutionError('multiple matches for labels: grouping labels must ensure unique matches');
        inserted.add(key);
      }
      let o = out.get(key);
      if (!o) {
        out.set(key, (o = { labels, v: new Array<number | undefined>(steps) }));
        labelsOf.set(key, labels);
      }
      if (o.v[i] !== undefined) throw new ExecutionError('vector cannot contain metrics with the same labelset');
      o.v[i] = value;
    });
  }
  return [...out.values()];
}

function labelsText(l: Labels): string {
  return `{${[...l.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
}

function sigText(l: Labels, m: VectorMatching): string {
  const keep = new Map<string, string>();
  for (const [k, v] of l) if (m.on ? m.labels.includes(k) : k !== METRIC_NAME && !m.labels.includes(k)) keep.set(k, v);
  return labelsText(keep);
}
