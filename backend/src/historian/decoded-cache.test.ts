import { encodeChunk } from './chunk-codec';
import { ChunkStore } from './chunk-store';
import { openFiles } from './database';
import { DecodedChunkCache } from './decoded-cache';
import { makeSeries, tempDir } from './test-helpers';

/**
 * The decoded-chunk cache and ChunkStore's invalidation: SQLite gives a deleted chunk's rowid to the next insert
 * when it was the highest, so a cache that outlived the delete would serve the old samples under the new chunk.
 */

const chunk = (values: number[]) =>
  encodeChunk(
    makeSeries(
      values.map((_, i) => 1_000 + i * 1000),
      values,
      'number',
    ),
    'number',
  );

describe('decoded chunk cache', () => {
  let cleanup = () => {};
  afterEach(() => cleanup());

  function store(bytes: number) {
    const t = tempDir('decoded-cache');
    const files = openFiles(t.dir);
    cleanup = () => {
      files.main.close();
      files.staging.close();
      t.cleanup();
    };
    files.main.prepare("INSERT INTO points (key, id, value_type) VALUES (1, 'p', 0)").run();
    return new ChunkStore(files.main, bytes);
  }
  const idOf = (s: ChunkStore) => s.db.prepare('SELECT max(id) FROM chunks').pluck().get() as number;
  const valuesOf = (s: ChunkStore, id: number) => Array.from(s.decodedChunk(id).num);

  it('serves a chunk again from memory, and a rowid reused after a delete gets the new chunk', () => {
    const s = store(1 << 20);
    s.insertChunk(1, 0, 1000, 3000, 3, chunk([1, 2, 3]));
    const id = idOf(s);
    expect(valuesOf(s, id)).toEqual([1, 2, 3]);
    expect(valuesOf(s, id)).toEqual([1, 2, 3]);
    expect({ hits: s.decoded.hits, misses: s.decoded.misses }).toEqual({ hits: 1, misses: 1 });
    s.deleteChunk(id);
    s.insertChunk(1, 0, 1000, 3000, 3, chunk([7, 8, 9]));
    expect(idOf(s)).toBe(id); // the reuse this guards against
    expect(valuesOf(s, id)).toEqual([7, 8, 9]);
  });

  it('forgets what retention drops', () => {
    const s = store(1 << 20);
    s.insertChunk(1, 0, 1000, 3000, 3, chunk([1, 2, 3]));
    const id = idOf(s);
    expect(valuesOf(s, id)).toEqual([1, 2, 3]);
    expect(s.dropChunks(1)).toBe(1);
    expect(s.decoded.bytes).toBe(0);
    s.insertChunk(1, 5, 1000, 3000, 3, chunk([4, 5, 6]));
    expect(idOf(s)).toBe(id);
    expect(valuesOf(s, id)).toEqual([4, 5, 6]);
  });

  it('holds at most its budget, dropping the least recently used first', () => {
    const c = new DecodedChunkCache(3 * (256 + 100 * 21));
    const series = (v: number) =>
      makeSeries(
        Array.from({ length: 100 }, (_, i) => i),
        new Array(100).fill(v),
        'number',
      );
    for (let id = 1; id <= 3; id++) c.put(id, series(id));
    expect(c.get(1)?.num[0]).toBe(1); // 1 is now the most recent
    c.put(4, series(4));
    expect(c.get(2)).toBeUndefined();
    expect([1, 3, 4].map((id) => c.get(id)?.num[0])).toEqual([1, 3, 4]);
    expect(c.bytes).toBeLessThanOrEqual(3 * (256 + 100 * 21));
    // larger than the whole budget: not kept
    c.put(
      9,
      makeSeries(
        Array.from({ length: 1000 }, (_, i) => i),
        new Array(1000).fill(9),
        'number',
      ),
    );
    expect(c.get(9)).toBeUndefined();
    expect(new DecodedChunkCache(0).enabled).toBe(false);
  });
});
