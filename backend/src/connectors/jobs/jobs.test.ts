import { TEST_POINTS } from '../../testing/site';
import type { SourcePoint, SourceSample } from '../types';
import { createJobsConnector } from './jobs';
import { parseJobWebhook } from './payload';

const base = TEST_POINTS.find((p) => p.id.endsWith('/pdu/power'))!;
const jobPoint = (rack: string, signal: string, extra: Partial<SourcePoint> = {}): SourcePoint => ({
  ...base,
  id: `s/h1/A/${rack}/gpu/job_${signal}`,
  location: { ...base.location, rack, asset: 'gpu' },
  source: { connector: 'jobs', source: 'jobs', address: signal },
  ...extra,
});

describe('jobs connector', () => {
  const points = [
    jobPoint('A01', 'active', { valueType: 'boolean', quantity: 'state' }),
    jobPoint('A01', 'expected_power'),
    jobPoint('A02', 'expected_power'),
  ];

  it('writes per-rack job samples at start and clears them at the end', async () => {
    const c = createJobsConnector({ name: 'jobs', intervalMs: 1000, options: {}, points });
    const got: SourceSample[] = [];
    await c.start(async (s) => void got.push(...s));
    const start = parseJobWebhook(
      { event: 'job_start', job_id: 1, racks: ['A01', 'A02'], expected_kw: 200, hall: 'h1' },
      0,
    );
    await c.accept(start, 1000);
    expect(got.map((s) => [s.pointId.split('/').slice(3).join('/'), s.ts, s.value])).toEqual([
      ['A01/gpu/job_active', 1000, true],
      ['A01/gpu/job_expected_power', 1000, 100],
      ['A02/gpu/job_expected_power', 1000, 100],
    ]);
    got.length = 0;
    await c.accept(parseJobWebhook({ event: 'job_end', job_id: 1, racks: ['A02'], expected_kw: 200 }, 0), 5000);
    expect(got.map((s) => s.value)).toEqual([0]);
    await c.stop();
  });

  it('refuses an address that is not a job signal, naming point and source', () => {
    expect(() =>
      createJobsConnector({ name: 'jobs', intervalMs: 1000, options: {}, points: [jobPoint('A01', 'watts')] }),
    ).toThrow(
      'point "s/h1/A/A01/gpu/job_watts" in source "jobs": address "watts" is not a job signal; expected one of active, expected_power, gpus',
    );
  });
});
