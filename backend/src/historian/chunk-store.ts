import type Database from 'better-sqlite3';
import { decodeChunk } from './chunk-codec';
import { DecodedChunkCache } from './decoded-cache';
import type { BucketStats } from './rollup';
import type { Series } from './series';

/** Prepared SQL over `historian.db`: chunks, rollups and the points' flush state. No policy lives here. */

export interface ChunkMeta {
  id: number;
  hour: number;
  t_min: number;
  t_max: number;
  n: number;
}

export interface ChunkRow extends ChunkMeta {
  data: Buffer;
}

export interface RollupRow {
  hour: number;
  count: number;
  bad: number;
  min: number | null;
  max: number | null;
  sum: number;
  last: number | null;
  m1: Buffer | null;
}

export interface PointRow {
  key: number;
  id: string;
  value_type: number;
  flushed_full: number;
  flushed_part: number;
  flushed_before: number;
  last_ts: number | null;
  last_value: number | string | null;
  last_quality: number | null;
  last_status: number | null;
}

export interface PieceRow {
  id: number;
  t_min: number;
  n: number;
  data: Buffer;
  str: string | null;
}

export interface FlushState {
  flushedFull: number;
  flushedPart: number;
  flushedBefore: number;
}

export class ChunkStore {
  private readonly s;
  /** decoded chunks by id (decoded-cache.ts); 0 bytes: none kept */
  readonly decoded: DecodedChunkCache;
  /** point key → newestChunkTs, NaN until read (8 bytes a point) */
  private newest = new Float64Array(0);

