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
