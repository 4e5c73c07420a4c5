import { DataFrame, Field, getFieldDisplayName } from '@grafana/data';
import { LayoutFields, ValueSource } from './fields';

/** Racks of the layout (one per id, placed ones only) in columnar arrays, with every value source joined on rack. */
export interface RackTable {
  count: number;
  id: string[];
  label: string[];
  row: string[];
  hall: string[];
  facing: Array<string | undefined>;
  /** grid position and size in tiles, as the layout gives them (halls are not yet placed side by side) */
  x: Float64Array;
  y: Float64Array;
  w: Float64Array;
  h: Float64Array;
  channels: Channel[];
  /** the layout frame and each rack's row in it, for data links on layout fields */
  layout: LayoutFields;
  layoutRow: Int32Array;
  /** layout rows left out: no x/y, or a rack id seen before */
  skipped: number;
}

/** One value source joined onto the racks. */
export interface Channel {
  /** display name, e.g. "temperature" or "Inlet top" */
  name: string;
  frame: DataFrame;
  field: Field;
  /** row of each rack in `frame`, -1 when the source has none for it */
  rowOf: Int32Array;
  /** value per rack, NaN when missing or null */
  value: Float64Array;
  /** sample time per rack in ms since the epoch, NaN when the source has no time field or no row */
  time: Float64Array;
  /** the source's quality column, shown in the tooltip: a value is drawn whatever its quality, since Plenum reports
   * the worst quality of the samples a rack's value combines and leaves the value null when none was usable */
  quality?: Field;
}

const text = (field: Field | undefined, i: number): string => {
  const v: unknown = field?.values[i];
  return v === null || v === undefined ? '' : String(v);
};

const num = (field: Field | undefined, i: number, fallback: number): number => {
  const v: unknown = field?.values[i];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
};

/** Join key: hall and rack when both frames know the hall (rack ids often repeat across halls), else the rack. */
const key = (hall: string | undefined, rack: string) => (hall === undefined ? rack : `${hall}\u0000${rack}`);

/**
 * @param hallFilter only racks of this hall; '' = all
 */
export function joinRacks(layout: LayoutFields, sources: ValueSource[], hallFilter: string): RackTable {
  const n = layout.frame.length;
  const keep: number[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const id = text(layout.rack, i);
    const placed = Number.isFinite(num(layout.x, i, NaN)) && Number.isFinite(num(layout.y, i, NaN));
    const k = key(text(layout.hall, i), id);
    if (!id || !placed || seen.has(k)) {
      continue;
    }
    seen.add(k);
    if (!hallFilter || text(layout.hall, i) === hallFilter) {
      keep.push(i);
    }
  }
  const count = keep.length;
  const table: RackTable = {
    count,
    id: keep.map((i) => text(layout.rack, i)),
    label: keep.map((i) => text(layout.label, i) || text(layout.rack, i)),
    row: keep.map((i) => text(layout.row, i)),
    hall: keep.map((i) => text(layout.hall, i)),
    facing: keep.map((i) => text(layout.facing, i).toLowerCase() || undefined),
    x: Float64Array.from(keep, (i) => num(layout.x, i, 0)),
    y: Float64Array.from(keep, (i) => num(layout.y, i, 0)),
    w: Float64Array.from(keep, (i) => Math.max(num(layout.w, i, 1), 0.1)),
    h: Float64Array.from(keep, (i) => Math.max(num(layout.h, i, 1), 0.1)),
    channels: [],
    layout,
    layoutRow: Int32Array.from(keep),
    skipped: n - seen.size,
  };
  table.channels = sources.map((source) => joinChannel(table, layout, source));
  return table;
}

function joinChannel(table: RackTable, layout: LayoutFields, source: ValueSource): Channel {
  const byHall = layout.hall !== undefined && source.hall !== undefined;
  const rowByKey = new Map<string, number>();
  for (let i = 0; i < source.frame.length; i++) {
    const k = key(byHall ? text(source.hall, i) : undefined, text(source.rack, i));
    // the last row wins: a values frame in time order ends with the latest sample
    rowByKey.set(k, i);
  }
  const rowOf = new Int32Array(table.count).fill(-1);
  const value = new Float64Array(table.count).fill(NaN);
  const time = new Float64Array(table.count).fill(NaN);
  for (let r = 0; r < table.count; r++) {
    const row = rowByKey.get(key(byHall ? table.hall[r] : undefined, table.id[r]!));
    if (row === undefined) {
      continue;
    }
    rowOf[r] = row;
    value[r] = num(source.field, row, NaN);
    time[r] = num(source.time, row, NaN);
  }
  return {
    name: getFieldDisplayName(source.field, source.frame),
    frame: source.frame,
    field: source.field,
    rowOf,
    value,
    time,
    quality: source.quality,
  };
}
