import { loadProfile } from '../testing/signals';
import { laggingPeriods } from './lagging-periods';

describe('laggingPeriods', () => {
  // the response follows in 20 s for the first hour, then in 150 s (a fan stuck, a valve slow)
  const f = loadProfile(11, 7200);
  const x = Float64Array.from({ length: 7200 }, (_, t) => f(t));
  const y = Float64Array.from({ length: 7200 }, (_, t) => f(t - (t < 3600 ? 20 : 150)));

  it('marks where the lag exceeds the threshold, and only there', () => {
    const periods = laggingPeriods(x, y, { window: 1200, maxLag: 300, threshold: 90 });
    expect(periods.length).toBeGreaterThan(0);
    for (const p of periods) {
      expect(p.from).toBeGreaterThanOrEqual(3600 - 1200);
      expect(p.lag).toBeGreaterThan(90);
      expect(Math.abs(p.lag - 150)).toBeLessThanOrEqual(1);
    }
    const covered = periods.reduce((a, p) => a + (p.to - p.from), 0);
    expect(covered).toBeGreaterThan(2400);
  });

  it('marks nothing when the threshold is above the lag, or the load does not move', () => {
    expect(laggingPeriods(x, y, { window: 1200, maxLag: 300, threshold: 200 })).toEqual([]);
    const flat = new Float64Array(7200).fill(100);
    expect(laggingPeriods(flat, y, { window: 1200, maxLag: 300, threshold: 10 })).toEqual([]);
  });
});
