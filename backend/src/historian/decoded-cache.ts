import type { Series } from './series';

/**
 * Decoded raw chunks by chunk id, least recently used first out, bounded in bytes. Dashboards ask for the same
 * hours again at every refresh (a NOC wall every 5–30 s); the chunk's inflate and column decode were most of a
 * range read (`bench:promql`), a copy out of here is a memcpy. Chunks never change once written — a compaction
 * writes new rows — so the only invalidation is their deletion (ChunkStore calls `delete` / `clear`); SQLite may
 * hand a deleted chunk's rowid to a new one, which is why deletions must come through here.
 */
export class DecodedChunkCache {
  private readonly entries = new Map<number, { s: Series; bytes: number }>();
  private held = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes: number) {}

  get enabled(): boolean {
    return this.maxBytes > 0;
  }

  get bytes(): number {
    return this.held;
  }

  get(id: number): Series | undefined {
    const e = this.entries.get(id);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // most recently used last
    this.entries.delete(id);
    this.entries.set(id, e);
    return e.s;
  }

  /** keeps `s` (which must not be changed afterwards) unless it alone exceeds the budget */
  put(id: number, s: Series): void {
    const bytes = seriesBytes(s);
    if (bytes > this.maxBytes) return;
    this.delete(id);
    this.entries.set(id, { s, bytes });
    this.held += bytes;
    for (const [k, e] of this.entries) {
      if (this.held <= this.maxBytes) break;
      this.entries.delete(k);
      this.held -= e.bytes;
    }
  }

  delete(id: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.entries.delete(id);
    this.held -= e.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.held = 0;
  }
}

/** what a decoded chunk holds: 21 bytes per sample in its typed arrays, a string's characters, the objects */
function seriesBytes(s: Series): number {
  let strBytes = 0;
  if (s.str) for (let i = 0; i < s.n; i++) strBytes += 16 + 2 * (s.str[i] as string).length;
  return 256 + s.ts.byteLength + s.num.byteLength + s.quality.byteLength + s.rawStatus.byteLength + strBytes;
}
