import type { DataFrameJSON } from '@plenum/model';

/** Identity of a series across answers: frame name plus the labels of its fields. */
export function seriesKey(f: DataFrameJSON): string {
  return JSON.stringify([f.schema.name ?? '', f.schema.fields.map((x) => x.labels ?? null)]);
}

/**
 * The frames a live panel shows, kept in the browser between `/api/stream` answers. Time series are merged:
 * rows from the answer's `from` on are replaced by the answer's rows (so late samples inside the overlap land),
 * and rows older than the panel's time window are dropped so memory stays flat on a wall left running for days.
 * Snapshot queries (latest, rackLayout) are replaced whole.
 */
export class LiveBuffer {
  private readonly byRef = new Map<string, Map<string, DataFrameJSON>>();

  constructor(
    /** width of the panel's time range, ms: the window kept */
    private readonly windowMs: number
  ) {}

  /** Replaces everything held for `refId` (the history answer, or a snapshot query's new answer). */
  replace(refId: string, frames: readonly DataFrameJSON[]): void {
    this.byRef.set(refId, new Map(frames.map((f) => [seriesKey(f), f])));
  }

  /** Merges a streamed answer covering `[from, cursor]` into the series held for `refId`. */
  merge(refId: string, frames: readonly DataFrameJSON[], from: number, cursor: number): void {
    const held = this.byRef.get(refId) ?? new Map<string, DataFrameJSON>();
    const oldest = cursor - this.windowMs;
    const next = new Map<string, DataFrameJSON>();
    for (const [key, f] of held) {
      next.set(
        key,
        keepRows(f, (t) => t >= oldest && t < from)
      );
    }
    for (const f of frames) {
      const key = seriesKey(f);
      const before = next.get(key);
      next.set(key, before ? concatRows(before, f) : keepRows(f, (t) => t >= oldest));
    }
    for (const [key, f] of next) {
      if (rowCount(f) === 0 && !frames.some((x) => seriesKey(x) === key)) {
        next.delete(key);
      }
    }
    this.byRef.set(refId, next);
  }

  /** Frames in the order of `refIds`. */
  frames(refIds: readonly string[]): DataFrameJSON[] {
    return refIds.flatMap((r) => [...(this.byRef.get(r)?.values() ?? [])]);
  }
}

function timeIndex(f: DataFrameJSON): number {
  return f.schema.fields.findIndex((x) => x.type === 'time');
}

function rowCount(f: DataFrameJSON): number {
  return f.data.values[0]?.length ?? 0;
}

function keepRows(f: DataFrameJSON, keep: (t: number) => boolean): DataFrameJSON {
  const ti = timeIndex(f);
  if (ti < 0) {
    return f;
  }
  const times = (f.data.values[ti] ?? []) as number[];
  const rows = times.map((t, i) => (keep(t) ? i : -1)).filter((i) => i >= 0);
  if (rows.length === times.length) {
    return f;
  }
  return { schema: f.schema, data: { values: f.data.values.map((col) => rows.map((i) => col[i])) } };
}

/** `a`'s rows then `b`'s, column by column; the schema (units, display names) of the newer answer wins. */
function concatRows(a: DataFrameJSON, b: DataFrameJSON): DataFrameJSON {
  if (a.schema.fields.length !== b.schema.fields.length) {
    return b;
  }
  return { schema: b.schema, data: { values: b.data.values.map((col, i) => [...(a.data.values[i] ?? []), ...col]) } };
}
