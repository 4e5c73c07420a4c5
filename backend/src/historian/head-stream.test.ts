import fc from 'fast-check';
import type { ValueType } from '@plenum/model';
import { Head } from './head';
import { decodeStream, StreamState, StreamWriter } from './head-stream';
import { seededRandom } from './test-helpers';

const T = Date.UTC(2024, 0, 1);

interface Rec {
  ts: number;
  value: number | string;
  quality: number;
  rawStatus: number;
  staging: number;
}

function roundTrip(valueType: ValueType, recs: Rec[]): ReturnType<typeof decodeStream> {
  const w = new StreamWriter(16);
  const st = new StreamState();
  for (const r of recs) w.append(st, valueType === 'string', r.ts, r.value, r.quality, r.rawStatus, r.staging);
  return decodeStream(w.buf, w.len, recs.length, valueType);
}

/** a string head, through its public side: what it views is what it was given */
function stringHead(recs: Rec[]): string[] | null {
  const h = new Head('string');
  for (const r of recs) h.append(r.ts, r.value, r.quality, r.rawStatus, r.staging, 0);
  return h.peek(Infinity).str;
}

/** bytes per sample of a 1 Hz series of `n` samples with receive jitter, values from `value(i)` */
function bytesPerSample(n: number, value: (i: number) => number): number {
  const r = seededRandom(3);
  const h = new Head('number');
  for (let i = 0; i < n; i++) h.append(T + i * 1000 + Math.floor(r() * 40), value(i), 0, 0, 1 + Math.floor(i / 5), 0);
  return h.bytes / n;
}

describe('head stream', () => {
  const numbers = fc.oneof(
    fc.double(),
    fc.integer({ min: -1e6, max: 1e6 }).map((x) => x / 10),
    fc.integer({ min: -(2 ** 50), max: 2 ** 50 }).map((x) => x / 1e6),
    fc.float({ noNaN: false }).map((f) => f),
    fc.constantFrom(0, 1, 2 ** 50, -(2 ** 50), 1e300, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity),
  );
  const recs = <V>(value: fc.Arbitrary<V>) =>
    fc.array(
      fc.record({
        dt: fc.oneof(fc.constant(1000), fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: -1e11, max: 1e11 })),
        value,
        quality: fc.constantFrom(0, 0, 0, 1, 2),
        rawStatus: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 32 - 1 })),
        ds: fc.constantFrom(0, 0, 1, 7, 100_000),
      }),
      { maxLength: 200 },
    );
  const build = <V extends number | string>(
    rows: Array<{ dt: number; value: V; quality: number; rawStatus: number; ds: number }>,
  ) => {
    let ts = T;
    let staging = 1;
    return rows.map((r) => {
      ts = Math.min(Math.max(ts + r.dt, Date.UTC(2000, 0, 1)), Date.UTC(2199, 0, 1));
      staging += r.ds;
      return { ts, value: r.value, quality: r.quality, rawStatus: r.rawStatus, staging };
    });
  };

  it('gives back every number exactly, with its time, quality, status and staging id', () => {
    fc.assert(
      fc.property(recs(numbers), (rows) => {
        const want = build(rows);
        const { series, staging } = roundTrip('number', want);
        want.forEach((r, i) => {
          expect(series.ts[i]).toBe(r.ts);
          // −0 is normalised to 0 at ingest; every other value, NaN included, comes back bit for bit
          expect(Object.is(series.num[i], r.value) || (r.value === 0 && series.num[i] === 0)).toBe(true);
          expect(series.quality[i]).toBe(r.quality);
          expect(series.rawStatus[i]).toBe(r.rawStatus);
          expect(staging[i]).toBe(r.staging);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a string head gives back strings as given, empty, non-ASCII and lone surrogates included', () => {
    fc.assert(
      fc.property(
        recs(
          fc.oneof(
            fc.string(),
            fc.string({ unit: 'binary' }),
            fc.constant('\ud800 lone surrogate'),
            fc.constantFrom('', 'run', 'Störung ⚠'),
          ),
        ),
        (rows) => {
          const recs = build(rows);
          // the head views them sorted by time, the latest arrival winning on an equal timestamp
          const byTs = new Map<number, string>();
          for (const r of recs) byTs.set(r.ts, r.value);
          const want = [...byTs].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
          expect(stringHead(recs)).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a truncated stream instead of inventing samples', () => {
    const w = new StreamWriter(16);
    const st = new StreamState();
    w.append(st, false, T, 21.5, 0, 0, 1);
    w.append(st, false, T + 1000, 21.6, 0, 0, 1);
    expect(() => decodeStream(w.buf, w.len - 1, 2, 'number')).toThrow(/corrupt head/);
    expect(() => decodeStream(w.buf, w.len, 1, 'number')).toThrow(/bytes left/);
  });

  // the sizes that set headMaxBytes (types.ts) and the memory per point (README, "Heads")
  it('takes a few bytes per 1 Hz sample of rack data', () => {
    const r = seededRandom(9);
    const temp = bytesPerSample(3600, (i) => Math.round(220 + 20 * Math.sin(i / 300) + r() * 3) / 10);
    const power = bytesPerSample(3600, (i) => Math.round(80_000 + 30_000 * Math.sin(i / 60) + r() * 500) / 1000);
    const float32 = bytesPerSample(3600, (i) => Math.fround(22 + Math.sin(i / 300) + r() * 0.05));
    const onOff = bytesPerSample(3600, (i) => (i % 600 < 300 ? 1 : 0));
    expect(temp).toBeLessThan(3.2);
    expect(power).toBeLessThan(4.2);
    expect(float32).toBeLessThan(7);
    expect(onOff).toBeLessThan(3);
  });
});
