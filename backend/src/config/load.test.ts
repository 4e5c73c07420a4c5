import { CONNECTOR_NAMES } from '../connectors/all';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PlenumError } from '../common/errors';
import { ConfigError, loadConfig, parseConfig, type LoadOptions, type SiteConfig } from './load';

const SAMPLE = path.resolve(__dirname, '../../../plenum.yaml');
const CONNECTORS = ['generator', 'modbus', 'opcua'];

/** A small valid site: hall1 with rows A (racks A01, A02) and B (B01), hall-level crah1 and cdu1. */
const SITE = `
site:
  id: s1
  halls:
    - id: hall1
      assets:
        - { id: crah1, type: crah }
        - { id: cdu1, type: cdu }
      rows:
        - id: A
          racks:
            - { id: A01, x: 1, y: 1, assets: [{ id: pdu, type: pdu }, { id: gpu, type: gpu-server }] }
            - { id: A02, x: 2, y: 1, assets: [{ id: pdu, type: pdu }, { id: gpu, type: gpu-server }] }
        - id: B
          racks:
            - { id: B01, x: 1, y: 3, assets: [{ id: pdu, type: pdu }] }
`;

/** SITE plus one source `gen` whose points are the given YAML list items (indented by 6). */
function withPoints(points: string, source = ''): string {
  return `${SITE}
sources:
  - name: gen
    connector: generator
${source}    points:
${points}`;
}

function parse(text: string, opts: LoadOptions = {}): SiteConfig {
  return parseConfig(text, 'plenum.yaml', { connectors: CONNECTORS, env: {}, ...opts });
}

