/**
 * Prediction in a running backend: samples posted to `POST /api/samples`, evaluations on the run's clock, one
 * `prediction` event per asset and diagnosis (opened, rewritten, closed), the API with its scopes, and the
 * `predictions` query.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PlenumEvent } from '@plenum/model';
import { Clock } from '../common/clock';
import { parseConfig } from '../config/load';
import { startPlenum, type RunningPlenum } from '../plenum';
import { predictPlugin } from './scenario-plugin';

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
sources:
  - name: cooling
    connector: opcua
    options: { endpoint: 'opc.tcp://127.0.0.1:1' }
    points:
      - { asset: 'hall1/-/-/crah*', signal: fan_speed, quantity: speed, unit: '% speed', address: 'ns=1;s={asset}.fan' }
      - { asset: 'hall1/-/-/crah*', signal: airflow, quantity: airflow, unit: 'm³/h air', address: 'ns=1;s={asset}.air' }
      - { asset: 'hall1/-/-/crah*', signal: filter_dp, quantity: differentialPressure, unit: Pa dp, address: 'ns=1;s={asset}.dp' }
      - { asset: 'hall1/*/*/env', signal: inlet_temp, quantity: temperature, unit: °C, address: 'ns=1;s={rack}.in' }
prediction:
  learn: 10m
