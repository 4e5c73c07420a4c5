/**
 * Events to overlay on the time axis (job starts and the like) from the annotation frames Grafana hands a panel in
 * `data.annotations`: fields `time` (ms), optional `timeEnd`, `title`, `text`, `tags` (array or comma text).
 */
import { FieldType, type DataFrame } from '@grafana/data';

export interface PanelEvent {
  time: number;
  timeEnd?: number;
  title: string;
  text: string;
  tags: string[];
  color?: string;
}

function fieldByName(frame: DataFrame, name: string) {
  return frame.fields.find((f) => f.name.toLowerCase() === name);
}

function asTags(v: unknown): string[] {
  if (Array.isArray(v)) {
    return v.map(String);
  }
  return typeof v === 'string' && v ? v.split(',').map((t) => t.trim()) : [];
}

/**
 * Events from annotation frames, sorted by time, keeping those whose title, text or tags contain `filter`
 * (case-insensitive; empty keeps all) and that fall in [from, to].
 */
export function eventsFromAnnotations(
  frames: DataFrame[] | undefined,
  filter: string,
  from = -Infinity,
  to = Infinity
): PanelEvent[] {
  const wanted = filter.trim().toLowerCase();
  const out: PanelEvent[] = [];
  for (const frame of frames ?? []) {
    const time = fieldByName(frame, 'time') ?? frame.fields.find((f) => f.type === FieldType.time);
    if (!time) {
      continue;
    }
    const timeEnd = fieldByName(frame, 'timeend');
    const title = fieldByName(frame, 'title');
    const text = fieldByName(frame, 'text');
    const tags = fieldByName(frame, 'tags');
    const color = fieldByName(frame, 'color');
    for (let i = 0; i < frame.length; i++) {
      const t = Number(time.values[i]);
      if (!Number.isFinite(t) || t < from || t > to) {
        continue;
      }
      const event: PanelEvent = {
        time: t,
        title: String(title?.values[i] ?? ''),
        text: String(text?.values[i] ?? ''),
        tags: asTags(tags?.values[i]),
      };
      const end = Number(timeEnd?.values[i]);
      if (Number.isFinite(end) && end > t) {
        event.timeEnd = end;
      }
      if (typeof color?.values[i] === 'string') {
        event.color = color.values[i];
      }
      const haystack = [event.title, event.text, ...event.tags].join('\n').toLowerCase();
      if (!wanted || haystack.includes(wanted)) {
        out.push(event);
      }
    }
  }
  return out.sort((a, b) => a.time - b.time);
}
