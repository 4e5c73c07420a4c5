/**
 * From series to one sample per point (pure, no I/O): topology mapping of series labels, `by=` filtering,
 * counter rates across gathers, aggregation, and the `rawStatus` codes of bad samples (README "Errors and
 * quality").
 */
import type { Quality, SampleValue, ValueType } from '@plenum/model';
import type { Aggregation, Level, PromAddress } from './address';
import { compileRe2, LEVELS, matchesAll } from './address';
import type { MappingRule, PrometheusOptions } from './config';

/** `rawStatus` of bad samples; HTTP statuses (≥ 100) are passed through as they are. */
export const PROM_STATUS = {
  /** no series matched: absent from the exposition, an empty query result, or nothing mapped to this location */
  absent: 1,
  /** several series matched and the address has no agg= */
  ambiguous: 2,
  /** the value is NaN or ±Inf (the sample carries 0) */
  notFinite: 3,
  /** api mode: the query answered a range vector (matrix) or a string, not an instant vector or scalar */
  unsupported: 4,
  /** the endpoint could not be reached (refused, reset, DNS) */
  unreachable: 5,
  /** no complete answer within timeoutMs */
  timeout: 6,
  /** the answer could not be read: exposition syntax, JSON, encoding, size */
  malformed: 7,
} as const;

/** One series with its value at one time. */
export interface SeriesValue {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
  /** Unix ms: the source's timestamp, else when the answer arrived */
  ts: number;
}

/** What a point gets from one gather: a sample, or nothing (a rate's first scrape). */
export type Outcome =
  { kind: 'sample'; ts: number; value: SampleValue; quality: Quality; rawStatus?: number } | { kind: 'none' };

/** Neutral value of a bad sample, so the point keeps its value type. */
export function neutral(t: ValueType): SampleValue {
  return t === 'number' ? 0 : t === 'boolean' ? false : '';
}

const CACHE_LIMIT = 10_000;

/**
 * Maps series labels to hall / row / rack ids by options.mapping. A level without a rule, or a series without the
 * rule's label, reads the label named after the level (`rack`) as it is.
 */
export class TopologyMapper {
  private readonly rules: Record<Level, { rule: MappingRule; re?: RegExp }>;
  private readonly cache: Record<Level, Map<string, string | undefined>>;

  constructor(mapping: PrometheusOptions['mapping']) {
    const entry = (level: Level) => {
      const rule = mapping[level] ?? { label: level, case: 'keep' as const };
      return { rule, ...(rule.regex !== undefined ? { re: compileRe2(rule.regex) } : {}) };
    };
    this.rules = { hall: entry('hall'), row: entry('row'), rack: entry('rack') };
    this.cache = { hall: new Map(), row: new Map(), rack: new Map() };
  }

  /** The id of `level` for a series, or undefined when its label is missing or maps to nothing. */
  levelOf(labels: Readonly<Record<string, string>>, level: Level): string | undefined {
    const { rule, re } = this.rules[level];
    const raw = labels[rule.label];
    // a series without the rule's label (e.g. a `sum by (rack)` result) may still carry the level's own label
    if (raw === undefined) return rule.label === level ? undefined : labels[level];
    const cache = this.cache[level];
    if (cache.has(raw)) return cache.get(raw);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    let id: string | undefined;
    const fromTable = rule.table?.[raw];
    if (fromTable !== undefined) id = fromTable;
    else if (re) {
      const g = re.exec(raw)?.groups?.[level];
      id = g === undefined || g === '' ? undefined : changeCase(g, rule.case);
    } else if (rule.table === undefined) id = changeCase(raw, rule.case);
    cache.set(raw, id);
    return id;
  }
}

function changeCase(s: string, c: MappingRule['case']): string {
  return c === 'upper' ? s.toUpperCase() : c === 'lower' ? s.toLowerCase() : s;
}

export type Place = Partial<Record<Level, string>>;

/** Series that pass the selector's matchers (scrape mode) and the `by=` levels of `place`. */
export function selectSeries(
  address: PromAddress,
  candidates: readonly SeriesValue[],
  mapper: TopologyMapper,
  place: Place,
): SeriesValue[] {
  return candidates.filter(
    (s) =>
      matchesAll(s.name, s.labels, address.matchers) &&
      address.by.every((level) => mapper.levelOf(s.labels, level) === place[level]),
  );
}

