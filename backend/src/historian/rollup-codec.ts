import { ByteReader, ByteWriter, unzigzag, zigzag } from './byte-io';
import { decimalScale, readNumbers, readPlanes, readRuns, writeNumbers, writePlanes, writeRuns } from './columns';
import { emptyMinuteBuckets, type MinuteBuckets } from './rollup';
import { readSection, writeSection } from './sections';

/**
 * The 1-minute rollup of one point-hour as one blob: format byte, number of minutes, then one section (see
 * sections.ts) holding a 60-bit bitmap of the minutes present, counts and bad counts (runs), and the
 * statistics of the minutes that hold good samples.
 *
 * When min/max/sum/last are all exact decimals (the usual case) they are stored as scaled integers relative to
 * the minute's min — max−min, last−min and sum−count·min are small and never negative — with min itself as
 * zigzag deltas. Otherwise the four columns are stored as number columns (columns.ts).
 */

const ROLLUP_FORMAT = 3;
const STATS_DECIMAL = 0;
const STATS_COLUMNS = 1;
/** scaled integers above this fall back to number columns */
const MAX_SCALED = 2 ** 50;

function goodIndexes(b: MinuteBuckets): number[] {
  const idx: number[] = [];
  for (let i = 0; i < b.n; i++) if ((b.count[i] as number) > 0) idx.push(i);
  return idx;
}

function pick(col: Float64Array, idx: number[]): Float64Array {
  return Float64Array.from(idx, (i) => col[i] as number);
}

function writeDecimalStats(w: ByteWriter, b: MinuteBuckets, idx: number[]): boolean {
  const k = idx.length;
  const all = new Float64Array(k * 4);
  idx.forEach((i, j) => {
    all[j * 4] = b.min[i] as number;
    all[j * 4 + 1] = b.max[i] as number;
    all[j * 4 + 2] = b.sum[i] as number;
    all[j * 4 + 3] = b.last[i] as number;
  });
  const d = decimalScale(all, k * 4);
  if (d < 0) return false;
  const p = 10 ** d;
  const minDelta = new Float64Array(k);
  const spread = new Float64Array(k);
  const lastOff = new Float64Array(k);
  const sumOff = new Float64Array(k);
  let prev = 0;
  for (let j = 0; j < k; j++) {
    const i = idx[j] as number;
    const mn = Math.round((b.min[i] as number) * p);
    const mx = Math.round((b.max[i] as number) * p);
    const ls = Math.round((b.last[i] as number) * p);
    const sm = Math.round((b.sum[i] as number) * p);
    const so = sm - (b.count[i] as number) * mn;
    if (Math.abs(mn) > MAX_SCALED || Math.abs(mx) > MAX_SCALED || so < 0 || so > MAX_SCALED) return false;
    minDelta[j] = zigzag(mn - prev);
    prev = mn;
    spread[j] = mx - mn;
    lastOff[j] = ls - mn;
    sumOff[j] = so;
  }
  w.byte(STATS_DECIMAL);
  w.byte(d);
  writePlanes(w, minDelta, k);
  writePlanes(w, spread, k);
  writePlanes(w, lastOff, k);
  writePlanes(w, sumOff, k);
  return true;
}

export function encodeMinuteBuckets(b: MinuteBuckets): Buffer {
  const out = new ByteWriter(64 + b.n * 8);
  out.byte(ROLLUP_FORMAT);
  out.uvarint(b.n);
  // one deflate stream per blob: a second one would double the inflate calls of every query for ~3 % less size
  const w = new ByteWriter(64 + b.n * 12);
  const bitmap = new Uint8Array(8);
  for (let i = 0; i < b.n; i++) {
    const m = b.minute[i] as number;
    bitmap[m >> 3] = (bitmap[m >> 3] as number) | (1 << (m & 7));
  }
  w.bytes(bitmap);
  writeRuns(w, b.count, b.n);
  writeRuns(w, b.bad, b.n);
  const idx = goodIndexes(b);
  const stats = new ByteWriter(64 + idx.length * 8);
  if (writeDecimalStats(stats, b, idx)) w.bytes(stats.view());
  else {
    w.byte(STATS_COLUMNS);
    for (const col of [b.min, b.max, b.sum, b.last]) writeNumbers(w, pick(col, idx), idx.length);
  }
  writeSection(out, w.view());
  return Buffer.from(out.view());
}

/** Decodes into `into` when given (capacity 60, reused across the hours of a query), else a new object. */
export function decodeMinuteBuckets(blob: Uint8Array, into?: MinuteBuckets): MinuteBuckets {
  const r = new ByteReader(blob);
  const format = r.byte();
  if (format !== ROLLUP_FORMAT) throw new RangeError(`unsupported rollup format ${format}`);
  const n = r.uvarint();
  if (n > 60) throw new RangeError(`corrupt rollup: ${n} minutes in an hour`);
  const b = into ?? emptyMinuteBuckets(n);
  if (b.minute.length < n) throw new RangeError('decodeMinuteBuckets: target holds fewer than 60 minutes');
  b.n = n;
  const s = new ByteReader(readSection(r));
  const bitmap = s.bytes(8);
  let i = 0;
  for (let m = 0; m < 60; m++) if (((bitmap[m >> 3] as number) >> (m & 7)) & 1) b.minute[i++] = m;
  if (i !== n) throw new RangeError(`corrupt rollup: ${i} minutes flagged, ${n} expected`);
  readRuns(s, n === b.count.length ? b.count : b.count.subarray(0, n));
  readRuns(s, n === b.bad.length ? b.bad : b.bad.subarray(0, n));
  const idx = goodIndexes(b);
  const k = idx.length;
  const kind = s.byte();
  if (kind === STATS_DECIMAL) {
    const p = 10 ** s.byte();
    const minDelta = readPlanes(s, k);
    const spread = readPlanes(s, k);
    const lastOff = readPlanes(s, k);
    const sumOff = readPlanes(s, k);
    let mn = 0;
    for (let j = 0; j < k; j++) {
      const x = idx[j] as number;
      mn += unzigzag(minDelta[j] as number);
      b.min[x] = mn / p;
      b.max[x] = (mn + (spread[j] as number)) / p;
      b.last[x] = (mn + (lastOff[j] as number)) / p;
      b.sum[x] = ((b.count[x] as number) * mn + (sumOff[j] as number)) / p;
    }
  } else if (kind === STATS_COLUMNS) {
    for (const col of [b.min, b.max, b.sum, b.last]) {
      const vals = readNumbers(s, k);
      for (let j = 0; j < k; j++) col[idx[j] as number] = vals[j] as number;
    }
  } else {
    throw new RangeError(`corrupt rollup: unknown statistics encoding ${kind}`);
  }
  // minutes holding only bad samples have no statistics
  for (let x = 0; x < n; x++) {
    if (b.count[x] === 0) {
      b.min[x] = NaN;
      b.max[x] = NaN;
      b.last[x] = NaN;
      b.sum[x] = 0;
    }
  }
  return b;
}
