import { gaussian, prng } from '../testing/signals';
import { laggedCorrelation, laggedCorrelationDirect } from './lagged-correlation';

function noisy(n: number, seed: number, gaps = 0): Float64Array {
  const rand = prng(seed);
  let walk = 0;
  return Float64Array.from({ length: n }, () => {
    walk += gaussian(rand);
    return rand() < gaps ? NaN : walk + 1e6; // a large offset: the sums must not lose precision to it
  });
}

describe('lagged correlation', () => {
  it('FFT and direct implementations agree, gaps included', () => {
    const x = noisy(3000, 1, 0.1);
    const y = noisy(3000, 2, 0.05);
    const fast = laggedCorrelation(x, y, 200);
    const direct = laggedCorrelationDirect(x, y, 200);
    expect(Array.from(fast.lags)).toEqual(Array.from(direct.lags));
    expect(Array.from(fast.pairs)).toEqual(Array.from(direct.pairs));
    fast.r.forEach((r, k) => expect(r).toBeCloseTo(direct.r[k], 9));
  });

  it('finds a pure delay exactly, positive when y follows x', () => {
    const x = noisy(2000, 3);
    const y = new Float64Array(2000).fill(NaN);
    for (let i = 0; i + 37 < 2000; i++) {
      y[i + 37] = 2 * x[i] + 5;
    }
    const { lags, r } = laggedCorrelation(x, y, 100);
    const best = r.indexOf(Math.max(...r.filter(Number.isFinite)));
    expect(lags[best]).toBe(37);
    expect(r[best]).toBeCloseTo(1, 9);
  });

  it('gives NaN, not noise, for a constant series or too few pairs', () => {
    const x = noisy(100, 4);
    expect(Array.from(laggedCorrelation(x, new Float64Array(100).fill(3), 10).r).every(Number.isNaN)).toBe(true);
    expect(Array.from(laggedCorrelationDirect(x, new Float64Array(100).fill(3), 10).r).every(Number.isNaN)).toBe(true);
    const short = laggedCorrelation(x.subarray(0, 10), x.subarray(0, 10), 5);
    expect(short.r[5]).toBeCloseTo(1, 12); // lag 0: 10 pairs
    expect(short.r[10]).toBeNaN(); // lag 5: 5 pairs, fewer than MIN_PAIRS
  });

  it('refuses series of different lengths and fractional lags', () => {
    expect(() => laggedCorrelation(new Float64Array(3), new Float64Array(4), 1)).toThrow(/one length/);
    expect(() => laggedCorrelationDirect(new Float64Array(3), new Float64Array(3), 1.5)).toThrow(/whole number/);
  });
});
