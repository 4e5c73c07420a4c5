import { fitAtLag, forPairs } from './regression';

describe('regression at a lag', () => {
  it('recovers slope and intercept of y[i+lag] = 3·x[i] − 2', () => {
    const x = Float64Array.from({ length: 50 }, (_, i) => Math.sin(i / 3) * 10);
    const y = new Float64Array(50).fill(NaN);
    for (let i = 0; i + 4 < 50; i++) {
      y[i + 4] = 3 * x[i] - 2;
    }
    const fit = fitAtLag(x, y, 4);
    expect(fit.slope).toBeCloseTo(3, 12);
    expect(fit.intercept).toBeCloseTo(-2, 12);
    expect(fit.r2).toBeCloseTo(1, 12);
    expect(fit.n).toBe(46);
  });

  it('visits pairs in order, skipping gaps and marking breaks', () => {
    const x = Float64Array.from([1, 2, NaN, 4, 5]);
    const y = Float64Array.from([10, 20, 30, 40, 50]);
    const seen: Array<[number, number, boolean]> = [];
    forPairs(x, y, -1, (a, b, c) => seen.push([a, b, c]));
    expect(seen).toEqual([
      [2, 10, false],
      [4, 30, false],
      [5, 40, true],
    ]);
  });

  it('measures the residuals’ autocorrelation: near 1 for a smooth misfit, near 0 for white noise', () => {
    const x = Float64Array.from({ length: 400 }, (_, i) => i);
    const curved = Float64Array.from(x, (v) => (v - 200) ** 2);
    expect(fitAtLag(x, curved, 0).residualAutocorrelation).toBeGreaterThan(0.9);
    let seed = 7;
    const white = Float64Array.from(x, (v) => v + ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5));
    expect(Math.abs(fitAtLag(x, white, 0).residualAutocorrelation)).toBeLessThan(0.2);
  });
});
