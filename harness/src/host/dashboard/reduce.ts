/*
 * The reducers (`reduceOptions.calcs`) the stat, gauge and bar gauge stand-ins offer, with @grafana/data's
 * `fieldReducers` semantics: nulls (and NaN) skipped except by `last`, `first` and `count`; no values → null
 * (sum and count → 0).
 */

export const REDUCERS = [
  'lastNotNull',
  'last',
  'firstNotNull',
  'first',
  'mean',
  'max',
  'min',
  'sum',
  'count',
  'range',
  'delta',
  'diff',
] as const;
export type ReducerId = (typeof REDUCERS)[number];

export function isReducerId(id: string): id is ReducerId {
  return (REDUCERS as readonly string[]).includes(id);
}

function numbers(values: readonly unknown[]): number[] {
  return values.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
}

function asNumber(v: unknown): number | null {
  return typeof v === 'number' ? v : null;
}

/** One calculation over a field's values; unknown ids throw, so a typo in a saved dashboard shows up. */
export function reduceValues(values: readonly unknown[], calc: string): number | null {
  const nums = numbers(values);
  switch (calc) {
    case 'last':
      return values.length ? asNumber(values[values.length - 1]) : null;
    case 'first':
      return values.length ? asNumber(values[0]) : null;
    case 'lastNotNull':
      return nums.length ? nums[nums.length - 1]! : null;
    case 'firstNotNull':
      return nums.length ? nums[0]! : null;
    case 'mean':
      return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : null;
    case 'max':
      return nums.length ? Math.max(...nums) : null;
    case 'min':
      return nums.length ? Math.min(...nums) : null;
    case 'sum':
      return nums.reduce((a, b) => a + b, 0);
    case 'count':
      return values.length;
    case 'range':
      return nums.length ? Math.max(...nums) - Math.min(...nums) : null;
    case 'diff':
      return nums.length ? nums[nums.length - 1]! - nums[0]! : null;
    case 'delta': {
      // the sum of increases, a decrease counting as a counter reset (Grafana's `delta`)
      let delta = 0;
      for (let i = 1; i < nums.length; i++) {
        const step = nums[i]! - nums[i - 1]!;
        delta += step < 0 ? nums[i]! : step;
      }
      return nums.length ? delta : null;
    }
    default:
      throw new Error(`unsupported reducer "${calc}" (the harness's stat supports ${REDUCERS.join(', ')})`);
  }
}
