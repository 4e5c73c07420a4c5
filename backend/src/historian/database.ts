import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The two SQLite files of a data folder and their pragmas.
 *
 * - `historian.db`: points, compressed raw chunks, rollups, meta.
 * - `staging.db`: the staging log only. Its rows are written and deleted within about an hour; keeping that
 *   churn in its own file leaves the chunk file densely packed and lets close() vacuum the log cheaply.
 *   Nothing needs a transaction across the two files (see README, "crash safety").
 */

export const MAIN_FILE = 'historian.db';
export const STAGING_FILE = 'staging.db';
/** 2: the pieces table (heads spilled at headMaxBytes); a schema-1 folder gains it on open */
const SCHEMA_VERSION = 2;

interface FileSettings {
  /** bytes; only takes effect when the file is created */
  pageSize: number;
  cacheKiB: number;
  /** WAL pages written before SQLite copies them back into the database file */
  autoCheckpointPages: number;
}

/**
 * historian.db holds blobs of 0.1–8 KiB appended in bulk: with 4 KiB pages a chunk larger than a page spills
 * into overflow pages and leaves its leaf page a third empty; 64 KiB pages pack them (measured on 24 h of the
 * benchmark data: 2.02 → 1.88 bytes/sample, and ingest no slower).
 */
const MAIN_SETTINGS: FileSettings = { pageSize: 65536, cacheKiB: 32768, autoCheckpointPages: 256 };
/** staging.db takes one small row per commit: small pages keep each commit's WAL write small */
const STAGING_SETTINGS: FileSettings = { pageSize: 4096, cacheKiB: 8192, autoCheckpointPages: 1000 };

function openFile(path: string, dir: string, settings: FileSettings): Database.Database {
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma(`page_size = ${settings.pageSize}`);
    // one process owns the folder: the in-memory heads would diverge with two writers. EXCLUSIVE also makes
    // SQLite keep the WAL index in heap memory instead of a -shm file.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    // FULL: the WAL is fsync'd at every commit, so an acknowledged sample survives power loss, not only kill -9
    db.pragma('synchronous = FULL');
    db.pragma(`cache_size = -${settings.cacheKiB}`);
    db.pragma(`wal_autocheckpoint = ${settings.autoCheckpointPages}`);
    db.pragma('journal_size_limit = 16777216');
    // take the exclusive lock now, so a second historian on the same folder fails at open, not at first write
    db.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (err) {
    db.close();
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_BUSY') throw new Error(`data folder "${dir}" is in use by another historian`);
    throw err;
  }
  return db;
}

export interface HistorianFiles {
  main: Database.Database;
  staging: Database.Database;
}

export function openFiles(dir: string): HistorianFiles {
  mkdirSync(dir, { recursive: true });
  const main = openFile(join(dir, MAIN_FILE), dir, MAIN_SETTINGS);
  let staging: Database.Database;
  try {
    staging = openFile(join(dir, STAGING_FILE), dir, STAGING_SETTINGS);
  } catch (err) {
    main.close();
    throw err;
  }
  try {
    createSchema(main);
  } catch (err) {
    main.close();
    staging.close();
    throw err;
  }
  return { main, staging };
}

function createSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    -- flushed_full / flushed_part / flushed_before: which staged samples of the point are already in chunks:
    -- every one from a staging row id <= flushed_full, and those from rows <= flushed_part with ts < flushed_before
    CREATE TABLE IF NOT EXISTS points (
      key INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      value_type INTEGER NOT NULL,
      flushed_full INTEGER NOT NULL DEFAULT 0,
      flushed_part INTEGER NOT NULL DEFAULT 0,
      flushed_before INTEGER NOT NULL DEFAULT 0,
      last_ts INTEGER,
      last_value BLOB,
      last_quality INTEGER,
      last_status INTEGER
    );
    -- raw samples of one point inside one hour (hour = floor(ts / 3 600 000)); chunks of a point-hour never
    -- overlap in time and never repeat a timestamp
    CREATE TABLE IF NOT EXISTS chunks (
      id INTEGER PRIMARY KEY,
      point INTEGER NOT NULL,
      hour INTEGER NOT NULL,
      t_min INTEGER NOT NULL,
      t_max INTEGER NOT NULL,
      n INTEGER NOT NULL,
      data BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS chunks_by_point ON chunks (point, hour);
    CREATE INDEX IF NOT EXISTS chunks_by_hour ON chunks (hour);
    -- the 1-hour bucket as columns (min/max/last NULL when the hour has only bad samples) and the hour's
    -- 1-minute buckets as one compressed blob (NULL once past the 1-minute retention)
    CREATE TABLE IF NOT EXISTS rollups (
      id INTEGER PRIMARY KEY,
      point INTEGER NOT NULL,
      hour INTEGER NOT NULL,
      count INTEGER NOT NULL,
      bad INTEGER NOT NULL,
      min REAL,
      max REAL,
      sum REAL NOT NULL,
      last REAL,
      m1 BLOB
    );
    CREATE UNIQUE INDEX IF NOT EXISTS rollups_by_point ON rollups (point, hour);
    CREATE INDEX IF NOT EXISTS rollups_by_hour ON rollups (hour);
    -- a head written out as it was when it reached headMaxBytes (head-stream.ts: samples in arrival order with
    -- their staging ids; str: a string point's values as JSON): samples not yet in chunks, merged into their
    -- hour's chunk when that hour is flushed
    CREATE TABLE IF NOT EXISTS pieces (
      id INTEGER PRIMARY KEY,
      point INTEGER NOT NULL,
      t_min INTEGER NOT NULL,
      n INTEGER NOT NULL,
      data BLOB NOT NULL,
      str TEXT
    );
    CREATE INDEX IF NOT EXISTS pieces_by_point ON pieces (point, id);
  `);
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: number } | undefined;
  if (!row) db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
  else if (row.value === 1) db.prepare("UPDATE meta SET value = ? WHERE key = 'schema'").run(SCHEMA_VERSION);
  else if (row.value !== SCHEMA_VERSION) {
    throw new Error(`historian schema ${row.value} is not supported by this version (expects ${SCHEMA_VERSION})`);
  }
}

export function readMeta(db: Database.Database, key: string, fallback: number): number {
  const row = db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: number } | undefined;
  return row?.value ?? fallback;
}

export function writeMeta(db: Database.Database, key: string, value: number): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
    key,
    value,
  );
}
