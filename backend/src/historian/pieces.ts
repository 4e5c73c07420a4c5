import type { ChunkStore } from './chunk-store';
import { Head } from './head';
import { decodeStream } from './head-stream';
import type { PointState } from './point-registry';
import { concatSeries, sortUnique, type Series } from './series';

/**
 * Pieces: heads written out to historian.db as they are (their byte stream, ~3 B/sample, no re-encoding) when
 * they reach `headMaxBytes` or `maxHeadAgeMs`, so a point's memory stays bounded while its hour is still
 * filling. They are part of what is not yet in chunks — reads see them before the head — and the flush of their
 * hour decodes them once and writes the hour's chunk and rollup as if the whole hour had stayed in memory.
 */

export interface Arrivals {
  series: Series;
  /** staging row of each sample */
  staging: Float64Array;
}

/** A point's samples not yet in chunks: its pieces in the order written, then its head — arrival order. */
export function unflushedArrivals(store: ChunkStore, p: PointState): Arrivals {
  if (p.spilled === 0) return p.head.arrivals();
  const parts: Arrivals[] = store
    .piecesOf(p.key)
    .map((r) => decodeStream(r.data, r.data.length, r.n, p.valueType, r.str ? (JSON.parse(r.str) as string[]) : []));
  if (p.head.n > 0) parts.push(p.head.arrivals());
  const staging = new Float64Array(parts.reduce((a, x) => a + x.series.n, 0));
  let at = 0;
  for (const x of parts) {
    staging.set(x.staging, at);
    at += x.series.n;
  }
  return { series: concatSeries(parts.map((x) => x.series)), staging };
}

/**
 * The same sorted by time, one sample per timestamp (the latest arrival wins). The caller keeps only samples in
 * `[from, to)`: pieces that all lie before `from` are not read, and the head's part may be that window alone.
 */
export function unflushedView(store: ChunkStore, p: PointState, from = -Infinity, to = Infinity): Series {
  if (p.spilled === 0 || p.spilledMaxTs < from) return p.head.window(from, to);
  return sortUnique(unflushedArrivals(store, p).series);
}

/** Writes samples `idx` of `a` (in arrival order) as one piece of point `p`; returns their oldest and newest ts
 * (Infinity and −Infinity: none). */
export function writePiece(
  store: ChunkStore,
  p: PointState,
  a: Arrivals,
  idx: readonly number[],
): { min: number; max: number } {
  if (idx.length === 0) return { min: Infinity, max: -Infinity };
  const h = new Head(p.valueType);
  const s = a.series;
  let min = Infinity;
  let max = -Infinity;
  for (const i of idx) {
    const ts = s.ts[i] as number;
    if (ts < min) min = ts;
    if (ts > max) max = ts;
    h.append(ts, s.str ? (s.str[i] as string) : (s.num[i] as number), s.quality[i]!, s.rawStatus[i]!, a.staging[i]!, 0);
  }
  const { data, n, str } = h.stream();
  store.insertPiece(p.key, min, n, data, str);
  return { min, max };
}
