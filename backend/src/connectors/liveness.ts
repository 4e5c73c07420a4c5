/**
 * Liveness rules (pure): when a source counts as delivering, when it is silent, and when it is rebuilt. The
 * runner applies them to polled sources; subscribed connectors apply the same numbers to their own link
 * (connectors/README.md, "Liveness").
 */
import type { SourceSample } from './types';

/** When a source is silent and when it is rebuilt, ms. */
export interface Liveness {
  /** no sample for this long → degraded, its points marked bad; @default 3 intervals, at least 5 s */
  staleAfterMs: number;
  /** no sample for this long → the connector is closed and built again from scratch; @default 2 × staleAfter, at least 30 s */
  rebuildAfterMs: number;
}

/** intervals without a sample before a source is silent */
export const STALE_INTERVALS = 3;
/** shortest default staleAfter, ms: a 1 s poll on a loaded machine may be late by a few seconds without a fault */
export const MIN_STALE_MS = 5000;
/** shortest default rebuildAfter, ms: a rebuild costs a reconnection; do not churn */
export const MIN_REBUILD_MS = 30_000;

/**
 * Status of the bad samples that mark a silent source's points (OPC UA BadTimeout): the source should have
 * delivered within staleAfter and did not. Protocol errors keep their own codes.
 */
export const SILENT_STATUS = 0x800a0000;

/** The defaults for a source of `intervalMs`, with what the config sets applied. */
export function livenessFor(intervalMs: number, configured: Partial<Liveness> = {}): Liveness {
  const staleAfterMs = configured.staleAfterMs ?? Math.max(STALE_INTERVALS * intervalMs, MIN_STALE_MS);
  const rebuildAfterMs = configured.rebuildAfterMs ?? Math.max(2 * staleAfterMs, MIN_REBUILD_MS);
  return { staleAfterMs, rebuildAfterMs };
}

/** What one successful gather delivered. */
export interface GatherTally {
  samples: number;
  good: number;
  /** the first bad sample, to name in the reason */
  firstBad?: SourceSample;
}

export function tally(into: GatherTally, samples: readonly SourceSample[]): void {
  for (const s of samples) {
    into.samples++;
    if (s.quality === 'bad') into.firstBad ??= s;
    else into.good++;
  }
}

/** Adds one delivery's tally to a gather's. */
export function addTally(into: GatherTally, t: GatherTally): void {
  into.samples += t.samples;
  into.good += t.good;
  if (t.firstBad) into.firstBad ??= t.firstBad;
}

const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;

/**
 * The state a gather that did not throw leaves the source in: `up` only when it delivered at least one usable
 * (good or uncertain) sample; a source with no points has nothing to deliver and is up.
 */
export function gatherVerdict(t: GatherTally, points: number): { state: 'up' } | { state: 'degraded'; reason: string } {
  if (points === 0 || t.good > 0) return { state: 'up' };
  if (t.samples === 0) return { state: 'degraded', reason: `the poll delivered no samples for ${points} points` };
  const b = t.firstBad;
  return {
    state: 'degraded',
    reason: `every sample of the poll was bad (${t.samples}; first: "${b?.pointId}"${b?.rawStatus !== undefined ? ` status ${hex(b.rawStatus)}` : ''})`,
  };
}

/** Why a source that has been silent `silentMs` is not up, or undefined while it is within `staleAfterMs`. */
export function silenceReason(silentMs: number, l: Liveness, intervalMs: number): string | undefined {
  if (silentMs <= l.staleAfterMs) return undefined;
  return `no samples for ${(silentMs / 1000).toFixed(1)} s (expected every ${intervalMs} ms, stale after ${l.staleAfterMs} ms)`;
}
