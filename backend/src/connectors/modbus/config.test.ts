import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../config/load';
import { formatIssues } from '../../common/zod-issues';
import { modbusOptions } from './config';
import { modbus } from './index';
import type { ModbusConnector } from './modbus';

/** Lines as plenum.ts prints them for source 0 named "pdus". */
function problems(options: unknown): string[] {
  const r = modbusOptions.safeParse(options);
  if (r.success) return [];
  return formatIssues(r.error.issues, ['sources', 0, 'options']).map((m) => `${m} (source "pdus")`);
}

describe('modbus options', () => {
  it('fills every default', () => {
    expect(modbusOptions.parse({ host: '10.0.0.5' })).toEqual({
      transport: 'tcp',
      host: '10.0.0.5',
      port: 502,
      baudRate: 9600,
      parity: 'none',
      dataBits: 8,
      stopBits: 1,
      timeoutMs: 1000,
      connectTimeoutMs: 3000,
      retries: 1,
      pauseMs: 0,
      maxGap: 10,
      maxRegistersPerRead: 125,
      maxBitsPerRead: 2000,
      defaultByteOrder: 'ABCD',
      writeFunctions: 'single',
      devices: [],
    });
  });

  it('takes writeFunctions per source and per device, and names a wrong one', () => {
    const o = modbusOptions.parse({
      host: 'gw',
      writeFunctions: 'multiple',
      devices: [{ name: 'plc', unitId: 4, writeFunctions: 'single' }],
    });
    expect([o.writeFunctions, o.devices[0]?.writeFunctions]).toEqual(['multiple', 'single']);
    expect(problems({ host: 'gw', writeFunctions: 'fc16' })).toEqual([
      'sources[0].options.writeFunctions: writeFunctions: expected single or multiple (multiple: the device takes only FC15/FC16) (source "pdus")',
    ]);
  });

  it('names the field and what is expected', () => {
    expect(problems({ host: 'gw', retries: -1 })).toEqual([
      'sources[0].options.retries: retries cannot be negative; expected a whole number of retries 0–10 (source "pdus")',
    ]);
    expect(problems({ host: 'gw', maxRegistersPerRead: 200, timeoutMs: '1s', defaultByteOrder: 'CDBA' })).toEqual([
      'sources[0].options.timeoutMs: timeoutMs: expected a whole number of milliseconds 1–60000 (source "pdus")',
      'sources[0].options.maxRegistersPerRead: maxRegistersPerRead is too large; expected a whole number 1–125 (source "pdus")',
      'sources[0].options.defaultByteOrder: defaultByteOrder: expected one of ABCD, CDAB, BADC, DCBA (source "pdus")',
    ]);
    expect(problems({ host: 'gw', tiemoutMs: 5 })).toEqual([
      'sources[0].options.tiemoutMs: unknown field (source "pdus")',
    ]);
    expect(modbusOptions.safeParse({ host: 'gw', tiemoutMs: 5 }).error?.issues[0]?.message).toContain(
      'unknown key "tiemoutMs" (did you mean "timeoutMs"?)',
    );
  });

  it('asks for host or path by transport', () => {
    expect(problems({})).toEqual([
      'sources[0].options.host: host is required with transport tcp; expected a host name or IP address (source "pdus")',
    ]);
    expect(problems({ transport: 'rtu' })).toEqual([
      'sources[0].options.path: path is required with transport rtu; expected a serial device such as /dev/ttyUSB0 (source "pdus")',
    ]);
    expect(problems({ transport: 'rtu-over-tcp', host: 'gw', path: '/dev/ttyS0' })).toEqual([
      'sources[0].options.path: path applies to transport rtu only; expected no path with transport rtu-over-tcp (or transport: rtu) (source "pdus")',
    ]);
    expect(problems({ transport: 'rtu', path: '/dev/ttyUSB0', parity: 'even', baudRate: 19200 })).toEqual([]);
    expect(problems({ transport: 'serial', host: 'gw' })).toEqual([
      'sources[0].options.transport: transport: expected one of tcp, rtu-over-tcp, rtu (source "pdus")',
    ]);
  });

  it('checks devices: unit ids, unique names and units', () => {
    expect(
      problems({
        host: 'gw',
        devices: [
          { name: 'pdu-a', unitId: 1 },
          { name: 'pdu-a', unitId: 2 },
          { name: 'pdu-c', unitId: 1, timeoutMs: -5 },
          { name: 'pdu-d', unitId: 0 },
        ],
      }),
    ).toEqual([
      'sources[0].options.devices[2].timeoutMs: timeoutMs is too small; expected a whole number of milliseconds 1–60000 (source "pdus")',
      'sources[0].options.devices[3].unitId: unitId: expected a unit id 1–247 (or 255 for a Modbus TCP device addressed directly) (source "pdus")',
      'sources[0].options.devices[1].name: duplicate device name "pdu-a" (first at devices[0]); expected unique names (source "pdus")',
      'sources[0].options.devices[2].unitId: unit id 1 of device "pdu-c" is already used by devices[0]; expected one device per unit id (source "pdus")',
    ]);
    expect(
      problems({
        host: 'gw',
        devices: [
          { name: 'pdu-a', unitId: 1 },
          { name: 'pdu-a', unitId: 2 },
          { name: 'pdu-c', unitId: 1 },
        ],
      }),
    ).toEqual([
      'sources[0].options.devices[1].name: duplicate device name "pdu-a" (first at devices[0]); expected unique names (source "pdus")',
      'sources[0].options.devices[2].unitId: unit id 1 of device "pdu-c" is already used by devices[0]; expected one device per unit id (source "pdus")',
    ]);
  });
});

describe('sample.yaml', () => {
  it('validates, and plans the README register map into two requests', () => {
    const site = [
      'site:',
      '  id: s',
      '  halls:',
      '    - id: hall1',
      '      assets: [{ id: meter1, type: meter }]',
      '      rows:',
      '        - id: A',
      '          racks:',
      ...['A01', 'A02', 'A03'].map(
        (r, x) => `            - { id: ${r}, x: ${x}, y: 0, assets: [{ id: pdu, type: pdu }] }`,
      ),
    ].join('\n');
    const sample = fs.readFileSync(path.join(__dirname, 'sample.yaml'), 'utf8');
    const config = parseConfig(`${site}\n${sample}`, 'sample.yaml', { connectors: ['modbus'] });
    const connectors = config.sources.map(
      (s) => modbus.init({ ...s, options: modbusOptions.parse(s.options) }) as ModbusConnector,
    );
    // pdus: units 1 and 2 read hr 40; unit 3 joins it to its map (hr 0–41) and reads coil 0. meters: ir 52 and ir 342
    expect(connectors.map((c) => c.reads.length)).toEqual([4, 2]);
    const pdus = config.sources[0]!;
    const mapOnly = modbus.init({
      ...pdus,
      options: modbusOptions.parse(pdus.options),
      points: pdus.points.filter((p) => p.source.address.startsWith('device=pdu-a')),
    }) as ModbusConnector;
    expect(mapOnly.reads).toEqual([
      { unitId: 3, table: 'hr', start: 0, count: 38 },
      { unitId: 3, table: 'coil', start: 0, count: 1 },
    ]);
  });
});
