/**
 * Compares two Prometheus API answers: the same status, the same result type, the same series (label sets) with
 * the same timestamps, and values equal within a relative tolerance (NaN equals NaN, ±Inf equal only themselves).
 * Series order is ignored (Prometheus leaves an instant vector's order to the implementation).
 */

export interface ApiAnswer {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: unknown };
}

/** relative tolerance: float sums in another order differ in the last bits */
export const TOLERANCE = 1e-9;

type Pair = [number, string];
interface SeriesOut {
  metric: Record<string, string>;
  value?: Pair;
  values?: Pair[];
}

const key = (m: Record<string, string>) =>
  Object.keys(m)
    .sort()
    .map((k) => `${k}=${JSON.stringify(m[k])}`)
    .join(',');

export function sameValue(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a.replace(/^\+Inf$/, 'Infinity').replace(/^-Inf$/, '-Infinity'));
  const y = Number(b.replace(/^\+Inf$/, 'Infinity').replace(/^-Inf$/, '-Infinity'));
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) && Number.isNaN(y);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return x === y;
  return Math.abs(x - y) <= TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y));
}

function samePairs(a: Pair[], b: Pair[]): string | undefined {
  if (a.length !== b.length) return `${a.length} vs ${b.length} samples`;
  for (let i = 0; i < a.length; i++) {
    if (a[i]![0] !== b[i]![0]) return `sample ${i}: time ${a[i]![0]} vs ${b[i]![0]}`;
    if (!sameValue(a[i]![1], b[i]![1])) return `at ${a[i]![0]}: ${a[i]![1]} vs ${b[i]![1]}`;
  }
  return undefined;
}

/** undefined when the answers agree, else what differs (Plenum's side first). */
export function diff(plenum: ApiAnswer, prom: ApiAnswer): string | undefined {
  if (plenum.status !== prom.status)
    return `status ${plenum.status} (${plenum.error ?? ''}) vs ${prom.status} (${prom.error ?? ''})`;
  if (plenum.status === 'error')
    return plenum.errorType === prom.errorType ? undefined : `errorType ${plenum.errorType} vs ${prom.errorType}`;
  const a = plenum.data!;
  const b = prom.data!;
  if (a.resultType !== b.resultType) return `resultType ${a.resultType} vs ${b.resultType}`;
  if (a.resultType === 'scalar' || a.resultType === 'string') return samePairs([a.result as Pair], [b.result as Pair]);
  const as = new Map((a.result as SeriesOut[]).map((s) => [key(s.metric), s]));
  const bs = new Map((b.result as SeriesOut[]).map((s) => [key(s.metric), s]));
  const onlyA = [...as.keys()].filter((k) => !bs.has(k));
  const onlyB = [...bs.keys()].filter((k) => !as.has(k));
  if (onlyA.length || onlyB.length)
    return `series only in Plenum: [${onlyA.slice(0, 3).join(' | ')}]${onlyA.length > 3 ? ` +${onlyA.length - 3}` : ''}; only in Prometheus: [${onlyB.slice(0, 3).join(' | ')}]${onlyB.length > 3 ? ` +${onlyB.length - 3}` : ''}`;
  for (const [k, s] of as) {
    const o = bs.get(k)!;
    const why = samePairs(s.values ?? [s.value!], o.values ?? [o.value!]);
    if (why) return `{${k}}: ${why}`;
  }
  return undefined;
}
