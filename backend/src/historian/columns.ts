import { ByteReader, ByteWriter, unzigzag, zigzag } from './byte-io';

/**
 * Column encoders shared by raw chunks and rollup blobs. Each writes a self-describing section into a
 * ByteWriter; the whole blob is deflated afterwards, so these only need to turn the data into small,
 * repetitive integers: deflate does the entropy coding.
 */

/** 10^0 … 10^6: numbers with at most 6 decimals are stored as scaled integers */
const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];
const MAX_DECIMALS = 6;
/** scaled integers and their deltas stay below 2^52 so zigzag stays exact */
const MAX_SCALED = 2 ** 50;

const NUMBERS_DECIMAL = 0;
const NUMBERS_FLOAT = 1;

/**
 * Smallest d in 0…6 such that every value is exactly `Math.round(v·10^d) / 10^d` (checked by round trip, so
 * 0.1 + 0.2 is not a decimal), or −1 when there is none. −0 is not a decimal (it would come back as 0).
 */
export function decimalScale(values: Float64Array, n: number): number {
  let d = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    for (;;) {
      const r = Math.round(v * (POW10[d] as number));
      if (r / (POW10[d] as number) === v && Math.abs(r) <= MAX_SCALED) break;
      if (++d > MAX_DECIMALS) return -1;
    }
  }
  // a value that needed a larger d was checked at that d only; re-check the earlier ones at the final d
  const p = POW10[d] as number;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    const r = Math.round(v * p);
    if (r / p !== v || Math.abs(r) > MAX_SCALED || Object.is(v, -0)) return -1;
  }
  return d;
}

const TS_DELTA_FROM_PERIOD = 1;

/**
 * Timestamps (integer ms): the first one, the typical period (median delta), then each delta minus that period
 * as zigzag byte planes. A regular series is all zeros. Polled devices stamp samples at k·period plus a
 * receive-time jitter: the delta then varies by the difference of two jitters, where delta-of-delta (Gorilla)
 * would see a sum of three and cost ~0.8 bit more per sample (measured 0.77 → 0.59 bytes/sample on 1–5 s
 * power readings with 20 ms of jitter). An error in the period estimate only shifts the values, which deflate
 * does not mind.
 */
export function writeTimestamps(w: ByteWriter, ts: Float64Array, n: number): void {
  w.byte(TS_DELTA_FROM_PERIOD);
  if (n === 0) return;
  w.svarint(ts[0] as number);
  if (n === 1) return;
  // the median of at most 63 evenly spread deltas: sorting them all cost more than the rest of the encoding
  const k = Math.min(n - 1, 63);
  const sample = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const i = 1 + Math.floor((j * (n - 1)) / k);
    sample[j] = (ts[i] as number) - (ts[i - 1] as number);
  }
  sample.sort();
  const period = sample[k >> 1] as number;
  w.svarint(period);
  const residuals = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) residuals[i - 1] = zigzag((ts[i] as number) - (ts[i - 1] as number) - period);
  writePlanes(w, residuals, n - 1);
}

/** Decodes into out[at, at + n) (a new array by default): readers of many chunks decode into one array. */
export function readTimestamps(
  r: ByteReader,
  n: number,
  out: Float64Array = new Float64Array(n),
  at = 0,
): Float64Array {
  const kind = r.byte();
  if (kind !== TS_DELTA_FROM_PERIOD) throw new RangeError(`corrupt data: unknown timestamp encoding ${kind}`);
  if (n === 0) return out;
  let t = r.svarint();
  out[at] = t;
  if (n === 1) return out;
  const period = r.svarint();
  const planes = readPlaneBytes(r, n - 1);
  for (let i = 1; i < n; i++) {
    t += period + unzigzag(planeValue(planes, n - 1, i - 1));
    out[at + i] = t;
  }
  return out;
}

/**
 * Non-negative integers as byte planes: a width byte (1…4), then all lowest bytes, all second bytes, …
 * Deflate codes each plane's narrow distribution well, where varints would interleave continuation bytes.
 * Width 0: varints (values of 2^32 and more).
 */
export function writePlanes(w: ByteWriter, values: Float64Array, n: number): void {
  let max = 0;
  for (let i = 0; i < n; i++) if ((values[i] as number) > max) max = values[i] as number;
  const width = max < 0x100 ? 1 : max < 0x10000 ? 2 : max < 0x1000000 ? 3 : max < 0x100000000 ? 4 : 0;
  w.byte(width);
  if (width === 0) {
    for (let i = 0; i < n; i++) w.uvarint(values[i] as number);
    return;
  }
  const planes = new Uint8Array(n * width);
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    planes[i] = v & 0xff;
    if (width > 1) planes[n + i] = (v >>> 8) & 0xff;
    if (width > 2) planes[2 * n + i] = (v >>> 16) & 0xff;
    if (width > 3) planes[3 * n + i] = (v >>> 24) & 0xff;
  }
  w.bytes(planes);
}

export function readPlanes(r: ByteReader, n: number): Float64Array {
  const out = new Float64Array(n);
  const planes = readPlaneBytes(r, n);
  for (let i = 0; i < n; i++) out[i] = planeValue(planes, n, i);
  return out;
}

/** What writePlanes wrote for n values: the planes, or (width 0) the values themselves. */
type Planes = { width: number; bytes: Uint8Array; values: null } | { width: 0; bytes: null; values: Float64Array };

