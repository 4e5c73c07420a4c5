import type { ValueType } from './ast';

/** A PromQL function's argument types (the last repeated when `variadic`), its optional trailing arguments and its result. */
export interface Signature {
  args: ValueType[];
  /** how many of the trailing `args` may be left out */
  optional?: number;
  ret: ValueType;
}

const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

const overTime = { args: [M], ret: V };
const math1 = { args: [V], ret: V };

/**
 * The functions Plenum evaluates (functions.ts implements each), typed as Prometheus 2.42's parser types them.
 * Anything else that lezer-promql parses as a function is answered with an error naming it (UnsupportedError).
 */
export const SIGNATURES: Readonly<Record<string, Signature>> = {
  abs: math1,
  ceil: math1,
  floor: math1,
  exp: math1,
  sqrt: math1,
  ln: math1,
  log2: math1,
  log10: math1,
  sgn: math1,
  round: { args: [V, S], optional: 1, ret: V },
  clamp: { args: [V, S, S], ret: V },
  clamp_min: { args: [V, S], ret: V },
  clamp_max: { args: [V, S], ret: V },
  timestamp: { args: [V], ret: V },
  absent: { args: [V], ret: V },
  absent_over_time: overTime,
  present_over_time: overTime,
  avg_over_time: overTime,
  min_over_time: overTime,
  max_over_time: overTime,
  sum_over_time: overTime,
  count_over_time: overTime,
  last_over_time: overTime,
  stddev_over_time: overTime,
  stdvar_over_time: overTime,
  quantile_over_time: { args: [S, M], ret: V },
  changes: overTime,
  resets: overTime,
  rate: overTime,
  increase: overTime,
  delta: overTime,
  irate: overTime,
  idelta: overTime,
  deriv: overTime,
  predict_linear: { args: [M, S], ret: V },
  time: { args: [], ret: S },
  vector: { args: [S], ret: V },
  scalar: { args: [V], ret: S },
  sort: { args: [V], ret: V },
  sort_desc: { args: [V], ret: V },
  label_replace: { args: [V, STR, STR, STR, STR], ret: V },
};
