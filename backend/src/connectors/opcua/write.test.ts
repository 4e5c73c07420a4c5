// node-opcua requires hexy, an ES module Jest's CommonJS runtime cannot load (plain Node 20.20 can): a stand-in
// for its only use, hex dumps in debug output
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));

/**
 * OPC UA writes (README "Writes") against the simulator's OPC UA server (the hall's setpoints and overrides, all
 * Double) and a fixture server with nodes of every built-in type (testkit.ts `startTypedServer`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AttributeIds, DataType, LogLevel, OPCUAClient, setLogLevel, StatusCodes } from 'node-opcua';
import { SourceRunner } from '../runner';
import { WriteError, type SourcePoint, type SourceSample, type WriteOutcome } from '../types';
import type { OpcUaOptionsInput } from './config';
import { createOpcUa } from './connector';
import { opcua } from './index';
import { STATUS } from './link';
import { OpcUaPoller, OpcUaSubscriber } from './opcua';
import { parsePoints } from './points';
import {
  activeHandles,
  collector,
  expectNoLeaks,
  opcuaPoint,
  SIM_NS,
  source,
  startSim,
  startTypedServer,
  tempDir,
  TYPED_NS,
  type SimPeer,
  type TypedServer,
} from './testkit';

setLogLevel(LogLevel.Error);

const logs: string[] = [];
const deps = { log: (m: string) => void logs.push(m) };

/** A writable point (setpoint) reading `address`, optionally writing `writeAddress`. */
function writable(
  id: string,
  address: string,
  valueType: SourcePoint['valueType'] = 'number',
  writeAddress?: string,
): SourcePoint {
  const p = opcuaPoint(id, address, valueType);
  return {
    ...p,
    kind: 'setpoint',
    writable: true,
    source: { ...p.source, ...(writeAddress !== undefined ? { writeAddress } : {}) },
  };
}
const sim = (id: string) => `nsu=${SIM_NS};s=${id}`;
const typed = (id: string) => `nsu=${TYPED_NS};s=${id}`;

function poller(options: OpcUaOptionsInput, points: SourcePoint[]): OpcUaPoller {
  const s = source({ ...options, mode: 'poll' }, points);
  return new OpcUaPoller(s, parsePoints(s), deps);
}
function subscriber(options: OpcUaOptionsInput, points: SourcePoint[]): OpcUaSubscriber {
  const s = source(options, points);
  return new OpcUaSubscriber(s, parsePoints(s), deps);
}

/** The WriteError a promise rejects with (fails the test when it resolves). */
async function refusal(p: Promise<WriteOutcome>): Promise<WriteError> {
  const r = await p.then(
    (o) => new Error(`expected a WriteError, got ${JSON.stringify(o)}`),
    (e: unknown) => e,
  );
  if (!(r instanceof WriteError)) throw r;
  return r;
}

const CRAH1 = 'sim/hall1/-/-/crah1/';

