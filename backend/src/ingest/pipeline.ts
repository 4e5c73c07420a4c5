import { convert, type Sample } from '@plenum/model';
import type { SourcePoint, SourceSample } from '../connectors/types';
import type { Historian, IngestResult, RejectedSample } from '../historian/types';

/**
 * How far ahead of the run's clock a sample may be, ms: real device clocks drift by seconds, not minutes; a sample
 * further ahead means a wrong device clock or a simulator running faster than this backend (a clock mix-up that
 * would otherwise hide every value behind the future).
 */
export const MAX_AHEAD_MS = 5 * 60_000;

export interface IngestCounters {
  accepted: number;
  rejected: number;
}

/**
 * The single way samples enter the historian: converts each value from its source unit to the point's
 * canonical unit (once, here), then stores the batch. Connectors and `POST /api/samples` both come through.
 */
export class IngestPipeline {
  private readonly points = new Map<string, SourcePoint>();
  private readonly listeners = new Set<(pointIds: string[]) => void>();
  readonly counters: IngestCounters = { accepted: 0, rejected: 0 };

  constructor(
    private readonly historian: Historian,
    points: readonly SourcePoint[],
    /** the run's clock (common/clock.ts), @default Date.now */
    private readonly clock: () => number = Date.now,
    /** says which clock, for the refusal of samples from the future */
    private readonly clockName = 'the wall clock',
  ) {
    for (const p of points) this.points.set(p.id, p);
  }

  /** Samples in their source units (as configured per point). Unknown points are left to the historian to reject. */
  fromSource(samples: readonly SourceSample[]): Promise<IngestResult> {
    // a sample whose unit is already canonical is passed on as it is (a Sample has the same shape): a copy per
    // sample would double what every poll allocates
    let converted: Sample[];
    try {
      converted = this.toCanonical(samples);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.store(converted);
  }

  private toCanonical(samples: readonly SourceSample[]): Sample[] {
    return samples.map((s) => {
      const conv = this.points.get(s.pointId)?.conversion;
      if (typeof s.value !== 'number' || !conv || (conv.scale === 1 && conv.offset === 0)) return s;
      return {
        pointId: s.pointId,
        ts: s.ts,
        value: convert(s.value, conv),
        quality: s.quality,
        ...(s.rawStatus ? { rawStatus: s.rawStatus } : {}),
      };
    });
  }

  /** Samples already in canonical units; those more than MAX_AHEAD_MS ahead of the clock are refused. */
  store(samples: Sample[]): Promise<IngestResult> {
    // the historian copies the samples before its commit; only their ids are kept across the fsync, so a large
    // batch dies young instead of being promoted to the old generation (issue 14)
    const ids = this.listeners.size > 0 && Array.isArray(samples) ? samples.map((s) => s?.pointId) : [];
    return this.ingestNotAhead(samples).then((result) => {
      this.counters.accepted += result.accepted;
      this.counters.rejected += result.rejected.length;
      if (result.accepted > 0 && this.listeners.size > 0) {
        let stored = ids;
        if (result.rejected.length > 0) {
          const refused = new Set(result.rejected.map((r: RejectedSample) => r.index));
          stored = ids.filter((_, i) => !refused.has(i));
        }
        const unique = [...new Set(stored)];
        for (const l of this.listeners) l(unique);
      }
      return result;
    });
  }

  /** not async: an async function would hold `samples` until the fsync (see SourceRunner.counted) */
  private ingestNotAhead(samples: Sample[]): Promise<IngestResult> {
    const now = this.clock();
    const limit = now + MAX_AHEAD_MS;
    try {
      if (!samples.some((s) => typeof s?.ts === 'number' && s.ts > limit)) return this.historian.ingest(samples);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.ingestSomeAhead(samples, now, limit);
  }

  private async ingestSomeAhead(samples: Sample[], now: number, limit: number): Promise<IngestResult> {
    const ahead: RejectedSample[] = [];
    const kept: Sample[] = [];
    const keptIndex: number[] = [];
    samples.forEach((s, index) => {
      if (typeof s?.ts === 'number' && s.ts > limit && s.ts < 8.64e15) {
        const min = Math.round((s.ts - now) / 60_000);
        ahead.push({
          index,
          pointId: s.pointId,
          reason: `ts ${new Date(s.ts).toISOString()} of point "${s.pointId}" is ${min} min ahead of this backend's clock (${this.clockName}, ${new Date(now).toISOString()}); a device clock is wrong, or a simulator runs on another clock: start both with the same PLENUM_CLOCK (npm start --speed N does)`,
        });
      } else {
        kept.push(s);
        keptIndex.push(index);
      }
    });
    const r = kept.length ? await this.historian.ingest(kept) : { accepted: 0, rejected: [] };
    const rejected = [...ahead, ...r.rejected.map((x) => ({ ...x, index: keptIndex[x.index] as number }))];
    rejected.sort((a, b) => a.index - b.index);
    return { accepted: r.accepted, rejected };
  }

  /** Calls `listener` with the ids of points that just had samples stored (durable); returns an unsubscribe. */
  onStored(listener: (pointIds: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
