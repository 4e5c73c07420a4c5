import { commonGrid, gapShare, medianInterval, resample } from './resample';

const T0 = 1_700_000_000_000;
const series = (stepS: number, n: number, f: (i: number) => number | null, offsetS = 0) => ({
  times: Array.from({ length: n }, (_, i) => T0 + (offsetS + i * stepS) * 1000),
  values: Array.from({ length: n }, (_, i) => f(i)),
});

describe('resample', () => {
  it('takes the median interval of present samples', () => {
    expect(medianInterval(series(2, 10, (i) => i))).toBe(2000);
    expect(medianInterval(series(1, 10, (i) => (i % 2 ? null : i)))).toBe(2000);
    expect(medianInterval(series(1, 1, () => 1))).toBeNaN();
  });

  it('grids at the coarsest interval over the overlap only', () => {
    const fast = series(1, 100, (i) => i);
    const slow = series(5, 10, (i) => i, 10);
    const grid = commonGrid([fast, slow])!;
    expect(grid).toEqual({ start: T0 + 10_000, step: 5000, length: 10 });
    expect(commonGrid([fast, series(1, 10, (i) => i, 500)])).toBeUndefined();
    expect(commonGrid([fast, series(1, 1, () => 1)])).toBeUndefined();
  });

  it('honours a given step and caps the number of points', () => {
    const s = series(1, 1001, (i) => i);
    expect(commonGrid([s], { stepMs: 10_000, maxGapMs: 0, maxPoints: 1e6 })!.length).toBe(101);
    expect(commonGrid([s], { stepMs: 0, maxGapMs: 0, maxPoints: 11 })!.step).toBe(100_000);
  });

  it('averages faster samples per bucket and interpolates slower ones', () => {
    const grid = { start: T0, step: 2000, length: 5 };
    // 1 s samples of i: the bucket around 2 s holds t = 1, 2 (1 ≤ t < 3) → mean 1.5
    expect(
      Array.from(
        resample(
          series(1, 10, (i) => i),
          grid
        )
      )
    ).toEqual([0, 1.5, 3.5, 5.5, 7.5]);
    // 4 s samples of 10·i: grid points between them are interpolated
    expect(
      Array.from(
        resample(
          series(4, 3, (i) => 10 * i),
          grid
        )
      )
    ).toEqual([0, 5, 10, 15, 20]);
  });

  it('leaves a gap as NaN where neighbours are too far apart', () => {
    const s = series(1, 60, (i) => (i >= 20 && i < 40 ? null : i));
    const grid = { start: T0, step: 1000, length: 60 };
    const v = resample(s, grid);
    expect(v[19]).toBe(19);
    expect(v[25]).toBeNaN();
    expect(v[40]).toBe(40);
    expect(gapShare(v)).toBeCloseTo(20 / 60, 9);
    // a long enough maxGap bridges it
    expect(resample(s, grid, 30_000)[25]).toBeCloseTo(25, 9);
  });
});
