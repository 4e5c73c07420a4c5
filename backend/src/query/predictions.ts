/** `predictions` queries: the detectors' states, or the largest anomaly score per asset, as tables. */
import type { DataFrameJSON, PredictionsQuery } from '@plenum/model';
import type { QueryContext } from './context';
import { frame } from './frames';

export function predictions(ctx: QueryContext, q: PredictionsQuery): DataFrameJSON[] {
  const list = ctx.detectors?.() ?? [];
  if (q.output === 'detectors') {
    return [
      frame(
        'detectors',
        q.refId,
        [
          { name: 'asset', type: 'string' },
          { name: 'detector', type: 'string' },
          { name: 'state', type: 'string' },
          { name: 'learningLeft', type: 'number', config: { displayName: 'evaluations still to learn' } },
          { name: 'reason', type: 'string' },
          { name: 'score', type: 'number', config: { decimals: 2 } },
        ],
        [
          list.map((d) => d.asset),
          list.map((d) => d.detector),
          list.map((d) => d.state),
          list.map((d) => d.learningLeft),
          list.map((d) => d.reason ?? ''),
          list.map((d) => d.score),
        ],
        { preferredVisualisationType: 'table' },
      ),
    ];
  }
  const best = new Map<string, { score: number; detector: string; learning: number }>();
  for (const d of list) {
    const b = best.get(d.asset) ?? { score: 0, detector: '', learning: 0 };
    if (d.score >= b.score) Object.assign(b, { score: d.score, detector: d.detector });
    if (d.state === 'learning') b.learning++;
    best.set(d.asset, b);
  }
  const rows = [...best].sort((a, b) => b[1].score - a[1].score);
  return [
    frame(
      'anomaly scores',
      q.refId,
      [
        { name: 'asset', type: 'string' },
        { name: 'score', type: 'number', config: { decimals: 2, min: 0, displayName: 'anomaly score (1 = alarm)' } },
        { name: 'detector', type: 'string' },
        { name: 'learning', type: 'number', config: { displayName: 'detectors learning' } },
      ],
      [
        rows.map(([a]) => a),
        rows.map(([, b]) => b.score),
        rows.map(([, b]) => b.detector),
        rows.map(([, b]) => b.learning),
      ],
      { preferredVisualisationType: 'table' },
    ),
  ];
}
