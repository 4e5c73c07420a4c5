import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadScenario } from './load';

const REPO = path.resolve(__dirname, '../../..');

describe('loadScenario', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-scenario-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, body: string) => {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, `name: ${name}\nconfig: ${path.join(REPO, 'plenum.yaml')}\n${body}`);
    return file;
  };
  const base = 'description: a test\nstart: 2026-07-15T10:00:00Z\nduration: 30m\nspeed: 60\n';

  it('loads every shipped scenario, each within 10 minutes of wall time at its speed', () => {
    const files = fs.readdirSync(path.join(REPO, 'scenarios')).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(
      [
        'chiller-trip',
        'crah-trip-under-load',
        'filter-clog-week',
        'full-hall-ramp',
        'normal-day',
        'pump-failure',
        'sensor-drift',
      ].map((n) => `${n}.yaml`),
    );
    for (const f of files) {
      const { scenario } = loadScenario(path.join(REPO, 'scenarios', f), {});
      expect({ f, minutes: scenario.duration / scenario.speed / 60_000 }).toEqual({ f, minutes: expect.any(Number) });
      expect(scenario.duration / scenario.speed).toBeLessThanOrEqual(9 * 60_000);
    }
  });

  it('names the file, the line and the field of a value the schema refuses', () => {
    const file = write(
      'bad-schema',
      `${base}jobs:\n  - { at: 1h30m, racks: all, kw: 130, duration: 10m }\n  - { at: 0, racks: all, kw: -5, duration: 10m }\n`,
    );
    expect(() => loadScenario(file, {})).toThrow(
      [
        `${file}:8:7: jobs[0].at: expected an offset from the start such as "0", "90s", "10m", "2h"; got "1h30m"`,
        `${file}:9:26: jobs[1].kw: expected a number > 0; got -5`,
      ].join('\n'),
    );
  });

  it('names the entry the twin cannot take: a rack, a fault target, a point that is not writable', () => {
    const racks = write('bad-rack', `${base}jobs:\n  - { at: 0, racks: [A11], kw: 100, duration: 10m }\n`);
    expect(() => loadScenario(racks, {})).toThrow(
      new RegExp(`^${racks}:8:14: jobs\\[0\\]\\.racks: no rack matching "A11" in hall hall1; expected one of A01, A02`),
    );
    const fault = write('bad-fault', `${base}faults:\n  - { at: 5m, type: crah_trip, target: crah9 }\n`);
    expect(() => loadScenario(fault, {})).toThrow(new RegExp(`^${fault}:8:5: faults\\[0\\]: .*crah9`));
    const point = write('bad-point', `${base}setpoints:\n  - { at: 5m, point: -/-/crah1/supply_temp, value: 18 }\n`);
    expect(() => loadScenario(point, {})).toThrow(
      new RegExp(
        `^${point}:8:15: setpoints\\[0\\]\\.point: "-/-/crah1/supply_temp" is not writable; expected one of <row>/<rack>/gpu/power_limit, -/-/crah<n>/supply_setpoint, `,
      ),
    );
    const range = write(
      'bad-range',
      `${base}setpoints:\n  - { at: 5m, point: -/-/crah1/supply_setpoint, value: 40 }\n`,
    );
    expect(() => loadScenario(range, {})).toThrow(
      `${range}:8:49: setpoints[0].value: 40 is out of range; expected 14–27 °C`,
    );
    const name = path.join(dir, 'other.yaml');
    fs.writeFileSync(name, `name: not-other\nconfig: ${path.join(REPO, 'plenum.yaml')}\n${base}`);
    expect(() => loadScenario(name, {})).toThrow(
      `${name}:1:1: name: "not-other" differs from the file name; expected "other"`,
    );
  });
});
