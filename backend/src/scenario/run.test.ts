import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runScenario } from './run';

const REPO = path.resolve(__dirname, '../../..');

/**
 * A short scenario end to end, as CI runs it: the twin and the backend as processes on one clock, the backend
 * reading the twin over its protocols, the report from the twin's ground truth beside what Plenum measured.
 */
describe('npm run scenario', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-run-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs twin and backend over the protocols and writes the report, judging its checks on the ground truth', async () => {
    const file = path.join(dir, 'ci-short.yaml');
    fs.writeFileSync(
      file,
      `name: ci-short
description: row A starts a job, crah1 trips for six minutes, an operator lowers crah2's supply setpoint
config: ${path.join(REPO, 'plenum.yaml')}
start: 2026-07-15T12:00:00Z
duration: 20m
speed: 60
jobs:
  - { at: 2m, racks: [row A], kw: 120, ramp: 10s, duration: 18m }
faults:
  - { at: 8m, type: crah_trip, target: crah1, duration: 6m }
setpoints:
  - { at: 4m, point: -/-/crah2/supply_setpoint, value: 18 }
checks:
  - { metric: minutesAbove32C, max: 0 }
  - { metric: maxInletC, max: 15 }
`,
    );
    const lines: string[] = [];
    const { dir: out, report } = await runScenario({
      file,
      outDir: dir,
      leadMs: 10_000,
      log: () => undefined,
      progress: (l) => lines.push(l),
    });
    expect(out).toBe(path.join(dir, 'ci-short'));
    for (const f of ['report.json', 'series.json', 'ground-truth.jsonl', 'index.html', 'twin.log', 'backend.log'])
      expect(fs.existsSync(path.join(out, f))).toBe(true);
    // the second check cannot hold in a real hall: the run fails, and says which
    expect(report.checks.map((c) => [c.metric, c.passed])).toEqual([
      ['minutesAbove32C', true],
      ['maxInletC', false],
    ]);
    expect(report.passed).toBe(false);
    expect(report.scenario).toMatchObject({
      name: 'ci-short',
      start: '2026-07-15T12:00:00.000Z',
      end: '2026-07-15T12:20:00.000Z',
    });
    // figures of the twin, recorded once per simulated minute
    const series = JSON.parse(fs.readFileSync(path.join(out, 'series.json'), 'utf8')) as {
      time: number[];
      itKw: number[];
    };
    expect(series.time).toHaveLength(21);
    expect(Math.max(...series.itKw) - (series.itKw[0] as number)).toBeGreaterThan(900); // 10 racks × ≈ 112 kW
    expect(report.figures.maxInletC).toBeGreaterThan(18);
    expect(report.figures.coolingEnergyKwh).toBeGreaterThan(0);
    // the ground truth has the fault and the write, by whom
    const truth = fs
      .readFileSync(path.join(out, 'ground-truth.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(truth.filter((e) => e.type === 'crah_trip').map((e) => e.phase)).toEqual(['start', 'end']);
    // the backend's heartbeat writes the BMS supervisor over OPC UA; the scenario's own write is named as such
    expect(
      truth.some(
        (e) => e.type === 'write' && e.by === 'opcua:anonymous' && String(e.target).endsWith('/bms/supervisor_lease'),
      ),
    ).toBe(true);
    expect(truth.find((e) => e.type === 'write' && e.by === 'scenario')).toMatchObject({
      by: 'scenario',
      to: 18,
      target: 'sim/hall1/-/-/crah2/supply_setpoint',
    });
    // the backend read every source on the twin's clock and measured what the twin had
    expect(report.plenum.sources.map((s) => [s.source, s.state])).toEqual([
      ['cooling', 'up'],
      ['pdus', 'up'],
      ['dcgm', 'up'],
      ['jobs', 'up'],
    ]);
    expect(report.plenum.sources.every((s) => s.samples > 0)).toBe(true);
    const close = report.racks.filter(
      (r) => r.measuredMaxInletC !== undefined && Math.abs(r.measuredMaxInletC - r.maxInletC) < 1,
    );
    expect(close.length).toBeGreaterThanOrEqual(38);
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain('checks failed');
    expect(lines.at(-1)).toMatch(/^\s+100 %\s+2026-07-15 12:20/);
  }, 150_000);

  it('exits 2 naming the file and field of a bad scenario, before starting anything', () => {
    const file = path.join(dir, 'broken.yaml');
    fs.writeFileSync(file, 'name: broken\ndescription: x\nstart: yesterday\nduration: 1h\nspeed: 10\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO, 'backend/src/scenario/main.ts'), file], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `${file}:3:1: start: expected an ISO 8601 time such as 2026-07-15T08:00:00Z; got "yesterday"`,
    );
  }, 30_000);
});
