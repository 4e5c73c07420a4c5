import { Head } from './head';

const T = Date.UTC(2024, 0, 1);

function fill(h: Head, rows: Array<[number, number, number]>): void {
  for (const [ts, v, id] of rows) h.append(ts, v, 0, 0, id, 0);
}

describe('head', () => {
  it('views its samples sorted, one per timestamp, the latest arrival winning', () => {
    const h = new Head('number');
    fill(h, [
      [T + 3000, 3, 1],
      [T + 1000, 1, 1],
      [T + 2000, 2, 2],
      [T + 1000, 10, 3],
    ]);
    const v = h.view();
    expect(Array.from(v.ts.subarray(0, v.n))).toEqual([T + 1000, T + 2000, T + 3000]);
    expect(Array.from(v.num.subarray(0, v.n))).toEqual([10, 2, 3]);
    expect(h.minTs).toBe(T + 1000);
    expect(h.maxTs).toBe(T + 3000);
  });

  it('window(from, to) is the view cut to [from, to), in its own arrays, in and out of order, numbers and strings', () => {
    const cols = (v: { n: number; ts: Float64Array; num: Float64Array; str: string[] | null }) => ({
      ts: Array.from(v.ts.subarray(0, v.n)),
      values: v.str ? v.str.slice(0, v.n) : Array.from(v.num.subarray(0, v.n)),
    });
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const [valueType, shuffled] of [
      ['number', false],
      ['number', true],
      ['string', true],
    ] as const) {
      const h = new Head(valueType);
      for (let i = 0; i < 200; i++) {
        // in order: 1 s apart with jitter; shuffled: late and repeated seconds as well (the latest arrival wins)
        const ts = shuffled && rnd() < 0.3 ? T + Math.floor(rnd() * i) * 1000 : T + i * 1000 + Math.floor(rnd() * 40);
        h.append(ts, valueType === 'string' ? `s${i}` : Math.round(rnd() * 300) / 10, 0, 0, 1, 0);
      }
      const all = cols(h.view());
      for (const [from, to] of [
        [T + 190_000, Infinity], // a live panel's last seconds
        [T + 50_500, T + 60_000],
        [-Infinity, T + 5000],
        [T - 10_000, T + 400_000], // all of it
        [T + 400_000, T + 500_000], // none
      ]) {
        const keep = all.ts.map((t, i) => [t, i] as const).filter(([t]) => t >= from! && t < to!);
        const w = h.window(from!, to!);
        expect(cols(w)).toEqual({ ts: keep.map(([t]) => t), values: keep.map(([, i]) => all.values[i]) });
        // its own arrays: the next window does not overwrite them
        const copy = cols(w);
        h.window(T, T + 100_000);
        expect(cols(w)).toEqual(copy);
      }
    }
  });

  it('peek copies what is below the cutoff; drop keeps the rest in arrival order', () => {
    const h = new Head('number');
    fill(h, [
      [T + 5000, 5, 1],
      [T + 1000, 1, 2],
      [T + 7000, 7, 3],
      [T + 2000, 2, 4],
    ]);
    const taken = h.peek(T + 5000);
    expect(Array.from(taken.ts)).toEqual([T + 1000, T + 2000]);
    h.drop(T + 5000, 99);
    expect(h.n).toBe(2);
    expect(h.firstStagingId()).toBe(1);
    expect(h.lastStagingId()).toBe(3);
    expect(h.since).toBe(99);
    expect(Array.from(h.view().num.subarray(0, 2))).toEqual([5, 7]);
    // the copy handed out is not disturbed by later appends
    fill(h, [[T + 9000, 9, 5]]);
    expect(Array.from(taken.num)).toEqual([1, 2]);
  });

  it('peek of everything hands out a copy that later appends do not overwrite', () => {
    const h = new Head('string');
    h.append(T, 'a', 0, 0, 1, 0);
    h.append(T + 1, 'b', 2, 5, 1, 0);
    const all = h.peek(Infinity);
    h.drop(Infinity, 0);
    expect(h.n).toBe(0);
    h.append(T + 2, 'c', 0, 0, 2, 0);
    expect(all.str).toEqual(['a', 'b']);
    expect(Array.from(all.rawStatus)).toEqual([0, 5]);
  });

  it('grows and shrinks its arrays', () => {
    const h = new Head('number');
    for (let i = 0; i < 10_000; i++) h.append(T + i, i, 0, 0, 1, 0);
    expect(h.view().n).toBe(10_000);
    h.drop(T + 9_990, 0);
    expect(h.n).toBe(10);
    expect(Array.from(h.view().num.subarray(0, 10))).toEqual([
      9990, 9991, 9992, 9993, 9994, 9995, 9996, 9997, 9998, 9999,
    ]);
  });
});
