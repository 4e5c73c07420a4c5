import { Rng, hashNormal, hashUniform } from './prng';

describe('Rng', () => {
  it('gives the same sequence for the same seed and stream, and different ones otherwise', () => {
    const seq = (seed: number | string, stream?: string) => {
      const r = new Rng(seed, stream);
      return Array.from({ length: 5 }, () => r.next());
    };
    expect(seq(1)).toEqual(seq(1));
    expect(seq(1)).not.toEqual(seq(2));
    expect(seq(1, 'jobs')).not.toEqual(seq(1, 'faults'));
    expect(seq('1')).toEqual(seq(1)); // a seed from the command line reads the same as a number
  });

  it('stays in range and is roughly uniform', () => {
    const r = new Rng(42);
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = r.next();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      sum += v;
    }
    expect(sum / n).toBeCloseTo(0.5, 1);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(3, 5);
      expect(k === 3 || k === 4 || k === 5).toBe(true);
    }
  });

  it('hash noise depends only on its inputs', () => {
    expect(hashUniform(1, 2, 3)).toBe(hashUniform(1, 2, 3));
    expect(hashUniform(1, 2, 3)).not.toBe(hashUniform(1, 2, 4));
    let sq = 0;
    for (let i = 0; i < 10_000; i++) sq += hashNormal(7, 1, i) ** 2;
    expect(Math.sqrt(sq / 10_000)).toBeGreaterThan(0.85);
    expect(Math.sqrt(sq / 10_000)).toBeLessThan(1.15);
  });
});
