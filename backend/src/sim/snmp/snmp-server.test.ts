/**
 * The twin's SNMP face end to end: plenum.yaml's PDU points moved to an snmp source (pdus-config.ts) and read by
 * the real snmp connector with its shipped apc-rpdu2 profile from a SimRunner serving the PDUs over SNMP and Modbus
 * on free ports, at one model time: every value equals the twin's ground truth (model.pdus()) and what the
 * Modbus connector reads from plenum.yaml's own pdus source, within rPDU2's resolution. Debian's snmpbulkwalk
 * walks one PDU's device, phase and outlet tables as an independent client; snmpset is refused (read-only), another
 * community gets no answer; an offline PDU is silent (bad, 0x100, named); no UDP socket or timer is left.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseConfig } from '../../config/load';
import { CONNECTOR_NAMES } from '../../connectors/all';
import { parseSourceOptions } from '../../connectors/common/options';
import { modbus } from '../../connectors/modbus';
import { snmp } from '../../connectors/snmp';
import { SNMP_STATUS } from '../../connectors/snmp/decode';
import { expectNoUdpLeaks } from '../../connectors/snmp/testkit';
import type { ConnectorDefinition, PolledConnector, SourceSample } from '../../connectors/types';
import { activeHandles } from '../../testing/handles';
import { startSimulation, type SimRunner } from '../runner';
import { pdusOverSnmp } from './pdus-config';
import { RPDU2 } from './rpdu2';
import { gatherAll } from '../../testing/gather';

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '../../../..');
const PLENUM_YAML = path.join(REPO, 'plenum.yaml');

jest.setTimeout(60_000);

/** One gather of the config's source `name`; its samples and error. */
async function gather(
  text: string,
  name: string,
  env: Record<string, string>,
): Promise<{ samples: SourceSample[]; error?: string }> {
  const config = parseConfig(text, 'test.yaml', { connectors: CONNECTOR_NAMES, env });
  const i = config.sources.findIndex((s) => s.name === name);
  const source = config.sources[i]!;
  const def = (source.connector === 'snmp' ? snmp : modbus) as ConnectorDefinition<unknown>;
  const parsed = parseSourceOptions(def.options, source, i);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const c = def.init({ ...source, options: parsed.options }) as PolledConnector;
  try {
    return await gatherAll(c);
  } finally {
    await c.close();
  }
}

it('npm start -- --pdus snmp: plenum.yaml’s pdus source over SNMP, agents on 16101…16140, same point ids', () => {
  const text = fs.readFileSync(PLENUM_YAML, 'utf8');
  const original = parseConfig(text, 'plenum.yaml', { connectors: CONNECTOR_NAMES, env: {} });
  const moved = parseConfig(pdusOverSnmp(text, PLENUM_YAML, { port: 16101 }), 'pdus-snmp.yaml', {
    connectors: CONNECTOR_NAMES,
    env: {},
  });
  const ids = (c: typeof original) => c.sources.flatMap((s) => s.points.map((p) => p.id)).sort();
  expect(ids(moved)).toEqual(ids(original));
  const i = moved.sources.findIndex((s) => s.name === 'pdus');
  expect(moved.sources[i]!.connector).toBe('snmp');
  const parsed = parseSourceOptions(snmp.options, moved.sources[i]!, i);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const agents = (parsed.options as { agents: Array<{ name: string; port: number }> }).agents;
  expect(agents).toHaveLength(40);
  expect([agents[0]!, agents[39]!].map((a) => [a.name, a.port])).toEqual([
    ['pdu-A01', 16101],
    ['pdu-D10', 16140],
  ]);
  // init checks every address against the profile (objects, units) without I/O
  expect(() => snmp.init({ ...moved.sources[i]!, options: parsed.options })).not.toThrow();
  expect(() => pdusOverSnmp('sources: []\n', 'x.yaml', { port: 1 })).toThrow(/x.yaml: no source named "pdus"/);
});

