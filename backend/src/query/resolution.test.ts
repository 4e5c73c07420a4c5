import { planResolution } from './resolution';

const NOW = Date.UTC(2026, 10, 25, 12);
const H = 3_600_000;
const fresh = { raw: 0, '1m': 0, '1h': 0 };
const plan = (hours: number, horizon = fresh, asked: 'auto' | 'raw' | '1m' | '1h' = 'auto', p95 = false) =>
  planResolution({ from: NOW - hours * H, to: NOW }, 1000, 0, asked, horizon, p95);

describe('planResolution', () => {
  it('picks raw, 1-minute or 1-hour data by range, with round bucket widths', () => {
    expect(plan(1)).toEqual({ resolution: 'raw', stepMs: 5000, notices: [] });
    expect(plan(6)).toMatchObject({ resolution: 'raw', stepMs: 30_000 });
    expect(plan(24)).toMatchObject({ resolution: '1m', stepMs: 120_000 });
    expect(plan(24 * 30)).toMatchObject({ resolution: '1h', stepMs: H });
    expect(plan(24 * 365)).toMatchObject({ resolution: '1h', stepMs: 12 * H });
  });

  it('never goes finer than Grafana’s interval', () => {
    expect(planResolution({ from: NOW - H, to: NOW }, 1000, 60_000, 'auto', fresh, false)).toMatchObject({
      resolution: '1m',
      stepMs: 60_000,
    });
  });

  it('moves to rollups when the range starts before what retention kept, and says so', () => {
    const r = plan(6, { raw: NOW - 2 * H, '1m': 0, '1h': 0 });
    expect(r.resolution).toBe('1m');
    expect(r.notices[0]).toContain('raw retention');
    expect(plan(6, { raw: NOW - 2 * H, '1m': NOW - 3 * H, '1h': 0 }).resolution).toBe('1h');
  });

  it('honours an explicit resolution and refuses p95 without raw data', () => {
    expect(plan(24, fresh, 'raw')).toMatchObject({ resolution: 'raw', stepMs: 120_000 });
    expect(plan(24, fresh, 'auto', true).resolution).toBe('raw');
    expect(() => plan(24, fresh, '1h', true)).toThrow('aggregate: p95 needs raw samples');
    expect(() => planResolution({ from: NOW - 24 * H, to: NOW }, 1000, 0, 'raw', fresh, false)).not.toThrow();
  });
});
