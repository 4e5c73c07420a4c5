import { concatSeries, lowerBound, mergeSeries, sortUnique } from './series';
import { makeSeries } from './test-helpers';

describe('series helpers', () => {
  it('sortUnique sorts by time and keeps the latest arrival of a repeated timestamp', () => {
    const s = makeSeries([30, 10, 20, 10, 30], [3, 1, 2, 11, 33], 'number', [0, 0, 0, 1, 2]);
    const out = sortUnique(s);
    expect(Array.from(out.ts)).toEqual([10, 20, 30]);
    expect(Array.from(out.num)).toEqual([11, 2, 33]);
    expect(Array.from(out.quality)).toEqual([1, 0, 2]);
    const sorted = makeSeries([1, 2, 3], [1, 2, 3], 'number');
    expect(sortUnique(sorted)).toBe(sorted);
  });

  it('mergeSeries interleaves two sorted series, the second winning on equal timestamps', () => {
    const a = makeSeries([1, 3, 5, 7], ['a1', 'a3', 'a5', 'a7'], 'string');
    const b = makeSeries([2, 3, 8], ['b2', 'b3', 'b8'], 'string');
    const m = mergeSeries(a, b);
    expect(Array.from(m.ts)).toEqual([1, 2, 3, 5, 7, 8]);
    expect(m.str).toEqual(['a1', 'b2', 'b3', 'a5', 'a7', 'b8']);
    const later = makeSeries([9], ['b9'], 'string');
    expect(mergeSeries(a, later).str).toEqual(['a1', 'a3', 'a5', 'a7', 'b9']);
    expect(mergeSeries(a, makeSeries([], [], 'string'))).toBe(a);
  });

  it('concatSeries and lowerBound', () => {
    const c = concatSeries([makeSeries([1, 2], [1, 2], 'number'), makeSeries([5], [5], 'number')]);
    expect(Array.from(c.ts)).toEqual([1, 2, 5]);
    expect(lowerBound(c.ts, c.n, 2)).toBe(1);
    expect(lowerBound(c.ts, c.n, 3)).toBe(2);
    expect(lowerBound(c.ts, c.n, 9)).toBe(3);
  });
});