describe('the twin’s PDUs over SNMP (rPDU2)', () => {
  let sim: SimRunner;
  let before: Record<string, number>;
  const yaml = fs.readFileSync(PLENUM_YAML, 'utf8');
  let snmpYaml: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    before = activeHandles();
    sim = await startSimulation({
      modbusPort: 0,
      snmpPort: 0,
      dcgmPort: null,
      controlPort: null,
      jobSchedule: 'none',
      // no tick of its own during the test: the model moves only by sim.tick(), so both faces show one instant
      tickMs: 3_600_000,
      log: () => undefined,
    });
    sim.model.addJob({ racks: ['A01', 'A02', 'B03'], expectedKwPerRack: 104, durationMs: 3_600_000, rampMs: 1000 });
    sim.model.advanceTo(sim.model.now() + 120_000);
    snmpYaml = pdusOverSnmp(yaml, PLENUM_YAML, { port: 0, ports: sim.snmpPorts() });
    env = { SIM_MODBUS_PORT: String(sim.ports().modbus) };
  });
  afterAll(async () => {
    await sim?.stop();
    await expectNoUdpLeaks(before, 3000);
  });

  it('serves 40 agents on their own ports; every PDU point equals the ground truth and the Modbus face', async () => {
    const ports = sim.snmpPorts();
    expect(Object.keys(ports)).toHaveLength(40);
    expect(new Set(Object.values(ports)).size).toBe(40);
    expect(sim.ports().snmp).toBe(ports.A01);
    for (let round = 0; round < 2; round++) {
      const [s, m] = await Promise.all([gather(snmpYaml, 'pdus', env), gather(yaml, 'pdus', env)]);
      expect(s.error).toBeUndefined();
      expect(m.error).toBeUndefined();
      expect(s.samples).toHaveLength(160);
      expect(m.samples).toHaveLength(160);
      const truth = new Map(sim.model.pdus().map((p) => [p.assetPath, p]));
      const modbusBy = new Map(m.samples.map((x) => [x.pointId, x.value as number]));
      let busy = 0;
      for (const x of s.samples) {
        expect(x.quality).toBe('good');
        const signal = x.pointId.slice(x.pointId.lastIndexOf('/') + 1);
        const p = truth.get(x.pointId.slice(0, x.pointId.lastIndexOf('/')))!;
        const v = x.value as number;
        const mb = modbusBy.get(x.pointId)!;
        // rPDU2's resolution: hundredths of kW, tenths of kWh and of A, whole volts (half a step either way);
        // Modbus: float32 kW, V, A and whole Wh
        if (signal === 'power') {
          expect(Math.abs(v - p.powerKw)).toBeLessThanOrEqual(0.005 + 1e-9);
          expect(Math.abs(v - mb)).toBeLessThanOrEqual(0.005 + 1e-4);
          if (p.powerKw > 50) busy++;
        } else if (signal === 'energy') {
          // the snmp point is in kWh, plenum.yaml's Modbus point in Wh (uint32 counter)
          expect(Math.abs(v - p.energyKwh)).toBeLessThanOrEqual(0.05 + 1e-9);
          expect(Math.abs(v * 1000 - mb)).toBeLessThanOrEqual(50 + 0.5);
        } else if (signal === 'voltage') {
          expect(Math.abs(v - p.voltageV)).toBeLessThanOrEqual(0.5);
          expect(Math.abs(v - mb)).toBeLessThanOrEqual(0.5 + 1e-4);
        } else if (signal === 'current') {
          expect(Math.abs(v - p.currentA)).toBeLessThanOrEqual(0.05 + 1e-9);
          expect(Math.abs(v - mb)).toBeLessThanOrEqual(0.05 + 1e-4);
        } else throw new Error(`unexpected point ${x.pointId}`);
      }
      // the job's three racks draw ~104 kW, the others idle (8 kW): the values are the racks' own
      expect(busy).toBe(3 + round);
      // a later instant: new values, still the same on both faces
      sim.model.addJob({ racks: ['C05'], expectedKwPerRack: 90, durationMs: 3_600_000, rampMs: 1000 });
      sim.model.advanceTo(sim.model.now() + 60_000);
      sim.tick();
    }
  });

  it('walks with Debian snmpbulkwalk as rPDU2 has it; snmpset is refused', async () => {
    const port = sim.snmpPorts().A02!;
    const p = sim.model.pdus().find((x) => x.rack === 'A02')!;
    const walk = async (oid: string) =>
      (await run('snmpbulkwalk', ['-v2c', '-c', 'public', '-On', '-Oq', `127.0.0.1:${port}`, oid])).stdout
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)] as [string, string]);
    const device = new Map(await walk(`${RPDU2}.4.3.1`));
    expect(device.get(`.${RPDU2}.4.3.1.3.1`)).toBe('"A02 PDU"');
    expect(Number(device.get(`.${RPDU2}.4.3.1.5.1`))).toBe(Math.round(p.powerKw * 100));
    expect(Number(device.get(`.${RPDU2}.4.3.1.9.1`))).toBe(Math.round(p.energyKwh * 10));
    expect(Number(device.get(`.${RPDU2}.4.3.1.17.1`))).toBe(98);
    const phase = await walk(`${RPDU2}.6.3.1.5`);
    expect(phase).toEqual([1, 2, 3].map((i) => [`.${RPDU2}.6.3.1.5.${i}`, String(Math.round(p.currentA * 10))]));
    // outlets: 10 servers and the switches; their power adds up to the device's
    const outletW = await walk(`${RPDU2}.9.4.3.1.7`);
    expect(outletW).toHaveLength(11);
    const sum = outletW.reduce((n, [, v]) => n + Number(v), 0);
    expect(Math.abs(sum - p.powerKw * 1000)).toBeLessThanOrEqual(11);
    const name = await walk('1.3.6.1.2.1.1.5');
    expect(name).toEqual([['.1.3.6.1.2.1.1.5.0', '"a02-pdu"']]);
    const set = await run('snmpset', [
      '-v2c',
      '-c',
      'public',
      `127.0.0.1:${port}`,
      `${RPDU2}.4.3.1.3.1`,
      's',
      'x',
    ]).then(
      () => '',
      (e: { stderr: string }) => e.stderr,
    );
    expect(set).toMatch(/notWritable/);
    // another community is dropped, as agents do: the client times out
    const wrong = await run('snmpget', [
      '-v2c',
      '-c',
      'private',
      '-t',
      '0.3',
      '-r',
      '0',
      `127.0.0.1:${port}`,
      '1.3.6.1.2.1.1.5.0',
    ]).then(
      () => '',
      (e: { stderr: string }) => e.stderr,
    );
    expect(wrong).toMatch(/Timeout/);
  });

  it('an offline PDU is silent: its points bad with a named timeout, the others good; back when it is back', async () => {
    const fault = sim.model.injectFault({ type: 'device_offline', target: 'A03/pdu' });
    sim.tick();
    const fast = snmpYaml.replace('timeoutMs: 1000', 'timeoutMs: 300');
    let r = await gather(fast, 'pdus', env);
    const bad = r.samples.filter((x) => x.quality === 'bad');
    expect(bad.map((x) => x.pointId).sort()).toEqual(
      ['current', 'energy', 'power', 'voltage'].map((s) => `sim/hall1/A/A03/pdu/${s}`),
    );
    expect(bad.every((x) => x.rawStatus === SNMP_STATUS.timeout)).toBe(true);
    expect(r.error).toContain(`agent "pdu-A03" (127.0.0.1:${sim.snmpPorts().A03} v2c): no answer`);
    sim.model.clearFault(fault.id);
    sim.tick();
    r = await gather(fast, 'pdus', env);
    expect(r.error).toBeUndefined();
    expect(r.samples.every((x) => x.quality === 'good')).toBe(true);
  });
});
