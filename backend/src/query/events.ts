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
      ],
    ),
  ];
}
