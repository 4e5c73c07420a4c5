import { DataFrame, Field, FieldType } from '@grafana/data';
import { findField } from './fields';
import type { RackTable } from './join';

/**
 * Open predictions joined onto the racks. The frame is what Plenum's `events` query for `types: ['prediction']`
 * returns (rack, hall, severity, title, diagnosis, lead — "A05 inlet reaches 27 °C in ~14 min (10–19 min)",
 * timeEnd empty while open), or any table with a rack, a severity and a title, lead or diagnosis column (alert
 * lists, CSV, SQL); a numeric lead is read as minutes, with `leadLo` / `leadHi` as its interval.
 */

/** Severity as a rank: 0 = no prediction, then info, warning, critical. Marks and legend are drawn per rank. */
export const RANK_NONE = 0;
export const RANK_INFO = 1;
export const RANK_WARNING = 2;
export const RANK_CRITICAL = 3;
export type SeverityRank = typeof RANK_NONE | typeof RANK_INFO | typeof RANK_WARNING | typeof RANK_CRITICAL;
/** The ranks a rack is marked with, least severe first. */
export type MarkRank = Exclude<SeverityRank, 0>;
export const MARK_RANKS: readonly MarkRank[] = [RANK_INFO, RANK_WARNING, RANK_CRITICAL];

/** Grafana colour names of each rank (theme.visualization.getColorByName), as the dashboards' severity columns. */
export const RANK_COLOR_NAMES: Record<MarkRank, string> = {
  [RANK_INFO]: 'blue',
  [RANK_WARNING]: 'orange',
  [RANK_CRITICAL]: 'red',
};

/** The legend's word for each rank. */
export const RANK_NAMES: Record<MarkRank, string> = {
  [RANK_INFO]: 'Info',
  [RANK_WARNING]: 'Warning',
  [RANK_CRITICAL]: 'Critical',
};

/** Severity words of other sources (Alertmanager, Zabbix, PagerDuty) mapped onto Plenum's three. */
const CRITICAL_WORDS = new Set(['critical', 'crit', 'high', 'major', 'error', 'emergency', 'alert', 'disaster', 'p1']);
const WARNING_WORDS = new Set(['warning', 'warn', 'medium', 'minor', 'average', 'p2', 'p3']);

export function severityRank(severity: string): MarkRank {
  const s = severity.trim().toLowerCase();
  return CRITICAL_WORDS.has(s) ? RANK_CRITICAL : WARNING_WORDS.has(s) ? RANK_WARNING : RANK_INFO;
}

/** The columns of a predictions frame. */
export interface PredictionFields {
  frame: DataFrame;
  rack: Field;
  severity: Field;
  hall?: Field;
  title?: Field;
  diagnosis?: Field;
  /** text ("… in ~14 min (10–19 min)") or minutes */
  lead?: Field;
  leadLo?: Field;
  leadHi?: Field;
  /** an events frame's type column: only `prediction` rows count */
  type?: Field;
  /** an events frame's end: a row with an end is closed */
  timeEnd?: Field;
  time?: Field;
}

const byName = (frame: DataFrame, names: string[], types: FieldType[]) =>
  names
    .map((n) => frame.fields.find((f) => types.includes(f.type) && f.name.toLowerCase() === n.toLowerCase()))
    .find((f) => f !== undefined);
const STRING = [FieldType.string];

/**
 * The first frame (other than `exclude`, the layout) with a rack, a severity and a title, lead or diagnosis column;
 * undefined when there is none. Such a frame is never a values frame, even though it has a rack and numbers (id,
 * confidence).
 * @param rackOption the Fields → Rack option, tried after the usual rack names
 */
export function findPredictions(
  frames: DataFrame[],
  rackOption = '',
  exclude?: DataFrame
): PredictionFields | undefined {
  for (const frame of frames) {
    if (frame === exclude) {
      continue;
    }
    const rack = findField(frame, 'rack', '') ?? (rackOption ? findField(frame, 'rack', rackOption) : undefined);
    const severity = byName(frame, ['severity', 'priority', 'level'], STRING);
    const title = byName(frame, ['title', 'summary', 'message', 'text'], STRING);
    const diagnosis = byName(frame, ['diagnosis', 'alertname', 'problem'], STRING);
    const lead = byName(
      frame,
      ['lead', 'leadMinutes', 'lead_min', 'timeToLimit', 'time_to_limit'],
      [FieldType.string, FieldType.number]
    );
    if (!rack || !severity || rack === severity || !(title || diagnosis || lead)) {
      continue;
    }
    const numeric = lead?.type === FieldType.number;
    const timeEnd = byName(frame, ['timeEnd', 'time_end', 'endsAt'], [FieldType.time, FieldType.number]);
    return {
      frame,
      rack,
      severity,
      hall: findField(frame, 'hall', ''),
      title,
      diagnosis,
      lead,
      leadLo: numeric ? byName(frame, ['leadLo', 'lead_lo'], [FieldType.number]) : undefined,
      leadHi: numeric ? byName(frame, ['leadHi', 'lead_hi'], [FieldType.number]) : undefined,
      type: byName(frame, ['type'], STRING),
      timeEnd,
      time: frame.fields.find((f) => f.type === FieldType.time && f !== timeEnd),
    };
  }
  return undefined;
}

