import type { Matcher } from './ast';
import { matchesValue } from './parse';

/** A series' label set. A Map, so that any label name (`__proto__` too) is only ever data. */
export type Labels = ReadonlyMap<string, string>;

export const METRIC_NAME = '__name__';

/** A stable key for a label set: names sorted, name and value separated by bytes that cannot occur in JSON text. */
export function labelsKey(l: Labels): string {
  return [...l.keys()]
    .sort()
    .map((k) => `${k}\u0000${l.get(k)}`)
    .join('\u0001');
}

/** Prometheus signatures for vector matching: `on (…)` keeps only those labels, otherwise all but `__name__` and those. */
export function signature(l: Labels, on: boolean, names: readonly string[]): string {
  const keep = on
    ? [...names].filter((n) => l.has(n))
    : [...l.keys()].filter((n) => n !== METRIC_NAME && !names.includes(n));
  return keep
    .sort()
    .map((k) => `${k}\u0000${l.get(k)}`)
    .join('\u0001');
}

export function dropName(l: Labels): Labels {
  if (!l.has(METRIC_NAME)) return l;
  const m = new Map(l);
  m.delete(METRIC_NAME);
  return m;
}

/** Whether a label set passes every matcher; a missing label is the empty string, as in Prometheus. */
export function matchesAll(l: Labels, matchers: readonly Matcher[]): boolean {
  return matchers.every((m) => matchesValue(m, l.get(m.name) ?? ''));
}

/** Sorted as Prometheus sorts a matrix: by label pairs in name order, compared pairwise. */
export function compareLabels(a: Labels, b: Labels): number {
  const ak = [...a.keys()].sort();
  const bk = [...b.keys()].sort();
  for (let i = 0; i < Math.min(ak.length, bk.length); i++) {
    if (ak[i] !== bk[i]) return ak[i]! < bk[i]! ? -1 : 1;
    const av = a.get(ak[i]!)!;
    const bv = b.get(bk[i]!)!;
    if (av !== bv) return av < bv ? -1 : 1;
  }
  return ak.length - bk.length;
}

export function labelsObject(l: Labels): Record<string, string> {
  return Object.fromEntries([...l.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
