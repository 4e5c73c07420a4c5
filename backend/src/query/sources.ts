import type { DataFrameJSON } from '@plenum/model';
import type { QueryContext } from './context';
import { frame } from './frames';

/** The backend's sources as a table: state, last success and error, failures, ingest rate (samples/s). */
export function sources(ctx: QueryContext, q: { refId: string }): DataFrameJSON[] {
  const list = ctx.sources?.() ?? [];
  return [
    frame(
      'sources',
      q.refId,
      [
        { name: 'source', type: 'string' },
        { name: 'connector', type: 'string' },
        { name: 'state', type: 'string' },
        { name: 'lastSuccess', type: 'time' },
        { name: 'lastError', type: 'string' },
        { name: 'consecutiveFailures', type: 'number' },
        { name: 'failures', type: 'number' },
        { name: 'samples', type: 'number' },
        { name: 'samplesPerSecond', type: 'number', config: { unit: 'samples/s', decimals: 1 } },
      ],
      [
        list.map((s) => s.source),
        list.map((s) => s.connector),
        list.map((s) => s.state),
        list.map((s) => s.lastSuccess ?? null),
        list.map((s) => s.lastError ?? ''),
        list.map((s) => s.consecutiveFailures),
        list.map((s) => s.failures),
        list.map((s) => s.samples),
        list.map((s) => s.samplesPerSecond),
      ],
      { preferredVisualisationType: 'table' },
    ),
  ];
}