/** The ConfigError thrown for `text`; fails the test when none is. */
function configError(text: string, opts: LoadOptions = {}): ConfigError {
  try {
    parse(text, opts);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

function lines(text: string, opts: LoadOptions = {}): string[] {
  return configError(text, opts).message.split('\n');
}

describe('the sample plenum.yaml', () => {
  const cfg = loadConfig(SAMPLE, { connectors: CONNECTOR_NAMES, env: {} });

  it('describes the simulated hall: 4 rows × 10 racks and 7 hall-level assets', () => {
    expect(cfg.site.id).toBe('sim');
    const hall = cfg.site.halls[0];
    expect(hall?.rows.map((r) => r.id)).toEqual(['A', 'B', 'C', 'D']);
    expect(hall?.rows.map((r) => r.racks.length)).toEqual([10, 10, 10, 10]);
    expect(hall?.assets?.map((a) => a.id)).toEqual(['crah1', 'crah2', 'crah3', 'crah4', 'cdu1', 'plant1', 'bms']);
    const racks = hall?.rows.flatMap((r) => r.racks) ?? [];
    expect(racks.every((r) => r.ratedKw === 130 && r.w === 1 && r.h === 1)).toBe(true);
    expect(racks.every((r) => r.assets.map((a) => a.type).join() === 'pdu,gpu-server,sensor')).toBe(true);
    // rows at y = 1, 3, 5, 7 facing alternately so fronts share the cold aisles at y = 2 and y = 6
    expect(hall?.rows.map((r) => [r.racks[0]?.y, r.racks[0]?.facing])).toEqual([
      [1, 'south'],
      [3, 'north'],
      [5, 'south'],
      [7, 'north'],
    ]);
    expect(hall?.rows[0]?.racks.map((r) => r.x)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('yields 522 points: 11 per rack × 40, 15 per CRAH × 4, 8 for the CDU, 11 for the plant, 3 for the BMS supervisor, from four connectors', () => {
    expect(cfg.points).toHaveLength(11 * 40 + 15 * 4 + 8 + 11 + 3);
    expect(new Set(cfg.points.map((p) => p.id)).size).toBe(cfg.points.length);
    expect(cfg.sources.map((s) => [s.name, s.connector, s.points.length])).toEqual([
      ['cooling', 'opcua', 2 * 40 + 15 * 4 + 8 + 11 + 3],
      ['pdus', 'modbus', 4 * 40],
      ['dcgm', 'prometheus', 3 * 40],
      ['jobs', 'jobs', 2 * 40],
    ]);
  });

  it('fills ids, canonical units, domains and locations', () => {
    const byId = new Map(cfg.points.map((p) => [p.id, p]));
    expect(byId.get('sim/hall1/A/A01/pdu/power')).toMatchObject({
      name: 'A01 PDU power',
      domain: 'OT',
      quantity: 'power',
      unit: 'kW',
      grafanaUnit: 'kwatt',
      kind: 'measurement',
      writable: false,
      location: { site: 'sim', hall: 'hall1', row: 'A', rack: 'A01', asset: 'pdu' },
      source: { connector: 'modbus', source: 'pdus', address: 'unit=1;hr=0;float32;ABCD' },
    });
    expect(byId.get('sim/hall1/D/D10/pdu/power')?.source.address).toBe('unit=40;hr=0;float32;ABCD');
    expect(byId.get('sim/hall1/D/D10/gpu/utilization')).toMatchObject({ domain: 'IT', unit: '%' });
    expect(byId.get('sim/hall1/C/C05/env/inlet_temp')).toMatchObject({ unit: '°C', grafanaUnit: 'celsius' });
    const sp = byId.get('sim/hall1/-/-/crah2/supply_setpoint');
    expect(sp).toMatchObject({
      kind: 'setpoint',
      writable: true,
      location: { site: 'sim', hall: 'hall1', asset: 'crah2' },
    });
    expect(sp?.location).not.toHaveProperty('row');
    expect(byId.get('sim/hall1/-/-/cdu1/flow')).toMatchObject({ quantity: 'flow', unit: 'l/min' });
    // the model points carry no ingest-only fields; the source's points do
    expect(byId.get('sim/hall1/-/-/cdu1/flow')).not.toHaveProperty('conversion');
    expect(cfg.sources[1]?.points[0]).toMatchObject({ sourceUnit: 'kW', conversion: { scale: 1, offset: 0 } });
    // DCGM reports W; ingest converts to kW
    expect(cfg.sources[2]?.points.find((p) => p.id.endsWith('gpu_power'))).toMatchObject({
      sourceUnit: 'W',
      conversion: { scale: 0.001 },
    });
  });

  it('resolves historian and api settings', () => {
    expect(cfg.file).toBe(SAMPLE);
    expect(cfg.historian.dataDir).toBe(path.join(path.dirname(SAMPLE), 'data'));
    expect(cfg.historian.retention).toEqual({ raw: 14 * 86_400_000, m1: 90 * 86_400_000, h1: 730 * 86_400_000 });
    expect(cfg.api).toEqual({
      host: '127.0.0.1',
      port: 8080,
      maxBodyBytes: 1024 * 1024,
      maxHeaderBytes: 16 * 1024,
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5000,
      tokens: [],
    });
  });
});

describe('defaults', () => {
  it('fills every default of a minimal file', () => {
    const cfg = parseConfig('site: { id: x, halls: [{ id: h }] }', '/srv/plenum/plenum.yaml', { env: {} });
    expect(cfg.site).toEqual({ id: 'x', timezone: 'UTC', halls: [{ id: 'h', assets: [], rows: [] }] });
    expect(cfg.historian).toEqual({
      dataDir: path.resolve('/srv/plenum/data'),
      retention: { raw: 14 * 86_400_000, m1: 90 * 86_400_000, h1: 730 * 86_400_000 },
      eventRetentionMs: 730 * 86_400_000,
    });
    expect(cfg.api).toEqual({
      host: '127.0.0.1',
      port: 8080,
      maxBodyBytes: 1_048_576,
      maxHeaderBytes: 16 * 1024,
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 60_000,
      keepAliveTimeoutMs: 5000,
      tokens: [],
    });
    expect(cfg.sources).toEqual([]);
    expect(cfg.points).toEqual([]);
  });

  it('defaults a point: canonical unit, domain by asset type, measurement, number, not writable', () => {
    const cfg = parse(
      withPoints(`      - { asset: hall1/A/A01/gpu, signal: util, quantity: utilization }
      - { asset: hall1/A/A01/pdu, signal: power, quantity: power }
`),
    );
    const [gpu, pdu] = cfg.sources[0]?.points ?? [];
    expect(gpu).toMatchObject({
      domain: 'IT',
      unit: '%',
      sourceUnit: '%',
      kind: 'measurement',
      valueType: 'number',
      writable: false,
      tags: [],
      source: { connector: 'generator', source: 'gen', address: '' },
      conversion: { scale: 1, offset: 0 },
    });
    expect(pdu).toMatchObject({ domain: 'OT', unit: 'kW' });
    expect(cfg.sources[0]?.intervalMs).toBe(1000);
    expect(cfg.sources[0]?.options).toEqual({});
  });

  it('parses durations and sizes', () => {
    const cfg = parse(
      `${SITE}
historian: { retention: { raw: 36h, 1m: 2w, 1h: 3600000, events: 400d } }
api: { maxBodyBytes: 512kb }
sources: [{ name: a, connector: generator, interval: 500ms }, { name: b, connector: generator, interval: 2.5s }]
`,
    );
    expect(cfg.historian.retention).toEqual({ raw: 36 * 3_600_000, m1: 14 * 86_400_000, h1: 3_600_000 });
    expect(cfg.historian.eventRetentionMs).toBe(400 * 86_400_000);
    expect(parse(`${SITE}\nhistorian: { retention: { events: forever } }\n`).historian.eventRetentionMs).toBeNull();
    expect(cfg.api.maxBodyBytes).toBe(512 * 1024);
    expect(cfg.sources.map((s) => s.intervalMs)).toEqual([500, 2500]);
  });
});

describe('templates', () => {
  it('expands a glob to one point per matching asset, in file order, with {n} {rack} {row} {hall} {asset} {site}', () => {
    const cfg = parse(
      withPoints(`      - asset: "hall1/*/*/pdu"
        signal: power
        quantity: power
        unit: W
        name: "{rack} power"
        address: "unit={n};hr=0;float32;ABCD;{site}/{hall}/{row}/{rack}/{asset}/{signal};{{lit}}"
`),
    );
    const pts = cfg.sources[0]?.points ?? [];
    expect(pts.map((p) => p.id)).toEqual([
      's1/hall1/A/A01/pdu/power',
      's1/hall1/A/A02/pdu/power',
      's1/hall1/B/B01/pdu/power',
    ]);
    expect(pts.map((p) => p.source.address)).toEqual([
      'unit=1;hr=0;float32;ABCD;s1/hall1/A/A01/pdu/power;{lit}',
      'unit=2;hr=0;float32;ABCD;s1/hall1/A/A02/pdu/power;{lit}',
      'unit=3;hr=0;float32;ABCD;s1/hall1/B/B01/pdu/power;{lit}',
    ]);
    expect(pts.map((p) => p.name)).toEqual(['A01 power', 'A02 power', 'B01 power']);
    expect(pts[0]).toMatchObject({ unit: 'kW', sourceUnit: 'W', conversion: { scale: 1e-3, offset: 0 } });
  });

  it('matches ? and partial globs, and hall-level assets with -/-', () => {
    const cfg = parse(
      withPoints(`      - { asset: "hall1/A/A0?/*", signal: s, quantity: state }
      - { asset: "hall1/-/-/c*", signal: t, quantity: temperature, unit: "°F", address: "{row}/{rack}/{asset}#{n}" }
`),
    );
    const pts = cfg.sources[0]?.points ?? [];
    expect(pts.map((p) => p.id)).toEqual([
      's1/hall1/A/A01/pdu/s',
      's1/hall1/A/A01/gpu/s',
      's1/hall1/A/A02/pdu/s',
      's1/hall1/A/A02/gpu/s',
      's1/hall1/-/-/crah1/t',
      's1/hall1/-/-/cdu1/t',
    ]);
    expect(pts.map((p) => p.domain)).toEqual(['OT', 'IT', 'OT', 'IT', 'OT', 'OT']);
    expect(pts[4]?.source.address).toBe('-/-/crah1#1');
    expect(pts[5]?.source.address).toBe('-/-/cdu1#2');
    expect(pts[4]?.location).toEqual({ site: 's1', hall: 'hall1', asset: 'crah1' });
    expect(pts[4]?.conversion.scale).toBeCloseTo(5 / 9);
    expect(pts[4]?.conversion.offset).toBeCloseTo(-160 / 9);
  });
});

describe('a large site', () => {
  it('takes 400 racks sharing one asset list through a YAML alias', () => {
    const racks = Array.from({ length: 400 }, (_, i) =>
      i === 0
        ? '            - { id: R0, x: 0, y: 0, assets: &a [{ id: pdu, type: pdu }, { id: gpu, type: gpu-server }] }'
        : `            - { id: R${i}, x: ${i % 40}, y: ${2 * Math.floor(i / 40)}, assets: *a }`,
    ).join('\n');
    const cfg = parse(`site:
  id: big
  halls:
    - id: h
      rows:
        - id: r
          racks:
${racks}
sources:
  - name: m
    connector: modbus
    points:
      - { asset: "h/*/*/pdu", signal: power, quantity: power, unit: W, address: "unit={n};hr=0;float32;ABCD" }
`);
    expect(cfg.points).toHaveLength(400);
    expect(cfg.points[399]?.source.address).toBe('unit=400;hr=0;float32;ABCD');
  });
});

describe('environment overrides', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-config-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('PLENUM_DATA, PLENUM_HOST and PLENUM_PORT override the file', () => {
    const text = `${SITE}\nhistorian: { dataDir: ./here }\napi: { host: 0.0.0.0, port: 9000 }\n`;
    const cfg = parse(text, { env: { PLENUM_DATA: '/var/lib/plenum', PLENUM_HOST: '::1', PLENUM_PORT: '18080' } });
    expect(cfg.historian.dataDir).toBe(path.resolve('/var/lib/plenum'));
    expect(cfg.api).toMatchObject({ host: '::1', port: 18080 });
    const noEnv = parse(text, { env: { PLENUM_PORT: '' } });
    expect(noEnv.api).toMatchObject({ host: '0.0.0.0', port: 9000 });
  });

  it('a relative PLENUM_DATA is relative to the working directory', () => {
    const cfg = parse(SITE, { env: { PLENUM_DATA: 'var/data' } });
    expect(cfg.historian.dataDir).toBe(path.resolve(process.cwd(), 'var/data'));
  });

  it('a relative dataDir is relative to the config file, not the working directory', () => {
    const file = path.join(tmp, 'site', 'plenum.yaml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${SITE}\nhistorian: { dataDir: ../store }\n`);
    const cfg = loadConfig(path.relative(process.cwd(), file), { env: {} });
    expect(cfg.file).toBe(file);
    expect(cfg.historian.dataDir).toBe(path.join(tmp, 'store'));
    fs.writeFileSync(file, `${SITE}\nhistorian: { dataDir: /abs/data }\n`);
    expect(loadConfig(file, { env: {} }).historian.dataDir).toBe(path.resolve('/abs/data'));
  });

  it.each(['http', '65536', '80.5', '-1'])('rejects PLENUM_PORT=%s, naming the variable', (port) => {
    expect(lines(SITE, { env: { PLENUM_PORT: port } })).toEqual([
      `plenum.yaml: environment variable PLENUM_PORT: expected an integer 0–65535 (it overrides api.port; 0 picks a free port); got "${port}"`,
    ]);
  });
});

describe('errors name the file, the path and what is expected', () => {
  it('unknown key, with a suggestion', () => {
    const text = SITE.replace('{ id: A01, x: 1, y: 1,', '{ id: A01, x: 1, y: 1, ratedkW: 100,');
    expect(lines(text)).toEqual([
      'plenum.yaml: site.halls[0].rows[0].racks[0].ratedkW: unknown key "ratedkW" (did you mean "ratedKw"?); ' +
        'expected one of id, x, y, w, h, facing, ratedKw, label, assets',
    ]);
  });

  it('unknown top-level key', () => {
    expect(lines(`${SITE}\nhistorain: {}\n`)).toEqual([
      'plenum.yaml: historain: unknown key "historain" (did you mean "historian"?); expected one of site, historian, api, sources, automation, prediction, remoteWrite, sparkplug, hub',
    ]);
  });

  it('wrong type', () => {
    expect(lines(SITE.replace('x: 2, y: 1', 'x: "2", y: 1'))).toEqual([
      'plenum.yaml: site.halls[0].rows[0].racks[1].x: expected a number; got "2"',
    ]);
    expect(lines(`${SITE}\nsources: { name: gen }\n`)).toEqual([
      'plenum.yaml: sources: expected a list; got a mapping with key name',
    ]);
  });

  it('missing required key', () => {
    expect(lines(withPoints('      - { asset: hall1/A/A01/pdu, quantity: power }\n'))).toEqual([
      'plenum.yaml: sources[0].points[0].signal: missing; expected a string',
    ]);
  });

  it('bad enum value', () => {
    expect(lines(SITE.replace('x: 1, y: 3,', 'x: 1, y: 3, facing: up,'))).toEqual([
      'plenum.yaml: site.halls[0].rows[1].racks[0].facing: expected one of north, south, east, west; got "up"',
    ]);
    expect(lines(withPoints('      - { asset: hall1/A/A01/pdu, signal: p, quantity: powr }\n'))[0]).toMatch(
      /^plenum\.yaml: sources\[0\]\.points\[0\]\.quantity: expected one of temperature, power, .* \(did you mean "power"\?\); got "powr"$/,
    );
  });

  it('bad slug', () => {
    expect(lines(SITE.replace('id: s1', 'id: "my site"'))).toEqual([
      'plenum.yaml: site.id: expected a slug: letters, digits, "_", "." and "-", not starting with "." or "-"; got "my site"',
    ]);
  });

  it('bad duration and size', () => {
    expect(
      lines(
        `${SITE}\nhistorian: { retention: { 1m: 90 days, 1h: 0s } }\napi: { maxBodyBytes: 1 lb }\n` +
          'sources: [{ name: gen, connector: generator, interval: soon }]\n',
      ),
    ).toEqual([
      'plenum.yaml: historian.retention.1m: expected a duration such as "500ms", "1s", "5m", "1h", "14d", "2w" or a number of milliseconds; got "90 days"',
      'plenum.yaml: historian.retention.1h: expected a duration of at least 1 ms; got 0',
      'plenum.yaml: api.maxBodyBytes: expected a size such as "100kb", "1mb" (1024-based) or a number of bytes; got "1 lb"',
      'plenum.yaml: sources[0].interval: expected a duration such as "500ms", "1s", "5m", "1h", "14d", "2w" or a number of milliseconds; got "soon"',
    ]);
    expect(lines(`${SITE}\nhistorian: { retention: { events: never } }\n`)).toEqual([
      'plenum.yaml: historian.retention.events: expected a duration such as "500ms", "1s", "5m", "1h", "14d", "2w" or a number of milliseconds, or "forever"; got "never"',
    ]);
    expect(lines(`${SITE}\nhistorian: { retention: { events: 0 } }\n`)).toEqual([
      'plenum.yaml: historian.retention.events: expected a duration such as "500ms", "1s", "5m", "1h", "14d", "2w" or a number of milliseconds, or "forever"; got 0',
    ]);
  });

  it('out of range', () => {
    expect(lines(`${SITE}\napi: { port: 70000 }\n`)).toEqual([
      'plenum.yaml: api.port: expected an integer 1–65535; got 70000',
    ]);
    expect(lines(`site: { id: s, halls: [] }\n`)).toEqual([
      'plenum.yaml: site.halls: expected at least 1 item; got a list',
    ]);
  });

  it('bad time zone', () => {
    expect(lines(SITE.replace('id: s1', 'id: s1\n  timezone: Mars/Olympus'))).toEqual([
      'plenum.yaml: site.timezone: expected an IANA time zone such as "UTC" or "Europe/Berlin"; got "Mars/Olympus"',
    ]);
  });

  it('bad unit for the quantity, with the model message', () => {
    const [unknown, other] = lines(
      withPoints(`      - { asset: hall1/A/A01/pdu, signal: t, quantity: temperature, unit: degF2 }
      - { asset: hall1/A/A01/pdu, signal: u, quantity: temperature, unit: kW }
`),
    );
    expect(unknown).toMatch(
      /^plenum\.yaml: sources\[0\]\.points\[0\]\.unit: unknown unit "degF2" for temperature; expected one of .*"°F".*"degF"/,
    );
    expect(other).toMatch(
      /^plenum\.yaml: sources\[0\]\.points\[1\]\.unit: unit "kW" measures power, not temperature.*; expected one of .*"°C"/,
    );
  });

  it('unit conversion on a non-numeric point', () => {
    expect(
      lines(
        withPoints(
          '      - { asset: hall1/A/A01/pdu, signal: t, quantity: temperature, unit: F, valueType: string }\n',
        ),
      ),
    ).toEqual([
      'plenum.yaml: sources[0].points[0].unit: unit "F" converts values but valueType is string; expected no unit or "°C"',
    ]);
  });

  it('missing asset reference, naming the level that does not exist', () => {
    expect(lines(withPoints('      - { asset: hall1/A/A09/pdu, signal: p, quantity: power }\n'))).toEqual([
      'plenum.yaml: sources[0].points[0].asset: "hall1/A/A09/pdu" matches no asset: no rack "A09" in row(s) hall1/A ' +
        '(did you mean "A01"?); expected one of A01, A02',
    ]);
    expect(lines(withPoints('      - { asset: hall2/A/A01/pdu, signal: p, quantity: power }\n'))).toEqual([
      'plenum.yaml: sources[0].points[0].asset: "hall2/A/A01/pdu" matches no asset: no hall "hall2" (did you mean "hall1"?); expected one of hall1',
    ]);
    expect(lines(withPoints('      - { asset: hall1/-/-/crah9, signal: p, quantity: power }\n'))).toEqual([
      'plenum.yaml: sources[0].points[0].asset: "hall1/-/-/crah9" matches no asset: no hall-level asset "crah9" in hall1 ' +
        '(did you mean "crah1"?); expected one of crah1, cdu1',
    ]);
    expect(lines(withPoints('      - { asset: hall1/-/A01/pdu, signal: p, quantity: power }\n'))[0]).toMatch(
      /^plenum\.yaml: sources\[0\]\.points\[0\]\.asset: "hall1\/-\/A01\/pdu": row and rack must both be "-".*; expected "<hall>\/<row>\/<rack>\/<asset>" or "<hall>\/-\/-\/<asset>"$/,
    );
    expect(lines(withPoints('      - { asset: hall1/A01/pdu, signal: p, quantity: power }\n'))[0]).toMatch(
      /^plenum\.yaml: sources\[0\]\.points\[0\]\.asset: expected "<hall>\/<row>\/<rack>\/<asset>" .*; got "hall1\/A01\/pdu"$/,
    );
  });

  it('glob matching nothing', () => {
    expect(lines(withPoints('      - { asset: "hall1/*/*/meter*", signal: p, quantity: power }\n'))).toEqual([
      'plenum.yaml: sources[0].points[0].asset: "hall1/*/*/meter*" matches no asset: no asset "meter*" in the 3 matching rack(s); ' +
        'expected one of pdu, gpu',
    ]);
  });

  it('duplicate ids at every level', () => {
    const text = SITE.replace('{ id: A02, x: 2', '{ id: A01, x: 2')
      .replace('{ id: cdu1, type: cdu }', '{ id: crah1, type: cdu }')
      .replace('- id: B', '- id: A')
      .replace('[{ id: pdu, type: pdu }] }', '[{ id: pdu, type: pdu }, { id: pdu, type: meter }] }');
    expect(lines(text)).toEqual([
      'plenum.yaml: site.halls[0].assets[1].id: duplicate asset id "crah1" in hall "hall1" (first at site.halls[0].assets[0]); expected ids unique within their parent',
      'plenum.yaml: site.halls[0].rows[0].racks[1].id: duplicate rack id "A01" in row "hall1/A" (first at site.halls[0].rows[0].racks[0]); expected ids unique within their parent',
      'plenum.yaml: site.halls[0].rows[1].id: duplicate row id "A" in hall "hall1" (first at site.halls[0].rows[0]); expected ids unique within their parent',
      'plenum.yaml: site.halls[0].rows[1].racks[0].assets[1].id: duplicate asset id "pdu" in rack "hall1/A/B01" (first at site.halls[0].rows[1].racks[0].assets[0]); expected ids unique within their parent',
    ]);
    expect(lines(`site: { id: s, halls: [{ id: h }, { id: h }] }`)).toEqual([
      'plenum.yaml: site.halls[1].id: duplicate hall id "h" in the site (first at site.halls[0]); expected ids unique within their parent',
    ]);
  });

  it('overlapping rack positions, including wide racks', () => {
    expect(lines(SITE.replace('x: 1, y: 3', 'x: 2, y: 1'))).toEqual([
      'plenum.yaml: site.halls[0].rows[1].racks[0]: rack B/B01 (x=2, y=1, 1×1 tiles) overlaps rack A/A02 ' +
        '(site.halls[0].rows[0].racks[1]) on tile x=2, y=1; expected racks of hall "hall1" on distinct floor tiles',
    ]);
    expect(lines(SITE.replace('x: 1, y: 3', 'x: 0, y: 0, w: 2, h: 2'))).toEqual([
      'plenum.yaml: site.halls[0].rows[1].racks[0]: rack B/B01 (x=0, y=0, 2×2 tiles) overlaps rack A/A01 ' +
        '(site.halls[0].rows[0].racks[0]) on tile x=1, y=1; expected racks of hall "hall1" on distinct floor tiles',
    ]);
    // the same tile in two halls is fine
    expect(() =>
      parse(
        'site: { id: s, halls: [{ id: a, rows: [{ id: r, racks: [{ id: k, x: 0, y: 0 }] }] }, { id: b, rows: [{ id: r, racks: [{ id: k, x: 0, y: 0 }] }] }] }',
      ),
    ).not.toThrow();
  });

  it('writable measurement', () => {
    expect(
      lines(withPoints('      - { asset: hall1/-/-/crah1, signal: sp, quantity: temperature, writable: true }\n')),
    ).toEqual([
      'plenum.yaml: sources[0].points[0].writable: writable: true with kind measurement; expected kind setpoint or command, or writable: false',
    ]);
    expect(() =>
      parse(
        withPoints(
          '      - { asset: hall1/-/-/crah1, signal: sp, quantity: temperature, kind: setpoint, writable: true }\n',
        ),
      ),
    ).not.toThrow();
  });

  it('limits the wrong way round', () => {
    expect(
      lines(withPoints('      - { asset: hall1/A/A01/pdu, signal: p, quantity: power, min: 10, max: 5 }\n')),
    ).toEqual(['plenum.yaml: sources[0].points[0].min: min 10 is above max 5; expected min ≤ max']);
  });

  it('unknown placeholder and stray braces', () => {
    const [a, b] = lines(
      withPoints(`      - { asset: hall1/A/A01/pdu, signal: p, quantity: power, address: "unit={unit}" }
      - { asset: hall1/A/A02/pdu, signal: p, quantity: power, name: "x}" }
`),
    );
    expect(a).toBe(
      'plenum.yaml: sources[0].points[0].address: unknown placeholder {unit}; expected one of {site} {hall} {row} {rack} {asset} {signal} {n} (write {{ and }} for literal braces)',
    );
    expect(b).toBe('plenum.yaml: sources[0].points[1].name: stray "}" at character 2; write }} for a literal brace');
  });

  it('duplicate point ids across sources, and duplicate source names', () => {
    const text = withPoints('      - { asset: "hall1/A/*/pdu", signal: power, quantity: power }\n')
      .concat(`  - name: gen
    connector: modbus
    points:
      - { asset: "hall1/*/*/pdu", signal: power, quantity: power }
`);
    expect(lines(text)).toEqual([
      'plenum.yaml: sources[1].name: duplicate source name "gen" (first at sources[0]); expected unique names',
      'plenum.yaml: sources[1].points[0]: point id "s1/hall1/A/A01/pdu/power" is already defined by sources[0].points[0] ' +
        '(and 1 more ids of this template); expected point ids unique across all sources',
    ]);
  });

  it('connector not in the given list', () => {
    expect(lines(`${SITE}\nsources: [{ name: gen, connector: modbs }]\n`)).toEqual([
      'plenum.yaml: sources[0].connector: unknown connector "modbs" (did you mean "modbus"?); expected one of generator, modbus, opcua',
    ]);
    // without a list any slug is accepted (the connectors check it later)
    expect(() =>
      parse(`${SITE}\nsources: [{ name: gen, connector: modbs }]\n`, { connectors: undefined }),
    ).not.toThrow();
  });

  it('YAML syntax error with line and column', () => {
    const e = configError('site:\n  id: s1\n  halls: [ { id: h1 }\n  x: 1\n');
    expect(e.message).toMatch(/^plenum\.yaml:\d+:\d+: YAML syntax error: /);
    expect(e.issues[0]).toMatchObject({ origin: 'file', path: '', line: expect.any(Number), col: expect.any(Number) });
    expect(lines('site:\n  id: a\n  id: b\n')).toEqual(['plenum.yaml:3:3: YAML syntax error: Map keys must be unique']);
  });

  it('an empty file', () => {
    expect(lines('')).toEqual([
      'plenum.yaml: the file is empty; expected a mapping with site (required), historian, api, sources',
    ]);
    expect(lines('- a\n')).toEqual(['plenum.yaml: expected a mapping; got a list']);
  });

  it('a file that cannot be read', () => {
    expect(() => loadConfig('/nonexistent/plenum.yaml')).toThrow(
      /^\/nonexistent\/plenum\.yaml: cannot read the config file \(ENOENT/,
    );
  });
});

describe('all problems at once', () => {
  const text = `
site:
  id: s1
  halls:
    - id: hall1
      assets: [{ id: crah1, type: crahh }]
      rows:
        - id: A
          racks:
            - { id: A01, x: 1, y: 1, facing: up, assets: [{ id: pdu, type: pdu }] }
            - { id: A02, x: 1, y: 1, assets: [{ id: pdu, type: pdu }] }
api: { port: 0 }
sources:
  - name: gen
    connector: generator
    interval: soon
    points:
      - { asset: hall1/A/A02/pdu, signal: p, quantity: temperature, unit: degF2 }
      - { asset: hall1/A/A02/pdu, signal: q, quantity: power, writable: true }
      - { asset: hall1/A/A02/pdu, signal: r, quantity: power, colour: red }
`;

  it('reports every problem, in file order, each with its line', () => {
    const e = configError(text, { env: { PLENUM_PORT: 'x' } });
    expect(e.issues.map((i) => i.path)).toEqual([
      'site.halls[0].assets[0].type',
      'site.halls[0].rows[0].racks[0].facing',
      'api.port',
      'sources[0].interval',
      'sources[0].points[0].unit',
      'sources[0].points[1].writable',
      'sources[0].points[2].colour',
      'PLENUM_PORT',
    ]);
    expect(e.issues.slice(0, -1).map((i) => i.line)).toEqual([6, 10, 12, 16, 18, 19, 20]);
    expect(e.message.split('\n')).toHaveLength(e.issues.length);
    expect(e.message.split('\n').every((l) => l.startsWith('plenum.yaml: '))).toBe(true);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ConfigError');
    expect(e).toBeInstanceOf(PlenumError);
    expect(e.origin).toBe('config');
  });

  it('checks the valid racks even when another rack is invalid', () => {
    // A01 is invalid (facing), so its overlap with A02 cannot be judged; with a valid A01 it is
    const e = configError(text.replace('facing: up, ', ''));
    expect(e.issues.map((i) => i.path)).toContain('site.halls[0].rows[0].racks[1]');
  });
});

describe('environment variables in the config text', () => {
  const withPort = `${SITE}\napi: { port: \${TEST_PORT:-8123}, host: '\${TEST_HOST}' }\n`;

  it('replaces ${NAME} and ${NAME:-default}, keeping numbers numbers', () => {
    expect(parseConfig(withPort, 'plenum.yaml', { env: { TEST_HOST: '127.0.0.2' } }).api).toMatchObject({
      host: '127.0.0.2',
      port: 8123,
    });
    expect(parseConfig(withPort, 'plenum.yaml', { env: { TEST_HOST: '127.0.0.2', TEST_PORT: '9000' } }).api.port).toBe(
      9000,
    );
  });

  it('names an unset variable without a default and its line', () => {
    expect(lines(withPort, { env: {} })).toEqual([
      expect.stringMatching(
        /^plenum\.yaml: environment variable TEST_HOST: is not set and \$\{TEST_HOST\} at line \d+ has no default/,
      ),
    ]);
  });

  it('leaves comments alone: a commented-out ${SECRET} does not make the file fail', () => {
    const commented = `${SITE}\n# password: \${BMC_PASSWORD}\napi: { port: 8123, host: '# \${TEST_HOST}' } # or \${OTHER}\n`;
    // inside the quotes the # is text, so that ${TEST_HOST} is expanded; the two comments are not
    expect(parseConfig(commented, 'plenum.yaml', { env: { TEST_HOST: 'h' } }).api.host).toBe('# h');
    expect(lines(commented, { env: {} })).toEqual([
      expect.stringMatching(/^plenum\.yaml: environment variable TEST_HOST: is not set/),
    ]);
  });
});

describe('writeAddress', () => {
  const site = `site:\n  id: s\n  halls:\n    - id: h\n      assets: [{ id: crah1, type: crah }]\n`;
  const source = (point: string) =>
    `${site}sources:\n  - name: ua\n    connector: opcua\n    points:\n      - { asset: h/-/-/crah1, signal: sp, quantity: temperature, ${point} }\n`;

  it('keeps a write address beside the read address, with placeholders expanded', () => {
    const cfg = parseConfig(
      source('kind: setpoint, writable: true, address: "s={asset}.sp_pv", writeAddress: "s={asset}.sp"'),
      'p.yaml',
      { connectors: CONNECTOR_NAMES, env: {} },
    );
    expect(cfg.points[0]?.source).toEqual({
      connector: 'opcua',
      source: 'ua',
      address: 's=crah1.sp_pv',
      writeAddress: 's=crah1.sp',
    });
  });

  it('refuses a write address on a point that is not writable', () => {
    expect(() =>
      parseConfig(source('address: "s=a", writeAddress: "s=b"'), 'p.yaml', { connectors: CONNECTOR_NAMES, env: {} }),
    ).toThrow(
      'p.yaml: sources[0].points[0].writeAddress: writeAddress on a point that is not writable; expected writable: true, or no writeAddress',
    );
  });
});
