import type { DataFrameJSON, EventsQuery } from '@plenum/model';
import type { QueryContext, QueryEnv } from './context';
import { frame } from './frames';

/** Events in the range as one frame whose fields Grafana's annotation support reads: time, timeEnd, title,
 * text, tags — plus type, severity and place for tables and filters. */
export function events(ctx: QueryContext, q: EventsQuery, env: QueryEnv): DataFrameJSON[] {
  const list = ctx.events.find({
    from: env.from,
    to: env.to,
    types: q.types,
    severity: q.severity,
    hall: q.hall,
    rack: q.rack,
    tags: q.tags,
    text: q.text,
    open: q.open,
    limit: q.limit ?? 1000,
  });
  // prediction events carry their diagnosis, lead time, action and confidence as columns (for tables)
  const predictions = q.types?.length === 1 && q.types[0] === 'prediction';
  const data = (e: (typeof list)[number], key: string) => (e.data as Record<string, unknown> | undefined)?.[key];
  const extra = predictions
    ? {
        fields: [
          { name: 'asset', type: 'string' as const },
          { name: 'diagnosis', type: 'string' as const },
          { name: 'lead', type: 'string' as const },
          { name: 'action', type: 'string' as const },
          { name: 'confidence', type: 'number' as const, config: { unit: 'percentunit', decimals: 0 } },
          { name: 'acked', type: 'string' as const },
        ],
        values: [
          list.map((e) => String(data(e, 'asset') ?? '')),
          list.map((e) => String(data(e, 'diagnosis') ?? '')),
          list.map((e) => String((data(e, 'lead') as { text?: string } | undefined)?.text ?? '')),
          list.map((e) => String(data(e, 'action') ?? '')),
          list.map((e) => (typeof data(e, 'confidence') === 'number' ? (data(e, 'confidence') as number) : null)),
          list.map((e) => (data(e, 'acked') as { by?: string } | undefined)?.by ?? ''),
        ],
      }
    : { fields: [], values: [] };
  return [
    frame(
      'events',
      q.refId,
      [
        { name: 'time', type: 'time' },
        { name: 'timeEnd', type: 'time' },
        { name: 'title', type: 'string' },
        { name: 'text', type: 'string' },
        { name: 'tags', type: 'other' },
        { name: 'type', type: 'string' },
        { name: 'severity', type: 'string' },
        { name: 'hall', type: 'string' },
        { name: 'rack', type: 'string' },
        { name: 'source', type: 'string' },
        { name: 'id', type: 'number' },
        ...extra.fields,
      ],
      [
        list.map((e) => e.time),
        list.map((e) => e.timeEnd ?? null),
        list.map((e) => e.title),
        list.map((e) => e.text ?? ''),
        list.map((e) => e.tags),
        list.map((e) => e.type),
        list.map((e) => e.severity),
        list.map((e) => e.location?.hall ?? null),
        list.map((e) => e.location?.rack ?? null),
        list.map((e) => e.source),
        list.map((e) => e.id),
        ...extra.values,
      ],
    ),
  ];
}
