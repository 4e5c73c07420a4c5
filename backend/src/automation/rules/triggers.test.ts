import { TriggerSchema } from '../config';
import type { DecisionView, PredictionInfo } from '../decider';
import { TriggerState } from './triggers';

const view = (predictions: PredictionInfo[]): DecisionView => ({
  now: 0,
  latest: (pointId) => ({ pointId, value: 25.5, quality: 'good', ts: 0 }),
  select: () => [],
  racks: () => [],
  sourceState: () => undefined,
  jobs: [],
  openJobs: [],
  held: [],
  limits: () => undefined,
  predictions,
});

const inlet = 'sim/hall1/A/A05/env/inlet_temp';
const forecast: PredictionInfo = {
  asset: 'sim/hall1/A/A05/env',
  diagnosis: 'limit_forecast',
  severity: 'warning',
  title: 'A05 inlet: limit forecast — A05 inlet reaches 27 °C inlet in ~12 min (8–20 min)',
  leadMin: 12,
  pointId: inlet,
};

describe('prediction trigger', () => {
  const state = (t: object) => new TriggerState(TriggerSchema.parse({ prediction: t }));

  it('fires while a matching prediction is open, naming its forecast point (pre-cool before a breach)', () => {
    const f = state({ diagnosis: ['limit_forecast'], withinMin: 15 }).evaluate(view([forecast]));
    expect(f.active).toBe(true);
    expect(f.points.map((p) => p.pointId)).toEqual([inlet]);
    expect(f.summary).toContain('A05 inlet reaches 27 °C');
  });

  it('does not fire on other diagnoses, a lower severity, a farther limit, other assets or none', () => {
    expect(state({ diagnosis: ['filter_clog'] }).evaluate(view([forecast])).active).toBe(false);
    expect(state({ severity: 'critical' }).evaluate(view([forecast])).active).toBe(false);
    expect(state({ withinMin: 10 }).evaluate(view([forecast])).active).toBe(false);
    expect(state({ withinMin: 30 }).evaluate(view([{ ...forecast, leadMin: undefined }])).active).toBe(false);
    expect(state({ assets: ['sim/hall1/C/*/env'] }).evaluate(view([forecast])).active).toBe(false);
    expect(state({ assets: ['sim/hall1/A/*/env'] }).evaluate(view([forecast])).active).toBe(true);
    expect(state({}).evaluate(view([])).active).toBe(false);
    expect(state({}).evaluate({ ...view([]), predictions: undefined }).summary).toBe('no matching prediction');
  });

  it('refuses unknown fields with the trigger names in the message', () => {
    expect(TriggerSchema.safeParse({ prediction: { diagnoses: [] } }).success).toBe(false);
    const r = TriggerSchema.safeParse({ predicton: {} });
    expect(r.success).toBe(false);
  });
});
