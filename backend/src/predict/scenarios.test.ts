/**
 * End to end on the twin's scenarios: the scenario drives the twin (its model, the readings its protocol faces
 * serve), the site's own prediction settings from plenum.yaml watch it, and the answer comes from the scenario's
 * fault and the twin's true temperatures — named, located and before the limit.
 */
import path from 'node:path';
import { loadScenario, scenarioModel } from '../scenario/load';
import { ScenarioDriver } from '../sim/scenario/driver';
import type { Alarm } from './alarms';
import { PredictionSchema } from './config';
import { Predictor } from './predictor';
import { watchHall } from './watched';

const REPO = path.resolve(__dirname, '../../..');

/**
 * Runs a scenario until `stop` holds or it ends; returns the alarms opened with the true hottest inlet at the
 * time. `learn` and `cadence` as a site would set them for this history (a scenario starts from a cold start).
 */
function run(name: string, o: { learn: string; cadence: string; stop?: (a: Alarm[]) => boolean; untilMs?: number }) {
  const { scenario, site } = loadScenario(path.join(REPO, 'scenarios', `${name}.yaml`));
  const model = scenarioModel(scenario, site);
  const driver = new ScenarioDriver(model, scenario);
  const cfg = PredictionSchema.parse({
    ...(site.prediction ? { zones: site.prediction.zones } : {}),
    learn: o.learn,
    cadence: o.cadence,
  });
  const predictor = new Predictor(
    watchHall(
      site.site,
      model.signals().map((s) => s.id),
      cfg,
    ),
    cfg,
  );
  const opened: { alarm: Alarm; at: number; maxInletC: number }[] = [];
  const end = Math.min(driver.endMs, o.untilMs === undefined ? Infinity : driver.startMs + o.untilMs);
  for (let t = driver.startMs + cfg.cadence; t <= end; t += cfg.cadence) {
    driver.advance(t);
    const readings = model.readings();
    const tr = predictor.step({
      t,
      value: (id) => {
        const r = readings.get(id);
        return r && r.quality === 'good' && r.value !== null ? r.value : undefined;
      },
    });
    for (const x of tr)
      if (x.kind === 'open')
        opened.push({
          alarm: { ...x.alarm },
          at: t - driver.startMs,
          maxInletC: Math.max(...model.truth().racks.map((r) => r.inletC)),
        });
    if (o.stop?.(opened.map((x) => x.alarm))) break;
  }
  if (process.env.PREDICT_DEBUG)
    for (const o of opened)
      console.log(
        name,
        (o.at / 60_000).toFixed(0),
        'min',
        o.alarm.asset,
        o.alarm.diagnosis,
        o.alarm.pointId ?? '',
        o.alarm.text,
      );
  return opened;
}

describe('prediction on the twin scenarios', () => {
  it("filter-clog-week: names crah3's filter days before any inlet leaves the recommended band", () => {
    const opened = run('filter-clog-week', {
      learn: '6h',
      cadence: '30s',
      untilMs: 4 * 86_400_000,
      stop: (a) => a.some((x) => x.diagnosis === 'filter_clog'),
    });
    const clog = opened.find((o) => o.alarm.diagnosis === 'filter_clog');
    expect(clog?.alarm.asset).toBe('sim/hall1/-/-/crah3');
    // the clog starts at 12 h and removes 10 % of the air a day
    expect(clog!.at).toBeGreaterThan(12 * 3_600_000);
    expect(clog!.maxInletC).toBeLessThan(27);
    expect(opened.filter((o) => o.alarm.diagnosis !== 'filter_clog')).toEqual([]);
  }, 240_000);

  it('pump-failure: flags the CDU pump within 60 s of the trip, critical', () => {
    const opened = run('pump-failure', { learn: '10m', cadence: '10s', untilMs: 35 * 60_000 });
    const pump = opened.find((o) => o.alarm.diagnosis === 'pump_failure');
    expect(pump?.alarm.asset).toBe('sim/hall1/-/-/cdu1');
    expect(pump!.alarm.severity).toBe('critical');
    expect(pump!.at - 20 * 60_000).toBeGreaterThan(0);
    expect(pump!.at - 20 * 60_000).toBeLessThanOrEqual(60_000);
  }, 120_000);

  it("sensor-drift: calls A05's inlet a drifting sensor, not a hot rack, with when it will read 27 °C", () => {
    const opened = run('sensor-drift', { learn: '1h', cadence: '10s', untilMs: 5 * 3_600_000 });
    const drift = opened.find((o) => o.alarm.pointId === 'sim/hall1/A/A05/env/inlet_temp');
    expect(drift?.alarm.diagnosis).toBe('sensor_drift');
    expect(drift!.alarm.lead?.limit).toBe('A05 inlet reaches 27 °C inlet');
    expect(drift!.at).toBeGreaterThan(2 * 3_600_000);
    expect(drift!.maxInletC).toBeLessThan(27);
    expect(opened.some((o) => o.alarm.diagnosis === 'recirculation' && o.alarm.asset.includes('/A05/'))).toBe(false);
  }, 120_000);
});
