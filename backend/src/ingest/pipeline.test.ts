import { openHistorian } from '../historian/historian';
import { tempDir } from '../historian/test-helpers';
import { IngestPipeline, MAX_AHEAD_MS } from './pipeline';

describe('IngestPipeline', () => {
  it('refuses samples ahead of the run’s clock, naming the clock, and stores the rest', async () => {
    const { dir, cleanup } = tempDir('plenum-ingest-');
    const historian = openHistorian({ dir });
    try {
      historian.ensurePoints([
        { id: 'a', valueType: 'number' },
        { id: 'b', valueType: 'number' },
      ]);
      const now = Date.UTC(2026, 11, 2, 6, 0, 0);
      const ingest = new IngestPipeline(historian, [], () => now, 'the wall clock');
      const r = await ingest.store([
        { pointId: 'a', ts: now, value: 1, quality: 'good' },
        { pointId: 'b', ts: now + 3_600_000, value: 2, quality: 'good' },
        { pointId: 'a', ts: now + MAX_AHEAD_MS, value: 3, quality: 'good' },
        { pointId: 'nope', ts: now, value: 4, quality: 'good' },
      ]);
      expect(r.accepted).toBe(2);
      expect(r.rejected.map((x) => [x.index, x.pointId])).toEqual([
        [1, 'b'],
        [3, 'nope'],
      ]);
      expect(r.rejected[0]!.reason).toBe(
        'ts 2026-12-02T07:00:00.000Z of point "b" is 60 min ahead of this backend\'s clock (the wall clock, 2026-12-02T06:00:00.000Z); a device clock is wrong, or a simulator runs on another clock: start both with the same PLENUM_CLOCK (npm start --speed N does)',
      );
      expect(ingest.counters).toEqual({ accepted: 2, rejected: 2 });
    } finally {
      await historian.close();
      cleanup();
    }
  });
});
