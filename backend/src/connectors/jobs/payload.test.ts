import { isJobWebhook, parseJobWebhook } from './payload';

const NOW = Date.UTC(2026, 10, 25, 12);

describe('job webhooks', () => {
  it('reads a Slurm-like start and end', () => {
    const start = {
      event: 'job_start',
      job_id: 4711,
      user: 'alice',
      racks: ['A01', 'A02'],
      gpus: 160,
      expected_kw: 240,
      time: '2026-11-25T11:00:00Z',
      hall: 'hall1',
    };
    expect(isJobWebhook(start)).toBe(true);
    const s = parseJobWebhook(start, NOW);
    expect(s).toMatchObject({ jobId: '4711', phase: 'start', start: '2026-11-25T11:00:00Z', end: undefined });
    expect(s.event).toMatchObject({
      type: 'job',
      title: 'job 4711 (alice, 2 racks, 240 kW)',
      location: { hall: 'hall1' },
      tags: ['job', 'slurm', 'user:alice', 'rack:A01', 'rack:A02'],
      data: { jobId: '4711', racks: ['A01', 'A02'], gpus: 160, expectedKw: 240 },
    });
    const e = parseJobWebhook({ ...start, event: 'job_end', start_time: 1000, end_time: 2000 }, NOW);
    expect(e).toMatchObject({ phase: 'end', start: 1000, end: 2000 });
  });

  it('reads a Kubernetes Job with Plenum annotations', () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'llm-pretrain',
        namespace: 'ml',
        annotations: { 'plenum.io/racks': 'B01, B02', 'plenum.io/expected-kw': '200' },
      },
      status: { startTime: '2026-11-25T10:00:00Z', completionTime: '2026-11-25T11:30:00Z', succeeded: 1 },
    };
    expect(parseJobWebhook(job, NOW)).toMatchObject({
      jobId: 'ml/llm-pretrain',
      phase: 'end',
      start: '2026-11-25T10:00:00Z',
      end: '2026-11-25T11:30:00Z',
      event: { source: 'kubernetes', data: { racks: ['B01', 'B02'], expectedKw: 200 } },
    });
    expect(parseJobWebhook({ ...job, status: { startTime: '2026-11-25T10:00:00Z' } }, NOW).phase).toBe('start');
  });

  it('names the bad field', () => {
    expect(() => parseJobWebhook({ event: 'job_start', racks: [1] }, NOW)).toThrow(/body\.job_id: .*body\.racks\[0\]/);
    expect(() => parseJobWebhook({ kind: 'Job', metadata: {} }, NOW)).toThrow('body.metadata.name');
    expect(isJobWebhook({ type: 'note', title: 'x' })).toBe(false);
  });
});
