import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Point } from '@plenum/model';
import { parse, stringify } from 'yaml';
import {
  bearer,
  json,
  latestSample,
  pointTrace,
  twinReadings,
  twinValue,
  twinWrites,
  type TraceEntry,
} from '../testing/e2e-http';
import { startBackend, startTwin, type Proc, type TwinPorts } from '../testing/processes';
import { waitFor } from '../testing/stack';

/**
 * Automation end to end over Modbus TCP: the twin's chilled-water plant controller (unit 100) serves the
 * chilled-water setpoint in its input and holding tables (plant-registers.ts); a site config built from
 * plenum.yaml reads it from input register 17 and writes it to holding register 17 (`writeAddress`, int16 in
 * tenths) instead of over OPC UA. Every write goes through the guard (POST /api/automation/write, operate token);
 * the test observes the plant only through the twin's control API (readings, ground truth).
 */

const ROOT = path.resolve(__dirname, '../../..');
const SAMPLE = path.join(ROOT, 'plenum.yaml');
const POINT = 'sim/hall1/-/-/plant1/chw_setpoint';
const READ = 'e2e-read-token';
const OPERATE = 'e2e-operate-token';

interface SourceYaml {
  name: string;
  connector: string;
  options: Record<string, unknown>;
  points: Array<Record<string, unknown>>;
}
interface ConfigYaml {
  sources: SourceYaml[];
  automation: {
    points: Array<{ ids: string[]; min?: number; max?: number }>;
    rules: Array<{ id: string; mode: string }>;
  };
}

/**
 * plenum.yaml with the chilled-water setpoint moved from the OPC UA source to a Modbus one on unit 100 and every
 * rule in observe, so that only the operator writes; the guard's limits for the point stay plenum.yaml's.
 */
