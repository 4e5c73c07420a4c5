import { bucketWindows, windowSelector } from './windows';

const M = 60_000;

describe('bucketWindows', () => {
  it('splits a raw span into a cut first bucket, whole buckets and a cut last bucket', () => {
    const w = bucketWindows({ from: 10 * M + 5000, to: 20 * M + 7000, stepMs: 2 * M, resolution: 'raw' });
    expect(w.partial).toEqual([
      { bucket: 10 * M, start: 10 * M + 5000, end: 12 * M },
      { bucket: 20 * M, start: 20 * M, end: 20 * M + 7000 },
    ]);
    expect(w.range).toEqual({ firstEnd: 14 * M, lastEnd: 20 * M, stepMs: 2 * M });
  });

  it('has no cut buckets when the span is aligned', () => {
    const w = bucketWindows({ from: 10 * M, to: 20 * M, stepMs: 5 * M, resolution: 'raw' });
    expect(w.partial).toEqual([]);
    expect(w.range).toEqual({ firstEnd: 15 * M, lastEnd: 20 * M, stepMs: 5 * M });
  });

  it('counts whole minutes at 1m, as the edge reads its rollups', () => {
    const w = bucketWindows({ from: 10 * M + 5000, to: 20 * M + 7000, stepMs: M, resolution: '1m' });
    expect(w.partial).toEqual([]);
    expect(w.range).toEqual({ firstEnd: 11 * M, lastEnd: 21 * M, stepMs: M });
  });

  it('keeps one cut bucket when the span lies inside one bucket', () => {
    const w = bucketWindows({ from: 10 * M + 1, to: 10 * M + 9, stepMs: M, resolution: 'raw' });
    expect(w).toEqual({ partial: [{ bucket: 10 * M, start: 10 * M + 1, end: 10 * M + 9 }] });
    expect(bucketWindows({ from: 5, to: 5, stepMs: M, resolution: 'raw' })).toEqual({ partial: [] });
  });
});

describe('windowSelector', () => {
  it('is half-open on both engines', () => {
    expect(windowSelector('x{a="b"}', 60_000, 'victoriametrics')).toBe('x{a="b"}[60000ms] offset 1ms');
    expect(windowSelector('x', 60_000, 'prometheus')).toBe('x[59999ms] offset 1ms');
    expect(windowSelector('x', 1000, 'victoriametrics', 300_000)).toBe('x[1000ms] offset -299999ms');
  });
});
