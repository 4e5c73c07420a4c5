import Database from 'better-sqlite3';
import { join } from 'node:path';
import { packBatch, StagedBatch, StagingLog, unpackBatch } from './staging-log';
import { tempDir } from './test-helpers';

describe('staged batch packing', () => {
  it('round-trips numbers, strings, quality and rawStatus', () => {
    const b = new StagedBatch(2);
    b.reserve(5);
    b.push(1, Date.UTC(2024, 0, 1), 21.5, 0, 0);
    b.pushString(2, Date.UTC(2024, 0, 1, 0, 0, 1), 'fault ⚠', 2, 0x80020000);
    b.push(3, Date.UTC(2024, 0, 1, 0, 0, 2), 1, 1, 11);
    b.pushString(2, Date.UTC(2024, 0, 1, 0, 0, 3), 'auto', 0, 0);
    const back = unpackBatch(packBatch(b));
    expect(back.n).toBe(4);
    expect(Array.from(back.key)).toEqual([1, 2, 3, 2]);
    expect(Array.from(back.ts)).toEqual(Array.from(b.ts.subarray(0, 4)));
    expect(Array.from(back.num)).toEqual([21.5, 0, 1, 1]);
    expect(back.strings).toEqual(['fault ⚠', 'auto']);
    expect(Array.from(back.quality)).toEqual([0, 2, 1, 0]);
    expect(Array.from(back.rawStatus)).toEqual([0, 0x80020000, 11, 0]);
  });

  it('unpacks a blob that sits at an unaligned offset', () => {
    const b = new StagedBatch(1);
    b.push(7, 1e12, Math.PI, 0, 0);
    const packed = packBatch(b);
    const shifted = Buffer.alloc(packed.length + 3);
    packed.copy(shifted, 3);
    const back = unpackBatch(shifted.subarray(3));
    expect(back.num[0]).toBe(Math.PI);
    expect(back.key[0]).toBe(7);
  });

  it('refuses a truncated row', () => {
    const b = new StagedBatch(1);
    b.push(7, 1e12, 1, 0, 0);
    expect(() => unpackBatch(packBatch(b).subarray(0, 20))).toThrow(/corrupt staging row/);
  });

  it('truncate drops what a failed ingest call added', () => {
    const b = new StagedBatch(1);
    b.push(1, 1e12, 1, 0, 0);
    b.reserve(2);
    b.pushString(2, 1e12, 'x', 0, 0);
    b.truncate(1, 0);
    expect(unpackBatch(packBatch(b)).n).toBe(1);
  });
});

describe('staging log', () => {
  it('appends, lists in id order and deletes below an id in the same transaction', () => {
    const { dir, cleanup } = tempDir('staging');
    const db = new Database(join(dir, 's.db'));
    try {
      const log = new StagingLog(db);
      const row = (v: number) => {
        const b = new StagedBatch(1);
        b.push(1, 1e12 + v, v, 0, 0);
        return packBatch(b);
      };
      log.append(1, row(1), 0);
      log.append(2, row(2), 0);
      log.append(5, row(5), 0);
      expect(log.maxId()).toBe(5);
      expect([...log.rows()].map((r) => [r.id, r.batch.num[0]])).toEqual([
        [1, 1],
        [2, 2],
        [5, 5],
      ]);
      log.append(6, row(6), 5);
      expect([...log.rows()].map((r) => r.id)).toEqual([5, 6]);
      expect(log.count()).toBe(2);
    } finally {
      db.close();
      cleanup();
    }
  });
});
