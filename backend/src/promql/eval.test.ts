import { Evaluator } from './eval';
import { parsePromql } from './parse';
import { MemorySource, type SampleSource } from './source';

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

  it('answers an instant selector from the newest sample as it would from the samples', () => {
    const series = [
      { labels: { __name__: 'z', a: '1' }, t: [T, T + 60_000], v: [3, 4] },
      { labels: { __name__: 'z', a: '2' }, t: [T, T + 30_000], v: [8, null] },
      { labels: { __name__: 'z', a: '3' }, t: [], v: [] },
    ];
    const withNewest = new MemorySource(series);
    let read = 0;
    // the same series without newest(), counting the reads
    const plain: SampleSource = {
      select: (m) => withNewest.select(m),
      samples: (ref, from, to) => (read++, withNewest.samples(ref, from, to)),
    };
    let readNewest = 0;
    const counted: SampleSource = {
      select: (m) => withNewest.select(m),
      samples: (ref, from, to) => (readNewest++, withNewest.samples(ref, from, to)),
      newest: (refs) => withNewest.newest(refs),
    };
    for (const t of [T - 1, T, T + 30_000, T + 59_999, T + 60_000, T + 360_000, T + 360_001]) {
      for (const q of ['z', 'timestamp(z)', 'z offset 1m', 'z @ 1800000000']) {
        const a = new Evaluator(plain, t, t).eval(parsePromql(q), [t]);
        const b = new Evaluator(counted, t, t).eval(parsePromql(q), [t]);
        expect([t, q, b]).toEqual([t, q, a]);
      }
    }
    expect(read).toBeGreaterThan(0);
    // at or after the newest sample nothing is read: T + 60 s and later for a=1, any time after T + 30 s for a=2
    readNewest = 0;
    new Evaluator(counted, T + 60_000, T + 60_000).eval(parsePromql('z'), [T + 60_000]);
    expect(readNewest).toBe(0);
    new Evaluator(counted, T + 59_999, T + 59_999).eval(parsePromql('z'), [T + 59_999]);
    expect(readNewest).toBe(1);
  });
});
