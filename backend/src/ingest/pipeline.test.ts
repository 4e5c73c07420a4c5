import type { Sample } from '@plenum/model';
import type { SourcePoint, SourceSample } from '../connectors/types';
import { openHistorian } from '../historian/historian';
import type { Historian } from '../historian/types';
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

  it('passes samples already in canonical units on as they are, converts the rest, and tells listeners what was stored', async () => {
    const seen: Sample[][] = [];
    const historian = {
      ingest: (samples: Sample[]) => {
        seen.push(samples);
        return Promise.resolve({
          accepted: samples.length - 1,
          rejected: [{ index: 2, pointId: samples[2]!.pointId, reason: 'unknown point' }],
        });
      },
    } as unknown as Historian;
    const celsius = { id: 'c', conversion: { scale: 1, offset: 0 } } as SourcePoint;
    const fahrenheit = { id: 'f', conversion: { scale: 5 / 9, offset: -32 * (5 / 9) } } as SourcePoint;
    const ingest = new IngestPipeline(historian, [celsius, fahrenheit], () => 1.8e12);
    const stored: string[][] = [];
    ingest.onStored((ids) => stored.push(ids));
    const a: SourceSample = { pointId: 'c', ts: 1.8e12, value: 21.5, quality: 'good' };
    const b: SourceSample = { pointId: 'f', ts: 1.8e12, value: 212, quality: 'good', rawStatus: 3 };
    const x: SourceSample = { pointId: 'x', ts: 1.8e12, value: 1, quality: 'good' };
    const r = await ingest.fromSource([a, b, x, a]);
    expect(r.accepted).toBe(3);
    const [sent] = seen;
    expect(sent![0]).toBe(a); // no copy
    expect(sent![1]).not.toBe(b);
    expect(sent![1]).toEqual({
      pointId: 'f',
      ts: 1.8e12,
      value: expect.closeTo(100, 9),
      quality: 'good',
      rawStatus: 3,
    });
    // the refused sample's point is not announced; a point stored twice is announced once
    expect(stored).toEqual([['c', 'f']]);
  });

  it('rejects, not throws, when given something that is not an array', async () => {
    const { dir, cleanup } = tempDir('plenum-ingest-');
    const historian = openHistorian({ dir });
    try {
      const ingest = new IngestPipeline(historian, []);
      await expect(ingest.fromSource(null as unknown as SourceSample[])).rejects.toThrow();
      await expect(ingest.store(null as unknown as Sample[])).rejects.toThrow();
    } finally {
      await historian.close();
      cleanup();
    }
  });
});
