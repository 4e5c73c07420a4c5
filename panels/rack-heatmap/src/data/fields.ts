import { DataFrame, Field, FieldType, getFieldDisplayName } from '@grafana/data';
import { FieldNames } from '../types';

/** Layout columns; `value` and `time` belong to value sources (see findValueSources). */
export type LayoutRole = 'rack' | 'x' | 'y' | 'w' | 'h' | 'row' | 'hall' | 'facing' | 'label';

/**
 * Names tried, case-insensitively and in this order, when an option is '' (auto). Plenum's `rackLayout` query uses
 * the first of each; the rest are what other sources (CSV, SQL, Infinity) commonly call them.
 */
export const FIELD_ALIASES: Record<LayoutRole, string[]> = {
  rack: ['rack', 'rack_id', 'rackid', 'rack_name', 'rackname', 'name', 'id'],
  x: ['x', 'grid_x', 'col', 'column'],
  y: ['y', 'grid_y'],
  w: ['w', 'width'],
  h: ['h', 'depth', 'height'],
  row: ['row', 'row_id', 'row_name'],
  hall: ['hall', 'hall_id', 'room'],
  facing: ['facing', 'orientation'],
  label: ['label', 'display_name', 'title'],
};

const NUMERIC_ROLES: ReadonlySet<LayoutRole> = new Set(['x', 'y', 'w', 'h']);
/** Values in the layout frame that describe the rack rather than measure it are never coloured by default. */
const GEOMETRY_NAMES = new Set(['x', 'y', 'w', 'h']);
/** A string field with this name gives a value's quality (good / uncertain / bad), shown in the tooltip. */
const QUALITY_NAME = 'quality';

/**
 * The field an option names (exact field name or display name), or the first alias present when the option is ''.
 * Returns undefined when nothing fits the role's type.
 */
export function findField(frame: DataFrame, role: LayoutRole, option: string): Field | undefined {
  const fits = (f: Field) =>
    NUMERIC_ROLES.has(role) ? f.type === FieldType.number : f.type === FieldType.string || f.type === FieldType.number;
  if (option) {
    return frame.fields.find((f) => fits(f) && (f.name === option || getFieldDisplayName(f, frame) === option));
  }
  for (const alias of FIELD_ALIASES[role]) {
    const found = frame.fields.find((f) => fits(f) && f.name.toLowerCase() === alias);
    if (found) {
      return found;
    }
  }
  return undefined;
}

export interface LayoutFields {
  frame: DataFrame;
  rack: Field;
  x: Field;
  y: Field;
  w?: Field;
  h?: Field;
  row?: Field;
  hall?: Field;
  facing?: Field;
  label?: Field;
}

/** The first frame with rack, x and y columns. */
export function findLayout(frames: DataFrame[], names: FieldNames): LayoutFields | undefined {
  for (const frame of frames) {
    const rack = findField(frame, 'rack', names.rack);
    const x = findField(frame, 'x', names.x);
    const y = findField(frame, 'y', names.y);
    if (rack && x && y && rack !== x && rack !== y) {
      const optional = (role: LayoutRole) => findField(frame, role, names[role]);
      return {
        frame,
        rack,
        x,
        y,
        w: optional('w'),
        h: optional('h'),
        row: optional('row'),
        hall: optional('hall'),
        facing: optional('facing'),
        label: optional('label'),
      };
    }
  }
  return undefined;
}

/** One numeric column to colour racks by, with the columns that key and qualify its rows. */
export interface ValueSource {
  frame: DataFrame;
  field: Field;
  /** the join key: rack id (plus hall when both frames have one) */
  rack: Field;
  hall?: Field;
  time?: Field;
  quality?: Field;
}

/**
 * Numeric columns to colour by: those of other frames that have a rack column (a values frame joined on `rack`,
 * as Plenum's `rackLayout` returns, possibly several), else the layout frame's own non-geometry numeric columns.
 * A `value` option keeps only the field with that name or display name.
 */
export function findValueSources(frames: DataFrame[], layout: LayoutFields, names: FieldNames): ValueSource[] {
  const fromFrame = (frame: DataFrame, rack: Field, skip: ReadonlySet<Field>): ValueSource[] => {
    const time = names.time
      ? frame.fields.find((f) => f.type === FieldType.time && f.name === names.time)
      : frame.fields.find((f) => f.type === FieldType.time);
    const quality = frame.fields.find((f) => f.type === FieldType.string && f.name.toLowerCase() === QUALITY_NAME);
    const hall = frame === layout.frame ? layout.hall : findField(frame, 'hall', names.hall);
    return frame.fields
      .filter((f) => f.type === FieldType.number && !skip.has(f))
      .filter((f) => !names.value || f.name === names.value || getFieldDisplayName(f, frame) === names.value)
      .map((field) => ({ frame, field, rack, hall, time, quality }));
  };
  const joined = frames
    .filter((frame) => frame !== layout.frame)
    .flatMap((frame) => {
      const rack = findField(frame, 'rack', names.rack);
      return rack ? fromFrame(frame, rack, new Set([rack])) : [];
    });
  if (joined.length > 0) {
    return joined;
  }
  const geometry = new Set<Field>(
    [layout.rack, layout.x, layout.y, layout.w, layout.h, layout.row, layout.hall, layout.facing, layout.label].filter(
      (f): f is Field => f !== undefined
    )
  );
  for (const f of layout.frame.fields) {
    if (GEOMETRY_NAMES.has(f.name.toLowerCase())) {
      geometry.add(f);
    }
  }
  return fromFrame(layout.frame, layout.rack, geometry);
}
