import {
  CoreApp,
  DataTopic,
  FieldType,
  getFieldDisplayName,
  type AnnotationEvent,
  type AnnotationQuery,
  type AnnotationSupport,
  type DataFrame,
  type DataQuery,
  type DataSourceApi,
  type GrafanaTheme2,
} from '@grafana/data';
import { firstValueFrom, isObservable, of, type Observable } from 'rxjs';
import type { HarnessQueryOptions } from './api';
import { buildQueryRequest, collectResponses, queryResponses } from './query-runner';

/** Grafana's default annotation colour (`DEFAULT_ANNOTATION_COLOR`). */
const DEFAULT_ANNOTATION_COLOR = 'rgba(0, 211, 255, 1)';

/** An annotation field: its event key, how to find it when unmapped, and whether comma text is split. */
const EVENT_FIELDS: {
  key: keyof AnnotationEvent;
  fallback?: (frame: DataFrame) => DataFrame['fields'][number] | undefined;
  split?: boolean;
}[] = [
  { key: 'time', fallback: (frame) => frame.fields.find((f) => f.type === FieldType.time) },
  { key: 'timeEnd' },
  { key: 'title' },
  { key: 'text', fallback: (frame) => frame.fields.find((f) => f.type === FieldType.string) },
  { key: 'tags', split: true },
  { key: 'id' },
  { key: 'color' },
];

type Mappings = Record<string, { source?: string; value?: string } | undefined>;

/**
 * Grafana's `getAnnotationsFromData`: per frame, each event field by (mapped) name, case-insensitive, with the
 * first time / string field as fallback for time / text; frames without time or text are skipped.
 */
export function annotationsFromFrames(frames: DataFrame[], mappings: Mappings = {}): AnnotationEvent[] {
  const events: AnnotationEvent[] = [];
  for (const frame of frames) {
    const found: { key: keyof AnnotationEvent; field?: DataFrame['fields'][number]; text?: string; split?: boolean }[] =
      [];
    for (const def of EVENT_FIELDS) {
      const mapping = mappings[def.key] ?? {};
      if (mapping.source === 'skip') continue;
      if (mapping.source === 'text') {
        found.push({ key: def.key, text: mapping.value });
        continue;
      }
      const wanted = (mapping.value || def.key).toLowerCase();
      const field =
        frame.fields.find((f) => getFieldDisplayName(f, frame).toLowerCase() === wanted) ?? def.fallback?.(frame);
      if (field) found.push({ key: def.key, field, split: def.split });
    }
    if (!found.some((f) => f.key === 'time') || !found.some((f) => f.key === 'text')) {
      console.error('Cannot process annotation fields. No time or text present.');
      continue;
    }
    for (let i = 0; i < frame.length; i++) {
      const event: AnnotationEvent = { type: 'default', color: 'red' };
      for (const f of found) {
        let v: unknown = f.text ?? f.field?.values[i];
        if (v === null || v === undefined) continue;
        if (f.split && typeof v === 'string') v = v.split(',');
        (event as Record<string, unknown>)[f.key] = v;
      }
      events.push(event);
    }
  }
  return events;
}

/** Grafana's `standardAnnotationSupport`, which a datasource's own `annotations` entries override. */
const STANDARD_SUPPORT: Required<
  Pick<AnnotationSupport<DataQuery>, 'prepareAnnotation' | 'prepareQuery' | 'processEvents'>
> = {
  prepareAnnotation: (json) => {
    const query = (json as { query?: unknown }).query;
    if (typeof query === 'string') {
      const { query: _q, ...rest } = json as AnnotationQuery & { query: string };
      return { ...rest, target: { refId: 'annotation_query', query }, mappings: {} } as AnnotationQuery<DataQuery>;
    }
    return json;
  },
  prepareQuery: (anno) => anno.target,
  processEvents: (anno, frames) => of(annotationsFromFrames(frames, (anno as { mappings?: Mappings }).mappings)),
};

/**
 * Runs an annotation query as a dashboard does (`executeAnnotationQuery` + `translateQueryResult`): prepare the
 * annotation and query, run `ds.query` with one target `Anno`, process the frames (tagged as the annotations
 * topic) into events, then colour, type and region-flag each event. A failed query rejects with its errors.
 */
export async function runAnnotationQuery(
  ds: DataSourceApi,
  saved: AnnotationQuery,
  options: HarnessQueryOptions,
  theme: GrafanaTheme2,
): Promise<AnnotationEvent[]> {
  const support = { ...STANDARD_SUPPORT, ...(ds.annotations as AnnotationSupport<DataQuery> | undefined) };
  const annotation = support.prepareAnnotation(saved as AnnotationQuery<DataQuery>);
  const query = support.prepareQuery(annotation);
  if (!query) return [];
  const request = buildQueryRequest(ds, [{ ...query, refId: 'Anno' }], options, CoreApp.Dashboard);
  const [response] = await collectResponses(queryResponses(ds, request), undefined, options.timeoutMs ?? 15_000);
  const errors = response?.errors?.length ? response.errors : response?.error ? [response.error] : [];
  if (errors.length) throw new Error(`annotation query failed: ${errors.map((e) => e.message).join('; ')}`);
  const frames = (response?.data ?? []) as DataFrame[];
  if (frames.length === 0) return [];
  for (const frame of frames) frame.meta = { ...frame.meta, dataTopic: DataTopic.Annotations };
  const processed = support.processEvents(annotation, frames);
  const events =
    (isObservable(processed)
      ? await firstValueFrom(processed as Observable<AnnotationEvent[] | undefined>)
      : processed) ?? [];
  return translateQueryResult(annotation, events, theme);
}

/** Grafana's alert-state colours for annotation events that carry a `newState`. */
const STATE_COLORS: Record<string, string> = {
  pending: 'yellow',
  alerting: 'red',
  ok: 'green',
  normal: 'green',
  no_data: 'gray',
};

/** Grafana's `translateQueryResult`: the query's icon colour (or the alert state's), its name as type, region flag. */
function translateQueryResult(annotation: AnnotationQuery, events: AnnotationEvent[], theme: GrafanaTheme2) {
  const color = theme.visualization.getColorByName(annotation.iconColor ?? DEFAULT_ANNOTATION_COLOR);
  return events.map((event) => ({
    ...event,
    source: annotation,
    color: STATE_COLORS[String(event.newState).toLowerCase()] ?? color,
    type: annotation.name,
    isRegion: Boolean(event.timeEnd && event.time !== event.timeEnd),
  }));
}