/** A stable key of a series' identity. */
export function seriesKey(s: SeriesValue): string {
  const keys = Object.keys(s.labels).sort();
  return `${s.name}{${keys.map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(',')}}`;
}

/**
 * Counter rates across gathers, per point and series: (v − previous) / Δt in units per second; a lower value than
 * before is a counter reset (the counter restarted from 0, so the increase is v, as Prometheus' rate() counts it).
 * A series seen for the first time has no rate yet; series that vanish are forgotten.
 */
export class RateTracker {
  private readonly last = new Map<string, Map<string, { v: number; ts: number }>>();

  /** Rates of the series with a previous value at an earlier time; remembers the current values. */
  rates(pointId: string, series: readonly SeriesValue[]): SeriesValue[] {
    const before = this.last.get(pointId);
    const now = new Map<string, { v: number; ts: number }>();
    const out: SeriesValue[] = [];
    for (const s of series) {
      const key = seriesKey(s);
      const prev = before?.get(key);
      if (prev && s.ts === prev.ts) {
        now.set(key, prev); // the source has not updated it: no new information
        continue;
      }
      now.set(key, { v: s.value, ts: s.ts });
      if (!prev || s.ts < prev.ts) continue;
      const increase = s.value >= prev.v ? s.value - prev.v : s.value;
      out.push({ ...s, value: increase / ((s.ts - prev.ts) / 1000) });
    }
    this.last.set(pointId, now);
    return out;
  }

  /** Forgets a point's history (e.g. after its series were absent). */
  forget(pointId: string): void {
    this.last.delete(pointId);
  }
}

export function aggregate(agg: Aggregation, values: readonly number[]): number {
  switch (agg) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'max':
      return values.some(Number.isNaN) ? NaN : Math.max(...values);
    case 'min':
      return values.some(Number.isNaN) ? NaN : Math.min(...values);
    case 'count':
      return values.length;
  }
}

export interface EvaluateContext {
  valueType: ValueType;
  /** ts of samples that no series dates (count of nothing, bad samples) */
  now: number;
  /** rawStatus when nothing matched: absent (1), or the failure of a target that may have held the series */
  absentStatus: number;
  /** counter rates, for addresses with `rate` */
  rates?: { tracker: RateTracker; pointId: string };
}

/**
 * The sample of one point from the series selected for it: rate per series (when asked), then agg (or exactly one
 * series), then scale; booleans are value ≠ 0; strings are a label's value.
 */
export function evaluate(address: PromAddress, selected: readonly SeriesValue[], ctx: EvaluateContext): Outcome {
  const bad = (rawStatus: number, ts = ctx.now): Outcome => ({
    kind: 'sample',
    ts,
    value: neutral(ctx.valueType),
    quality: 'bad',
    rawStatus,
  });
  if (selected.length === 0) {
    if (address.agg === 'count' && ctx.absentStatus === PROM_STATUS.absent) {
      return { kind: 'sample', ts: ctx.now, value: 0, quality: 'good' };
    }
    ctx.rates?.tracker.forget(ctx.rates.pointId);
    return bad(ctx.absentStatus);
  }
  if (selected.length > 1 && address.agg === undefined) return bad(PROM_STATUS.ambiguous);
  if (address.label !== undefined) {
    const v = (selected[0] as SeriesValue).labels[address.label];
    if (v === undefined) return bad(PROM_STATUS.absent);
    return { kind: 'sample', ts: (selected[0] as SeriesValue).ts, value: v, quality: 'good' };
  }
  let series = selected;
  if (address.rate && ctx.rates) {
    series = ctx.rates.tracker.rates(ctx.rates.pointId, selected);
    if (series.length === 0) return { kind: 'none' };
  }
  const ts = Math.max(...series.map((s) => s.ts));
  const raw =
    address.agg !== undefined
      ? aggregate(
          address.agg,
          series.map((s) => s.value),
        )
      : (series[0] as SeriesValue).value;
  const value = raw * address.scale;
  if (!Number.isFinite(value)) return bad(PROM_STATUS.notFinite, ts);
  if (ctx.valueType === 'boolean') return { kind: 'sample', ts, value: value !== 0, quality: 'good' };
  return { kind: 'sample', ts, value, quality: 'good' };
}

/** The location a point is matched at, for `by=`. */
export function placeOf(location: Partial<Record<Level, string>>): Place {
  const p: Place = {};
  for (const l of LEVELS) if (location[l] !== undefined) p[l] = location[l];
  return p;
}
