import type { ValueType } from '@plenum/model';
import { pickSeries, sortUnique, type Series } from './series';

const MIN_CAPACITY = 16;

/**
 * The in-memory head of one point: samples that are durable in the staging log but not yet in a compressed
 * chunk, in arrival order, with the staging row each came from (replay and staging clean-up need it).
 */
export class Head {
  n = 0;
  private ts = new Float64Array(MIN_CAPACITY);
  private num: Float64Array;
  private str: string[] | null;
  private quality = new Uint8Array(MIN_CAPACITY);
  private rawStatus = new Uint32Array(MIN_CAPACITY);
  private stagingId = new Float64Array(MIN_CAPACITY);
  /** smallest and largest ts held, ±Infinity when empty */
  minTs = Infinity;
  maxTs = -Infinity;
  /** clock time (HistorianOptions.now) when the head last went from empty to holding samples */
  since = 0;
  private increasing = true;
  private sorted: Series | null = null;
  /** most samples held since the last flush: capacity is kept for a point that fills its head every hour */
  private peak = 0;

  constructor(readonly valueType: ValueType) {
    this.num = new Float64Array(valueType === 'string' ? 0 : MIN_CAPACITY);
    this.str = valueType === 'string' ? [] : null;
  }

  private resize(cap: number): void {
    const grow = <T extends Float64Array | Uint8Array | Uint32Array>(a: T, make: (c: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.ts = grow(this.ts, (c) => new Float64Array(c));
    if (!this.str) this.num = grow(this.num, (c) => new Float64Array(c));
    this.quality = grow(this.quality, (c) => new Uint8Array(c));
    this.rawStatus = grow(this.rawStatus, (c) => new Uint32Array(c));
    this.stagingId = grow(this.stagingId, (c) => new Float64Array(c));
  }

  /** `value` is the number (booleans 0/1) or, for string points, the string */
  append(ts: number, value: number | string, quality: number, rawStatus: number, stagingId: number, now: number) {
    const i = this.n;
    if (i === this.ts.length) this.resize(i * 2);
    if (i === 0) this.since = now;
    this.ts[i] = ts;
    if (this.str) this.str.push(value as string);
    else this.num[i] = value as number;
    this.quality[i] = quality;
    this.rawStatus[i] = rawStatus;
    this.stagingId[i] = stagingId;
    if (ts <= this.maxTs) this.increasing = false;
    if (ts < this.minTs) this.minTs = ts;
    if (ts > this.maxTs) this.maxTs = ts;
    this.n = i + 1;
    if (this.n > this.peak) this.peak = this.n;
    this.sorted = null;
  }

  /** staging id of the oldest row a held sample came from (rows are appended in id order); 0 when empty */
  firstStagingId(): number {
    return this.n > 0 ? (this.stagingId[0] as number) : 0;
  }

  lastStagingId(): number {
    return this.n > 0 ? (this.stagingId[this.n - 1] as number) : 0;
  }

  private raw(from: number, to: number): Series {
    return {
      n: to - from,
      ts: this.ts.subarray(from, to),
      num: this.str ? this.num : this.num.subarray(from, to),
      str: this.str ? this.str.slice(from, to) : null,
      quality: this.quality.subarray(from, to),
      rawStatus: this.rawStatus.subarray(from, to),
    };
  }

  /** The held samples sorted by time, one per timestamp (the latest arrival wins); cached until the next change. */
  view(): Series {
    if (this.sorted) return this.sorted;
    const all = this.raw(0, this.n);
    this.sorted = this.increasing ? all : sortUnique(all);
    return this.sorted;
  }

  /** Every held sample with ts < cutoff, sorted and unique, as a copy (the head is left as it is). */
  peek(cutoff: number): Series {
    if (this.n === 0 || this.minTs >= cutoff) return this.raw(0, 0);
    if (this.maxTs < cutoff) {
      const all = this.raw(0, this.n);
      const sorted = sortUnique(all);
      // the arrays are reused by later appends, so hand out a copy when sortUnique returned them as they are
      return sorted === all ? copy(all) : sorted;
    }
    const idx: number[] = [];
    for (let i = 0; i < this.n; i++) if ((this.ts[i] as number) < cutoff) idx.push(i);
    const all = this.raw(0, this.n);
    return sortUnique(pickSeries(all, idx, idx.length));
  }

  /** Forgets every sample with ts < cutoff (once they are in chunks); `now` restarts the age of what stays. */
  drop(cutoff: number, now: number): void {
    if (this.n === 0 || this.minTs >= cutoff) return;
    if (this.maxTs < cutoff) {
      this.clear();
      return;
    }
    const strs: string[] = [];
    let k = 0;
    this.minTs = Infinity;
    this.maxTs = -Infinity;
    this.increasing = true;
    for (let i = 0; i < this.n; i++) {
      const t = this.ts[i] as number;
      if (t < cutoff) continue;
      this.ts[k] = t;
      if (this.str) strs.push(this.str[i] as string);
      else this.num[k] = this.num[i] as number;
      this.quality[k] = this.quality[i] as number;
      this.rawStatus[k] = this.rawStatus[i] as number;
      this.stagingId[k] = this.stagingId[i] as number;
      if (t <= this.maxTs) this.increasing = false;
      if (t < this.minTs) this.minTs = t;
      if (t > this.maxTs) this.maxTs = t;
      k++;
    }
    if (this.str) this.str = strs;
    this.n = k;
    this.since = now;
    this.sorted = null;
    this.shrink();
  }

  private clear(): void {
    this.n = 0;
    this.minTs = Infinity;
    this.maxTs = -Infinity;
    this.increasing = true;
    this.sorted = null;
    if (this.str) this.str = [];
    this.shrink();
  }

  /** gives memory back after a flush when a point sends much less than before, so idle heads stay small */
  private shrink(): void {
    let cap = MIN_CAPACITY;
    while (cap < Math.max(this.n * 2, this.peak)) cap *= 2;
    if (cap * 4 <= this.ts.length) this.resize(cap);
    this.peak = this.n;
  }
}

function copy(s: Series): Series {
  return {
    n: s.n,
    ts: s.ts.slice(0, s.n),
    num: s.str ? new Float64Array(0) : s.num.slice(0, s.n),
    str: s.str ? s.str.slice(0, s.n) : null,
    quality: s.quality.slice(0, s.n),
    rawStatus: s.rawStatus.slice(0, s.n),
  };
}
