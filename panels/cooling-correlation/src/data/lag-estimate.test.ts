import { gaussian, loadProfile, prng } from '../testing/signals';
import { laggedCorrelation } from './lagged-correlation';
import { estimateLag } from './lag-estimate';

/** 1 s grid: the load profile, and y = 20 + 0.01·load(t − lag) + noise. */
function pair(lag: number, noise: number, slope = 0.01) {
  const f = loadProfile(5, 7200);
  const rand = prng(9);
  const x = Float64Array.from({ length: 7200 }, (_, t) => f(t));
  const y = Float64Array.from({ length: 7200 }, (_, t) => 20 + slope * f(t - lag) + noise * gaussian(rand));
  return { x, y };
}

describe('estimateLag', () => {
  it.each([0, 1, 45, 90, 233])('recovers a lag of %i samples within one sample, with its confidence', (lag) => {
    const { x, y } = pair(lag, 0.2);
    const est = estimateLag(x, y, laggedCorrelation(x, y, 300))!;
    expect(Math.abs(est.lag - lag)).toBeLessThanOrEqual(1);
    expect(est.ci[0]).toBeLessThanOrEqual(lag);
    expect(est.ci[1]).toBeGreaterThanOrEqual(lag);
    expect(est.fit.slope).toBeCloseTo(0.01, 3);
    expect(est.atEdge).toBe(false);
  });

  it('widens the confidence interval as noise grows', () => {
    const width = (noise: number) => {
      const { x, y } = pair(60, noise);
      const est = estimateLag(x, y, laggedCorrelation(x, y, 300))!;
      expect(Math.abs(est.lag - 60)).toBeLessThanOrEqual(1);
      return est.ci[1] - est.ci[0];
    };
    expect(width(3)).toBeGreaterThan(width(0.05));
  });

  it('finds an inverse response (r < 0) and flags a peak at the edge of the search', () => {
    const { x, y } = pair(40, 0.1, -0.02);
    const est = estimateLag(x, y, laggedCorrelation(x, y, 300))!;
    expect(est.r).toBeLessThan(-0.9);
    expect(Math.abs(est.lag - 40)).toBeLessThanOrEqual(1);
    const short = estimateLag(x, y, laggedCorrelation(x, y, 20))!;
    expect(short.atEdge).toBe(true);
  });

  it('has no estimate when every r is undefined', () => {
    const x = new Float64Array(100).fill(1);
    expect(estimateLag(x, x, laggedCorrelation(x, x, 10))).toBeUndefined();
  });
});
