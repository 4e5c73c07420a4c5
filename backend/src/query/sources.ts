import type { DataFrameJSON } from '@plenum/model';
import type { QueryContext } from './context';
import { frame } from './frames';

/** The backend's sources as a table: state, last success, sample and error, failures, ingest rate (samples/s), rebuilds. */
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
        { name: 'lastSampleAt', type: 'time' },
        { name: 'lastError', type: 'string' },
        { name: 'lastErrorAt', type: 'time' },
        { name: 'consecutiveFailures', type: 'number' },
        { name: 'failures', type: 'number' },
        { name: 'samples', type: 'number' },
        { name: 'samplesPerSecond', type: 'number', config: { unit: 'samples/s', decimals: 1 } },
        { name: 'rebuilds', type: 'number' },
      ],
      [
        list.map((s) => s.source),
        list.map((s) => s.connector),
        list.map((s) => s.state),
        list.map((s) => s.lastSuccess ?? null),
        list.map((s) => s.lastSampleAt ?? null),
        list.map((s) => s.lastError ?? ''),
        list.map((s) => s.lastErrorAt ?? null),
        list.map((s) => s.consecutiveFailures),
        list.map((s) => s.failures),
        list.map((s) => s.samples),
        list.map((s) => s.samplesPerSecond),
        list.map((s) => s.rebuilds),
      ],
      { preferredVisualisationType: 'table' },
    ),
  ];
}
