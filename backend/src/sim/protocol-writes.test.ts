// node-opcua requires hexy, an ES module Jest's CommonJS runtime cannot load (plain Node 20.20 can): a stand-in
// for its only use, hex dumps in debug output
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ModbusRTU from 'modbus-serial';
import { AttributeIds, DataType, LogLevel, OPCUAClient, setLogLevel, StatusCodes } from 'node-opcua';
import { activeHandles, expectNoLeaks } from '../testing/handles';
import type { WriteTruthEntry } from './model';
import { startSimulation, type SimRunner } from './runner';

setLogLevel(LogLevel.Error);

const t0 = Date.UTC(2025, 0, 1);

/**
 * The whole runner, as `main.ts` starts it: a write over each protocol reaches the model, GET /ground-truth and
 * the --ground-truth file, with who wrote it, from → to, and the simulated time.
 */
describe('writes over every protocol land in the ground truth and its file', () => {
  let runner: SimRunner;
  let before: Record<string, number>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-writes-'));
  const truthFile = path.join(dir, 'ground-truth.jsonl');
  let wall = 5_000_000;

  beforeAll(async () => {
    before = activeHandles();
    runner = await startSimulation({
      startMs: t0,
      speed: 60,
      jobSchedule: 'none',
      modbusPort: 0,
      dcgmPort: null,
      controlPort: 0,
      opcuaPort: 0,
      dataDir: dir,
      tickMs: 3_600_000, // the test ticks by hand
      wallClock: () => wall,
      groundTruthFile: truthFile,
      log: () => {},
    });
  });

  afterAll(async () => {
    await runner.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    await expectNoLeaks(before, 3000);
  });

  it('OPC UA, Modbus and Redfish writes are logged with their writer and simulated time', async () => {
    const ports = runner.ports();
    wall += 10_000; // 10 s of wall time = 10 min simulated
    runner.tick();
    const at = runner.model.now();
    expect(at).toBe(t0 + 600_000);

    // OPC UA: a CRAH fan override and its relinquish
    const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
    await client.connect(`opc.tcp://127.0.0.1:${ports.opcua}`);
    const session = await client.createSession2();
    try {
      await session.readNamespaceArray();
      const nodeId = `ns=${session.getNamespaceIndex('urn:plenum:sim')};s=hall1.crah2.fan_override`;
      const w = (value: { dataType: DataType; value?: number }) =>
        session.write({ nodeId, attributeId: AttributeIds.Value, value: { value } });
      expect((await w({ dataType: DataType.Double, value: 65 })).value).toBe(StatusCodes.Good.value);
      expect((await w({ dataType: DataType.Null })).value).toBe(StatusCodes.Good.value);
    } finally {
      await session.close();
      await client.disconnect();
    }

    // Modbus: the plant's chilled-water setpoint, FC6 in tenths
    const mb = new ModbusRTU();
    await mb.connectTCP('127.0.0.1', { port: ports.modbus as number });
    try {
      mb.setID(100);
      await mb.writeRegister(17, 105);
    } finally {
      await new Promise<void>((r) => mb.close(() => r()));
    }

    // Redfish: a rack power limit
    const res = await fetch(`http://127.0.0.1:${ports.control}/redfish/v1/Chassis/B02/Power`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ PowerControl: [{ PowerLimit: { LimitInWatts: 45_000 } }] }),
    });
    expect(res.status).toBe(200);
    await res.json();

    const expected = [
      { target: 'sim/hall1/-/-/crah2/fan_override', by: 'opcua:anonymous', from: null, to: 65 },
      { target: 'sim/hall1/-/-/crah2/fan_override', by: 'opcua:anonymous', from: 65, to: null },
      { target: 'sim/hall1/-/-/plant1/chw_setpoint', by: 'modbus:unit100', from: 12, to: 10.5 },
      { target: 'sim/hall1/B/B02/gpu/power_limit', by: 'redfish', from: null, to: 45 },
    ].map((e) => expect.objectContaining({ ...e, phase: 'write', type: 'write', time: at }));
    const api = (await (await fetch(`http://127.0.0.1:${ports.control}/ground-truth`)).json()) as {
      entries: (WriteTruthEntry & { isoTime: string })[];
    };
    expect(api.entries.filter((e) => e.phase === 'write')).toEqual(expected);
    expect(api.entries.at(-1)?.isoTime).toBe(new Date(at).toISOString());

    runner.tick(); // the runner appends new entries to the file on its tick
    const lines = fs
      .readFileSync(truthFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as WriteTruthEntry);
    expect(lines.filter((e) => e.phase === 'write')).toEqual(expected);
  }, 30_000);
});
