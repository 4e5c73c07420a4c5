import { convert, type Sample } from '@plenum/model';
import type { SourcePoint, SourceSample } from '../connectors/types';
import type { Historian, IngestResult } from '../historian/types';

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
  ) {
    for (const p of points) this.points.set(p.id, p);
  }

  /** Samples in their source units (as configured per point). Unknown points are left to the historian to reject. */
  async fromSource(samples: readonly SourceSample[]): Promise<IngestResult> {
    const converted: Sample[] = samples.map((s) => {
      const conv = this.points.get(s.pointId)?.conversion;
      const value = typeof s.value === 'number' && conv ? convert(s.value, conv) : s.value;
      return {
        pointId: s.pointId,
        ts: s.ts,
        value,
        quality: s.quality,
        ...(s.rawStatus ? { rawStatus: s.rawStatus } : {}),
      };
    });
    return this.store(converted);
  }

  /** Samples already in canonical units. */
  async store(samples: Sample[]): Promise<IngestResult> {
    const result = await this.historian.ingest(samples);
    this.counters.accepted += result.accepted;
    this.counters.rejected += result.rejected.length;
    if (result.accepted > 0 && this.listeners.size > 0) {
      const refused = new Set(result.rejected.map((r) => r.index));
      const ids = new Set(samples.filter((_, i) => !refused.has(i)).map((s) => s.pointId));
      for (const l of this.listeners) l([...ids]);
    }
    return result;
  }

  /** Calls `listener` with the ids of points that just had samples stored (durable); returns an unsubscribe. */
  onStored(listener: (pointIds: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
