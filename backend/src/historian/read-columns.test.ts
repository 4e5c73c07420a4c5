import type { Quality, Sample } from '@plenum/model';
import { openHistorian } from './historian';
import { HOUR_MS } from './series';
import { Expected, seededRandom, tempDir } from './test-helpers';
import type { Historian, RawColumns } from './types';

/**
 * readColumns (typed columns, chunks decoded into one set of arrays) against the samples as ingested: ranges that
 * cut chunks at both ends, several chunks per hour (late samples into flushed hours), stored chunks followed by
 * the head, a late sample that must be merged into stored data, limits, booleans, strings and quality.
 */

const T0 = Date.UTC(2026, 0, 5);
const QUALITIES: Quality[] = ['good', 'uncertain', 'bad'];
const POINTS = [
  { id: 'n', valueType: 'number' as const },
  { id: 'b', valueType: 'boolean' as const },
  { id: 's', valueType: 'string' as const },
];

/** what readColumns should answer: the samples as ingested (the latest write of an instant winning), as columns */
function columnsOf(exp: Expected, id: string, from: number, to: number, limit: number) {
  const raw = exp.raw(id, from, to);
  const n = Math.min(raw.ts.length, limit);
  const isStr = id === 's';
  return {
    n,
    ts: raw.ts.slice(0, n),
    num: isStr ? [] : raw.values.slice(0, n).map(Number),
    str: isStr ? (raw.values.slice(0, n) as string[]) : null,
    quality: raw.quality.slice(0, n).map((q) => QUALITIES.indexOf(q)),
  };
}

function samplesAt(r: () => number, ts: number): Sample[] {
  const quality = QUALITIES[Math.floor(r() * 10) % 3 === 0 ? Math.floor(r() * 3) : 0]!;
  return [
    { pointId: 'n', ts, value: Math.round(r() * 1e4) / 100, quality },
    { pointId: 'b', ts, value: r() < 0.5, quality: 'good' },
    { pointId: 's', ts, value: r() < 0.7 ? 'run' : 'stop', quality: 'good' },
  ];
}

function asPlain(c: RawColumns) {
  return {
    n: c.n,
    ts: Array.from(c.ts.subarray(0, c.n)),
    num: c.str ? [] : Array.from(c.num.subarray(0, c.n)),
    str: c.str ? c.str.slice(0, c.n) : null,
    quality: Array.from(c.quality.subarray(0, c.n)),
  };
}

describe('historian readColumns', () => {
  let cleanup = () => {};
  const open: Historian[] = [];
  afterEach(async () => {
    for (const h of open.splice(0)) await h.close();
    cleanup();
  });

  it.each([
    ['with the decoded-chunk cache (each range read twice: decoded, then from the cache)', undefined],
    ['without it', 0],
  ])(
    'returns what was ingested for every kind of range, from chunks, the head and both merged, %s',
    async (_, cacheBytes) => {
      const t = tempDir('read-columns');
      cleanup = t.cleanup;
      const r = seededRandom(11);
      const truth = new Expected();
      let now = T0;
      const tuning = cacheBytes === undefined ? {} : { decodedCacheBytes: cacheBytes };
      let h = openHistorian({ dir: t.dir, now: () => now, tuning });
      open.push(h);
      h.ensurePoints(POINTS);
      // 3 h at 10 s with jitter, then a reopen: every hour in chunks
      for (let ts = T0; ts < T0 + 3 * HOUR_MS; ts += 10_000) {
        const batch = samplesAt(r, ts + Math.floor(r() * 900));
        truth.add(batch);
        now = ts;
        await h.ingest(batch);
      }
      await h.close();
      open.pop();
      // late samples into the flushed hours (a second chunk in each at the next close), and rewrites of instants
      h = openHistorian({ dir: t.dir, now: () => now, tuning });
      open.push(h);
      for (let k = 0; k < 40; k++) {
        const ts = T0 + Math.floor(r() * 3 * HOUR_MS);
        const batch = samplesAt(r, ts);
        truth.add(batch);
        await h.ingest(batch);
      }
      await h.close();
      open.pop();
      h = openHistorian({ dir: t.dir, now: () => now, tuning });
      open.push(h);
      // the head: 20 min after the stored hours, and one more late sample into stored data (merged on read)
      for (let ts = T0 + 3 * HOUR_MS; ts < T0 + 3 * HOUR_MS + 20 * 60_000; ts += 10_000) {
        const batch = samplesAt(r, ts);
        truth.add(batch);
        now = ts;
        await h.ingest(batch);
      }
      const late = samplesAt(r, T0 + HOUR_MS + 12_345);
      truth.add(late);
      await h.ingest(late);

      const end = T0 + 3 * HOUR_MS + 20 * 60_000;
      const ranges: Array<[number, number, number]> = [
        [0, 9e12, Infinity],
        [T0, end, Infinity],
        [T0 + 1234, T0 + 2 * HOUR_MS + 777, Infinity], // cuts the first and the last chunk
        [T0 + HOUR_MS, T0 + 2 * HOUR_MS, Infinity], // exactly one hour
        [T0 + 2.5 * HOUR_MS, end - 60_000, Infinity], // chunks then the head
        [end - 5 * 60_000, end, Infinity], // the head only
        [T0, end, 500], // a limit inside the stored data
        [T0 + HOUR_MS - 5000, end, 3], // a limit across an hour's border
        [T0 + 5000, T0 + 5000, Infinity], // empty
      ];
      for (let k = 0; k < 20; k++) {
        const a = T0 + Math.floor(r() * (end - T0));
        ranges.push([a, a + Math.floor(r() * 2 * HOUR_MS), r() < 0.3 ? Math.floor(r() * 400) : Infinity]);
      }
      let compared = 0;
      for (const { id } of POINTS)
        for (const [from, to, limit] of ranges) {
          for (let again = 0; again < (cacheBytes === 0 ? 1 : 2); again++) {
            const got = asPlain(h.readColumns(id, from, to, limit));
            expect({ id, from, to, limit, ...got }).toEqual({
              id,
              from,
              to,
              limit,
              ...columnsOf(truth, id, from, to, limit),
            });
            compared += got.n;
          }
        }
      expect(compared).toBeGreaterThan(10_000);
    },
    60_000,
  );

  it('names the point and the argument it refuses', () => {
    const t = tempDir('read-columns');
    cleanup = t.cleanup;
    const h = openHistorian({ dir: t.dir });
    open.push(h);
    h.ensurePoints(POINTS);
    expect(() => h.readColumns('nope', 0, 1)).toThrow('readColumns: unknown point "nope"');
    expect(() => h.readColumns('n', NaN, 1)).toThrow('readColumns of point "n": from must be finite, got NaN');
    expect(() => h.readColumns('n', 0, 1, -1)).toThrow('readColumns of point "n": limit must be ≥ 0, got -1');
  });
});
