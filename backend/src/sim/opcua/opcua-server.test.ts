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
    // 4 CRAHs, the CDU, the chilled-water plant and 40 racks × 2 air sensors
    const served = (role: string) =>
      model.signals().filter((s) => s.role === role && s.rack === undefined).length / (role === 'crah' ? 4 : 1);
    expect(server.served).toHaveLength(4 * served('crah') + served('cdu') + served('plant') + 40 * 2);
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
