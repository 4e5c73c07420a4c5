import { reduceValues } from './reduce';

describe('stat reducers', () => {
  const values = [3, null, 7, NaN, 1, null];

  it('skips nulls and NaN except for last, first and count', () => {
    expect(reduceValues(values, 'lastNotNull')).toBe(1);
    expect(reduceValues(values, 'last')).toBeNull();
    expect(reduceValues(values, 'firstNotNull')).toBe(3);
    expect(reduceValues(values, 'first')).toBe(3);
    expect(reduceValues(values, 'mean')).toBeCloseTo(11 / 3);
    expect(reduceValues(values, 'max')).toBe(7);
    expect(reduceValues(values, 'min')).toBe(1);
    expect(reduceValues(values, 'sum')).toBe(11);
    expect(reduceValues(values, 'count')).toBe(6);
    expect(reduceValues(values, 'range')).toBe(6);
    expect(reduceValues(values, 'diff')).toBe(-2);
  });

  it('counts a drop as a counter reset in delta', () => {
    expect(reduceValues([10, 15, 3, 5], 'delta')).toBe(5 + 3 + 2);
  });

  it('answers null for no values, except sum and count (0)', () => {
    for (const calc of ['lastNotNull', 'mean', 'max', 'min', 'range', 'delta']) {
      expect(reduceValues([], calc)).toBeNull();
    }
    expect(reduceValues([], 'sum')).toBe(0);
    expect(reduceValues([null], 'count')).toBe(1);
  });

  it('refuses an unknown calc by name', () => {
    expect(() => reduceValues([1], 'p99')).toThrow(/unsupported reducer "p99"/);
  });
});
