import type { ValueType } from '@plenum/model';
import { ByteReader, ByteWriter, unzigzag, zigzag } from './byte-io';
import { decodeChunk, encodeChunk } from './chunk-codec';
import { decimalScale, readPlanes, writePlanes } from './columns';
import type { Series } from './series';
import { makeSeries, seededRandom } from './test-helpers';

function roundTrip(s: Series, valueType: ValueType): Series {
  const { series, valueType: vt } = decodeChunk(encodeChunk(s, valueType));
  expect(vt).toBe(valueType);
  return series;
}

function expectSame(a: Series, b: Series): void {
  expect(b.n).toBe(a.n);
  expect(Array.from(b.ts)).toEqual(Array.from(a.ts.subarray(0, a.n)));
  if (a.str) expect(b.str).toEqual(a.str.slice(0, a.n));
  else {
    // Object.is: exact bits, so 0.1 + 0.2 must not come back as 0.3
    const got = Array.from(b.num);
    Array.from(a.num.subarray(0, a.n)).forEach((v, i) => expect(Object.is(got[i], v)).toBe(true));
  }
  expect(Array.from(b.quality)).toEqual(Array.from(a.quality.subarray(0, a.n)));
  expect(Array.from(b.rawStatus)).toEqual(Array.from(a.rawStatus.subarray(0, a.n)));
}

const T0 = Date.UTC(2024, 4, 1, 10);

describe('varints and zigzag', () => {
  it('round-trip small, large and negative integers', () => {
    const values = [
      0,
      1,
      -1,
      63,
      -64,
      127,
      128,
      2 ** 31 - 1,
      2 ** 31,
      -(2 ** 31),
      2 ** 40 + 3,
      -(2 ** 45),
      2 ** 51,
      -(2 ** 51),
    ];
    const w = new ByteWriter(4);
    for (const v of values) w.svarint(v);
    const r = new ByteReader(w.view());
    expect(values.map(() => r.svarint())).toEqual(values);
    expect(r.remaining).toBe(0);
    for (const v of values) expect(unzigzag(zigzag(v))).toBe(v);
  });

  it('refuses truncated input', () => {
    expect(() => new ByteReader(Uint8Array.from([0x80])).uvarint()).toThrow(/truncated/);
  });

  it('byte planes keep every width', () => {
    for (const max of [0, 200, 60000, 2 ** 24 - 1, 2 ** 32 - 1, 2 ** 40]) {
      const vals = Float64Array.from([0, max, Math.floor(max / 3), 1]);
      const w = new ByteWriter();
      writePlanes(w, vals, vals.length);
      expect(Array.from(readPlanes(new ByteReader(w.view()), vals.length))).toEqual(Array.from(vals));
    }
  });
});

describe('decimalScale', () => {
  it('finds the fewest decimals that round-trip exactly', () => {
    expect(decimalScale(Float64Array.from([1, 2, 3]), 3)).toBe(0);
    expect(decimalScale(Float64Array.from([21.5, 21.6, 22]), 3)).toBe(1);
    expect(decimalScale(Float64Array.from([1.234, 0.001, -7.5]), 3)).toBe(3);
    expect(decimalScale(Float64Array.from([0.000001, 123456.654321]), 2)).toBe(6);
  });

  it('rejects non-decimals, -0 and integers too large to delta-code exactly', () => {
    expect(decimalScale(Float64Array.from([0.1 + 0.2]), 1)).toBe(-1);
    expect(decimalScale(Float64Array.from([Math.PI]), 1)).toBe(-1);
    expect(decimalScale(Float64Array.from([1e-7]), 1)).toBe(-1);
    expect(decimalScale(Float64Array.from([-0]), 1)).toBe(-1);
    expect(decimalScale(Float64Array.from([2 ** 52]), 1)).toBe(-1);
  });
});

