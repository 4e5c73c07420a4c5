import type { ValueType } from '@plenum/model';
import { decodeStream, StreamState, StreamWriter } from './head-stream';
import { lowerBound, pickSeries, sliceSeries, sortUnique, type Series } from './series';

/** bytes a new or emptied head starts with; it doubles as samples arrive */
const MIN_CAPACITY = 32;
/** largest record of a number (head-stream.ts): header, staging id, state, value */
const RECORD_MAX = 32;

/**
 * The in-memory head of one point: samples that are durable in the staging log but not yet in a compressed
 * chunk, in arrival order, with the staging row each came from (replay and staging clean-up need it). Held as
 * a byte stream (head-stream.ts, ~3–4 bytes per sample) that the flusher compresses into chunks once it holds
 * `headMaxBytes`, so a point's memory is bounded by bytes, not by time.
 */
export class Head {
  n = 0;
  /** smallest and largest ts held, ±Infinity when empty */
  minTs = Infinity;
  maxTs = -Infinity;
  /** clock time (HistorianOptions.now) when the head last went from empty to holding samples */
  since = 0;
  private readonly w: StreamWriter;
  private readonly st = new StreamState();
  /** a string point's values (see head-stream.ts) */
  private str: string[] | null;
  private first = 0;
  private increasing = true;
  /** largest stream size since the last flush: capacity is kept for a point that fills its head again */
  private peak = 0;

  /** `flushBytes`: the size at which the flusher takes the head (headMaxBytes), so the buffer need not double past it */
  constructor(
    readonly valueType: ValueType,
    flushBytes = Infinity,
  ) {
    this.w = new StreamWriter(MIN_CAPACITY, flushBytes + RECORD_MAX);
    this.str = valueType === 'string' ? [] : null;
  }

  /** bytes the held samples take */
  get bytes(): number {
    return this.w.len;
  }

  /** `value` is the number (booleans 0/1) or, for string points, the string */
  append(ts: number, value: number | string, quality: number, rawStatus: number, stagingId: number, now: number) {
    if (this.n === 0) {
      this.since = now;
      this.first = stagingId;
    }
    this.w.append(this.st, this.str !== null, ts, value, quality, rawStatus, stagingId);
    this.str?.push(value as string);
    if (ts <= this.maxTs) this.increasing = false;
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    this.n++;
    if (this.w.len > this.peak) this.peak = this.w.len;
  }

  /** staging id of the oldest row a held sample came from (rows are appended in id order); 0 when empty */
  firstStagingId(): number {
    return this.n > 0 ? this.first : 0;
  }

  lastStagingId(): number {
    return this.n > 0 ? this.st.staging : 0;
  }

  private decode(): { series: Series; staging: Float64Array } {
    return decodeStream(this.w.buf, this.w.len, this.n, this.valueType, this.str ?? undefined);
  }

  /** The held samples as written: the stream's bytes (a copy), count and a string point's values. */
  stream(): { data: Buffer; n: number; str: string[] | null } {
    return { data: Buffer.from(this.w.buf.subarray(0, this.w.len)), n: this.n, str: this.str && this.str.slice() };
  }

  /** The held samples in arrival order with the staging row of each. */
  arrivals(): { series: Series; staging: Float64Array } {
    return this.decode();
  }

  /** The held samples sorted by time, one per timestamp (the latest arrival wins), as new arrays. */
  view(): Series {
    const all = this.decode().series;
    return this.increasing ? all : sortUnique(all);
  }

  /**
   * The held samples in [from, to), sorted and unique, as new arrays. Decoded into the reused scratch columns
   * and only the window copied out: a live panel asks for its last seconds of a head holding minutes, and the
   * full-size arrays of every such read were garbage (each above V8's 64-byte on-heap limit: a backing store).
   */
  window(from: number, to: number): Series {
    if (this.n === 0 || this.maxTs < from || this.minTs >= to)
      return decodeStream(this.w.buf, 0, 0, this.valueType).series;
    if (from <= this.minTs && this.maxTs < to) return this.view();
    const all = decodeStream(this.w.buf, this.w.len, this.n, this.valueType, this.str ?? undefined, true).series;
    if (this.increasing) return sliceSeries(all, lowerBound(all.ts, all.n, from), lowerBound(all.ts, all.n, to));
    const idx: number[] = [];
    for (let i = 0; i < all.n; i++) {
      const t = all.ts[i] as number;
      if (t >= from && t < to) idx.push(i);
    }
    return sortUnique(pickSeries(all, idx, idx.length));
  }

  /** Every held sample with ts < cutoff, sorted and unique, as new arrays (the head is left as it is). */
  peek(cutoff: number): Series {
    if (this.n === 0 || this.minTs >= cutoff) return decodeStream(this.w.buf, 0, 0, this.valueType).series;
    const all = this.decode().series;
    if (this.maxTs < cutoff) return sortUnique(all);
    const idx: number[] = [];
    for (let i = 0; i < all.n; i++) if ((all.ts[i] as number) < cutoff) idx.push(i);
    return sortUnique(pickSeries(all, idx, idx.length));
  }

  /** Forgets every sample with ts < cutoff (once they are in chunks); `now` restarts the age of what stays. */
  drop(cutoff: number, now: number): void {
    if (this.n === 0 || this.minTs >= cutoff) return;
    const keep = this.maxTs < cutoff ? null : this.decode();
    const peak = this.peak;
    this.n = 0;
    this.w.len = 0;
    this.st.reset();
    if (this.str) this.str = [];
    this.minTs = Infinity;
    this.maxTs = -Infinity;
    this.increasing = true;
    this.shrink(peak);
    if (!keep) return;
    const { series: s, staging } = keep;
    for (let i = 0; i < s.n; i++) {
      const t = s.ts[i] as number;
      if (t < cutoff) continue;
      this.append(
        t,
        s.str ? (s.str[i] as string) : (s.num[i] as number),
        s.quality[i] as number,
        s.rawStatus[i] as number,
        staging[i] as number,
        now,
      );
    }
    this.since = now;
  }

  /** gives memory back after a flush when a point sends much less than before, so idle heads stay small */
  private shrink(peak: number): void {
    let cap = MIN_CAPACITY;
    while (cap < peak) cap *= 2;
    cap = Math.min(cap, this.w.softCap);
    if (cap * 4 <= this.w.buf.length) this.w.resize(cap);
    this.peak = 0;
  }
}
