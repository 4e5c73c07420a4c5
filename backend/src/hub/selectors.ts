/**
 * Pure: the shortest PromQL series selectors that cover a set of wanted points of one metric. The hub reads whole
 * groups (a hall's `inlet_temp`s) with label matchers where the catalog says the group is wanted whole, and lists
 * the rest by `point` regex, split so that no expression outgrows the store's limit (VictoriaMetrics refuses
 * queries longer than -search.maxQueryLen, 16 KiB). Answers are filtered to the wanted ids afterwards, so a
 * selector may match more than is wanted (a point the store has but the catalog has not yet).
 */
import type { Point } from '@plenum/model';
import { metricName } from '../promql/series-model';

/** A PromQL string literal (Go escapes; JSON's are a subset for the ids Plenum allows) */
export const str = (s: string): string => JSON.stringify(s);

/** RE2 and JavaScript agree on these escapes */
const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const matcher = (label: string, values: string[]): string =>
  values.length === 1 ? `${label}=${str(values[0]!)}` : `${label}=~${str(values.map(reEscape).join('|'))}`;

/**
 * Selectors (`{…}` without the metric name, which the caller adds) whose union is a superset of `wanted`.
 * `all` is every catalog point of the metric; `extra` matchers (`metric="…"` for the quality series) go in
 * each. `budget` is the bytes one selector may take.
 */
export function coveringSelectors(
  wanted: readonly Point[],
  all: readonly Point[],
  budget: number,
  extra: string[] = [],
): string[] {
  if (wanted.length === 0) return [];
  const wantedIds = new Set(wanted.map((p) => p.id));
  const wrap = (ms: string[]) => `{${[...extra, ...ms].join(',')}}`;
  if (all.every((p) => wantedIds.has(p.id))) return [wrap([])];

  // (site, hall) → signal → [wanted, total]
  const groups = new Map<string, Map<string, { wanted: number; total: number }>>();
  const keyOf = (p: Point) => (p.location.hall ? `${p.location.site}\u0000${p.location.hall}` : undefined);
  for (const p of all) {
    const k = keyOf(p);
    if (!k) continue;
    const signal = p.id.slice(p.id.lastIndexOf('/') + 1);
    let bySignal = groups.get(k);
    if (!bySignal) groups.set(k, (bySignal = new Map()));
    const c = bySignal.get(signal) ?? { wanted: 0, total: 0 };
    c.total++;
    if (wantedIds.has(p.id)) c.wanted++;
    bySignal.set(signal, c);
  }
  const out: string[] = [];
  const covered = new Set<string>();
  for (const [k, bySignal] of groups) {
    const [site, hall] = k.split('\u0000') as [string, string];
    const whole = [...bySignal].filter(([, c]) => c.wanted === c.total).map(([s]) => s);
    // a (hall, signal) group pays for a selector of its own only when it saves listing several ids
    const worth = whole.filter((s) => bySignal.get(s)!.total > 1);
    if (worth.length === 0) continue;
    const ms = [`site=${str(site)}`, `hall=${str(hall)}`];
    if (worth.length < bySignal.size) ms.push(matcher('signal', worth.sort()));
    const sel = wrap(ms);
    if (sel.length > budget) continue;
    out.push(sel);
    const signals = new Set(worth);
    for (const p of all) if (keyOf(p) === k && signals.has(p.id.slice(p.id.lastIndexOf('/') + 1))) covered.add(p.id);
  }
  const rest = wanted.filter((p) => !covered.has(p.id)).map((p) => p.id);
  // point regexes, each as long as the budget allows
  const overhead = wrap(['point=~""']).length;
  let chunk: string[] = [];
  let bytes = overhead;
  const flush = () => {
    if (chunk.length) out.push(wrap([matcher('point', chunk)]));
    chunk = [];
    bytes = overhead;
  };
  for (const id of rest) {
    const len = str(reEscape(id)).length - 2 + 1;
    if (overhead + len > budget) throw new Error(`point id ${id} is longer than the store's query budget`);
    if (bytes + len > budget) flush();
    chunk.push(id);
    bytes += len;
  }
  flush();
  return out;
}

/** The catalog's points by the metric their values are stored under. */
export function byMetric(points: readonly Point[]): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  for (const p of points) {
    const m = metricName(p.quantity);
    const list = out.get(m);
    if (list) list.push(p);
    else out.set(m, [p]);
  }
  return out;
}
