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
  TimestampsToReturn,
  UserTokenType,
  type ClientSession,
  type DataValue,
} from 'node-opcua';
import { HallModel } from '../model';
import { SIM_NAMESPACE_URI } from './address-space';
import { SimOpcUaServer } from './opcua-server';

setLogLevel(LogLevel.Error); // node-opcua's warnings (certificate creation, …) would flood the test output

const t0 = Date.UTC(2025, 0, 1);

function activeHandles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

describe('SimOpcUaServer', () => {
  let model: HallModel;
  let server: SimOpcUaServer;
  let dir: string;
  let clientPki: OPCUACertificateManager;
  let client: OPCUAClient;
  let session: ClientSession;
  let ns: number;
  /** how often the server asked to bring the model to now before a write */
  let syncs = 0;
  const nid = (s: string) => `ns=${ns};s=${s}`;
  const value = (dv: DataValue) => dv.value.value as unknown;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-sim-opcua-'));
    model = new HallModel({ startMs: t0, jobSchedule: 'none' });
    server = new SimOpcUaServer(model, {
      port: 0,
      pkiDir: path.join(dir, 'pki'),
      users: { operator: 'secret' },
      extraNamespaces: ['urn:test:first'],
      sync: () => void syncs++,
    });
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
    session = await client.createSession2();
  });

  afterAll(async () => {
    await session?.close();
    await client?.disconnect();
    await clientPki?.dispose();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves namespace urn:plenum:sim after the extra namespaces, with folders per hall and asset', async () => {
    const dv = await session.read({ nodeId: 'i=2255', attributeId: AttributeIds.Value });
    const uris = dv.value.value as string[];
    expect(uris.indexOf('urn:test:first')).toBeLessThan(uris.indexOf(SIM_NAMESPACE_URI));
    ns = uris.indexOf(SIM_NAMESPACE_URI);
    expect(server.namespaceIndex).toBe(ns);
    const hall = await session.browse(nid('hall1'));
    const names = (hall.references ?? []).map((r) => r.browseName.name);
    expect(names).toEqual(expect.arrayContaining(['crah1', 'crah4', 'cdu1', 'A', 'D']));
    const rack = await session.browse(nid('hall1.A.A01.env'));
    expect((rack.references ?? []).map((r) => r.browseName.name)).toEqual(
      expect.arrayContaining(['inlet_temp', 'exhaust_temp']),
    );
    // 4 CRAHs, the CDU, the chilled-water plant, the BMS watchdog and 40 racks × 2 air sensors
    const served = (role: string) =>
      model.signals().filter((s) => s.role === role && s.rack === undefined).length / (role === 'crah' ? 4 : 1);
    expect(names).toContain('bms');
    expect(server.served).toHaveLength(4 * served('crah') + served('cdu') + served('plant') + served('bms') + 40 * 2);
  });

  it('gives each variable its value, source timestamp, EngineeringUnits and EURange', async () => {
    model.advanceTo(t0 + 10_000);
    server.update();
    const dv = await session.read({ nodeId: nid('hall1.crah1.supply_temp'), attributeId: AttributeIds.Value });
    expect(dv.statusCode.value).toBe(StatusCodes.Good.value);
    expect(dv.value.dataType).toBe(DataType.Double);
    expect(value(dv)).toBe(model.reading('sim/hall1/-/-/crah1/supply_temp').value);
    expect(dv.sourceTimestamp?.getTime()).toBe(t0 + 10_000);
    const props = await session.browse(nid('hall1.cdu1.flow'));
    const byName = new Map((props.references ?? []).map((r) => [r.browseName.name, r.nodeId]));
    const [eu, range] = await session.read([
      { nodeId: byName.get('EngineeringUnits')!, attributeId: AttributeIds.Value },
      { nodeId: byName.get('EURange')!, attributeId: AttributeIds.Value },
    ]);
    expect((eu!.value.value as { displayName: { text: string } }).displayName.text).toBe('l/min');
    expect(range!.value.value).toMatchObject({ low: 0, high: 4000 });
  });

  it('refuses writes outside the setpoint range with BadOutOfRange and applies good ones to the model', async () => {
    const nodeId = nid('hall1.crah2.supply_setpoint');
    const write = (v: number) =>
      session.write({
        nodeId,
        attributeId: AttributeIds.Value,
        value: { value: { dataType: DataType.Double, value: v } },
      });
    expect((await write(40)).value).toBe(StatusCodes.BadOutOfRange.value);
    expect((await write(13.9)).value).toBe(StatusCodes.BadOutOfRange.value);
    expect(model.reading('sim/hall1/-/-/crah2/supply_setpoint').value).toBe(20);
    expect((await write(22.5)).value).toBe(StatusCodes.Good.value);
    expect(model.reading('sim/hall1/-/-/crah2/supply_setpoint').value).toBe(22.5);
    const dv = await session.read({ nodeId, attributeId: AttributeIds.Value });
    expect(value(dv)).toBe(22.5);
    const ro = await session.write({
      nodeId: nid('hall1.crah2.supply_temp'),
      attributeId: AttributeIds.Value,
      value: { value: { dataType: DataType.Double, value: 20 } },
    });
    expect(ro.value).toBe(StatusCodes.BadNotWritable.value);
  });

  const writeNode = (s: ClientSession, id: string, v: number | null) =>
    s.write({
      nodeId: nid(id),
      attributeId: AttributeIds.Value,
      value: { value: v === null ? { dataType: DataType.Null } : { dataType: DataType.Double, value: v } },
    });
  const readNode = async (id: string) => session.read({ nodeId: nid(id), attributeId: AttributeIds.Value });
  const lastWrite = () =>
    model
      .groundTruth()
      .filter((e) => e.phase === 'write')
      .at(-1);

  it('serves every writable signal of the model writable, with EURange = InstrumentRange = its range', async () => {
    const writable = server.served.filter((n) => n.signal.writable);
    const signals = new Set(writable.map((n) => n.signal.signal));
    // the same set as the model's writable points on these assets
    const modelWritable = model.signals().filter((s) => s.writable && s.rack === undefined);
    expect(writable.map((n) => n.signal.id).sort()).toEqual(modelWritable.map((s) => s.id).sort());
    expect([...signals].sort()).toEqual(
      [
        'chw_setpoint',
        'dp_setpoint',
        'fan_min',
        'fan_override',
        'pump_speed_setpoint',
        'return_setpoint',
        'supervisor_heartbeat',
        'supervisor_lease',
        'supply_setpoint',
        'valve_override',
      ].sort(),
    );
    for (const id of [
      'hall1.crah3.fan_override',
      'hall1.cdu1.pump_speed_setpoint',
      'hall1.plant1.chw_setpoint',
      'hall1.bms.supervisor_lease',
    ]) {
      const node = server.served.find((n) => n.id === id)!;
      const props = await session.browse(nid(id));
      const byName = new Map((props.references ?? []).map((r) => [r.browseName.name, r.nodeId]));
      const [eu, instr, access] = await session.read([
        { nodeId: byName.get('EURange')!, attributeId: AttributeIds.Value },
        { nodeId: byName.get('InstrumentRange')!, attributeId: AttributeIds.Value },
        { nodeId: nid(id), attributeId: AttributeIds.UserAccessLevel },
      ]);
      const range = { low: node.signal.min, high: node.signal.max };
      expect(eu!.value.value).toMatchObject(range);
      expect(instr!.value.value).toMatchObject(range);
      expect((access!.value.value as number) & 0x02).toBe(0x02); // CurrentWrite
      expect(byName.has('AllowNulls')).toBe(node.signal.relinquish === true);
    }
  });

  it('writes the plant, the CDU pump and the fan minimum, reads them back at once, logs who wrote', async () => {
    const before = model.groundTruth().length;
    expect((await writeNode(session, 'hall1.plant1.chw_setpoint', 5.9)).value).toBe(StatusCodes.BadOutOfRange.value);
    expect((await writeNode(session, 'hall1.plant1.chw_setpoint', 20.1)).value).toBe(StatusCodes.BadOutOfRange.value);
    expect((await writeNode(session, 'hall1.cdu1.pump_speed_setpoint', 19)).value).toBe(
      StatusCodes.BadOutOfRange.value,
    );
    expect(model.groundTruth()).toHaveLength(before); // refused writes never reach the model
    const from = model.reading('sim/hall1/-/-/plant1/chw_setpoint').value;
    const synced = syncs;
    expect((await writeNode(session, 'hall1.plant1.chw_setpoint', 9.5)).value).toBe(StatusCodes.Good.value);
    expect(syncs).toBe(synced + 1); // the model is brought to now before the write lands
    expect(value(await readNode('hall1.plant1.chw_setpoint'))).toBe(9.5);
    expect(lastWrite()).toMatchObject({
      target: 'sim/hall1/-/-/plant1/chw_setpoint',
      by: 'opcua:anonymous',
      from,
      to: 9.5,
      time: model.now(),
    });
    expect((await writeNode(session, 'hall1.cdu1.pump_speed_setpoint', 80)).value).toBe(StatusCodes.Good.value);
    expect(value(await readNode('hall1.cdu1.pump_speed_setpoint'))).toBe(80);
    expect((await writeNode(session, 'hall1.crah1.fan_min', 61)).value).toBe(StatusCodes.BadOutOfRange.value);
    expect((await writeNode(session, 'hall1.crah1.dp_setpoint', 1)).value).toBe(StatusCodes.BadOutOfRange.value);
    expect((await writeNode(session, 'hall1.crah1.dp_setpoint', 12)).value).toBe(StatusCodes.Good.value);
    expect(model.reading('sim/hall1/-/-/crah1/dp_setpoint').value).toBe(12);

    const operator = await client.createSession2({
      type: UserTokenType.UserName,
      userName: 'operator',
      password: 'secret',
    });
    try {
      expect((await writeNode(operator, 'hall1.crah1.fan_min', 25)).value).toBe(StatusCodes.Good.value);
    } finally {
      await operator.close();
    }
    expect(lastWrite()).toMatchObject({ target: 'sim/hall1/-/-/crah1/fan_min', by: 'opcua:operator', to: 25 });
    // a Null variant is a relinquish: only overrides take it
    expect((await writeNode(session, 'hall1.plant1.chw_setpoint', null)).value).toBe(StatusCodes.BadTypeMismatch.value);
  });

  it('overrides the fan and hands it back to the BMS with a Null variant; the node always reads the command', async () => {
    const id = 'hall1.crah4.fan_override';
    const point = 'sim/hall1/-/-/crah4/fan_override';
    // relinquished: the node reads what the BMS drives the fan at, Good, and fan_mode says the BMS is in charge
    model.advanceTo(model.now() + 1000);
    server.update();
    const bms = await readNode(id);
    expect(bms.statusCode.value).toBe(StatusCodes.Good.value);
    expect(value(bms)).toBe(model.reading('sim/hall1/-/-/crah4/fan_speed').value);
    expect(value(await readNode('hall1.crah4.fan_mode'))).toBe(0);

    expect((await writeNode(session, id, 101)).value).toBe(StatusCodes.BadOutOfRange.value);
    expect((await writeNode(session, id, 72.5)).value).toBe(StatusCodes.Good.value);
    expect(value(await readNode(id))).toBe(72.5);
    expect(model.reading(point).value).toBe(72.5);
    expect(lastWrite()).toMatchObject({ target: point, from: null, to: 72.5, by: 'opcua:anonymous' });
    expect(value(await readNode('hall1.crah4.fan_mode'))).toBe(1); // at once, not at the next tick

    expect((await writeNode(session, id, null)).value).toBe(StatusCodes.Good.value);
    expect(model.reading(point)).toEqual({ value: null, quality: 'good' });
    expect(lastWrite()).toMatchObject({ target: point, from: 72.5, to: null, by: 'opcua:anonymous' });
    const back = await readNode(id);
    expect(back.statusCode.value).toBe(StatusCodes.Good.value);
    expect(value(back)).toBe(model.reading('sim/hall1/-/-/crah4/fan_speed').value);
    expect(value(await readNode('hall1.crah4.fan_mode'))).toBe(0);
    model.advanceTo(model.now() + 1000);
    server.update();
    expect((await readNode(id)).statusCode.value).toBe(StatusCodes.Good.value);

    // the valve the same way
    expect((await writeNode(session, 'hall1.crah4.valve_override', 30)).value).toBe(StatusCodes.Good.value);
    expect(value(await readNode('hall1.crah4.valve_override'))).toBe(30);
    expect((await writeNode(session, 'hall1.crah4.valve_override', null)).value).toBe(StatusCodes.Good.value);
    expect(model.reading('sim/hall1/-/-/crah4/valve_override').value).toBeNull();
    expect(value(await readNode('hall1.crah4.valve_override'))).toBe(model.reading('sim/hall1/-/-/crah4/valve').value);
  });

  it('publishes a good null as Good with a Null variant and only a bad reading as BadNoCommunication', () => {
    const dataValue = (r: { value: number | null; quality: 'good' | 'bad' }) =>
      (server as unknown as { dataValue(r: unknown, ts: Date): DataValue }).dataValue(r, new Date(t0));
    const none = dataValue({ value: null, quality: 'good' });
    expect([none.statusCode.value, none.value.dataType]).toEqual([StatusCodes.Good.value, DataType.Null]);
    const offline = dataValue({ value: null, quality: 'bad' });
    expect([offline.statusCode.value, offline.value.dataType]).toEqual([
      StatusCodes.BadNoCommunication.value,
      DataType.Null,
    ]);
  });

  it('notifies a subscriber of a write, with the value the model applied', async () => {
    const sub = await session.createSubscription2({ requestedPublishingInterval: 100, publishingEnabled: true });
    try {
      const item = await sub.monitor(
        { nodeId: nid('hall1.crah3.supply_setpoint'), attributeId: AttributeIds.Value },
        { samplingInterval: 100, queueSize: 10 },
        TimestampsToReturn.Both,
      );
      const seen: unknown[] = [];
      item.on('changed', (dv: DataValue) => seen.push(dv.value.value));
      expect((await writeNode(session, 'hall1.crah3.supply_setpoint', 18.5)).value).toBe(StatusCodes.Good.value);
      const end = Date.now() + 3000;
      while (!seen.includes(18.5) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(seen).toContain(18.5);
    } finally {
      await sub.terminate();
    }
  });

  it('turns an offline device Bad (BadNoCommunication) and refuses writes to it', async () => {
    const fault = model.injectFault({ type: 'device_offline', target: 'cdu1' });
    model.advanceTo(model.now() + 1000);
    server.update();
    const [flow, sp] = await session.read([
      { nodeId: nid('hall1.cdu1.flow'), attributeId: AttributeIds.Value },
      { nodeId: nid('hall1.cdu1.supply_setpoint'), attributeId: AttributeIds.Value },
    ]);
    expect(flow!.statusCode.value).toBe(StatusCodes.BadNoCommunication.value);
    expect(sp!.statusCode.value).toBe(StatusCodes.BadNoCommunication.value);
    const w = await session.write({
      nodeId: nid('hall1.cdu1.supply_setpoint'),
      attributeId: AttributeIds.Value,
      value: { value: { dataType: DataType.Double, value: 30 } },
    });
    expect(w.value).toBe(StatusCodes.BadNoCommunication.value);
    const crah = model.injectFault({ type: 'device_offline', target: 'crah2' });
    expect((await writeNode(session, 'hall1.crah2.fan_override', null)).value).toBe(
      StatusCodes.BadNoCommunication.value,
    );
    model.clearFault(crah.id);
    model.clearFault(fault.id);
    model.advanceTo(model.now() + 1000);
    server.update();
    const back = await session.read({ nodeId: nid('hall1.cdu1.flow'), attributeId: AttributeIds.Value });
    expect(back.statusCode.value).toBe(StatusCodes.Good.value);
  });

  it('accepts configured users and refuses a wrong password', async () => {
    const good = await client.createSession2({
      type: UserTokenType.UserName,
      userName: 'operator',
      password: 'secret',
    });
    await good.close();
    await expect(
      client.createSession2({ type: UserTokenType.UserName, userName: 'operator', password: 'nope' }),
    ).rejects.toThrow(/BadUserAccessDenied/);
  });

  it('leaves no sockets or timers behind after stop', async () => {
    const other = new SimOpcUaServer(model, { port: 0, pkiDir: path.join(dir, 'pki') });
    const mid = activeHandles();
    await other.start();
    await other.stop();
    const end = Date.now() + 2000;
    const kinds = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout', 'FSEventWrap'];
    let extra: string[] = [];
    do {
      const now = activeHandles();
      extra = kinds.filter((k) => (now[k] ?? 0) > (mid[k] ?? 0));
      if (extra.length === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    } while (Date.now() < end);
    expect(extra).toEqual([]);
  });
});
