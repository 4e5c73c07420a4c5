import type { Expr } from './ast';
import { PromError } from './errors';
import { Evaluator, type EvalOptions, type Value } from './eval';
import { compareLabels, labelsObject } from './labels';
import { parseDuration, parsePromql, typeOf } from './parse';
import type { SampleSource } from './source';

/**
 * The Prometheus HTTP API's query semantics without HTTP: parameter parsing (times, durations), instant and range
 * evaluation and the JSON shapes of web/api/v1. Pure: the source and the clock come in.
 */

/** Prometheus' limit on points per series in a range query. */
export const MAX_POINTS = 11_000;

/** Latest accepted time, s: the year 9999 (beyond, Date cannot represent it). */
const MAX_TIME_S = 253_402_300_799;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

function invalid(param: string, msg: string): PromError {
  return new PromError('bad_data', `invalid parameter ${JSON.stringify(param)}: ${msg}`);
}

/** A time parameter: Unix seconds (fractions to the ms) or RFC 3339, as Prometheus' parseTime; ms. */
export function parseTimeParam(param: string, s: string | undefined, dflt?: number): number {
  if (s === undefined || s === '') {
    if (dflt !== undefined) return dflt;
    throw invalid(param, `cannot parse ${JSON.stringify(s ?? '')} to a valid timestamp`);
  }
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s.trim())) {
    const t = Number(s);
    if (Math.abs(t) <= MAX_TIME_S) return Math.round(t * 1000);
  } else if (RFC3339.test(s)) {
    const ms = Date.parse(s);
    if (Number.isFinite(ms)) return ms;
  }
  throw invalid(param, `cannot parse ${JSON.stringify(s.slice(0, 100))} to a valid timestamp`);
}

/** A duration parameter: seconds as a float, or a Prometheus duration (`15s`, `1m30s`); ms. */
export function parseDurationParam(param: string, s: string | undefined): number {
  const text = (s ?? '').trim();
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) {
    const sec = Number(text);
    if (Math.abs(sec) < 9.2e9) return Math.round(sec * 1000);
    throw invalid(param, `cannot parse ${JSON.stringify(text.slice(0, 100))} to a valid duration. It overflows int64`);
  }
  const ms = parseDuration(text);
  if (ms === undefined) throw invalid(param, `cannot parse ${JSON.stringify(text.slice(0, 100))} to a valid duration`);
  return ms;
}

/** A float as Go's strconv.FormatFloat(v, 'f', -1, 64) writes it (never an exponent), Prometheus' value strings. */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const exp = Number(s.slice(e + 1));
  let mant = s.slice(0, e);
  const neg = mant.startsWith('-');
  if (neg) mant = mant.slice(1);
  const [int, frac = ''] = mant.split('.') as [string, string?];
  const digits = int + frac;
  const point = int.length + exp;
  const out =
    point <= 0
      ? `0.${'0'.repeat(-point)}${digits}`
      : point >= digits.length
        ? digits + '0'.repeat(point - digits.length)
        : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (neg ? '-' : '') + out;
}

export function parseQueryParam(q: string | undefined): Expr {
  try {
    return parsePromql(q ?? '');
  } catch (err) {
    if (err instanceof PromError) throw new PromError(err.type, `invalid parameter "query": ${err.message}`);
    throw err;
  }
}

/** Errors raised while evaluating are prefixed `query: ` so that they say where the problem is. */
function evaluate(
  expr: Expr,
  source: SampleSource,
  ts: number[],
  start: number,
  end: number,
  opts: EvalOptions,
): Value {
  try {
    return new Evaluator(source, start, end, opts).eval(expr, ts);
  } catch (err) {
    if (err instanceof PromError && err.type !== 'internal') throw new PromError(err.type, `query: ${err.message}`);
    throw err;
  }
}

const sec = (ms: number) => ms / 1000;

export type Sample = [number, string];

export interface InstantResult {
  resultType: 'vector' | 'scalar' | 'string' | 'matrix';
  result: unknown;
}

export function instantQuery(
  source: SampleSource,
  query: string | undefined,
  time: number,
  opts: EvalOptions = {},
): InstantResult {
  const expr = parseQueryParam(query);
  const v = evaluate(expr, source, [time], time, time, opts);
  switch (v.kind) {
    case 'scalar':
      return { resultType: 'scalar', result: [sec(time), formatFloat(v.v[0]!)] };
    case 'string':
      return { resultType: 'string', result: [sec(time), v.value] };
    case 'vector':
      return {
        resultType: 'vector',
        result: v.series
          .filter((s) => s.v[0] !== undefined)
          .map((s) => ({ metric: labelsObject(s.labels), value: [sec(time), formatFloat(s.v[0]!)] })),
      };
    case 'matrix':
      return {
        resultType: 'matrix',
        result: [...v.series]
          .sort((a, b) => compareLabels(a.labels, b.labels))
          .map((s) => ({ metric: labelsObject(s.labels), values: s.t.map((t, i) => [sec(t), formatFloat(s.v[i]!)]) })),
      };
  }
}

/** Steps start, start + step, … ≤ end, as Prometheus evaluates a range query (no alignment of its own). */
export function rangeSteps(start: number, end: number, step: number): number[] {
  if (end < start) throw invalid('end', 'end timestamp must not be before start time');
  if (step <= 0)
    throw invalid('step', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
  if ((end - start) / step > MAX_POINTS)
    throw invalid(
      'step',
      `exceeded maximum resolution of ${MAX_POINTS.toLocaleString('en')} points per timeseries. Try decreasing the query resolution (?step=XX)`,
    );
  const ts: number[] = [];
  for (let t = start; t <= end; t += step) ts.push(t);
  return ts;
}

export function rangeQuery(
  source: SampleSource,
  query: string | undefined,
  start: number,
  end: number,
  step: number,
  opts: EvalOptions = {},
): InstantResult {
  const expr = parseQueryParam(query);
  const type = typeOf(expr);
  if (type !== 'vector' && type !== 'scalar')
    throw new PromError(
      'bad_data',
      `invalid parameter "query": invalid expression type "${type === 'matrix' ? 'range vector' : type}" for range query, must be Scalar or instant Vector`,
    );
  const ts = rangeSteps(start, end, step);
  const v = evaluate(expr, source, ts, start, end, opts);
  const series =
    v.kind === 'scalar'
      ? [{ labels: new Map<string, string>(), v: v.v as Array<number | undefined> }]
      : v.kind === 'vector'
        ? v.series
        : [];
  return {
    resultType: 'matrix',
    result: [...series]
      .sort((a, b) => compareLabels(a.labels, b.labels))
      .map((s) => ({
        metric: labelsObject(s.labels),
        values: s.v.flatMap((x, i) => (x === undefined ? [] : [[sec(ts[i]!), formatFloat(x)]])),
      }))
      .filter((s) => s.values.length > 0),
  };
}