describe('opcua writes against the simulator', () => {
  let dir: string;
  let peer: SimPeer;
  let pki: string;
  let before: Record<string, number>;

  beforeAll(async () => {
    dir = tempDir();
    pki = path.join(dir, 'client-pki');
    peer = await startSim({ pkiDir: path.join(dir, 'server-pki') });
  });
  afterAll(async () => {
    await peer?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    before = activeHandles();
  });
  afterEach(async () => {
    await expectNoLeaks(before, 3000);
  });

  it('writes a CRAH supply setpoint (Double), reads it back; out of range is BadOutOfRange with the range', async () => {
    const sp = writable('crah1/sp', sim('hall1.crah1.supply_setpoint'));
    const c = subscriber({ endpoint: peer.endpoint, pkiDir: pki }, [sp]);
    const got = collector();
    await c.start(got.sink);
    try {
      const t0 = Date.now();
      const out = await c.write({ point: sp, value: 20.5 });
      expect(out).toEqual({ readBack: 20.5, rawStatus: 0, at: expect.any(Number) });
      expect(out.at).toBeGreaterThanOrEqual(t0);
      expect(peer.model.reading(`${CRAH1}supply_setpoint`).value).toBe(20.5);
      // the subscription reports the new value too
      await got.until('the written setpoint', (all) => all.some((s) => s.value === 20.5));

      const e = await refusal(c.write({ point: sp, value: 40 }));
      expect([e.kind, e.rawStatus]).toEqual(['refused', STATUS.badOutOfRange]);
      expect(e.message).toBe(
        `source "ua": the server refused writing 40 to point "crah1/sp" (node ${sim('hall1.crah1.supply_setpoint')}, Double): BadOutOfRange (0x803C0000); the node's InstrumentRange is 14–27`,
      );
      expect(peer.model.reading(`${CRAH1}supply_setpoint`).value).toBe(20.5);
      expect(c.writer.stats).toEqual({ written: 1, refused: 1 });
    } finally {
      await c.stop();
    }
  });

  it('relinquishes hall1.crah1.fan_override with a Null variant: the BMS drives the fan again', async () => {
    const override = writable('crah1/fan_override', sim('hall1.crah1.fan_override'));
    const mode = opcuaPoint('crah1/fan_mode', sim('hall1.crah1.fan_mode'));
    const c = poller({ endpoint: peer.endpoint, pkiDir: pki }, [override, mode]);
    try {
      await c.gather(async () => undefined);
      expect((await c.write({ point: override, value: 65 })).readBack).toBe(65);
      expect(peer.model.reading(`${CRAH1}fan_mode`).value).toBe(1);
      const out = await c.write({ point: override, value: null });
      // the node then reads the speed the BMS drives: a number, Good
      expect(out.rawStatus).toBe(0);
      expect(typeof out.readBack).toBe('number');
      expect(out.readBack).toBe(peer.model.reading(`${CRAH1}fan_speed`).value);
      expect(peer.model.reading(`${CRAH1}fan_override`).value).toBeNull();
      const seen: SourceSample[] = [];
      await c.gather(async (s) => void seen.push(...s));
      expect(seen.find((s) => s.pointId === 'crah1/fan_mode')?.value).toBe(0);
      const writes = peer.model.groundTruth().filter((g) => g.target === `${CRAH1}fan_override`);
      expect(writes.slice(-2).map((g) => ['to' in g ? g.to : undefined, 'by' in g ? g.by : undefined])).toEqual([
        [65, 'opcua:anonymous'],
        [null, 'opcua:anonymous'],
      ]);
    } finally {
      await c.close();
    }
  });

  it('writes to the writeAddress when it differs from the address, and reads back what was written', async () => {
    // reads the fan speed the CRAH runs at, writes the override that commands it
    const fan = writable('crah2/fan', sim('hall1.crah2.fan_speed'), 'number', sim('hall1.crah2.fan_override'));
    const c = poller({ endpoint: peer.endpoint, pkiDir: pki }, [fan]);
    try {
      await c.gather(async () => undefined);
      expect((await c.write({ point: fan, value: 42 })).readBack).toBe(42);
      expect(peer.model.reading('sim/hall1/-/-/crah2/fan_override').value).toBe(42);
      await c.write({ point: fan, value: null });
      expect(peer.model.reading('sim/hall1/-/-/crah2/fan_override').value).toBeNull();
    } finally {
      await c.close();
    }
  });

  it('names what is wrong: not writable here, unknown node or namespace, a read-only node, an offline device', async () => {
    const temp = writable('crah1/temp', sim('hall1.crah1.supply_temp'));
    const nonode = writable('nonode', sim('hall1.crah9.supply_setpoint'));
    const nons = writable('nons', 'nsu=urn:nowhere;s=x');
    const offline = writable('crah3/sp', sim('hall1.crah3.supply_setpoint'));
    const reading = opcuaPoint('reading', sim('hall1.crah1.supply_temp'));
    const c = poller({ endpoint: peer.endpoint, pkiDir: pki }, [temp, nonode, nons, offline, reading]);
    try {
      await c.gather(async () => undefined);
      let e = await refusal(c.write({ point: reading, value: 1 }));
      expect([e.kind, e.message]).toEqual(['config', 'source "ua": point "reading" is not writable (writable: false)']);
      e = await refusal(c.write({ point: writable('stranger', sim('x')), value: 1 }));
      expect([e.kind, e.message]).toEqual(['config', 'source "ua": point "stranger" is not configured in this source']);
      e = await refusal(c.write({ point: nonode, value: 20 }));
      expect(e.kind).toBe('config');
      expect(e.message).toBe(
        `source "ua": cannot write point "nonode" (node ${sim('hall1.crah9.supply_setpoint')}): the node does not exist on the server (BadNodeIdUnknown (0x80340000)); nothing was sent`,
      );
      e = await refusal(c.write({ point: nons, value: 20 }));
      expect([e.kind, e.rawStatus]).toEqual(['config', STATUS.badNodeIdUnknown]);
      expect(e.message).toMatch(
        /namespace "urn:nowhere" is not in the server's NamespaceArray \(.*urn:plenum:sim.*\); nothing was sent$/,
      );
      e = await refusal(c.write({ point: temp, value: 20 }));
      expect([e.kind, e.rawStatus]).toEqual(['refused', StatusCodes.BadNotWritable.value]);
      expect(e.message).toMatch(/: BadNotWritable \(0x803B0000\)$/);

      const fault = peer.model.injectFault({ type: 'device_offline', target: 'crah3' });
      try {
        e = await refusal(c.write({ point: offline, value: 20 }));
        expect([e.kind, e.rawStatus]).toEqual(['refused', StatusCodes.BadNoCommunication.value]);
      } finally {
        peer.model.clearFault(fault.id);
      }
      expect((await c.write({ point: offline, value: 20 })).readBack).toBe(20);
    } finally {
      await c.close();
    }
  });

  it('writes through the SourceRunner, and says when the source cannot write yet', async () => {
    const sp = writable('cdu/sp', sim('hall1.cdu1.supply_setpoint'));
    const runner = new SourceRunner(
      opcua as never,
      { ...source({ endpoint: peer.endpoint, pkiDir: pki }, [sp]), name: 'cooling' } as never,
      async () => undefined,
      { log: () => undefined },
    );
    expect((await refusal(runner.write({ point: sp, value: 30 }))).message).toBe(
      'source "cooling" (opcua) is not running',
    );
    runner.start();
    try {
      const end = Date.now() + 10_000;
      while (runner.status.state !== 'up' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect((await runner.write({ point: sp, value: 31.5 })).readBack).toBe(31.5);
      expect(peer.model.reading('sim/hall1/-/-/cdu1/supply_setpoint').value).toBe(31.5);
    } finally {
      await runner.stop();
    }
    // the connector before it is loaded (no start, no poll yet): no session, at once
    const lazy = createOpcUa(source({ endpoint: peer.endpoint, pkiDir: pki, mode: 'poll' }, [sp]));
    const e = await refusal(lazy.write!({ point: sp, value: 30 }));
    expect([e.kind, e.message]).toEqual([
      'device',
      'source "ua": cannot write point "cdu/sp": no session yet (it opens at the first start or poll); nothing was sent',
    ]);
  });
});

describe('opcua writes within the server limits and without a session', () => {
  let dir: string;
  let before: Record<string, number>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    before = activeHandles();
  });
  afterEach(async () => {
    await expectNoLeaks(before, 3000);
  });

  it('splits writes, type reads and read-backs by MaxNodesPerWrite and MaxNodesPerRead', async () => {
    const peer = await startSim({
      pkiDir: path.join(dir, 'limits-pki'),
      operationLimits: { maxNodesPerWrite: 2, maxNodesPerRead: 3 },
    });
    const points = [1, 2, 3, 4].map((n) => writable(`crah${n}/sp`, sim(`hall1.crah${n}.supply_setpoint`)));
    points.push(writable('cdu/sp', sim('hall1.cdu1.supply_setpoint')));
    const c = poller({ endpoint: peer.endpoint, pkiDir: path.join(dir, 'client-pki') }, points);
    try {
      await c.gather(async () => undefined);
      expect(c['link']?.limits).toMatchObject({ maxNodesPerWrite: 2, maxNodesPerRead: 3 });
      const counts = () => ({ ...Object.fromEntries(peer.server.requestCounts) });
      const w0 = counts();
      const values = [15, 16, 17, 18, 40];
      const out = await c.writeMany(points.map((point, i) => ({ point, value: values[i] as number })));
      expect(out.map((o) => (o instanceof WriteError ? o.message : o.readBack))).toEqual(values);
      const w1 = counts();
      // 5 writes in calls of 2, 2, 1; the types (10 attributes) in Reads of 3; the read-backs in Reads of 3, 2
      expect((w1.WriteRequest ?? 0) - (w0.WriteRequest ?? 0)).toBe(3);
      expect((w1.ReadRequest ?? 0) - (w0.ReadRequest ?? 0)).toBe(4 + 2);
      // types are known for the session now: the same writes need no type Reads
      await c.writeMany(points.map((point, i) => ({ point, value: (values[i] as number) + 1 })));
      const w2 = counts();
      expect((w2.WriteRequest ?? 0) - (w1.WriteRequest ?? 0)).toBe(3);
      expect((w2.ReadRequest ?? 0) - (w1.ReadRequest ?? 0)).toBe(2);
      // one refused, the others written
      const mixed = await c.writeMany([
        { point: points[0] as SourcePoint, value: 99 },
        { point: points[1] as SourcePoint, value: 20 },
      ]);
      expect(mixed[0]).toBeInstanceOf(WriteError);
      expect((mixed[1] as WriteOutcome).readBack).toBe(20);
    } finally {
      await c.close();
      await peer.close();
    }
  });

  it('fails at once while the server is down (no queued write reaches it later), and works after it is back', async () => {
    const peer = await startSim({ pkiDir: path.join(dir, 'down-pki') });
    const sp = writable('crah1/sp', sim('hall1.crah1.supply_setpoint'));
    const c = subscriber(
      { endpoint: peer.endpoint, pkiDir: path.join(dir, 'client-pki'), reconnect: { initialDelayMs: 100 } },
      [sp],
    );
    try {
      await c.start(async () => undefined);
      expect((await c.write({ point: sp, value: 18 })).readBack).toBe(18);
      await peer.stop();
      const end = Date.now() + 10_000;
      while (c.state === 'up' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      const t0 = Date.now();
      const e = await refusal(c.write({ point: sp, value: 19 }));
      expect(Date.now() - t0).toBeLessThan(100);
      expect(e.kind).toBe('device');
      expect(e.message).toMatch(
        /^source "ua": cannot write point "crah1\/sp" \(node nsu=urn:plenum:sim;s=hall1\.crah1\.supply_setpoint\): (the connection is lost and being repaired|no session \(.*\)|the session is unusable \(.*\)); nothing was sent$/,
      );
      await peer.restart();
      while (c.state !== 'up' && Date.now() < end + 10_000) await new Promise((r) => setTimeout(r, 20));
      // the refused write never arrived: the setpoint is still what was written before
      expect(peer.model.reading(`${CRAH1}supply_setpoint`).value).toBe(18);
      expect((await c.write({ point: sp, value: 19.5 })).readBack).toBe(19.5);
    } finally {
      await c.stop();
      await peer.close();
    }
    const e = await refusal(c.write({ point: sp, value: 19 }));
    expect(e.message).toMatch(/: the source is stopped; nothing was sent$/);
    // node-opcua's server closes the sockets of the stopped and restarted server with a delay: give it time
    const t = Date.now();
    await expectNoLeaks(before, 10_000);
    logs.push(`handles released after ${Date.now() - t} ms`);
  });
});