function modbusConfig(ports: TwinPorts): { yaml: string; limits: { min: number; max: number } } {
  const c = parse(fs.readFileSync(SAMPLE, 'utf8')) as ConfigYaml;
  const cooling = c.sources.find((s) => s.name === 'cooling')!;
  const before = cooling.points.length;
  cooling.points = cooling.points.filter((p) => !(p.asset === 'hall1/-/-/plant1' && p.signal === 'chw_setpoint'));
  if (cooling.points.length !== before - 1) throw new Error('plenum.yaml: no OPC UA chw_setpoint point to move');
  // ${SIM_MODBUS_PORT:-5020} would come back quoted (a string) from stringify: the ports as numbers instead
  for (const s of c.sources) if (s.connector === 'modbus') s.options.port = ports.modbus;
  c.sources.push({
    name: 'plant',
    connector: 'modbus',
    options: { host: '127.0.0.1', port: ports.modbus, timeoutMs: 1000 },
    points: [
      {
        asset: 'hall1/-/-/plant1',
        signal: 'chw_setpoint',
        name: 'Chilled water supply temperature setpoint (plant controller, Modbus)',
        quantity: 'temperature',
        unit: '°C',
        kind: 'setpoint',
        writable: true,
        tags: ['chilled', 'water', 'supply', 'temp', 'sp'],
        min: 6,
        max: 20,
        address: 'unit=100;ir=17;int16;scale=0.1',
        writeAddress: 'unit=100;hr=17;int16;scale=0.1',
      },
    ],
  });
  (c.sources.at(-1) as SourceYaml & { interval: string }).interval = '1s';
  for (const r of c.automation.rules) r.mode = 'observe';
  const limits = c.automation.points.find((p) => p.ids.includes(POINT));
  if (limits?.min === undefined || limits.max === undefined)
    throw new Error(`plenum.yaml: automation.points has no bounds for ${POINT}`);
  return { yaml: stringify(c), limits: { min: limits.min, max: limits.max } };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('automation over Modbus TCP (the twin plant controller, unit 100)', () => {
  let dir: string;
  const procs: Proc[] = [];

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-e2e-modbus-'))));
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes through the guard, reads back, traces, refuses out of bounds, and restores on release and on lease expiry', async () => {
    const twin = await startTwin(SAMPLE, path.join(dir, 'sim'), ['--no-jobs']);
    procs.push(twin);
    const { yaml, limits } = modbusConfig(twin.ports);
    const config = path.join(dir, 'plenum.yaml');
    fs.writeFileSync(config, yaml);
    const backend = await startBackend(config, twin.ports, path.join(dir, 'data'), {
      PLENUM_API_TOKEN: READ,
      PLENUM_OPERATE_TOKEN: OPERATE,
    });
    procs.push(backend);
    const control = twin.controlUrl;
    const write = (value: number | null, extra: Record<string, unknown> = {}) =>
      json<Record<string, unknown>>(`${backend.url}/api/automation/write`, {
        method: 'POST',
        headers: bearer(OPERATE),
        body: JSON.stringify({ pointId: POINT, value, reason: 'e2e over Modbus', ...extra }),
      });
    try {
      // the point is the Modbus source's now, with its write address
      const points = (
        await json<{ points: Point[] }>(`${backend.url}/api/points?pageSize=1000`, { headers: bearer(READ) })
      ).body.points;
      expect(points.find((p) => p.id === POINT)?.source).toMatchObject({
        connector: 'modbus',
        source: 'plant',
        address: 'unit=100;ir=17;int16;scale=0.1',
      });
      const bmsValue = (await twinValue(control, POINT)) as number;
      expect(bmsValue).toBe(12); // the twin's plant default (params.ts)
      await waitFor('the guard heartbeat at the twin and a good Modbus reading in the backend', async () => {
        const bms = await twinReadings(control, 'sim/hall1/-/-/bms/');
        const l = await latestSample(backend.url, READ, POINT);
        return bms['sim/hall1/-/-/bms/supervisor_status']?.value === 1 && l?.quality === 'good' && l.value === bmsValue
          ? l
          : undefined;
      });

      // 1. a write through the guard: FC6 to hr 17, read back, verified
      const t0 = Date.now();
      const w = await write(bmsValue - 1);
      expect(w.status).toBe(200);
      expect(w.body).toMatchObject({
        verdict: { allow: true },
        from: bmsValue,
        readBack: bmsValue - 1,
        verified: true,
      });
      // the twin: its plant controller holds the value, written over Modbus by unit 100's client, leased by the BMS
      expect(await twinValue(control, POINT)).toBe(bmsValue - 1);
      expect(await twinWrites(control, POINT)).toEqual([
        expect.objectContaining({ by: 'modbus:unit100', from: bmsValue, to: bmsValue - 1 }),
      ]);
      expect((await twinReadings(control, 'sim/hall1/-/-/bms/'))['sim/hall1/-/-/bms/leased_points']?.value).toBe(1);
      // the trace: the verdict before the write, then the write with its read-back
      const trace = await pointTrace(backend.url, READ, POINT, t0);
      expect(trace.map((e) => e.kind)).toEqual(['verdict', 'write']);
      expect(trace[0]!.data).toMatchObject({
        verdict: { allow: true },
        from: bmsValue,
        intent: { value: bmsValue - 1 },
      });
      expect(trace[1]!.data).toMatchObject({ value: bmsValue - 1, readBack: bmsValue - 1, verified: true });
      expect(trace[1]!.actor).toBe('operator:operate');
      // the automation event, with the operator and the change
      const event = await waitFor('the automation event of the write', async () => {
        const e = await json<{ events: Array<{ title: string; pointId?: string; tags: string[]; data: unknown }> }>(
          `${backend.url}/api/events?type=automation&from=now-1h`,
          { headers: bearer(READ) },
        );
        return e.body.events.find((x) => x.pointId === POINT && x.tags.includes('write'));
      });
      expect(event.title).toBe(`operator:operate writes: plant1/chw_setpoint ${bmsValue} → ${bmsValue - 1}`);
      expect(event.tags).toEqual(expect.arrayContaining(['automation', 'write', 'operator']));

      // 2. out of bounds: 400 naming the bound; nothing reaches the plant controller
      const low = await write(limits.min - 0.5);
      expect(low.status).toBe(400);
      expect(low.body.error).toBe(
        `body.value: ${limits.min - 0.5} is below the lower bound ${limits.min} (point ${POINT})`,
      );
      expect(low.body.verdict).toMatchObject({ allow: false, code: 'bounds' });
      const high = await write(limits.max + 0.5);
      expect(high.status).toBe(400);
      expect(high.body.error).toContain(`is above the upper bound ${limits.max}`);
      expect(await twinValue(control, POINT)).toBe(bmsValue - 1);
      expect(await twinWrites(control, POINT)).toHaveLength(1);
      const refused = (await pointTrace(backend.url, READ, POINT, t0)).filter(
        (e: TraceEntry) => e.kind === 'verdict' && (e.data.verdict as { allow: boolean }).allow === false,
      );
      expect(refused.map((e) => (e.data.verdict as { code: string }).code)).toEqual(['bounds', 'bounds']);

      // 3. the operator hands the point back: Modbus has no relinquish, so the guard restores the BMS's value
      const tRelease = Date.now();
      const r = await write(null);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ verdict: { allow: true }, readBack: bmsValue });
      expect(await twinValue(control, POINT)).toBe(bmsValue);
      expect((await twinWrites(control, POINT)).slice(1)).toEqual([
        expect.objectContaining({ by: 'modbus:unit100', from: bmsValue - 1, to: bmsValue }),
      ]);
      const released = (await pointTrace(backend.url, READ, POINT, tRelease)).map((e) => e.kind);
      expect(released).toEqual(['release', 'write']);
      const status = await json<{ leases: unknown[] }>(`${backend.url}/api/automation`, { headers: bearer(READ) });
      expect(status.body.leases).toEqual([]);

      // 4. a write whose lease is not renewed: the guard hands it back when the lease runs out. plenum.yaml's
      // slew (2 K/min) allows the next 1 K step 30 s after the restore
      await sleep(Math.max(0, tRelease + 31_000 - Date.now()));
      const leased = await write(bmsValue - 1, { leaseS: 10 });
      expect(leased.status).toBe(200);
      const writtenAt = Date.now();
      expect(await twinValue(control, POINT)).toBe(bmsValue - 1);
      const expired = await waitFor(
        'the guard to hand the point back when its lease runs out',
        async () => ((await twinValue(control, POINT)) === bmsValue ? Date.now() - writtenAt : undefined),
        20_000,
      );
      // not before the lease, and within the engine's one-second expiry check of it
      expect(expired).toBeGreaterThanOrEqual(9_500);
      expect(expired).toBeLessThan(13_000);
      expect((await twinWrites(control, POINT)).slice(2)).toEqual([
        expect.objectContaining({ by: 'modbus:unit100', from: bmsValue, to: bmsValue - 1 }),
        expect.objectContaining({ by: 'modbus:unit100', from: bmsValue - 1, to: bmsValue }),
      ]);
      const expiry = (await pointTrace(backend.url, READ, POINT, writtenAt)).find((e) => e.kind === 'release');
      expect(JSON.stringify(expiry?.data)).toContain('ran out without renewal');
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n--- twin ---\n${twin.output().slice(-3000)}\n--- backend ---\n${backend.output().slice(-5000)}`,
      );
    }
  }, 110_000);
});