`;

const TOKEN = 'read-token-0123456789';
const OPERATE = 'operate-token-0123456789';
const T0 = Date.UTC(2026, 6, 15, 8, 0, 0);
const wave = (i: number, k: number) => Math.sin(i * 12.9898 + k) * 0.5 + Math.sin(i * 78.233 + k) * 0.5;

describe('prediction in the backend', () => {
  let dir: string;
  let plenum: RunningPlenum;
  let now = T0;
  const headers = (token = TOKEN) => ({ 'Content-Type': 'application/json', Authorization: `Bearer ${token}` });
  const api = async (method: string, p: string, body?: unknown, token?: string) => {
    const r = await fetch(`${plenum.url}${p}`, {
      method,
      headers: headers(token),
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  /** one evaluation: samples at `now`, then the service's tick; `clog` is crah1's airflow share lost */
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
    const res = await api('POST', '/api/samples', { samples });
    expect(res.status).toBe(200);
    plenum.prediction!.tick();
    now += 10_000;
  };
  const predictionEvents = () => plenum.events.find({ from: 0, to: now + 1, types: ['prediction'] }) as PlenumEvent[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-predict-'));
    const config = parseConfig(SITE, path.join(dir, 'plenum.yaml'), { env: { PLENUM_DATA: dir, PLENUM_PORT: '0' } });
    plenum = await startPlenum(config, {
      log: () => {},
      noSources: true,
      token: TOKEN,
      operateToken: OPERATE,
      clock: Clock.wall(() => now),
    });
  });
  afterAll(async () => {
    await plenum.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says learning first, then opens one event for a clogging filter, acknowledges, shelves within bounds and closes it', async () => {
    await step(0);
    let state = await api('GET', '/api/predictions');
    expect(state.status).toBe(200);
    expect((state.body.learning as { detectors: number }).detectors).toBeGreaterThan(0);
    expect((state.body.learning as { remainingMs: number }).remainingMs).toBe(59 * 10_000);

    for (let i = 1; i < 120; i++) await step(i);
    expect(predictionEvents()).toEqual([]);
    for (let i = 120; i < 240; i++) await step(i, Math.min(0.3, ((i - 120) / 60) * 0.3));
    const open = predictionEvents();
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      type: 'prediction',
      severity: 'warning',
      source: 'predict',
      location: { hall: 'hall1', asset: 'crah1' },
    });
    expect(open[0]!.data).toMatchObject({
      diagnosis: 'filter_clog',
      state: 'open',
      evidence: expect.arrayContaining(['s1/hall1/-/-/crah1/airflow']),
    });
    expect(open[0]!.timeEnd).toBeUndefined();
    const id = open[0]!.id;

    state = await api('GET', '/api/predictions');
    expect(state.body.predictions).toEqual([expect.objectContaining({ eventId: id, diagnosis: 'filter_clog' })]);

    // acknowledging and shelving need the operate scope, and name what is wrong
    expect((await api('POST', `/api/predictions/${id}/ack`, {})).status).toBe(403);
    const ack = await api('POST', `/api/predictions/${id}/ack`, {}, OPERATE);
    expect(ack.status).toBe(200);
    expect(ack.body.acked).toMatchObject({ by: expect.any(String) });
    const tooLong = await api('POST', `/api/predictions/${id}/shelve`, { duration: '9h' }, OPERATE);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toMatch(/duration.*maxShelve/);
    const bad = await api('POST', '/api/predictions/abc/shelve', { duration: '1h' }, OPERATE);
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^id: /);
    expect((await api('POST', '/api/predictions/999999/ack', {}, OPERATE)).body.error).toMatch(/no open prediction/);
    const shelved = await api('POST', `/api/predictions/${id}/shelve`, { duration: '1h' }, OPERATE);
    expect(shelved.status).toBe(200);
    expect(shelved.body.shelvedUntil).toBe(now + 3_600_000);
    expect(plenum.events.find({ from: 0, to: now + 1, types: ['prediction'] })[0]!.data).toMatchObject({
      acked: { by: expect.any(String) },
      shelvedUntil: now + 3_600_000,
    });

    // the `predictions` query: scores per asset, crah1 on top
    const q = await api('POST', '/api/query', {
      range: { from: T0, to: now },
      queries: [{ refId: 'S', queryType: 'predictions' }],
    });
    const frame = (q.body.results as Record<string, { frames: { data: { values: unknown[][] } }[] }>).S!.frames[0]!;
    expect(frame.data.values[0]![0]).toBe('s1/hall1/-/-/crah1');
    expect(frame.data.values[1]![0]).toBeGreaterThanOrEqual(1);

    // the filter replaced: the event closes (same event, an end time)
    for (let i = 240; i < 420; i++) await step(i);
    const closed = predictionEvents();
    expect(closed).toHaveLength(1);
    expect(closed[0]!.id).toBe(id);
    expect(closed[0]!.timeEnd).toBeGreaterThan(closed[0]!.time);
    expect(closed[0]!.data).toMatchObject({ state: 'closed' });
    expect((await api('GET', '/api/predictions')).body.predictions).toEqual([]);

    // the same history replayed: the backtest finds the same fault, opened while the filter clogged
    const bt = await api('POST', '/api/predictions/backtest', { from: T0, to: new Date(now).toISOString() });
    expect(bt.status).toBe(200);
    expect(bt.body.predictions).toEqual([
      expect.objectContaining({ asset: 's1/hall1/-/-/crah1', diagnosis: 'filter_clog', closed: expect.any(Number) }),
    ]);
    const opened = (bt.body.predictions as { opened: number }[])[0]!.opened;
    expect(opened).toBeGreaterThan(T0 + 120 * 10_000);
    expect(opened).toBeLessThan(T0 + 240 * 10_000);
    const only = await api('POST', '/api/predictions/backtest', { from: T0, to: now, detectors: ['sensor_drift'] });
    expect(only.body.predictions).toEqual([]);
    const wrong = await api('POST', '/api/predictions/backtest', { from: T0, to: now, detectors: ['filterclog'] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatch(/detectors: unknown "filterclog"/);
    const long = await api('POST', '/api/predictions/backtest', { from: T0, to: T0 + 2 * 86_400_000 });
    expect(long.body.error).toMatch(/at most 1 day per/);
    expect((await api('POST', '/api/predictions/backtest', { from: 'yesterday', to: now })).body.error).toMatch(
      /^body\.from: /,
    );
  }, 60_000);

  it('starts warm after a restart: the detectors learn from the stored history', async () => {
    await plenum.stop();
    const config = parseConfig(SITE, path.join(dir, 'plenum.yaml'), { env: { PLENUM_DATA: dir, PLENUM_PORT: '0' } });
    // no tokens this time: the scenario plugin reads the API as a scenario run does
    plenum = await startPlenum(config, { log: () => {}, noSources: true, clock: Clock.wall(() => now) });
    const state = await api('GET', '/api/predictions');
    expect(state.body.learning).toMatchObject({ detectors: 0, remainingMs: 0 });
    expect(plenum.events.find({ from: 0, to: now + 1, types: ['prediction'] })).toHaveLength(1);
    // the scenario plugin reports what was raised from its start: the filter clogging again, seen live
    const plugin = predictPlugin();
    await plugin.start({ backendUrl: plenum.url, clock: Clock.wall(() => now), options: {}, log: () => {} } as never);
    for (let i = 420; i < 540; i++) await step(i, 0.3);
    const report = await plugin.stop();
    expect(report.figures).toMatchObject({ predictions: 1, open: 1, learning: 0 });
    expect(report.notes[1]).toMatch(/warning: crah1: filter clog/);
    // what the warm start's replay saw was not raised again: the closed event and this new one
    expect(plenum.events.find({ from: 0, to: now + 1, types: ['prediction'] })).toHaveLength(2);
  });

  it('answers 400 naming the section when prediction is not configured', async () => {
    const d2 = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-predict-off-'));
    const cfg = parseConfig(SITE.replace('prediction:\n  learn: 10m\n', ''), path.join(d2, 'plenum.yaml'), {
      env: { PLENUM_DATA: d2, PLENUM_PORT: '0' },
    });
    const p2 = await startPlenum(cfg, { log: () => {}, noSources: true });
    try {
      await expect(
        predictPlugin().start({
          backendUrl: p2.url,
          clock: Clock.wall(() => now),
          options: {},
          log: () => {},
        } as never),
      ).rejects.toThrow(/HTTP 400: .*prediction: not configured/);
      const r = await fetch(`${p2.url}/api/predictions`);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { error: string }).error).toMatch(/prediction: not configured/);
    } finally {
      await p2.stop();
      fs.rmSync(d2, { recursive: true, force: true });
    }
  });
});
