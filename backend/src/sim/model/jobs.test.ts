import { buildLayout, defaultSite } from './layout';
import { JOB_RAMP_DOWN_MS, JobSchedule, jobRackKw, validateJob, type Job } from './jobs';

const racks = buildLayout(defaultSite()).racks;
const t0 = Date.UTC(2025, 0, 1);

const job: Job = {
  id: 'j',
  user: 'u',
  racks: ['A01'],
  gpus: 80,
  expectedKwPerRack: 100,
  start: t0,
  durationMs: 60_000,
  rampMs: 10_000,
  stepPeriodMs: 4_000,
  ripple: 0.1,
  source: 'api',
};

describe('jobRackKw', () => {
  it('ramps from idle, ripples ±ripple around the expected power, and ramps down after the end', () => {
    expect(jobRackKw(job, t0 - 1, 8)).toBeUndefined();
    expect(jobRackKw(job, t0, 8)?.kw).toBeCloseTo(8);
    expect(jobRackKw(job, t0 + 5_000, 8)?.level).toBeCloseTo(0.5);
    const plateau = Array.from({ length: 40 }, (_, i) => (jobRackKw(job, t0 + 10_000 + i * 500, 8)?.kw ?? 0) / 100);
    expect(Math.max(...plateau)).toBeCloseTo(1.1, 2);
    expect(Math.min(...plateau)).toBeCloseTo(0.9, 2);
    expect(jobRackKw(job, t0 + 60_000 + JOB_RAMP_DOWN_MS / 2, 8)?.level).toBeCloseTo(0.5);
    expect(jobRackKw(job, t0 + 60_000 + JOB_RAMP_DOWN_MS, 8)).toBeUndefined();
  });
});

describe('validateJob', () => {
  const ctx = { now: t0, racks, idleKw: 8, maxKw: 132.7, gpusPerRack: 80, id: 'api-1' };

  it('fills defaults and clamps a past start to now', () => {
    const j = validateJob({ racks: ['A01', 'A02'], expectedKwPerRack: 90, durationMs: 60_000, start: t0 - 5000 }, ctx);
    expect(j).toMatchObject({ id: 'api-1', user: 'api', gpus: 160, start: t0, rampMs: 10_000, source: 'api' });
  });

  it.each([
    [{ racks: [] }, /job racks: expected a non-empty list/],
    [{ racks: ['Z99'] }, /unknown rack "Z99"; expected rack ids such as A01/],
    [{ racks: ['A01', 'A01'] }, /listed twice/],
    [{ expectedKwPerRack: 500 }, /expectedKwPerRack: 500 kW is out of range; expected 8–132 kW/],
    [{ durationMs: 'long' }, /durationMs: expected a number/],
    [{ ripple: 0.5 }, /ripple: 0.5 \(share\) is out of range/],
    [{ id: 'a b' }, /job id: expected 1–64 letters/],
  ])('rejects %j', (patch, message) => {
    const input = { racks: ['A01'], expectedKwPerRack: 90, durationMs: 60_000, ...patch };
    expect(() => validateJob(input as never, ctx)).toThrow(message);
  });
});

describe('JobSchedule', () => {
  const gen = (seed: number, chunks: number[]) => {
    const s = new JobSchedule(seed, t0, racks, 80);
    return chunks.flatMap((h) => s.generateUntil(t0 + h * 3_600_000));
  };

  it('is the same for the same seed however it is generated in chunks, and differs by seed', () => {
    const a = gen(7, [24]);
    expect(a.length).toBeGreaterThan(50);
    expect(gen(7, [1, 2, 5, 24])).toEqual(a);
    expect(gen(8, [24])).not.toEqual(a);
  });

  it('starts busy, keeps jobs in range, on contiguous racks of one row, never two jobs on a rack at once', () => {
    const jobs = gen(3, [48]);
    const busyAtTwoMinutes = new Set(jobs.filter((j) => j.start <= t0 + 120_000).flatMap((j) => j.racks));
    expect(busyAtTwoMinutes.size).toBeGreaterThanOrEqual(racks.length / 2);
    const byRack = new Map<string, Job[]>();
    for (const j of jobs) {
      expect(j.expectedKwPerRack).toBeGreaterThanOrEqual(40);
      expect(j.expectedKwPerRack).toBeLessThanOrEqual(120);
      expect(j.rampMs).toBeGreaterThanOrEqual(5_000);
      expect(j.rampMs).toBeLessThanOrEqual(20_000);
      expect(j.durationMs).toBeGreaterThanOrEqual(20 * 60_000);
      expect(new Set(j.racks.map((r) => r[0])).size).toBe(1);
      for (const r of j.racks) byRack.set(r, [...(byRack.get(r) ?? []), j]);
    }
    for (const list of byRack.values()) {
      list.sort((a, b) => a.start - b.start);
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1] as Job;
        expect((list[i] as Job).start).toBeGreaterThanOrEqual(prev.start + prev.durationMs);
      }
    }
  });
});