describe('chunk codec', () => {
  it('round-trips a single sample of each type', () => {
    expectSame(makeSeries([T0], [21.5], 'number'), roundTrip(makeSeries([T0], [21.5], 'number'), 'number'));
    expectSame(makeSeries([T0], [true], 'boolean'), roundTrip(makeSeries([T0], [true], 'boolean'), 'boolean'));
    expectSame(makeSeries([T0], ['auto'], 'string'), roundTrip(makeSeries([T0], ['auto'], 'string'), 'string'));
  });

  it('round-trips an empty chunk', () => {
    const s = makeSeries([], [], 'number');
    expect(roundTrip(s, 'number').n).toBe(0);
  });

  const cases: Array<[string, () => number]> = [];
  const r = seededRandom(7);
  cases.push(['constants', () => 42]);
  cases.push(['negative decimals', () => Math.round((r() - 0.7) * 10000) / 100]);
  cases.push(['large integers', () => Math.round((r() - 0.5) * 2 ** 50)]);
  cases.push(['integers beyond the scaled range', () => Math.round((r() - 0.5) * 2 ** 53)]);
  cases.push(['6-decimal values', () => Math.round(r() * 1e9) / 1e6]);
  cases.push(['non-decimal floats', () => r() * 1000]);
  cases.push(['tiny and huge floats', () => (r() < 0.5 ? r() * 1e-300 : r() * 1e300)]);
  cases.push(['mixed decimals and one float', () => (r() < 0.01 ? Math.E : Math.round(r() * 100) / 10)]);
  it.each(cases)('round-trips numbers: %s', (_name, gen) => {
    for (const n of [1, 2, 3, 100, 5000]) {
      const ts: number[] = [];
      let t = T0;
      for (let i = 0; i < n; i++) ts.push((t += 1 + Math.floor(r() * 3000)));
      const s = makeSeries(ts, ts.map(gen), 'number');
      expectSame(s, roundTrip(s, 'number'));
    }
  });

  it('round-trips regular, jittered, gapped and unsorted timestamps', () => {
    const shapes: number[][] = [
      Array.from({ length: 360 }, (_, i) => T0 + i * 10_000),
      Array.from({ length: 360 }, (_, i) => T0 + i * 10_000 + Math.floor(r() * 40)),
      Array.from({ length: 360 }, (_, i) => T0 + i * 10_000 + (i > 100 ? 50_000 : 0) + Math.floor(r() * 40)),
      Array.from({ length: 50 }, () => T0 + Math.floor(r() * 3_600_000)),
      [T0, T0, T0 + 1],
    ];
    for (const ts of shapes) {
      const s = makeSeries(
        ts,
        ts.map((_, i) => i),
        'number',
      );
      expectSame(s, roundTrip(s, 'number'));
    }
  });

  it('round-trips booleans, strings, quality and rawStatus runs', () => {
    const n = 1000;
    const ts = Array.from({ length: n }, (_, i) => T0 + i * 1000);
    const bools = ts.map((_, i) => Math.floor(i / 97) % 2 === 0);
    const quality = ts.map((_, i) => (i % 250 < 3 ? 2 : i % 100 === 7 ? 1 : 0));
    const status = quality.map((q) => (q === 2 ? 0x80020000 : q === 1 ? 11 : 0));
    const b = makeSeries(ts, bools, 'boolean', quality, status);
    expectSame(b, roundTrip(b, 'boolean'));
    const strs = ts.map((_, i) => ['auto', 'manual', 'fault ⚠', '', '"quoted"\n'][Math.floor(i / 200)] as string);
    const s = makeSeries(ts, strs, 'string', quality, status);
    expectSame(s, roundTrip(s, 'string'));
  });

  it('compresses realistic series well', () => {
    const n = 360;
    const ts = Array.from({ length: n }, (_, i) => T0 + i * 10_000);
    const temps = ts.map((t) => Math.round((22 + Math.sin(t / 3_600_000) + (r() - 0.5) * 0.2) * 10) / 10);
    expect(encodeChunk(makeSeries(ts, temps, 'number'), 'number').length / n).toBeLessThan(1);
    const states = ts.map(() => 2);
    expect(encodeChunk(makeSeries(ts, states, 'number'), 'number').length).toBeLessThan(60);
  });

  it('refuses corrupt input with an error, not garbage', () => {
    const blob = encodeChunk(makeSeries([T0, T0 + 1000], [1, 2], 'number'), 'number');
    expect(() => decodeChunk(blob.subarray(0, blob.length - 3))).toThrow();
    const wrongFormat = Buffer.from(blob);
    wrongFormat[0] = 99;
    expect(() => decodeChunk(wrongFormat)).toThrow(/chunk format 99/);
  });
});
