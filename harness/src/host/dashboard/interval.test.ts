import { calculateInterval, intervalToMs, msToInterval, refreshPeriodMs, roundInterval } from './interval';

describe('dashboard intervals (Grafana’s rangeutil)', () => {
  it('reads duration strings; a bare number is seconds', () => {
    expect(intervalToMs('500ms')).toBe(500);
    expect(intervalToMs('10s')).toBe(10_000);
    expect(intervalToMs('5m')).toBe(300_000);
    expect(intervalToMs('1d')).toBe(86_400_000);
    expect(intervalToMs('30')).toBe(30_000);
    expect(() => intervalToMs('soon')).toThrow(/Invalid interval string/);
  });

  it('rounds a raw step to a readable one', () => {
    expect(roundInterval(3600)).toBe(5000);
    expect(roundInterval(34_838)).toBe(30_000);
    expect(roundInterval(50_000)).toBe(60_000);
    expect(roundInterval(5)).toBe(1);
    expect(roundInterval(1e12)).toBe(31_536_000_000);
  });

  it('gives $__interval from the range and the panel’s width in px, never below the minimum', () => {
    // 6 h over a 620 px panel: 34.8 s → 30s; over 306 px: 70.6 s → 1m
    expect(calculateInterval(6 * 3_600_000, 620)).toEqual({ intervalMs: 30_000, interval: '30s' });
    expect(calculateInterval(6 * 3_600_000, 306)).toEqual({ intervalMs: 60_000, interval: '1m' });
    expect(calculateInterval(6 * 3_600_000, 620, '1m')).toEqual({ intervalMs: 60_000, interval: '1m' });
    // an interval variable's auto: 1 h in 30 steps → 2m; 5 min in 30 steps is below auto_min 10s
    expect(calculateInterval(3_600_000, 30, '10s').interval).toBe('2m');
    expect(calculateInterval(300_000, 30, '10s').interval).toBe('10s');
  });

  it('prints the largest whole unit', () => {
    expect(msToInterval(90_000)).toBe('1m');
    expect(msToInterval(500)).toBe('500ms');
    expect(msToInterval(7_200_000)).toBe('2h');
    expect(msToInterval(0)).toBe('less than a millisecond');
  });

  it('takes the refresh period from the dashboard, no shorter than the minimum, off when empty or unreadable', () => {
    expect(refreshPeriodMs('10s')).toBe(10_000);
    expect(refreshPeriodMs('1s')).toBe(5_000);
    expect(refreshPeriodMs('1s', '1s')).toBe(1_000);
    expect(refreshPeriodMs('')).toBeUndefined();
    expect(refreshPeriodMs(false)).toBeUndefined();
    expect(refreshPeriodMs('auto')).toBeUndefined();
  });
});
