/**
 * Anomaly-score series: the accumulator on its own (largest score per interval, quality from learning and
 * degraded detectors, aligned and bounded writes), then a running backend whose prediction service writes them
 * through the ingest pipeline, read back with ordinary `timeseries` and `catalog` queries.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Clock } from '../common/clock';
import { parseConfig } from '../config/load';
import { startPlenum, type RunningPlenum } from '../plenum';
import type { DetectorStatus } from './detectors';
import { ScoreAccumulator, detectorSignal, scorePointsOf } from './scores';

const st = (asset: string, detector: string, state: DetectorStatus['state'], score: number): DetectorStatus => ({
  asset,
  detector,
  state,
  learningLeft: state === 'learning' ? 10 : 0,
  score,
});

describe('ScoreAccumulator', () => {
  const A = 's/h/-/-/crah1';
  const B = 's/h/R/R01/env';
  const list = (
    a1: number,
    a2: number,
    b: number,
    states: DetectorStatus['state'][] = ['normal', 'normal', 'normal'],
  ) => [
    st(A, 'airflow per fan speed', states[0]!, a1),
    st(A, 'filter ΔP per fan speed²', states[1]!, a2),
    st(B, 'inlet against zone peers', states[2]!, b),
  ];

  it('writes each asset its largest score of the interval once a minute, on whole minutes', () => {
    const acc = new ScoreAccumulator(list(0, 0, 0), 'asset', 60_000);
    expect(acc.series.map((s) => s.id)).toEqual([`${A}/anomaly_score`, `${B}/anomaly_score`]);
    const out: { t: number; n: number }[] = [];
    let peak: unknown[] = [];
    for (let t = 5_000; t <= 185_000; t += 10_000) {
      // a spike of 1.7 on the filter channel at 35 s, nothing else
      const got = acc.observe(t, list(0.2, t === 35_000 ? 1.7 : 0.1, 0.3));
      if (got.length) out.push({ t, n: got.length });
      if (t === 65_000) peak = got;
    }
    expect(out).toEqual([
      { t: 65_000, n: 2 },
      { t: 125_000, n: 2 },
      { t: 185_000, n: 2 },
    ]);
    expect(peak).toEqual([
      { pointId: `${A}/anomaly_score`, ts: 65_000, value: 1.7, quality: 'good' },
      { pointId: `${B}/anomaly_score`, ts: 65_000, value: 0.3, quality: 'good' },
    ]);
  });

  it('is bad while every detector of the asset is learning or degraded, uncertain while some are', () => {
    const acc = new ScoreAccumulator(list(0, 0, 0), 'asset', 60_000);
    acc.observe(0, list(0, 0, 0, ['learning', 'learning', 'degraded']));
    const first = acc.observe(60_000, list(0, 0, 0, ['learning', 'learning', 'degraded']));
    expect(first.map((s) => s.quality)).toEqual(['bad', 'bad']);
    // crah1's airflow model has learned, its filter model not yet: judged in part
    const second = acc.observe(120_000, list(0.4, 0, 0, ['normal', 'learning', 'degraded']));
    expect(second.map((s) => [s.value, s.quality])).toEqual([
      [0.4, 'uncertain'],
      [0, 'bad'],
    ]);
    // one evaluation of the interval still learning is enough for uncertain
    acc.observe(130_000, list(0.1, 0.1, 0.1, ['normal', 'learning', 'normal']));
    const third = acc.observe(180_000, list(0.1, 0.2, 0.1, ['normal', 'alarm', 'normal']));
    expect(third.map((s) => s.quality)).toEqual(['uncertain', 'good']);
    expect(acc.observe(240_000, list(0.1, 0.2, 0.1)).map((s) => s.quality)).toEqual(['good', 'good']);
  });

  it('per detector on request, none on request', () => {
    const d = new ScoreAccumulator(list(0, 0, 0), 'detector', 60_000);
    expect(d.series.map((s) => s.id)).toEqual([
      `${A}/anomaly_score`,
      `${B}/anomaly_score`,
      `${A}/anomaly_score_airflow_per_fan_speed`,
      `${A}/anomaly_score_filter_dp_per_fan_speed2`,
      `${B}/anomaly_score_inlet_against_zone_peers`,
    ]);
    d.observe(0, list(0.5, 2, 0));
    const got = d.observe(60_000, list(0.5, 0.1, 0, ['normal', 'degraded', 'normal']));
    expect(got.map((s) => [s.pointId.split('/').pop(), s.value, s.quality])).toEqual([
      ['anomaly_score', 2, 'uncertain'],
      ['anomaly_score', 0, 'good'],
      ['anomaly_score_airflow_per_fan_speed', 0.5, 'good'],
      ['anomaly_score_filter_dp_per_fan_speed2', 2, 'uncertain'],
      ['anomaly_score_inlet_against_zone_peers', 0, 'good'],
    ]);
    const none = new ScoreAccumulator(list(0, 0, 0), 'none', 60_000);
    expect(none.series).toEqual([]);
    expect(none.observe(60_000, list(1, 1, 1))).toEqual([]);
  });

  it('names detector series with slugs a point id can carry', () => {
    expect(detectorSignal('exhaust − inlet per power')).toBe('anomaly_score_exhaust_inlet_per_power');
    expect(detectorSignal('return − supply per heat / flow')).toBe('anomaly_score_return_supply_per_heat_flow');
    expect(detectorSignal('hottest GPU per power and coolant')).toBe('anomaly_score_hottest_gpu_per_power_and_coolant');
  });
});

const SITE = `
site:
  id: s1
  halls:
    - id: hall1
      assets: [{ id: crah1, type: crah }, { id: crah2, type: crah }]
      rows:
        - id: A
          racks:
            - { id: A01, x: 1, y: 1, assets: [{ id: env, type: sensor }] }
            - { id: A02, x: 2, y: 1, assets: [{ id: env, type: sensor }] }
            - { id: A03, x: 3, y: 1, assets: [{ id: env, type: sensor }] }
        - id: B
          racks:
            - { id: B01, x: 1, y: 3, assets: [{ id: env, type: sensor }] }
sources:
  - name: cooling
    connector: opcua
    options: { endpoint: 'opc.tcp://127.0.0.1:1' }
    points:
      - { asset: 'hall1/-/-/crah*', signal: fan_speed, quantity: speed, unit: '% speed', address: 'ns=1;s={asset}.fan' }
      - { asset: 'hall1/-/-/crah*', signal: airflow, quantity: airflow, unit: 'm³/h air', address: 'ns=1;s={asset}.air' }
      - { asset: 'hall1/-/-/crah*', signal: filter_dp, quantity: differentialPressure, unit: Pa dp, address: 'ns=1;s={asset}.dp' }
      - { asset: 'hall1/A/*/env', signal: inlet_temp, quantity: temperature, unit: °C, address: 'ns=1;s={rack}.in' }
