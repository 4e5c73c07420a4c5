/*
 * Value → colour bucket, the hot path of every redraw: no @grafana imports, no allocation, so the benchmark bundles
 * this file as it is. Buckets index a palette built once per field config (colors.ts); racks are then drawn one
 * fill per bucket.
 */
import { STATUS_MISSING, STATUS_OK } from './status';

/** Bucket of racks without a value, and of stale ones: drawn hatched with a symbol, never in a scale colour. */
export const BUCKET_MISSING = 0xffff;
export const BUCKET_STALE = 0xfffe;

export type BucketRule =
  /** thresholds: bucket i holds values ≥ bounds[i-1] and < bounds[i]; bucket 0 everything below bounds[0] */
  | { kind: 'steps'; bounds: Float64Array }
  /** continuous scheme quantised into `count` equal buckets between min and max (values outside are clamped) */
  | { kind: 'linear'; min: number; max: number; count: number };

export function bucketOf(rule: BucketRule, v: number): number {
  if (rule.kind === 'linear') {
    const span = rule.max - rule.min;
    const t = span > 0 ? (v - rule.min) / span : 0.5;
    const b = Math.floor(t * rule.count);
    return b < 0 ? 0 : b >= rule.count ? rule.count - 1 : b;
  }
  const bounds = rule.bounds;
  let lo = 0;
  let hi = bounds.length;
  // first bound greater than v = the bucket (binary search: 5 steps cost the same as 50)
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bounds[mid]! <= v) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

/**
 * Bucket of every rack into `out`: its status bucket unless OK, else `mapped(v)` when that is ≥ 0 (a value mapping
 * with a colour), else the rule's bucket.
 */
export function fillBuckets(
  value: Float64Array,
  status: Uint8Array,
  rule: BucketRule,
  out: Uint16Array,
  mapped?: (v: number) => number
): Uint16Array {
  for (let i = 0; i < value.length; i++) {
    const s = status[i];
    if (s !== STATUS_OK) {
      out[i] = s === STATUS_MISSING ? BUCKET_MISSING : BUCKET_STALE;
      continue;
    }
    const v = value[i]!;
    const m = mapped ? mapped(v) : -1;
    out[i] = m >= 0 ? m : bucketOf(rule, v);
  }
  return out;
}
