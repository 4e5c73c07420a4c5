import type Database from 'better-sqlite3';

/**
 * The staging log: every group commit is ONE row holding all its samples as a packed little-endian blob, so
 * the durable acknowledgement costs one insert and one fsync however many samples it carries. Rows are
 * replayed into the heads on open and deleted once every sample in them is in a chunk.
 *
 * Blob layout (offsets keep the float64 columns 8-byte aligned):
 *   u32 format, u32 n, u32 stringBytes, u32 0 | f64 ts[n] | f64 value[n] | u32 pointKey[n] | u32 rawStatus[n]
 *   | u8 quality[n] | JSON array of the batch's strings (UTF-8; a string sample's value is its index there)
 */

const STAGING_FORMAT = 1;
const HEADER_BYTES = 16;

/** Samples of one group commit, columnar, growing as ingest calls add to it. */
export class StagedBatch {
  n = 0;
  key: Uint32Array;
  ts: Float64Array;
  num: Float64Array;
  rawStatus: Uint32Array;
  quality: Uint8Array;
  strings: string[] = [];

  constructor(capacity = 4096) {
    this.key = new Uint32Array(capacity);
    this.ts = new Float64Array(capacity);
    this.num = new Float64Array(capacity);
    this.rawStatus = new Uint32Array(capacity);
    this.quality = new Uint8Array(capacity);
  }

  /** makes room for `extra` more samples */
  reserve(extra: number): void {
    const need = this.n + extra;
    if (need <= this.key.length) return;
    let cap = this.key.length * 2;
    while (cap < need) cap *= 2;
    const grow = <T extends Uint32Array | Float64Array | Uint8Array>(a: T, make: (c: number) => T): T => {
      const b = make(cap);
      b.set(a.subarray(0, this.n));
      return b;
    };
    this.key = grow(this.key, (c) => new Uint32Array(c));
    this.ts = grow(this.ts, (c) => new Float64Array(c));
    this.num = grow(this.num, (c) => new Float64Array(c));
    this.rawStatus = grow(this.rawStatus, (c) => new Uint32Array(c));
    this.quality = grow(this.quality, (c) => new Uint8Array(c));
  }

  /** the caller has reserved room */
  push(key: number, ts: number, num: number, quality: number, rawStatus: number): void {
    const i = this.n++;
    this.key[i] = key;
    this.ts[i] = ts;
    this.num[i] = num;
    this.quality[i] = quality;
    this.rawStatus[i] = rawStatus;
  }

  pushString(key: number, ts: number, value: string, quality: number, rawStatus: number): void {
    this.push(key, ts, this.strings.length, quality, rawStatus);
    this.strings.push(value);
  }

  /** drops samples pushed after `n` (an ingest call that failed half way) */
  truncate(n: number, strings: number): void {
    this.n = n;
    this.strings.length = strings;
  }
}

export function packBatch(b: StagedBatch): Buffer {
  const n = b.n;
  const strBytes = b.strings.length > 0 ? Buffer.from(JSON.stringify(b.strings), 'utf8') : null;
  const size = HEADER_BYTES + n * 8 * 2 + n * 4 * 2 + n + (strBytes?.length ?? 0);
  const ab = new ArrayBuffer(size);
  const header = new Uint32Array(ab, 0, 4);
  header[0] = STAGING_FORMAT;
  header[1] = n;
  header[2] = strBytes?.length ?? 0;
  let at = HEADER_BYTES;
  new Float64Array(ab, at, n).set(b.ts.subarray(0, n));
  at += n * 8;
  new Float64Array(ab, at, n).set(b.num.subarray(0, n));
  at += n * 8;
  new Uint32Array(ab, at, n).set(b.key.subarray(0, n));
  at += n * 4;
  new Uint32Array(ab, at, n).set(b.rawStatus.subarray(0, n));
  at += n * 4;
  new Uint8Array(ab, at, n).set(b.quality.subarray(0, n));
  at += n;
  if (strBytes) new Uint8Array(ab, at).set(strBytes);
  return Buffer.from(ab);
}

export function unpackBatch(blob: Uint8Array): StagedBatch {
  // SQLite hands out blobs at arbitrary offsets; typed-array views need alignment, so copy when misaligned
  const bytes = blob.byteOffset % 8 === 0 ? blob : new Uint8Array(blob);
  const ab = bytes.buffer;
  const base = bytes.byteOffset;
  if (bytes.length < HEADER_BYTES) throw new RangeError('corrupt staging row: shorter than its header');
  const header = new Uint32Array(ab, base, 4);
  if (header[0] !== STAGING_FORMAT) throw new RangeError(`unsupported staging format ${header[0]}`);
  const n = header[1] as number;
  const strLen = header[2] as number;
  const size = HEADER_BYTES + n * 25 + strLen;
  if (bytes.length !== size) throw new RangeError(`corrupt staging row: ${bytes.length} bytes, expected ${size}`);
  const b = new StagedBatch(0);
  let at = base + HEADER_BYTES;
  b.ts = new Float64Array(ab, at, n);
  at += n * 8;
  b.num = new Float64Array(ab, at, n);
  at += n * 8;
  b.key = new Uint32Array(ab, at, n);
  at += n * 4;
  b.rawStatus = new Uint32Array(ab, at, n);
  at += n * 4;
  b.quality = new Uint8Array(ab, at, n);
  at += n;
  if (strLen > 0) {
    const parsed: unknown = JSON.parse(Buffer.from(ab, at, strLen).toString('utf8'));
    if (!Array.isArray(parsed)) throw new RangeError('corrupt staging row: strings are not an array');
    b.strings = parsed as string[];
  }
  b.n = n;
  return b;
}

/** The staging table in its own database file (see README: keeps its churn out of the chunk file). */
export class StagingLog {
  private readonly insert: Database.Statement<[number, Buffer]>;
  private readonly deleteBelowStmt: Database.Statement<[number]>;
  private readonly appendTx: (id: number, blob: Buffer, deleteBelow: number) => void;

  constructor(private readonly db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS staging (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
    this.insert = db.prepare('INSERT INTO staging (id, data) VALUES (?, ?)');
    this.deleteBelowStmt = db.prepare('DELETE FROM staging WHERE id < ?');
    this.appendTx = db.transaction((id: number, blob: Buffer, deleteBelow: number) => {
      if (deleteBelow > 0) this.deleteBelowStmt.run(deleteBelow);
      this.insert.run(id, blob);
    });
  }

  /** Appends one row durably; also drops rows below `deleteBelow` (0: none) in the same transaction. */
  append(id: number, blob: Buffer, deleteBelow: number): void {
    this.appendTx(id, blob, deleteBelow);
  }

  deleteBelow(id: number): void {
    this.deleteBelowStmt.run(id);
  }

  maxId(): number {
    const row = this.db.prepare('SELECT max(id) AS id FROM staging').get() as { id: number | null };
    return row.id ?? 0;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM staging').get() as { n: number }).n;
  }

  *rows(): Generator<{ id: number; batch: StagedBatch }> {
    for (const row of this.db.prepare('SELECT id, data FROM staging ORDER BY id').iterate() as Iterable<{
      id: number;
      data: Buffer;
    }>) {
      yield { id: row.id, batch: unpackBatch(row.data) };
    }
  }
}
