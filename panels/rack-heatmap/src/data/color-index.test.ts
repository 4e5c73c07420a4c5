import { BUCKET_MISSING, BUCKET_STALE, bucketOf, fillBuckets } from './color-index';
import { STATUS_MISSING, STATUS_OK, STATUS_STALE } from './status';

describe('colour buckets', () => {
  const steps = { kind: 'steps' as const, bounds: Float64Array.from([15, 18, 27, 32]) };

  it('puts a value in the step whose lower bound it reaches, as Grafana thresholds do', () => {
    expect([10, 15, 17.9, 18, 26.99, 27, 32, 99].map((v) => bucketOf(steps, v))).toEqual([0, 1, 1, 2, 2, 3, 4, 4]);
  });

  it('quantises linear scales into equal buckets, clamped, the middle for a flat range', () => {
    const linear = { kind: 'linear' as const, min: 0, max: 100, count: 4 };
    expect([-5, 0, 24.9, 25, 99.9, 100, 500].map((v) => bucketOf(linear, v))).toEqual([0, 0, 0, 1, 3, 3, 3]);
    expect(bucketOf({ ...linear, max: 0 }, 0)).toBe(2);
  });

  it('gives missing and stale racks their own buckets, and a mapped colour wins over the scale', () => {
    const value = Float64Array.from([20, NaN, 20, 40]);
    const status = Uint8Array.from([STATUS_OK, STATUS_MISSING, STATUS_STALE, STATUS_OK]);
    const out = fillBuckets(value, status, steps, new Uint16Array(4), (v) => (v === 40 ? 9 : -1));
    expect([...out]).toEqual([2, BUCKET_MISSING, BUCKET_STALE, 9]);
  });
});
