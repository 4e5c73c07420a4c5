import type { ValueType } from '@plenum/model';
import { unzigzag, zigzag } from './byte-io';
import type { Series } from './series';

/**
 * The byte stream a head keeps its samples in: one record per sample, appended in O(1), a few bytes each, so a
 * point's head costs memory per byte rather than 29 bytes per sample (five typed-array columns). Byte-aligned
 * varints rather than Gorilla's bit stream: slightly larger, much cheaper to append and decode in JavaScript,
 * and the stream only lives until the head is flushed to a chunk (which deflates it properly).
 *
 * Record: `uvarint(zigzag(delta of delta of ts) · 4 + stagingChanged · 2 + stateChanged)`, then
 * `uvarint(zigzag(staging id delta))` when it changed, then `quality byte, uvarint(rawStatus)` when either
 * changed, then the value:
 * - numbers and booleans: `uvarint(zigzag(Δ scaled) · 2)` while the value is an exact decimal at the stream's
 *   current scale (0.1 °C steps of a temperature cost one byte); otherwise an escape `uvarint(2k + 1)`: k ≤ 6 a
 *   new scale k and `svarint(scaled)`, k = 7 the float64 XOR'd with the previous value, its leading and trailing
 *   zero bytes dropped (`byte lead·9 + trail`, then the rest) — float32 readings widened to float64 keep ≥ 3
 *   zero bytes;
 * - strings: nothing; the head keeps them in an array beside the stream (exactly as given: a lone surrogate
 *   would not survive UTF-8, and string points are states that change rarely).
 * Measured (head.test.ts, 1 Hz rack data with receive jitter): 3–4 bytes per sample.
 */

const POW10 = [1, 10, 100, 1000, 10000, 100000, 1000000];
const MAX_SCALE = 6;
/** scaled integers stay below 2^50 so their deltas zigzag exactly */
const MAX_SCALED = 2 ** 50;
const FLOAT_ESCAPE = 7;

const scratch = new Float64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);
const prevScratch = new Float64Array(1);
const prevBytes = new Uint8Array(prevScratch.buffer);

/** Smallest scale 0…6 at which v is an exact decimal, or −1. */
function scaleOf(v: number): number {
  for (let d = 0; d <= MAX_SCALE; d++) {
    const r = Math.round(v * (POW10[d] as number));
    if (r / (POW10[d] as number) === v && Math.abs(r) <= MAX_SCALED) return d;
  }
  return -1;
}

/** Encoder and decoder state: the previous record's fields. */
export class StreamState {
  ts = 0;
  delta = 0;
  staging = 0;
  quality = 0;
  rawStatus = 0;
  /** current decimal scale, −1 after a float (the next decimal is written whole) */
  scale = -1;
  scaled = 0;
  value = 0;

  reset(): void {
    this.ts = 0;
    this.delta = 0;
    this.staging = 0;
    this.quality = 0;
    this.rawStatus = 0;
    this.scale = -1;
    this.scaled = 0;
    this.value = 0;
  }
}

/** Appends records to a growable buffer; `buf` may be replaced by a larger one on any append. */
export class StreamWriter {
  buf: Uint8Array;
  len = 0;

