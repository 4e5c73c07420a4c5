import { Evaluator } from './eval';
import { parsePromql } from './parse';
import { MemorySource } from './source';

const T = 1_800_000_000_000;
const src = new MemorySource([
  { labels: { __name__: 'x', a: '1' }, t: [T, T + 60_000, T + 120_000], v: [1, 2, null] },
  { labels: { __name__: 'y', a: '1' }, t: [T, T + 60_000], v: [5, 7] },
]);
const at = (q: string, ts: number[]) => new Evaluator(src, ts[0]!, ts[ts.length - 1]!).eval(parsePromql(q), ts);

describe('Evaluator over a SampleSource', () => {
  it('looks back 5 min inclusive, and a stale marker ends the series at once', () => {
    const y = at('y', [T + 60_000, T + 60_000 + 300_000, T + 60_000 + 300_001]);
    expect(y.kind === 'vector' && y.series[0]!.v).toEqual([7, 7, undefined]);
    const x = at('x', [T + 119_999, T + 120_000, T + 200_000]);
    expect(x.kind === 'vector' && x.series[0]!.v).toEqual([2, undefined, undefined]);
  });

  it('refuses two series that end up with one label set at one step', () => {
    expect(() => at('x + 1 or y + 1', [T])).not.toThrow();
    expect(() => at('rate({a="1"}[2m])', [T + 60_000])).toThrow('vector cannot contain metrics with the same labelset');
  });

  it('aligns subquery steps to multiples of the step, not to the query time', () => {
    const v = at('count_over_time(y[2m:45s])', [T + 60_000]);
    // steps at multiples of 45 s in [T − 60 s, T + 60 s] (T is one): T − 45 s (before y's first sample, no value),
    // T and T + 45 s; a step at the query time's own offsets (T − 60 s + 45 s·k) would count T − 15 s, T + 30 s
    expect(v.kind === 'vector' && v.series[0]!.v).toEqual([2]);
    const w = at('count_over_time(y[2m:45s])', [T + 75_000]);
    // [T − 45 s, T + 75 s]: T − 45 s, T, T + 45 s → still 2; at T + 90 s also T + 90 s (y = 7) → 3
    expect(w.kind === 'vector' && w.series[0]!.v).toEqual([2]);
    const u = at('count_over_time(y[2m:45s])', [T + 90_000]);
    expect(u.kind === 'vector' && u.series[0]!.v).toEqual([3]);
  });
});
