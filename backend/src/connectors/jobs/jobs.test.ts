import type { PlenumEvent } from '@plenum/model';
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

  it('publishes every point at start from the open jobs: their racks running with their share, the rest idle', async () => {
    const all = [
      jobPoint('A01', 'active', { valueType: 'boolean', quantity: 'state' }),
      jobPoint('A01', 'expected_power'),
      jobPoint('A01', 'gpus'),
      jobPoint('A02', 'active', { valueType: 'boolean', quantity: 'state' }),
      jobPoint('A02', 'expected_power'),
      jobPoint('A02', 'gpus'),
      jobPoint('A03', 'active', { valueType: 'boolean', quantity: 'state' }),
      jobPoint('A03', 'expected_power'),
    ];
    const c = createJobsConnector({ name: 'jobs', intervalMs: 1000, options: {}, points: all });
    const got: SourceSample[] = [];
    await c.start(async (s) => void got.push(...s));
    // as the event store returns them: newest first; job 2 (A02, A03) started after job 1 (A01, A02)
    const open = (id: number, time: number, racks: string[], expectedKw: number, gpus: number): PlenumEvent => ({
      id,
      time,
      type: 'job',
      severity: 'info',
      title: `job ${id}`,
      location: { hall: 'h1' },
      tags: ['job'],
      source: 'slurm',
      data: { jobId: String(id), racks, expectedKw, gpus },
    });
    await c.publishOpen([open(2, 2000, ['A02', 'A03'], 300, 16), open(1, 1000, ['A01', 'A02'], 200, 32)], 9000);
    const byPoint = Object.fromEntries(got.map((s) => [s.pointId.split('/').slice(3).join('/'), s.value]));
    expect(byPoint).toEqual({
      'A01/gpu/job_active': true,
      'A01/gpu/job_expected_power': 100,
      'A01/gpu/job_gpus': 16,
      'A02/gpu/job_active': true,
      'A02/gpu/job_expected_power': 150,
      'A02/gpu/job_gpus': 8,
      'A03/gpu/job_active': true,
      'A03/gpu/job_expected_power': 150,
    });
    expect(new Set(got.map((s) => `${s.ts} ${s.quality}`))).toEqual(new Set(['9000 good']));

    // no open job (a new site, or every job ended): every rack idle, nothing missing
    got.length = 0;
    const ended = { ...open(3, 500, ['A01'], 100, 8), timeEnd: 800 };
    await c.publishOpen([ended], 9000);
    expect(got.map((s) => s.value)).toEqual([false, 0, 0, false, 0, 0, false, 0]);
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
