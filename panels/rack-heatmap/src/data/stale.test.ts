import { formatAge, parseStaleAfter } from './stale';

describe('stale after option', () => {
  it('reads Grafana intervals, empty as never, and names bad text', () => {
    expect(parseStaleAfter('10m')).toEqual({ ms: 600_000 });
    expect(parseStaleAfter(' 30s ')).toEqual({ ms: 30_000 });
    expect(parseStaleAfter('')).toEqual({ ms: undefined });
    expect(parseStaleAfter('10 min')).toEqual({ error: 'stale after: "10 min" is not an interval like 10m' });
    expect(parseStaleAfter('0s')).toHaveProperty('error');
  });

  it('formats ages for people', () => {
    expect([45_900, 12 * 60_000, 185 * 60_000, 120 * 60_000, 50 * 3_600_000].map(formatAge)).toEqual([
      '45 s',
      '12 min',
      '3 h 5 min',
      '2 h',
      '2 d',
    ]);
  });
});
