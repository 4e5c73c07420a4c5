import type { DataFrameJSON, QueryResponse } from '@plenum/model';
import { openTestBed, type TestBed } from '../testing/fixture';
import { runQueries } from './engine';

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const NOW = T0 + 3_600_000;
const A01 = 's/h1/A/A01';
const A02 = 's/h1/A/A02';

const field = (f: DataFrameJSON, name: string) => {
  const i = f.schema.fields.findIndex((x) => x.name === name);
  if (i < 0) throw new Error(`no field ${name} in ${f.schema.fields.map((x) => x.name).join(',')}`);
  return { schema: f.schema.fields[i]!, values: f.data.values[i]! };
};

describe('runQueries against a real historian', () => {
  let bed: TestBed;
  const run = (queries: object[], extra: object = {}): QueryResponse =>
    runQueries(bed.ctx, { range: { from: T0, to: T0 + 600_000 }, maxDataPoints: 10_000, queries, ...extra });

  beforeAll(async () => {
    bed = openTestBed(() => NOW);
    // 10 minutes at 10 s: A01 power ramps 0..59 kW, A02 power steady 50 kW, inlets in °F (converted at ingest)
    const samples = [];
    for (let i = 0; i < 60; i++) {
      const ts = T0 + i * 10_000;
      samples.push(
        { pointId: `${A01}/pdu/power`, ts, value: i, quality: 'good' as const },
        { pointId: `${A02}/pdu/power`, ts, value: 50, quality: 'good' as const },
        { pointId: `${A01}/env/inlet_temp`, ts, value: 77, quality: 'good' as const },
        {
          pointId: `${A02}/env/inlet_temp`,
          ts,
          value: 68,
          quality: i === 59 ? ('uncertain' as const) : ('good' as const),
          rawStatus: i === 59 ? 0x40920000 : 0,
        },
      );
    }
    samples.push({ pointId: `${A01}/pdu/breaker`, ts: T0, value: true, quality: 'good' as const });
    const r = await bed.ingest.fromSource(samples);
    expect(r.rejected).toEqual([]);
    bed.events.add({
      time: T0 + 60_000,
      timeEnd: T0 + 300_000,
      type: 'job',
      title: 'job 7 started',
      tags: ['llm'],
      location: { hall: 'h1', rack: 'A01' },
    });
  });
  afterAll(() => bed.close());

  it('returns a raw timeseries per point with the canonical unit and labels', () => {
    const res = run([{ refId: 'A', queryType: 'timeseries', selector: { rack: ['A01'], quantity: ['power'] } }]);
    const [f] = res.results.A!.frames;
    expect(res.results.A!.error).toBeUndefined();
    expect(f!.schema.refId).toBe('A');
    expect(field(f!, 'value').schema).toMatchObject({
      type: 'number',
      config: { unit: 'kwatt' },
      labels: { rack: 'A01', quantity: 'power' },
    });
    expect(field(f!, 'time').values).toHaveLength(60);
    expect(field(f!, 'value').values.slice(0, 3)).toEqual([0, 1, 2]);
    expect(f!.schema.meta?.custom).toMatchObject({ resolution: 'raw' });
  });

  it('converted °F to °C at ingest', () => {
    const res = run([{ refId: 'T', queryType: 'timeseries', selector: { rack: ['A01'], quantity: ['temperature'] } }]);
    expect(field(res.results.T!.frames[0]!, 'value').values[0]).toBeCloseTo(25, 9);
  });

  it('downsamples to maxDataPoints and aggregates within and across points', () => {
    const res = run(
      [
        { refId: 'avg', queryType: 'timeseries', selector: { rack: ['A01'], quantity: ['power'] } },
        { refId: 'max', queryType: 'timeseries', aggregate: 'max', selector: { rack: ['A01'], quantity: ['power'] } },
        {
          refId: 'sum',
          queryType: 'timeseries',
          aggregate: 'sum',
          groupBy: 'row',
          selector: { quantity: ['power'] },
          alias: 'row {{row}}',
        },
        { refId: 'p95', queryType: 'timeseries', aggregate: 'p95', selector: { rack: ['A01'], quantity: ['power'] } },
      ],
      { maxDataPoints: 10 },
    );
    // 600 s / 10 points = 60 s buckets → 6 buckets of 6 samples
    const avg = field(res.results.avg!.frames[0]!, 'value').values;
    expect(avg).toEqual([2.5, 8.5, 14.5, 20.5, 26.5, 32.5, 38.5, 44.5, 50.5, 56.5].slice(0, avg.length));
    expect(avg).toHaveLength(10);
    expect(field(res.results.max!.frames[0]!, 'value').values[0]).toBe(5);
    const sum = res.results.sum!.frames;
    expect(sum).toHaveLength(1);
    expect(field(sum[0]!, 'value').values[0]).toBe(2.5 + 50);
    expect(field(sum[0]!, 'value').schema.config?.displayNameFromDS).toBe('row A');
    expect(field(res.results.p95!.frames[0]!, 'value').values[0]).toBe(5);
  });

  it('gives frames on the same bucket grid one shared time column', () => {
    const res = run([{ refId: 'A', queryType: 'timeseries', selector: { quantity: ['power'] } }], {
      maxDataPoints: 10,
    });
    const [a01, a02] = res.results.A!.frames;
    expect(field(a01!, 'time').values).toBe(field(a02!, 'time').values);
    expect(field(a01!, 'time').values).toHaveLength(10);
    expect(field(a01!, 'value').values).not.toEqual(field(a02!, 'value').values);
  });

  it('answers latest with unit and quality, per point and per group', () => {
    const res = run([
      { refId: 'L', queryType: 'latest', selector: { quantity: ['temperature'] } },
      { refId: 'G', queryType: 'latest', groupBy: 'row', selector: { quantity: ['power'] }, aggregate: 'sum' },
    ]);
    const f = res.results.L!.frames[0]!;
    expect(field(f, 'point').values).toEqual([`${A01}/env/inlet_temp`, `${A02}/env/inlet_temp`]);
    expect(field(f, 'value').schema.config?.unit).toBe('celsius');
    expect(field(f, 'value').values[1]).toBeCloseTo(20, 9);
    expect(field(f, 'quality').values).toEqual(['good', 'uncertain']);
    expect(field(f, 'rawStatus').values[1]).toBe(0x40920000);
    expect(field(f, 'time').values[0]).toBe(T0 + 590_000);
    const g = res.results.G!.frames[0]!;
    expect(field(g, 'row').values).toEqual(['A']);
    expect(field(g, 'value').values).toEqual([59 + 50]);
  });

  it('returns a rack layout and per-rack values joined on rack', () => {
    const res = run([{ refId: 'R', queryType: 'rackLayout', selector: { quantity: ['power'] }, aggregate: 'sum' }]);
    const [layout, values] = res.results.R!.frames;
    expect(field(layout!, 'rack').values).toEqual(['A01', 'A02']);
    expect(field(layout!, 'x').values).toEqual([1, 2]);
    expect(field(values!, 'rack').values).toEqual(['A01', 'A02']);
    expect(field(values!, 'value').values).toEqual([59, 50]);
    const mixed = run([{ refId: 'M', queryType: 'rackLayout', selector: { rack: ['A01'] } }]);
    expect(mixed.results.M!.error).toMatch(/queries\[0\]\.selector: matches .*set selector\.quantity/);
  });

  it('gives each rack its kW headroom: rated kW minus the summed power', () => {
    const res = run([{ refId: 'H', queryType: 'rackLayout', selector: { quantity: ['power'] }, measure: 'headroom' }]);
    const values = res.results.H!.frames[1]!;
    expect(field(values, 'value').values).toEqual([100 - 59, 100 - 50]);
    expect(field(values, 'value').schema.config).toMatchObject({ unit: 'kwatt', displayNameFromDS: 'kW headroom' });
    const temps = run([
      { refId: 'T', queryType: 'rackLayout', selector: { quantity: ['temperature'] }, measure: 'headroom' },
    ]);
    expect(temps.results.T!.error).toBe(
      'queries[0].measure: headroom needs power points; the selector matches temperature',
    );
  });

  it('returns events as an annotation-shaped frame and the catalog as a table', () => {
    const res = run([
      { refId: 'E', queryType: 'events', types: ['job'] },
      { refId: 'C', queryType: 'catalog', selector: { domain: ['IT'] } },
    ]);
    const e = res.results.E!.frames[0]!;
    expect(field(e, 'title').values).toEqual(['job 7 started']);
    expect(field(e, 'timeEnd').values).toEqual([T0 + 300_000]);
    expect(field(e, 'tags').values).toEqual([['llm']]);
    expect(field(res.results.C!.frames[0]!, 'id').values).toEqual([`${A01}/pdu/power`, `${A02}/pdu/power`]);
  });

  it('puts each bad query’s error on its own refId and still answers the good ones', () => {
    const res = run([
      { refId: 'ok', queryType: 'latest', selector: {} },
      { refId: 'bad', queryType: 'timeseries', selector: { hall: 'h1' } },
      { refId: 'typo', queryType: 'timeseries', selector: {}, agregate: 'max' },
      { refId: 'what', queryType: 'nope' },
    ]);
    expect(res.results.ok!.frames.length).toBeGreaterThan(0);
    expect(res.results.bad).toMatchObject({ status: 400, frames: [] });
    expect(res.results.bad!.error).toContain('queries[1].selector.hall');
    expect(res.results.typo!.error).toBe('queries[2].agregate: unknown field');
    expect(res.results.what!.error).toContain('queries[3].queryType');
  });

  it('rejects a bad envelope as a whole, naming the field', () => {
    expect(() => runQueries(bed.ctx, { range: { from: T0, to: T0 - 1 }, queries: [{ refId: 'A' }] })).toThrow(
      'range: to',
    );
    expect(() => runQueries(bed.ctx, { range: { from: T0, to: T0 + 1 }, maxDataPoints: 0, queries: [{}] })).toThrow(
      'maxDataPoints',
    );
    expect(() => runQueries(bed.ctx, { range: { from: T0, to: T0 + 1 }, queries: [], extra: 1 })).toThrow(
      'extra: unknown field',
    );
  });

  it('lists only the points that need attention with problemsOnly: uncertain, stale, no data — oldest first', () => {
    const res = run([
      { refId: 'P', queryType: 'latest', selector: { hall: ['h1'] }, problemsOnly: true, staleAfterMs: 3_000_000 },
    ]);
    const [f] = res.results.P!.frames;
    expect(res.results.P!.frames).toHaveLength(1);
    const rows = field(f!, 'point').values.map((id, i) => [id, field(f!, 'problem').values[i]]);
    // samples end at T0 + 590 s, NOW is T0 + 3,600 s: 3,010 s old > 3,000 s → stale; the breaker at T0 even more
    expect(rows).toEqual([
      ['s/h1/-/-/crah1/fan_speed', 'no data'],
      [`${A02}/pdu/breaker`, 'no data'],
      [`${A01}/pdu/breaker`, 'stale'],
      [`${A01}/env/inlet_temp`, 'stale'],
      [`${A01}/pdu/power`, 'stale'],
      [`${A02}/env/inlet_temp`, 'uncertain'],
      [`${A02}/pdu/power`, 'stale'],
    ]);
    const fresh = run([
      {
        refId: 'F',
        queryType: 'latest',
        selector: { rack: ['A01'], quantity: ['power'] },
        problemsOnly: true,
        staleAfterMs: 3_600_000,
      },
    ]);
    expect(field(fresh.results.F!.frames[0]!, 'point').values).toEqual([]);
  });

  it('does not call an old value stale when its source reports on change and is up, or on events only', () => {
    const status = (reports: 'on-change' | 'on-event', state: 'up' | 'degraded') => ({
      source: 'test',
      connector: 'x',
      state,
      recentErrors: [],
      consecutiveFailures: 0,
      failures: 0,
      samples: 0,
      samplesPerSecond: 0,
      rebuilds: 0,
      reports,
    });
    const problems = (reports: 'on-change' | 'on-event', state: 'up' | 'degraded') => {
      const res = runQueries(
        { ...bed.ctx, sources: () => [status(reports, state)] },
        {
          range: { from: T0, to: T0 + 600_000 },
          queries: [
            {
              refId: 'P',
              queryType: 'latest',
              selector: { hall: ['h1'] },
              problemsOnly: true,
              staleAfterMs: 3_000_000,
            },
          ],
        },
      );
      return field(res.results.P!.frames[0]!, 'problem').values;
    };
    // a subscription that is up has proved its unchanged values: only missing and uncertain ones remain
    expect(problems('on-change', 'up')).toEqual(['no data', 'no data', 'uncertain']);
    // one that is not up proves nothing: old values are stale again
    expect(problems('on-change', 'degraded')).toEqual([
      'no data',
      'no data',
      'stale',
      'stale',
      'stale',
      'uncertain',
      'stale',
    ]);
    // job points hold their value until the next job event, whatever the source's state
    expect(problems('on-event', 'degraded')).toEqual(['no data', 'no data', 'uncertain']);
  });

  it('answers open events only when asked, whenever they started', () => {
    bed.events.add({
      time: T0 - 86_400_000,
      type: 'alarm',
      severity: 'critical',
      title: 'CDU pump 2 failed',
      tags: [],
    });
    const open = run([{ refId: 'E', queryType: 'events', open: true }]);
    expect(field(open.results.E!.frames[0]!, 'title').values).toEqual(['CDU pump 2 failed']);
    const all = run([{ refId: 'E', queryType: 'events' }]);
    expect(field(all.results.E!.frames[0]!, 'title').values).toEqual(['job 7 started']);
  });

  it('lists the sources with state and ingest rate', () => {
    const ctx = {
      ...bed.ctx,
      sources: () => [
        {
          source: 'pdus',
          connector: 'modbus',
          state: 'degraded' as const,
          lastError: 'timeout',
          lastErrorAt: NOW - 5000,
          lastSampleAt: NOW - 60_000,
          recentErrors: [{ at: NOW - 5000, message: 'timeout' }],
          consecutiveFailures: 2,
          failures: 5,
          samples: 100,
          samplesPerSecond: 12.5,
          rebuilds: 1,
          reports: 'every-interval' as const,
        },
      ],
    };
    const res = runQueries(ctx, { range: { from: T0, to: NOW }, queries: [{ refId: 'S', queryType: 'sources' }] });
    const f = res.results.S!.frames[0]!;
    expect(f.schema.meta?.preferredVisualisationType).toBe('table');
    expect(field(f, 'state').values).toEqual(['degraded']);
    expect(field(f, 'samplesPerSecond').values).toEqual([12.5]);
    expect(field(f, 'lastSampleAt').values).toEqual([NOW - 60_000]);
    expect(field(f, 'lastErrorAt').values).toEqual([NOW - 5000]);
    expect(field(f, 'rebuilds').values).toEqual([1]);
    expect(
      runQueries(bed.ctx, { range: { from: T0, to: NOW }, queries: [{ refId: 'S', queryType: 'sources' }] }).results.S!
        .frames[0]!.data.values[0],
    ).toEqual([]);
  });
});
