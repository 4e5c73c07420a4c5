// node-opcua requires hexy, an ES module Jest's CommonJS runtime cannot load (plain Node 20.20 can): a stand-in
// for its only use, hex dumps in debug output
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AttributeIds,
  DataType,
  LogLevel,
  OPCUACertificateManager,
  OPCUAClient,
  setLogLevel,
  StatusCodes,
  UserTokenType,
  type ClientSession,
} from 'node-opcua';
import { HallModel, type WriteTruthEntry } from '../model';
import { SIM_NAMESPACE_URI } from './address-space';
import { SimOpcUaServer } from './opcua-server';

setLogLevel(LogLevel.Error);

const t0 = Date.UTC(2025, 0, 1);
const H = 'sim/hall1/-/-/';

describe('the BMS supervisory-control watchdog over OPC UA', () => {
  let model: HallModel;
  let server: SimOpcUaServer;
  let dir: string;
  let clientPki: OPCUACertificateManager;
  let client: OPCUAClient;
  let session: ClientSession;
  let ns: number;
  const nid = (s: string) => `ns=${ns};s=${s}`;
  const write = async (id: string, v: number | null) =>
    (
      await session.write({
        nodeId: nid(id),
        attributeId: AttributeIds.Value,
        value: { value: v === null ? { dataType: DataType.Null } : { dataType: DataType.Double, value: v } },
      })
    ).value;
  const read = async (id: string) =>
    (await session.read({ nodeId: nid(id), attributeId: AttributeIds.Value })).value.value as unknown;
  /** the model at `t` (simulated), the nodes updated, as the runner's tick does */
  const tick = (t: number) => {
    model.advanceTo(t);
    server.update();
  };
  const byWatchdog = () =>
    model.groundTruth().filter((e): e is WriteTruthEntry => e.phase === 'write' && e.by === 'bms-watchdog');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-sim-watchdog-'));
    model = new HallModel({ startMs: t0, jobSchedule: 'none' });
    server = new SimOpcUaServer(model, { port: 0, pkiDir: path.join(dir, 'pki'), users: { operator: 'secret' } });
    await server.start();
    clientPki = new OPCUACertificateManager({
      rootFolder: path.join(dir, 'client'),
      automaticallyAcceptUnknownCertificate: false,
      disableFileWatchers: true,
    });
    client = OPCUAClient.create({
      endpointMustExist: false,
      clientCertificateManager: clientPki,
      connectionStrategy: { maxRetry: 0 },
    });
    await client.connect(server.endpointUrl as string);
    session = await client.createSession2({ type: UserTokenType.UserName, userName: 'operator', password: 'secret' });
    const uris = (await session.read({ nodeId: 'i=2255', attributeId: AttributeIds.Value })).value.value as string[];
    ns = uris.indexOf(SIM_NAMESPACE_URI);
  });

  afterAll(async () => {
    await session?.close();
    await client?.disconnect();
    await clientPki?.dispose();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves heartbeat and lease writable with their ranges; refuses out of range and Null', async () => {
    expect(await read('hall1.bms.supervisor_lease')).toBe(30);
    expect(await read('hall1.bms.supervisor_status')).toBe(0);
    expect(await write('hall1.bms.supervisor_lease', 4)).toBe(StatusCodes.BadOutOfRange.value);
    expect(await write('hall1.bms.supervisor_lease', 86_401)).toBe(StatusCodes.BadOutOfRange.value);
    expect(await write('hall1.bms.supervisor_heartbeat', 65_536)).toBe(StatusCodes.BadOutOfRange.value);
    expect(await write('hall1.bms.supervisor_heartbeat', null)).toBe(StatusCodes.BadTypeMismatch.value);
    expect(await write('hall1.bms.supervisor_age', 0)).toBe(StatusCodes.BadNotWritable.value);
    expect(model.supervisor().live).toBe(false);
  });

  it('leases a CRAH setpoint and a fan override while heartbeating, and the BMS takes them back when it stops', async () => {
    tick(t0 + 10_000);
    const leasedAt = model.now();
    // heartbeat first, then the supervisor's writes
    expect(await write('hall1.bms.supervisor_heartbeat', 1)).toBe(StatusCodes.Good.value);
    expect(await read('hall1.bms.supervisor_heartbeat')).toBe(1);
    expect(await read('hall1.bms.supervisor_status')).toBe(1);
    expect(await read('hall1.bms.supervisor_age')).toBe(0);
    expect(await write('hall1.crah1.supply_setpoint', 17)).toBe(StatusCodes.Good.value);
    expect(await write('hall1.crah1.fan_override', 75)).toBe(StatusCodes.Good.value);
    expect(await read('hall1.bms.leased_points')).toBe(2);
    // writes the watchdog never touches: a scenario's, the control API's, a power limit through Redfish
    model.write(`${H}crah2/supply_setpoint`, 22, 'scenario');
    model.write(`${H}cdu1/pump_speed_setpoint`, 90, 'api');
    model.setRackPowerLimit('A01', 60, 'redfish');
    server.update();
    expect(model.supervisor().leased.map((p) => [p.pointId, p.saved, p.by])).toEqual([
      [`${H}crah1/supply_setpoint`, 20, 'opcua:operator'],
      [`${H}crah1/fan_override`, null, 'opcua:operator'],
    ]);

    // renewed in time (the same value renews too): the writes hold past the first lease
    tick(leasedAt + 25_000);
    expect(await read('hall1.bms.supervisor_age')).toBe(25);
    expect(await write('hall1.bms.supervisor_heartbeat', 1)).toBe(StatusCodes.Good.value);
    expect(await read('hall1.bms.supervisor_age')).toBe(0);
    tick(leasedAt + 54_000);
    expect(await read('hall1.crah1.supply_setpoint')).toBe(17);
    expect(await read('hall1.crah1.fan_override')).toBe(75);
    expect(await read('hall1.crah1.fan_mode')).toBe(1);
    expect(byWatchdog()).toEqual([]);

    // the supervisor falls silent: 30 s after its last heartbeat the BMS has its points back
    tick(leasedAt + 55_000);
    expect(await read('hall1.crah1.supply_setpoint')).toBe(20);
    expect(await read('hall1.crah1.fan_mode')).toBe(0);
    expect(model.reading(`${H}crah1/fan_override`)).toEqual({ value: null, quality: 'good' });
    expect(await read('hall1.crah1.fan_override')).toBe(model.reading(`${H}crah1/fan_speed`).value); // the BMS's
    expect(await read('hall1.bms.supervisor_status')).toBe(0);
    expect(await read('hall1.bms.leased_points')).toBe(0);
    const at = leasedAt + 55_000;
    expect(byWatchdog().map((e) => [e.time, e.target, e.from, e.to])).toEqual([
      [at, `${H}crah1/supply_setpoint`, 17, 20],
      [at, `${H}crah1/fan_override`, 75, null],
      [at, `${H}bms/supervisor_status`, 1, 0],
    ]);
    expect(await read('hall1.crah2.supply_setpoint')).toBe(22);
    expect(await read('hall1.cdu1.pump_speed_setpoint')).toBe(90);
    expect(model.rackPowerLimits()[0]).toEqual({ rack: 'A01', kw: 60 });
  });

  it('holds for a longer lease written over OPC UA, as a supervisor on a sped-up clock needs', async () => {
    expect(await write('hall1.bms.supervisor_lease', 1800)).toBe(StatusCodes.Good.value);
    expect(await write('hall1.bms.supervisor_heartbeat', 2)).toBe(StatusCodes.Good.value);
    expect(await write('hall1.plant1.chw_setpoint', 9)).toBe(StatusCodes.Good.value);
    const from = model.now();
    tick(from + 1_799_000);
    expect(await read('hall1.plant1.chw_setpoint')).toBe(9);
    tick(from + 1_800_000);
    expect(await read('hall1.plant1.chw_setpoint')).toBe(12);
    expect(byWatchdog().at(-2)).toMatchObject({ target: `${H}plant1/chw_setpoint`, from: 9, to: 12 });
  });
});