describe('opcua writes by the node DataType (a fixture server with typed nodes)', () => {
  let dir: string;
  let server: TypedServer;
  let before: Record<string, number>;
  let c: OpcUaPoller;
  const point = (id: string, valueType: SourcePoint['valueType'] = 'number') => writable(id, typed(id), valueType);
  const ids = {
    number: ['sbyte', 'byte', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float', 'double'],
    other: ['duration', 'vendor', 'enum', 'any', 'array', 'bytes', 'readonly', 'denied', 'time'],
  };
  const points = [
    ...[...ids.number, ...ids.other].map((id) => point(id)),
    point('bool', 'boolean'),
    point('string', 'string'),
    point('text', 'string'),
  ];
  const byId = (id: string) => points.find((p) => p.id === id) as SourcePoint;

  beforeAll(async () => {
    before = activeHandles();
    dir = tempDir();
    server = await startTypedServer(dir);
    c = poller({ endpoint: server.endpoint, pkiDir: path.join(dir, 'client-pki') }, points);
    await c.gather(async () => undefined);
  });
  afterAll(async () => {
    await c?.close();
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    await expectNoLeaks(before, 3000);
  });

  it('writes a Variant of each built-in type and reads the value back', async () => {
    const cases: Array<[string, number | boolean | string]> = [
      ['sbyte', -128],
      ['byte', 255],
      ['int16', -32768],
      ['uint16', 65535],
      ['int32', -2147483648],
      ['uint32', 4294967295],
      ['int64', -9007199254740991],
      ['uint64', 9007199254740991],
      ['float', 0.5],
      ['double', 1234.5678901234],
      ['bool', true],
      ['string', 'auto'],
      ['text', 'Ventilator 1'],
    ];
    for (const [id, value] of cases) {
      const out = await c.write({ point: byId(id), value });
      expect([id, out.readBack, out.rawStatus]).toEqual([id, value, 0]);
    }
    // a Float keeps float precision: what the server holds is read back, not what was asked
    expect((await c.write({ point: byId('float'), value: 0.1 })).readBack).toBeCloseTo(0.1, 6);
    // DateTime as Unix ms
    expect((await c.write({ point: byId('time'), value: Date.UTC(2025, 5, 1) })).readBack).toBe(Date.UTC(2025, 5, 1));
  });

  it('the server refuses a Double for an Int16 node (BadTypeMismatch): this is why the DataType is read', async () => {
    const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 } });
    await client.connect(server.endpoint);
    const session = await client.createSession2();
    try {
      const ns = (await session.readNamespaceArray()).indexOf(TYPED_NS);
      const status = await session.write({
        nodeId: `ns=${ns};s=int16`,
        attributeId: AttributeIds.Value,
        value: { value: { dataType: DataType.Double, value: 12 } },
      });
      expect(status.name).toBe('BadTypeMismatch');
    } finally {
      await session.close();
      await client.disconnect();
    }
    expect((await c.write({ point: byId('int16'), value: 12 })).readBack).toBe(12);
  });

  it('refuses values that do not fit the type before anything is sent', async () => {
    const writes = () => server.requestCounts.get('WriteRequest') ?? 0;
    await c.write({ point: byId('int16'), value: 1 }); // the types of these nodes are known from here on
    await c.write({ point: byId('int32'), value: 1 });
    await c.write({ point: byId('double'), value: 1 });
    await c.write({ point: byId('bool'), value: true });
    await c.write({ point: byId('uint64'), value: 1 });
    const w0 = writes();
    const cases: Array<[string, number | boolean | string, string]> = [
      ['int16', 70000, '70000 does not fit Int16 (-32768–32767)'],
      ['int32', 2.5, "2.5 is not a whole number; the node's DataType is Int32"],
      ['double', 'warm', '"warm" is not a number; the node\'s DataType is Double'],
      ['double', Number.NaN, 'NaN is not a finite number; Double cannot carry it'],
      ['bool', 2, '2 is not a Boolean (true/false, or 1/0)'],
      ['uint64', -1, '-1 does not fit UInt64 (0–9007199254740991, the whole numbers a double holds exactly)'],
    ];
    for (const [id, value, why] of cases) {
      const e = await refusal(c.write({ point: byId(id), value }));
      expect([e.kind, e.message]).toEqual([
        'refused',
        `source "ua": cannot write point "${id}" (node ${typed(id)}, ${
          { int16: 'Int16', int32: 'Int32', double: 'Double', bool: 'Boolean', uint64: 'UInt64' }[id]
        }): ${why}; nothing was sent`,
      ]);
    }
    expect(writes()).toBe(w0);
  });

  it('follows derived and abstract DataTypes: Duration and a vendor type → Double, an enumeration → Int32, BaseDataType → the current value', async () => {
    expect((await c.write({ point: byId('duration'), value: 2500 })).readBack).toBe(2500);
    expect((await c.write({ point: byId('vendor'), value: 21.25 })).readBack).toBe(21.25);
    expect((await c.write({ point: byId('enum'), value: 2 })).readBack).toBe(2);
    expect((await c.write({ point: byId('any'), value: 9 })).readBack).toBe(9);
    // the types as the messages name them
    const label = async (id: string, value: number) =>
      /\(node [^,]+, (.*)\): /.exec((await refusal(c.write({ point: byId(id), value }))).message)?.[1];
    expect(await label('duration', Infinity)).toBe('Duration (Double)');
    expect(await label('vendor', Infinity)).toMatch(/^ns=\d+;i=\d+ \(Double\)$/);
    expect(await label('enum', 1.5)).toMatch(/^ns=\d+;i=\d+ \(Enumeration\)$/);
    expect(await label('any', 1.5)).toBe('BaseDataType (now Int32)');
  });

  it('refuses arrays and types it does not write (config), read-only and access-denied nodes (the server status)', async () => {
    let e = await refusal(c.write({ point: byId('array'), value: 1 }));
    expect([e.kind, e.message]).toEqual([
      'config',
      `source "ua": cannot write point "array" (node ${typed('array')}): the node holds arrays (ValueRank 1); Plenum writes scalars; nothing was sent`,
    ]);
    e = await refusal(c.write({ point: byId('bytes'), value: 1 }));
    expect(e.kind).toBe('config');
    expect(e.message).toMatch(/its DataType ByteString is not one Plenum writes/);
    e = await refusal(c.write({ point: byId('readonly'), value: 1 }));
    expect([e.kind, e.rawStatus]).toEqual(['refused', StatusCodes.BadNotWritable.value]);
    e = await refusal(c.write({ point: byId('denied'), value: 1 }));
    expect([e.kind, e.rawStatus]).toEqual(['refused', StatusCodes.BadUserAccessDenied.value]);
    expect(e.message).toBe(
      `source "ua": the server refused writing 1 to point "denied" (node ${typed('denied')}, Double): BadUserAccessDenied (0x801F0000)`,
    );
  });
});