function readPlaneBytes(r: ByteReader, n: number): Planes {
  const width = r.byte();
  if (width === 0) {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = r.uvarint();
    return { width, bytes: null, values };
  }
  if (width > 4) throw new RangeError(`corrupt data: plane width ${width}`);
  return { width, bytes: r.bytes(n * width), values: null };
}

/** Value i of n from byte planes (small enough to be inlined: no array of the values is built). */
function planeValue(p: Planes, n: number, i: number): number {
  const b = p.bytes;
  if (b === null) return p.values[i] as number;
  const width = p.width;
  let v = b[i] as number;
  if (width > 1) v += (b[n + i] as number) * 0x100;
  if (width > 2) v += (b[2 * n + i] as number) * 0x10000;
  if (width > 3) v += (b[3 * n + i] as number) * 0x1000000;
  return v;
}

/**
 * Numbers: exact decimals (≤ 6 digits) as scaled integers — the first as a varint, then zigzag deltas as byte
 * planes; anything else as float64 XOR'd with the previous value and byte-shuffled (all first bytes, then all
 * second bytes, …) so deflate sees the slowly changing sign/exponent bytes together.
 */
export function writeNumbers(w: ByteWriter, values: Float64Array, n: number): void {
  const d = decimalScale(values, n);
  if (d >= 0) {
    w.byte(NUMBERS_DECIMAL);
    w.byte(d);
    if (n === 0) return;
    const p = POW10[d] as number;
    let prev = Math.round((values[0] as number) * p);
    w.svarint(prev);
    const deltas = new Float64Array(n - 1);
    for (let i = 1; i < n; i++) {
      const s = Math.round((values[i] as number) * p);
      deltas[i - 1] = zigzag(s - prev);
      prev = s;
    }
    writePlanes(w, deltas, n - 1);
    return;
  }
  w.byte(NUMBERS_FLOAT);
  const raw = new Uint8Array(values.buffer, values.byteOffset, n * 8);
  const planes = new Uint8Array(n * 8);
  for (let i = 0; i < n; i++) {
    const base = i * 8;
    for (let b = 0; b < 8; b++) {
      const x = (raw[base + b] as number) ^ (i > 0 ? (raw[base - 8 + b] as number) : 0);
      planes[b * n + i] = x;
    }
  }
  w.bytes(planes);
}

/** Decodes into out[at, at + n) (a new array by default). */
export function readNumbers(r: ByteReader, n: number, out: Float64Array = new Float64Array(n), at = 0): Float64Array {
  const kind = r.byte();
  if (kind === NUMBERS_DECIMAL) {
    const d = r.byte();
    if (d > MAX_DECIMALS) throw new RangeError(`corrupt data: decimal scale ${d} above ${MAX_DECIMALS}`);
    if (n === 0) return out;
    const p = POW10[d] as number;
    let s = r.svarint();
    out[at] = s / p;
    const deltas = readPlaneBytes(r, n - 1);
    for (let i = 1; i < n; i++) {
      s += unzigzag(planeValue(deltas, n - 1, i - 1));
      out[at + i] = s / p;
    }
    return out;
  }
  if (kind !== NUMBERS_FLOAT) throw new RangeError(`corrupt data: unknown number encoding ${kind}`);
  const planes = r.bytes(n * 8);
  const raw = new Uint8Array(out.buffer, out.byteOffset + at * 8, n * 8);
  for (let i = 0; i < n; i++) {
    const base = i * 8;
    for (let b = 0; b < 8; b++) {
      const x = (planes[b * n + i] as number) ^ (i > 0 ? (raw[base - 8 + b] as number) : 0);
      raw[base + b] = x;
    }
  }
  return out;
}

/** Non-negative integers as runs: count of runs, then (value, length) pairs. Quality, status and booleans. */
export function writeRuns(w: ByteWriter, values: ArrayLike<number>, n: number): void {
  let runs = 0;
  for (let i = 0; i < n; i++) if (i === 0 || values[i] !== values[i - 1]) runs++;
  w.uvarint(runs);
  let i = 0;
  while (i < n) {
    const v = values[i] as number;
    let j = i + 1;
    while (j < n && values[j] === v) j++;
    w.uvarint(v);
    w.uvarint(j - i);
    i = j;
  }
}

/** Decodes n values (all of `out` by default) into out[at, at + n). */
export function readRuns<T extends Uint8Array | Uint32Array | Float64Array>(
  r: ByteReader,
  out: T,
  at = 0,
  n = out.length - at,
): T {
  const runs = r.uvarint();
  let pos = 0;
  for (let k = 0; k < runs; k++) {
    const v = r.uvarint();
    const len = r.uvarint();
    if (pos + len > n) throw new RangeError('corrupt data: runs longer than the column');
    out.fill(v, at + pos, at + pos + len);
    pos += len;
  }
  if (pos !== n) throw new RangeError(`corrupt data: runs cover ${pos} of ${n} values`);
  return out;
}

/** Strings as one JSON array in UTF-8; deflate takes care of repeated states. */
export function writeStrings(w: ByteWriter, values: readonly string[], n: number): void {
  const bytes = Buffer.from(JSON.stringify(n === values.length ? values : values.slice(0, n)), 'utf8');
  w.uvarint(bytes.length);
  w.bytes(bytes);
}

export function readStrings(r: ByteReader, n: number): string[] {
  const len = r.uvarint();
  const bytes = r.bytes(len);
  const parsed: unknown = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'));
  if (!Array.isArray(parsed) || parsed.length !== n || !parsed.every((s) => typeof s === 'string')) {
    throw new RangeError(`corrupt data: expected ${n} strings`);
  }
  return parsed as string[];
}