/** One open prediction of a rack, as the tooltip lists it. */
export interface Prediction {
  rank: MarkRank;
  /** as the source spells it: "critical" */
  severity: string;
  /** "sensor drift" (underscores as spaces); '' when the source has no diagnosis */
  diagnosis: string;
  /** the source's title without a leading "<rack>: " */
  title: string;
  /** time to the limit with its interval, without a leading "<rack> ": "inlet reaches 27 °C in ~14 min (10–19 min)" */
  lead: string;
  /** start, ms; NaN when unknown */
  time: number;
  /** row in the predictions frame */
  row: number;
}

export interface RackPredictions {
  fields: PredictionFields;
  /** open predictions of each rack, most severe first, then newest */
  byRack: Prediction[][];
  /** severity rank of each rack's most severe prediction, RANK_NONE without one: what the floor marks */
  rank: Uint8Array;
  /** racks marked, per rank (index = rank) */
  racksByRank: [number, number, number, number];
}

const text = (field: Field | undefined, i: number): string => {
  const v: unknown = field?.values[i];
  return v === null || v === undefined ? '' : String(v);
};

const num = (field: Field | undefined, i: number): number => {
  const v: unknown = field?.values[i];
  return typeof v === 'number' && Number.isFinite(v) ? v : NaN;
};

/** "14 min", "1.5 h": minutes for people, as Plenum's backend writes its lead text. */
export function formatMinutes(m: number): string {
  return m < 1 ? '<1 min' : m < 90 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`;
}

/** A numeric lead (minutes) and its interval as text: "in ~14 min (10–19 min)"; "at the limit now" at or below 0. */
export function leadFromMinutes(mid: number, lo: number, hi: number): string {
  if (!Number.isFinite(mid)) {
    return '';
  }
  if (mid <= 0) {
    return 'at the limit now';
  }
  const range =
    Number.isFinite(lo) && Number.isFinite(hi)
      ? hi < 90
        ? ` (${Math.round(lo)}–${Math.round(hi)} min)`
        : ` (${formatMinutes(lo)}–${formatMinutes(hi)})`
      : '';
  return `in ~${formatMinutes(mid)}${range}`;
}

/** `s` without a leading rack id (followed by a space or ": "), which the tooltip already names. */
function withoutRack(s: string, rack: string): string {
  if (!rack || !s.startsWith(rack)) {
    return s;
  }
  const rest = s.slice(rack.length);
  const m = /^(:\s+|\s+)/.exec(rest);
  return m ? rest.slice(m[0].length) : s;
}

/** Join key as in join.ts: hall and rack when both sides know the hall, else the rack. */
const key = (hall: string, rack: string) => `${hall}\u0000${rack}`;

/**
 * The open predictions of each rack of `table`: rows of type `prediction` (when the frame has a type column) without
 * an end, joined on hall and rack when both frames have a hall and the row names one, else on the rack alone (every
 * hall's rack of that id). Rows naming no rack (a CRAH's prediction) or a rack not on the floor are left out.
 */
export function joinPredictions(table: RackTable, fields: PredictionFields): RackPredictions {
  const byHallRack = new Map<string, number[]>();
  const byRack = new Map<string, number[]>();
  for (let r = 0; r < table.count; r++) {
    const add = (m: Map<string, number[]>, k: string) => (m.get(k) ?? m.set(k, []).get(k)!).push(r);
    add(byHallRack, key(table.hall[r]!, table.id[r]!));
    add(byRack, table.id[r]!);
  }
  const hallJoin = table.layout.hall !== undefined && fields.hall !== undefined;
  const lists: Prediction[][] = Array.from({ length: table.count }, () => []);
  for (let i = 0; i < fields.frame.length; i++) {
    const rack = text(fields.rack, i);
    if (!rack || (fields.type && text(fields.type, i) !== 'prediction')) {
      continue;
    }
    const end = fields.timeEnd?.values[i];
    if (end !== null && end !== undefined && !(typeof end === 'number' && Number.isNaN(end))) {
      continue;
    }
    const hall = hallJoin ? text(fields.hall, i) : '';
    const racks = hall ? byHallRack.get(key(hall, rack)) : byRack.get(rack);
    if (!racks) {
      continue;
    }
    const severity = text(fields.severity, i);
    const lead =
      fields.lead?.type === FieldType.number
        ? leadFromMinutes(num(fields.lead, i), num(fields.leadLo, i), num(fields.leadHi, i))
        : withoutRack(text(fields.lead, i), rack);
    const prediction: Prediction = {
      rank: severityRank(severity),
      severity,
      diagnosis: text(fields.diagnosis, i).replace(/_/g, ' '),
      title: withoutRack(text(fields.title, i), rack),
      lead,
      time: num(fields.time, i),
      row: i,
    };
    for (const r of racks) {
      lists[r]!.push(prediction);
    }
  }
  const rank = new Uint8Array(table.count);
  const racksByRank: RackPredictions['racksByRank'] = [0, 0, 0, 0];
  for (let r = 0; r < table.count; r++) {
    const list = lists[r]!;
    // most severe first, then the newest (NaN times last)
    list.sort((a, b) => b.rank - a.rank || (Number.isNaN(a.time) ? 1 : Number.isNaN(b.time) ? -1 : b.time - a.time));
    rank[r] = list[0]?.rank ?? RANK_NONE;
    racksByRank[rank[r]! as SeverityRank]++;
  }
  racksByRank[RANK_NONE] = 0;
  return { fields, byRack: lists, rank, racksByRank };
}
