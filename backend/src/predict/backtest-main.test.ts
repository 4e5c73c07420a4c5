/**
 * `npm run backtest` end to end: three hours of history that never came from the twin — posted to a backend's
 * `POST /api/samples` every 30 s (the detectors evaluate every 10 s), with a filter clogging and being replaced
 * in the middle — then the CLI run as a process, against the running backend (--url) and on the stopped
 * backend's data folder, as text and as JSON, and refusing bad arguments with exit code 2.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../config/load';
import { startPlenum, type RunningPlenum } from '../plenum';
import type { BacktestResult } from './backtest';

const CLI = path.join(__dirname, 'backtest-main.ts');
const TSX = path.join(__dirname, '../../../node_modules/.bin/tsx');

const SITE = `
site:
  id: imp
  halls:
    - id: h1
      assets: [{ id: ahu1, type: crah }, { id: ahu2, type: crah }]
      rows:
        - id: R
          racks:
            - { id: R01, x: 1, y: 1, assets: [{ id: env, type: sensor }] }
            - { id: R02, x: 2, y: 1, assets: [{ id: env, type: sensor }] }
            - { id: R03, x: 3, y: 1, assets: [{ id: env, type: sensor }] }
historian:
  dataDir: data
sources:
  - name: bms
    connector: opcua
    options: { endpoint: 'opc.tcp://127.0.0.1:1' }
    points:
      - { asset: 'h1/-/-/ahu*', signal: fan_speed, quantity: speed, unit: '% speed', address: 'ns=1;s={asset}.fan' }
      - { asset: 'h1/-/-/ahu*', signal: airflow, quantity: airflow, unit: 'm³/h air', address: 'ns=1;s={asset}.air' }
      - { asset: 'h1/-/-/ahu*', signal: filter_dp, quantity: differentialPressure, unit: Pa dp, address: 'ns=1;s={asset}.dp' }
      - { asset: 'h1/*/*/env', signal: inlet_temp, quantity: temperature, unit: °C, address: 'ns=1;s={rack}.in' }
prediction:
  learn: 20m
