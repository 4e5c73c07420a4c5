/**
 * `npm start -- --cooling bacnet`: plenum.yaml's CRAH and plant points moved to a bacnet source that reads the
 * twin's BACnet face. Loaded by the real config loader, planned by the connector, and read once from a SimRunner
 * serving BACnet on a free port: every point the OPC UA source served arrives with the model's value.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, parseConfig } from '../../config/load';
import { CONNECTOR_NAMES } from '../../connectors/all';
import { bacnet } from '../../connectors/bacnet';
import type { BacnetConnector } from '../../connectors/bacnet/bacnet';
import { freeUdpPort } from '../../connectors/bacnet/testkit';
import { parseSourceOptions } from '../../connectors/common/options';
import type { SourceSample } from '../../connectors/types';
import { startSimulation, type SimRunner } from '../runner';
import { coolingOverBacnet, twinAddress } from './cooling-config';

const REPO = path.resolve(__dirname, '../../../..');
const PLENUM_YAML = path.join(REPO, 'plenum.yaml');

describe('cooling over BACnet', () => {
  it('moves the CRAH and plant points, keeps every point id, and the rest of the config as it was', () => {
    const original = loadConfig(PLENUM_YAML, { connectors: CONNECTOR_NAMES, env: {} });
    const text = coolingOverBacnet(fs.readFileSync(PLENUM_YAML, 'utf8'), PLENUM_YAML, { port: 47808 });
    const moved = parseConfig(text, 'cooling-bacnet.yaml', { connectors: CONNECTOR_NAMES, env: {} });
    const ids = (c: typeof original) => c.sources.flatMap((s) => s.points.map((p) => p.id)).sort();
    expect(ids(moved)).toEqual(ids(original));
    const b = moved.sources.find((s) => s.name === 'cooling-bacnet')!;
    expect(b.points.every((p) => /\/(crah\d+|plant1)\//.test(p.id))).toBe(true);
    expect(b.points.length).toBeGreaterThan(60);
    expect(moved.sources.find((s) => s.name === 'cooling')!.points.some((p) => /\/(crah\d+|plant1)\//.test(p.id))).toBe(
      false,
    );
    expect(moved.historian.dataDir).toBe(original.historian.dataDir);
    expect(twinAddress('crah', 'supply_setpoint')).toBe('object=analog-value:{n}03');
    expect(twinAddress('crah', 'fan_override')).toBe('object=analog-output:{n}11');
    expect(twinAddress('plant', 'chw_setpoint')).toBe('object=analog-value:9003');
    expect(twinAddress('crah', 'nope')).toBeUndefined();
  });

  describe('read from the twin', () => {
    let sim: SimRunner;
    beforeAll(async () => {
      // a stopped clock: the model's values stay those of the moment the connector reads (a slow read on a busy
      // machine otherwise compares against a model that moved on)
      const frozen = Date.now();
      sim = await startSimulation({
        wallClock: () => frozen,
        modbusPort: null,
        dcgmPort: null,
        controlPort: null,
        bacnetPort: 0,
        speed: 1,
        jobSchedule: 'none',
        log: () => undefined,
      });
    });
    afterAll(() => sim.stop());

    it('every BACnet point reads the model’s value, good', async () => {
      const port = sim.ports().bacnet!;
      const text = coolingOverBacnet(fs.readFileSync(PLENUM_YAML, 'utf8'), PLENUM_YAML, {
        port,
        localPort: await freeUdpPort(),
      });
      const config = parseConfig(text, 'cooling-bacnet.yaml', { connectors: CONNECTOR_NAMES, env: {} });
      const i = config.sources.findIndex((s) => s.name === 'cooling-bacnet');
      const parsed = parseSourceOptions(bacnet.options, config.sources[i]!, i);
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      const c = bacnet.init({ ...config.sources[i]!, options: parsed.options }) as BacnetConnector;
      const samples: SourceSample[] = [];
      try {
        await c.gather(async (s) => void samples.push(...s));
      } finally {
        await c.close();
      }
      expect(samples).toHaveLength(config.sources[i]!.points.length);
      for (const s of samples) {
        expect(s.quality).toBe('good');
        const r = sim.model.reading(s.pointId);
        // an override the BMS's loop is in charge of reads the loop's command; floats are float32 on the wire
        if (r.value !== null) expect(s.value as number).toBeCloseTo(r.value, 1);
      }
    });
  });
});