  /** `softCap`: doubling stops there (a head flushed at that size would leave the rest of a doubled buffer
   * unused); a batch that adds more before the flush still grows it */
  constructor(
    capacity: number,
    readonly softCap = Infinity,
  ) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(extra: number): void {
    const need = this.len + extra;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    if (this.buf.length < this.softCap && need <= this.softCap) cap = Math.min(cap, this.softCap);
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** gives capacity back (after a flush), keeping at least `capacity` bytes */
  resize(capacity: number): void {
    if (capacity < this.len) return;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private uvarint(v: number): void {
    const buf = this.buf;
    let pos = this.len;
    while (v >= 0x80) {
      buf[pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[pos++] = v;
    this.len = pos;
  }

  append(
    st: StreamState,
    string: boolean,
    ts: number,
    /** the number (booleans 0/1); ignored for strings */
    value: number | string,
    quality: number,
    rawStatus: number,
    staging: number,
  ): void {
    // header 8 + staging 8 + state 6 + value 10
    this.reserve(32);
    const delta = ts - st.ts;
    const stagingChanged = staging !== st.staging;
    const stateChanged = quality !== st.quality || rawStatus !== st.rawStatus;
    this.uvarint(zigzag(delta - st.delta) * 4 + (stagingChanged ? 2 : 0) + (stateChanged ? 1 : 0));
    if (stagingChanged) this.uvarint(zigzag(staging - st.staging));
    if (stateChanged) {
      this.buf[this.len++] = quality;
      this.uvarint(rawStatus);
    }
    st.ts = ts;
    st.delta = delta;
    st.staging = staging;
    st.quality = quality;
    st.rawStatus = rawStatus;
    if (!string) this.number(st, value as number);
  }

  private number(st: StreamState, v: number): void {
    if (st.scale >= 0) {
      const p = POW10[st.scale] as number;
      const r = Math.round(v * p) + 0; // + 0: −0 becomes 0, as the decoder will see it
      if (r / p === v && Math.abs(r) <= MAX_SCALED) {
        this.uvarint(zigzag(r - st.scaled) * 2);
        st.scaled = r;
        st.value = r / p;
        return;
      }
    }
    const d = scaleOf(v);
    if (d >= 0) {
      const r = Math.round(v * (POW10[d] as number)) + 0;
      this.uvarint(2 * d + 1);
      this.uvarint(zigzag(r));
      st.scale = d;
      st.scaled = r;
      st.value = r / (POW10[d] as number);
      return;
    }
    this.uvarint(2 * FLOAT_ESCAPE + 1);
    scratch[0] = v;
    prevScratch[0] = st.value;
    // little-endian: byte 7 holds sign and exponent, so "leading" zero bytes are counted from the top
    let lead = 0;
    while (lead < 8 && (scratchBytes[7 - lead] as number) === (prevBytes[7 - lead] as number)) lead++;
    let trail = 0;
    if (lead < 8) while ((scratchBytes[trail] as number) === (prevBytes[trail] as number)) trail++;
    this.buf[this.len++] = lead * 9 + trail;
    for (let b = trail; b < 8 - lead; b++) {
      this.buf[this.len++] = (scratchBytes[b] as number) ^ (prevBytes[b] as number);
    }
    st.scale = -1;
    st.value = v;
  }
}

/** Columns reused by scratch decodes (grown, never shrunk: a head holds a few hundred samples). */
let scratchCols = {
  ts: new Float64Array(0),
  num: new Float64Array(0),
  quality: new Uint8Array(0),
  rawStatus: new Uint32Array(0),
  staging: new Float64Array(0),
};

function scratchColumns(n: number): typeof scratchCols {
  if (scratchCols.ts.length < n) {
    const m = Math.max(n, 2 * scratchCols.ts.length, 256);
    scratchCols = {
      ts: new Float64Array(m),
      num: new Float64Array(m),
      quality: new Uint8Array(m),
      rawStatus: new Uint32Array(m),
      staging: new Float64Array(m),
    };
  }
  return scratchCols;
}

/**
 * Decodes `n` records of `buf[0, len)` into columns in arrival order (with each sample's staging id); a string
 * point's values are `strings`, kept beside the stream. `reuse`: into shared columns (longer than `n`) that the
 * next scratch decode overwrites — for callers that copy out what they keep at once.
 */
export function decodeStream(
  buf: Uint8Array,
  len: number,
  n: number,
  valueType: ValueType,
  strings: readonly string[] = [],
  reuse = false,
): { series: Series; staging: Float64Array } {
  const string = valueType === 'string';
  const cols = reuse ? scratchColumns(n) : undefined;
  const series: Series = {
    n,
    ts: cols ? cols.ts : new Float64Array(n),
    num: cols ? cols.num : new Float64Array(string ? 0 : n),
    str: string ? strings.slice(0, n) : null,
    quality: cols ? cols.quality : new Uint8Array(n),
    rawStatus: cols ? cols.rawStatus : new Uint32Array(n),
  };
  const staging = cols ? cols.staging : new Float64Array(n);
  const st = new StreamState();
  let pos = 0;
  const uvarint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (pos >= len) throw new RangeError('corrupt head: varint past the end');
      const b = buf[pos++] as number;
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
  };
  for (let i = 0; i < n; i++) {
    const h = uvarint();
    const flags = h % 4;
    st.delta += unzigzag((h - flags) / 4);
    st.ts += st.delta;
    if (flags & 2) st.staging += unzigzag(uvarint());
    if (flags & 1) {
      st.quality = buf[pos++] as number;
      st.rawStatus = uvarint();
    }
    series.ts[i] = st.ts;
    series.quality[i] = st.quality;
    series.rawStatus[i] = st.rawStatus;
    staging[i] = st.staging;
    if (string) continue;
    const tag = uvarint();
    if (tag % 2 === 0) {
      st.scaled += unzigzag(tag / 2);
      st.value = st.scaled / (POW10[st.scale] as number);
    } else if (tag >> 1 <= MAX_SCALE) {
      st.scale = tag >> 1;
      st.scaled = unzigzag(uvarint());
      st.value = st.scaled / (POW10[st.scale] as number);
    } else {
      const code = buf[pos++] as number;
      const lead = Math.floor(code / 9);
      const trail = code % 9;
      prevScratch[0] = st.value;
      for (let b = 0; b < 8; b++) scratchBytes[b] = prevBytes[b] as number;
      for (let b = trail; b < 8 - lead; b++) scratchBytes[b] = (prevBytes[b] as number) ^ (buf[pos++] as number);
      st.value = scratch[0] as number;
      st.scale = -1;
    }
    series.num[i] = st.value;
  }
  if (pos !== len) throw new RangeError(`corrupt head: ${len - pos} bytes left after ${n} records`);
  return { series, staging };
}
