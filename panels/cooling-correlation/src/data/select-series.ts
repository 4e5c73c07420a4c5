/**
 * Picks load and response series out of any datasource's frames: by field name or matcher when the options say
 * so, else from Plenum's labels (`quantity`) and Grafana units, else by name, else the first series is the load.
 */
import { FieldType, getFieldDisplayName, type DataFrame, type Field } from '@grafana/data';

export interface SeriesRef {
  /** display name (as the legend shows it) */
  name: string;
  field: Field;
  /** the frame's time values, ms */
  times: ArrayLike<number>;
}

export interface Selection {
  loads: SeriesRef[];
  responses: SeriesRef[];
}

/** Quantities (Plenum's `quantity` label) of workload. */
const LOAD_QUANTITIES = new Set(['power', 'apparentPower', 'utilization']);
/** Quantities of a cooling response. */
const RESPONSE_QUANTITIES = new Set([
  'temperature',
  'speed',
  'rotation',
  'position',
  'flow',
  'airflow',
  'differentialPressure',
  'pressure',
]);
/** Grafana unit ids of power. */
const POWER_UNITS = new Set(['watt', 'kwatt', 'megwatt', 'gwatt', 'mwatt', 'voltamp', 'kvoltamp', 'mvoltamp']);
const LOAD_NAME =
  /\b(it|gpu|rack|pdu|job)\b.*\b(power|load|util|utili[sz]ation)\b|\bpower\b|\butili[sz]ation\b|\bkw\b/i;

/** Every numeric field with its frame's time field. */
export function numericSeries(frames: DataFrame[]): SeriesRef[] {
  const out: SeriesRef[] = [];
  for (const frame of frames) {
    const time = frame.fields.find((f) => f.type === FieldType.time);
    if (!time) {
      continue;
    }
    for (const field of frame.fields) {
      if (field.type === FieldType.number) {
        out.push({ name: getFieldDisplayName(field, frame, frames), field, times: time.values as number[] });
      }
    }
  }
  return out;
}

/**
 * A matcher from the options: comma-separated names (display or field name, exact, case-insensitive) or one
 * `/regex/flags` on the display name. Empty: undefined (auto-detect).
 */
export function parseMatcher(spec: string): ((s: SeriesRef) => boolean) | undefined {
  const text = spec.trim();
  if (!text) {
    return undefined;
  }
  const re = /^\/(.+)\/([a-z]*)$/.exec(text);
  if (re) {
    const regex = new RegExp(re[1], re[2]);
    return (s) => regex.test(s.name);
  }
  const names = new Set(text.split(',').map((n) => n.trim().toLowerCase()));
  return (s) => names.has(s.name.toLowerCase()) || names.has(s.field.name.toLowerCase());
}

/** 'load', 'response', or undefined when neither labels, unit nor name say. */
export function detectRole(s: SeriesRef): 'load' | 'response' | undefined {
  const quantity = s.field.labels?.quantity;
  if (quantity) {
    return LOAD_QUANTITIES.has(quantity) ? 'load' : RESPONSE_QUANTITIES.has(quantity) ? 'response' : undefined;
  }
  const unit = s.field.config.unit ?? '';
  if (POWER_UNITS.has(unit)) {
    return 'load';
  }
  if (LOAD_NAME.test(s.name)) {
    return 'load';
  }
  return unit ? 'response' : undefined;
}

export function selectSeries(frames: DataFrame[], loadSpec: string, responseSpec: string): Selection {
  const all = numericSeries(frames);
  const isLoad = parseMatcher(loadSpec);
  const isResponse = parseMatcher(responseSpec);
  let loads = isLoad ? all.filter(isLoad) : all.filter((s) => detectRole(s) === 'load');
  if (!isLoad && loads.length === 0 && all.length > 1) {
    // nothing says which is which: the first series is the load, as in "A drives B"
    loads = [all[0]];
  }
  // auto-detection put every load-like series in `loads`, so the rest are responses unless a matcher narrows them
  const rest = all.filter((s) => !loads.includes(s));
  return { loads, responses: isResponse ? rest.filter(isResponse) : rest };
}