prediction:
  learn: 10m
  scores: { every: 1m, series: detector }
`;
const T0 = Date.UTC(2026, 6, 15, 8, 0, 0);
const wave = (i: number, k: number) => Math.sin(i * 12.9898 + k) * 0.5 + Math.sin(i * 78.233 + k) * 0.5;

describe('anomaly-score series in a running backend', () => {
  let dir: string;
  let plenum: RunningPlenum;
  let now = T0;
  const post = async (p: string, body: unknown) => {
    const r = await fetch(`${plenum.url}${p}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await r.json()) as Record<string, unknown>;
  };
  type Frames = { results: Record<string, { frames: { schema: { name: string }; data: { values: unknown[][] } }[] }> };
  const step = async (i: number, clog = 0) => {
    const fan = 50 + 10 * Math.sin(i / 30);
    const samples = ['crah1', 'crah2'].flatMap((c, k) => {
      const lost = c === 'crah1' ? clog : 0;
      const f = fan / (1 - lost) + 0.1 * wave(i, k);
      return [
        { pointId: `s1/hall1/-/-/${c}/fan_speed`, ts: now, value: f },
        { pointId: `s1/hall1/-/-/${c}/airflow`, ts: now, value: 400 * f * (1 - lost) * (1 + 0.003 * wave(i, k + 5)) },
        { pointId: `s1/hall1/-/-/${c}/filter_dp`, ts: now, value: (120 * (f / 100) ** 2) / (1 - lost) ** 2 },
      ];
    });
    for (const [k, r] of ['A01', 'A02', 'A03'].entries())
      samples.push({ pointId: `s1/hall1/A/${r}/env/inlet_temp`, ts: now, value: 21 + 0.1 * wave(i, k + 9) });
    const res = await post('/api/samples', { samples });
    expect(res.accepted).toBe(samples.length);
    plenum.prediction!.tick();
    now += 10_000;
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-scores-'));
    const config = parseConfig(SITE, path.join(dir, 'plenum.yaml'), { env: { PLENUM_DATA: dir, PLENUM_PORT: '0' } });
    plenum = await startPlenum(config, { log: () => {}, noSources: true, clock: Clock.wall(() => now) });
  });
  afterAll(async () => {
    await plenum.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('are in the catalog only for assets with detectors, found by tag, id glob and the catalog query', async () => {
    const c = await post('/api/query', {
      range: { from: T0, to: T0 + 1 },
      queries: [{ refId: 'C', queryType: 'catalog', selector: { tags: ['anomaly'] } }],
    });
    const f = (c as unknown as Frames).results.C!.frames[0]!;
    const ids = f.data.values[0] as string[];
    expect(ids).toEqual([
      's1/hall1/-/-/crah1/anomaly_score',
      's1/hall1/-/-/crah1/anomaly_score_airflow_per_fan_speed',
      's1/hall1/-/-/crah1/anomaly_score_filter_dp_per_fan_speed2',
      's1/hall1/-/-/crah2/anomaly_score',
      's1/hall1/-/-/crah2/anomaly_score_airflow_per_fan_speed',
      's1/hall1/-/-/crah2/anomaly_score_filter_dp_per_fan_speed2',
      's1/hall1/A/A01/env/anomaly_score',
      's1/hall1/A/A01/env/anomaly_score_inlet_against_zone_peers',
      's1/hall1/A/A02/env/anomaly_score',
      's1/hall1/A/A02/env/anomaly_score_inlet_against_zone_peers',
      's1/hall1/A/A03/env/anomaly_score',
      's1/hall1/A/A03/env/anomaly_score_inlet_against_zone_peers',
    ]);
    // B01 has no inputs, so no detector and no series
    expect(plenum.catalog.select({ ids: ['*/B01/*'] })).toEqual([]);
    expect(plenum.catalog.get('s1/hall1/-/-/crah1/anomaly_score')).toMatchObject({
      name: 'crah1 anomaly score',
      domain: 'OT',
      quantity: 'count',
      kind: 'measurement',
      writable: false,
      location: { site: 's1', hall: 'hall1', asset: 'crah1' },
      source: { connector: 'predict' },
    });
    expect(plenum.catalog.select({ ids: ['s1/hall1/*/*/*/anomaly_score'], rack: ['A02'] }).map((p) => p.id)).toEqual([
      's1/hall1/A/A02/env/anomaly_score',
    ]);
    // the detectors do not read their own output
    expect(plenum.prediction!.predictor.hall.pointIds.some((id) => id.includes('anomaly'))).toBe(false);
  });

  it('are written at their cadence, bad while learning, and graph the clogging filter through timeseries queries', async () => {
    for (let i = 0; i < 120; i++) await step(i);
    for (let i = 120; i < 240; i++) await step(i, Math.min(0.3, ((i - 120) / 60) * 0.3));
    await plenum.prediction!.scoresWritten();
    const id = 's1/hall1/-/-/crah1/anomaly_score';
    const raw = plenum.historian.readRaw(id, T0, now);
    // 240 evaluations 10 s apart (40 min): one sample at each whole minute after the first evaluation
    expect(raw.ts.length).toBe(39);
    expect(raw.ts.every((t) => (t - T0) % 60_000 === 0)).toBe(true);
    // 10 minutes of learning (60 evaluations): bad, then good; nothing good before the models learned
    const learned = T0 + 59 * 10_000;
    raw.ts.forEach((t, k) => {
      if (t <= learned) expect(raw.quality[k]).toBe('bad');
      if (t >= learned + 60_000) expect(raw.quality[k]).toBe('good');
    });
    expect(raw.quality.filter((q) => q === 'bad').length).toBeGreaterThanOrEqual(9);

    const q = (await post('/api/query', {
      range: { from: T0, to: now },
      maxDataPoints: 1000,
      intervalMs: 60_000,
      queries: [
        { refId: 'S', queryType: 'timeseries', selector: { ids: [id] }, aggregate: 'max' },
        { refId: 'D', queryType: 'timeseries', selector: { ids: ['**/crah1/anomaly_score_*'] }, aggregate: 'max' },
      ],
    })) as unknown as Frames;
    const frame = q.results.S!.frames[0]!;
    const [times, values] = frame.data.values as [number[], number[]];
    // bad samples (learning) are left out: the graph starts once the models judge
    expect(times[0]).toBeGreaterThan(learned);
    const healthy = values.filter((_, k) => (times[k] as number) < T0 + 120 * 10_000);
    const clogged = values.filter((_, k) => (times[k] as number) >= T0 + 200 * 10_000);
    expect(healthy.length).toBeGreaterThan(5);
    expect(Math.max(...healthy)).toBeLessThan(1);
    // the filter clog passed the alarm threshold (1) — and the event was raised from the same detector
    expect(Math.max(...clogged)).toBeGreaterThanOrEqual(1);
    expect(plenum.events.find({ from: 0, to: now + 1, types: ['prediction'] })[0]?.data).toMatchObject({
      diagnosis: 'filter_clog',
    });
    // per detector: the airflow channel carries the asset's largest score at the end
    const detectors = q.results.D!.frames.map((f) => ({
      name: f.schema.name,
      last: (f.data.values[1] as number[]).at(-1) as number,
    }));
    expect(detectors).toHaveLength(2);
    const airflow = detectors.find((d) => /airflow/.test(d.name))!;
    expect(airflow.last).toBeGreaterThanOrEqual(1);
    expect(Math.max(...detectors.map((d) => d.last))).toBe(values.at(-1));
    // crah2 stayed healthy
    const crah2 = plenum.historian.readRaw('s1/hall1/-/-/crah2/anomaly_score', T0, now);
    expect(Math.max(...(crah2.values as number[]).filter((_, k) => crah2.quality[k] === 'good'))).toBeLessThan(1);
  }, 60_000);

  it('come from the detector list: none without prediction or with series: none', () => {
    const cfg = parseConfig(SITE, path.join(dir, 'plenum.yaml'), { env: { PLENUM_DATA: dir } });
    expect(scorePointsOf(cfg)).toHaveLength(12);
    expect(scorePointsOf({ ...cfg, prediction: undefined })).toEqual([]);
    const none = parseConfig(SITE.replace('series: detector', 'series: none'), path.join(dir, 'plenum.yaml'), {
      env: { PLENUM_DATA: dir },
    });
    expect(scorePointsOf(none)).toEqual([]);
    const bad = () =>
      parseConfig(SITE.replace('series: detector', 'series: all'), path.join(dir, 'plenum.yaml'), {
        env: { PLENUM_DATA: dir },
      });
    expect(bad).toThrow(/prediction\.scores\.series/);
  });
});