  constructor(
    readonly db: Database.Database,
    decodedCacheBytes = 0,
  ) {
    this.decoded = new DecodedChunkCache(decodedCacheBytes);
    const p = <T extends unknown[] = unknown[]>(sql: string) => db.prepare<T>(sql);
    this.s = {
      chunkMetaOfHour: p<[number, number]>(
        'SELECT id, hour, t_min, t_max, n FROM chunks WHERE point = ? AND hour = ? ORDER BY t_min',
      ),
      chunkData: p<[number]>('SELECT data FROM chunks WHERE id = ?').pluck(),
      chunkMetaOfHours: p<[number, number, number]>(
        'SELECT id, hour, t_min, t_max, n FROM chunks WHERE point = ? AND hour >= ? AND hour <= ? ORDER BY hour, t_min',
      ),
      chunksOfHours: p<[number, number, number]>(
        'SELECT id, hour, t_min, t_max, n, data FROM chunks WHERE point = ? AND hour >= ? AND hour <= ? ORDER BY hour, t_min',
      ),
      insertChunk: p<[number, number, number, number, number, Buffer]>(
        'INSERT INTO chunks (point, hour, t_min, t_max, n, data) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      deleteChunk: p<[number]>('DELETE FROM chunks WHERE id = ?'),
      newestChunkTs: p<[number, number]>(
        'SELECT max(t_max) FROM chunks WHERE point = ? AND hour = (SELECT max(hour) FROM chunks WHERE point = ?)',
      ).pluck(),
      insertPiece: p<[number, number, number, Buffer, string | null]>(
        'INSERT INTO pieces (point, t_min, n, data, str) VALUES (?, ?, ?, ?, ?)',
      ),
      piecesOf: p<[number]>('SELECT id, t_min, n, data, str FROM pieces WHERE point = ? ORDER BY id'),
      deletePieces: p<[number]>('DELETE FROM pieces WHERE point = ?'),
      pieceSummary: p<[]>('SELECT point, sum(n) AS n, min(t_min) AS t_min FROM pieces GROUP BY point'),
      fragmentedHours: p<[number]>(
        'SELECT point, hour FROM chunks WHERE hour >= ? GROUP BY point, hour HAVING count(*) > 1',
      ),
      rollup: p<[number, number]>(
        'SELECT hour, count, bad, min, max, sum, last, m1 FROM rollups WHERE point = ? AND hour = ?',
      ),
      rollupsOfHours: p<[number, number, number]>(
        'SELECT hour, count, bad, min, max, sum, last, m1 FROM rollups WHERE point = ? AND hour >= ? AND hour <= ? ORDER BY hour',
      ),
      hourRollupsOfHours: p<[number, number, number]>(
        'SELECT hour, count, bad, min, max, sum, last, NULL AS m1 FROM rollups WHERE point = ? AND hour >= ? AND hour <= ? ORDER BY hour',
      ),
      upsertRollup: p<
        [number, number, number, number, number | null, number | null, number, number | null, Buffer | null]
      >(
        `INSERT INTO rollups (point, hour, count, bad, min, max, sum, last, m1) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (point, hour) DO UPDATE SET count = excluded.count, bad = excluded.bad, min = excluded.min,
           max = excluded.max, sum = excluded.sum, last = excluded.last, m1 = excluded.m1`,
      ),
      updateFlush: p<
        [number, number, number, number | null, number | string | null, number | null, number | null, number]
      >(
        `UPDATE points SET flushed_full = ?, flushed_part = ?, flushed_before = ?,
           last_ts = ?, last_value = ?, last_quality = ?, last_status = ? WHERE key = ?`,
      ),
      minChunkHour: p('SELECT min(hour) FROM chunks').pluck(),
      minTsOfHour: p<[number]>('SELECT min(t_min) FROM chunks WHERE hour = ?').pluck(),
      minRollupHour: p<[number]>('SELECT min(hour) FROM rollups WHERE hour >= ?').pluck(),
      dropChunks: p<[number]>('DELETE FROM chunks WHERE hour < ?'),
      dropM1: p<[number, number]>('UPDATE rollups SET m1 = NULL WHERE hour >= ? AND hour < ? AND m1 IS NOT NULL'),
      dropRollups: p<[number]>('DELETE FROM rollups WHERE hour < ?'),
    };
  }

  chunkMetaOfHour(point: number, hour: number): ChunkMeta[] {
    return this.s.chunkMetaOfHour.all(point, hour) as ChunkMeta[];
  }

  chunkData(id: number): Buffer {
    return this.s.chunkData.get(id) as Buffer;
  }

  /** chunks of hours [fromHour, toHour] in time order; iterate lazily so a limited read can stop early */
  chunksOfHours(point: number, fromHour: number, toHour: number): IterableIterator<ChunkRow> {
    return this.s.chunksOfHours.iterate(point, fromHour, toHour) as IterableIterator<ChunkRow>;
  }

  insertChunk(point: number, hour: number, tMin: number, tMax: number, n: number, data: Buffer): void {
    this.s.insertChunk.run(point, hour, tMin, tMax, n, data);
    // a chunk of a transaction that rolls back leaves the bound higher than need be: still a bound
    const known = this.newest[point];
    if (known !== undefined && !Number.isNaN(known) && tMax > known) this.newest[point] = tMax;
  }

  /**
   * At least the newest ts in the point's chunks (−Infinity: none): read once per point from the index, then
   * kept as chunks are inserted; deletes leave it as it is (a bound, not the exact value).
   */
  newestChunkTs(point: number): number {
    let t = this.newest[point];
    if (t === undefined || Number.isNaN(t)) {
      t = (this.s.newestChunkTs.get(point, point) as number | null) ?? -Infinity;
      this.growNewest(point);
      this.newest[point] = t;
    }
    return t;
  }

  private growNewest(point: number): void {
    if (point < this.newest.length) return;
    let n = Math.max(1024, this.newest.length);
    while (n <= point) n *= 2;
    const next = new Float64Array(n).fill(NaN);
    next.set(this.newest);
    this.newest = next;
  }

  deleteChunk(id: number): void {
    this.s.deleteChunk.run(id);
    this.decoded.delete(id);
  }

  /** the same as chunksOfHours without the blobs, all at once (small rows: .all() costs less per row than a
   * lazy iteration; readers fetch the blobs they need, or take the chunks from the decoded cache) */
  chunkMetaOfHours(point: number, fromHour: number, toHour: number): ChunkMeta[] {
    return this.s.chunkMetaOfHours.all(point, fromHour, toHour) as ChunkMeta[];
  }

  /** a chunk decoded, from the cache or read and decoded (and kept); the arrays must not be changed */
  decodedChunk(id: number): Series {
    const hit = this.decoded.get(id);
    if (hit) return hit;
    const s = decodeChunk(this.chunkData(id)).series;
    this.decoded.put(id, s);
    return s;
  }

  /** point-hours from `fromHour` on stored in more than one chunk (candidates for compactHour) */
  fragmentedHours(fromHour: number): Array<{ point: number; hour: number }> {
    return this.s.fragmentedHours.all(fromHour) as Array<{ point: number; hour: number }>;
  }

  rollup(point: number, hour: number): RollupRow | undefined {
    return this.s.rollup.get(point, hour) as RollupRow | undefined;
  }

  /** rollups of hours [fromHour, toHour] in order; `withMinutes` false skips reading the 1-minute blobs */
  rollupsOfHours(point: number, fromHour: number, toHour: number, withMinutes: boolean): RollupRow[] {
    const stmt = withMinutes ? this.s.rollupsOfHours : this.s.hourRollupsOfHours;
    return stmt.all(point, fromHour, toHour) as RollupRow[];
  }

  insertPiece(point: number, tMin: number, n: number, data: Buffer, str: string[] | null): void {
    this.s.insertPiece.run(point, tMin, n, data, str ? JSON.stringify(str) : null);
  }

  /** a point's pieces in the order they were written (= arrival order of their samples) */
  piecesOf(point: number): PieceRow[] {
    return this.s.piecesOf.all(point) as PieceRow[];
  }

  deletePieces(point: number): void {
    this.s.deletePieces.run(point);
  }

  /** per point with pieces: samples held and the oldest ts */
  pieceSummary(): Array<{ point: number; n: number; t_min: number }> {
    return this.s.pieceSummary.all() as Array<{ point: number; n: number; t_min: number }>;
  }

  upsertRollup(point: number, hour: number, h: BucketStats, m1: Buffer | null): void {
    const orNull = (x: number) => (Number.isNaN(x) ? null : x);
    this.s.upsertRollup.run(point, hour, h.count, h.bad, orNull(h.min), orNull(h.max), h.sum, orNull(h.last), m1);
  }

  updateFlush(
    key: number,
    f: FlushState,
    last: { ts: number; value: number | string; quality: number; rawStatus: number } | null,
  ): void {
    this.s.updateFlush.run(
      f.flushedFull,
      f.flushedPart,
      f.flushedBefore,
      last ? last.ts : null,
      last ? last.value : null,
      last ? last.quality : null,
      last ? last.rawStatus : null,
      key,
    );
  }

  /** oldest raw timestamp in chunks, Infinity when there are none */
  oldestChunkTs(): number {
    const hour = this.s.minChunkHour.get() as number | null;
    if (hour === null) return Infinity;
    return this.s.minTsOfHour.get(hour) as number;
  }

  /** first hour ≥ fromHour holding a rollup, Infinity when there is none */
  oldestRollupHour(fromHour = -1): number {
    return (this.s.minRollupHour.get(fromHour) as number | null) ?? Infinity;
  }

  dropChunks(beforeHour: number): number {
    const changes = this.s.dropChunks.run(beforeHour).changes;
    // retention runs rarely: forget every decoded chunk rather than find the dropped ones
    if (changes > 0) this.decoded.clear();
    return changes;
  }

  dropMinuteRollups(fromHour: number, toHour: number): number {
    return this.s.dropM1.run(fromHour, toHour).changes;
  }

  dropRollups(beforeHour: number): number {
    return this.s.dropRollups.run(beforeHour).changes;
  }
}