`;

const EVERY = 30_000;
const HOURS = 3;
// yesterday, on a whole hour: in raw retention, never ahead of the backend's clock
const T0 = Math.floor((Date.now() - 86_400_000) / 3_600_000) * 3_600_000;
const T1 = T0 + HOURS * 3_600_000;
/** ahu1's filter: clean, then loading up over 30 min from 1.5 h, held 30 min, replaced at 2.5 h */
const CLOG_FROM = T0 + 90 * 60_000;
const CLEAN_AT = T0 + 150 * 60_000;
const clog = (t: number) => (t < CLOG_FROM || t >= CLEAN_AT ? 0 : Math.min(0.3, ((t - CLOG_FROM) / 1_800_000) * 0.3));
const wave = (i: number, k: number) => Math.sin(i * 12.9898 + k) * 0.5 + Math.sin(i * 78.233 + k) * 0.5;

function history() {
  const out: { pointId: string; ts: number; value: number }[] = [];
  for (let i = 0, ts = T0; ts < T1; i++, ts += EVERY) {
    const fan = 55 + 12 * Math.sin(i / 25);
    ['ahu1', 'ahu2'].forEach((a, k) => {
      const lost = a === 'ahu1' ? clog(ts) : 0;
      const f = fan / (1 - lost) + 0.1 * wave(i, k);
      out.push(
        { pointId: `imp/h1/-/-/${a}/fan_speed`, ts, value: f },
        { pointId: `imp/h1/-/-/${a}/airflow`, ts, value: 380 * f * (1 - lost) * (1 + 0.003 * wave(i, k + 5)) },
        { pointId: `imp/h1/-/-/${a}/filter_dp`, ts, value: (110 * (f / 100) ** 2) / (1 - lost) ** 2 },
      );
    });
    ['R01', 'R02', 'R03'].forEach((r, k) =>
      out.push({ pointId: `imp/h1/R/${r}/env/inlet_temp`, ts, value: 22 + 0.1 * wave(i, k + 9) }),
    );
  }
  return out;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      TSX,
      [CLI, ...args],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({
          code: err ? ((err as { code?: number }).code ?? 1) : 0,
          stdout: String(stdout),
          stderr: String(stderr),
        }),
    );
  });
}

describe('npm run backtest', () => {
  let dir: string;
  let file: string;
  let plenum: RunningPlenum | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-backtest-'));
    file = path.join(dir, 'plenum.yaml');
    fs.writeFileSync(file, SITE);
    const config = parseConfig(SITE, file, { env: { PLENUM_PORT: '0' } });
    plenum = await startPlenum(config, { log: () => {}, noSources: true });
    const samples = history();
    for (let k = 0; k < samples.length; k += 5000) {
      const r = await fetch(`${plenum.url}/api/samples`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ samples: samples.slice(k, k + 5000) }),
      });
      expect(((await r.json()) as { accepted: number }).accepted).toBe(Math.min(5000, samples.length - k));
    }
  });
  afterAll(async () => {
    await plenum?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const expectClog = (r: BacktestResult) => {
    // 10 s evaluations over 3 h, whatever the 30 s the history was sampled at
    expect(r.cadenceMs).toBe(10_000);
    expect(r.evaluations).toBe((HOURS * 3_600_000) / 10_000);
    // 20 min of learning in a 90 min healthy start: nothing left learning, nothing raised before the fault
    expect(r.learning).toBe(0);
    expect(r.detectors).toBe(2 * 2 + 3);
    expect(r.predictions).toEqual([
      expect.objectContaining({ asset: 'imp/h1/-/-/ahu1', diagnosis: 'filter_clog', severity: 'warning' }),
    ]);
    const p = r.predictions[0]!;
    expect(p.opened).toBeGreaterThan(CLOG_FROM);
    expect(p.opened).toBeLessThan(CLEAN_AT);
    // closed after the filter was replaced: the off-delay (10 min) past the clean filter, not before
    expect(p.closed).toBeGreaterThan(CLEAN_AT);
    expect(p.closed).toBeLessThan(CLEAN_AT + 30 * 60_000);
  };

  it('asks a running backend with --url (a day at most) and prints JSON', async () => {
    const r = await cli(['--url', plenum!.url, '--from', new Date(T0).toISOString(), '--to', String(T1), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expectClog(JSON.parse(r.stdout) as BacktestResult);
  }, 120_000);

  it("replays the stopped backend's data folder: text, JSON, --detectors, and exit code 2 for bad arguments", async () => {
    await plenum!.stop();
    plenum = undefined;
    const from = new Date(T0).toISOString();
    const to = new Date(T1).toISOString();
    // one after the other: each opens the store exclusively
    const json = await cli(['--config', file, '--from', from, '--to', to, '--json']);
    const text = await cli(['--from', from, '--to', to, '--detectors', 'filter_clog'], { PLENUM_CONFIG: file });
    const none = await cli([
      '--config',
      file,
      '--from',
      from,
      '--to',
      to,
      '--detectors',
      'sensor_drift,pump_failure',
      '--json',
    ]);
    const badTime = await cli(['--config', file, '--from', 'yesterday', '--to', to]);
    const badDetector = await cli(['--config', file, '--from', from, '--to', to, '--detectors', 'filterclog']);
    expect(json.code).toBe(0);
    expectClog(JSON.parse(json.stdout) as BacktestResult);

    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^backtest ${from.replace('.000Z', 'Z')} → ${to.replace('.000Z', 'Z')}: 1080 evaluations at 10 s, \\d+ ms$`,
      ),
    );
    expect(lines[1]).toMatch(/^ {2}\S+Z → \S+Z {2}warning {2}ahu1: filter clog/);
    expect(lines[2]).toMatch(/ahu1 moves \d+ % less air than its fan speed/);
    expect(lines.at(-1)).toBe('1 prediction');

    expect(none.code).toBe(0);
    expect((JSON.parse(none.stdout) as BacktestResult).predictions).toEqual([]);

    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toMatch(/--from: expected an ISO 8601 time or Unix ms; got "yesterday"/);
    expect(badDetector.code).toBe(2);
    expect(badDetector.stderr).toMatch(/detectors: unknown "filterclog"; expected any of .*filter_clog/);
  }, 180_000);
});
