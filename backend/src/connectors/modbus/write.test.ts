/**
 * Writes (FC5, FC15, FC6, FC16) against real peers: Debian's pymodbus (fixtures/pymodbus_server.py, which logs
 * every register word it receives), the simulator's Modbus server (the chilled-water plant on unit 100), and
 * Debian's mbpoll reading back what Plenum wrote. README "Writes".
 */
import { spawnSync } from 'node:child_process';
import { HallModel } from '../../sim/model';
import { PduModbusServer } from '../../sim/modbus-server';
import { generator } from '../generator/index';
import { generatorOptions } from '../generator/config';
import { SourceRunner } from '../runner';
import { WriteError, type SourcePoint, type WriteOutcome } from '../types';
import { modbusOptions, type ModbusOptionsInput } from './config';
import { modbus } from './index';
import { createModbus, type ModbusConnector } from './modbus';
import {
  activeHandles,
  expectNoLeaks,
  freePort,
  INSTALL_HINT,
  sourcePoint,
  startPymodbus,
  type PymodbusPeer,
} from './testkit';

/** A writable point (kind setpoint), optionally writing somewhere else than it reads. */
function writable(
  id: string,
  address: string,
  valueType: SourcePoint['valueType'] = 'number',
  writeAddress?: string,
): SourcePoint {
  const p = sourcePoint(id, address, valueType);
  return {
    ...p,
    kind: 'setpoint',
    writable: true,
    source: { ...p.source, ...(writeAddress !== undefined ? { writeAddress } : {}) },
  };
}

function connector(options: ModbusOptionsInput, points: SourcePoint[]): ModbusConnector {
  return createModbus({ name: 'plant', intervalMs: 1000, options: modbusOptions.parse(options), points });
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

/** Waits until the peer's log is quiet for 50 ms (it logs on stdout, which may trail the answers). */
async function quiet(peer: PymodbusPeer): Promise<void> {
  for (let n = -1; n !== peer.requests.length;) {
    n = peer.requests.length;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the peer logged `n` more requests after `from`, then returns them. */
async function logged(peer: PymodbusPeer, from: number, n: number): Promise<string[]> {
  const end = Date.now() + 2000;
  while (peer.requests.length - from < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return peer.requests.slice(from);
}

const words = (b: Buffer) => Array.from({ length: b.length / 2 }, (_, i) => b.readUInt16BE(i * 2)).join(',');
const be = (n: number, write: (b: Buffer) => void) => {
  const b = Buffer.alloc(n);
  write(b);
  return b;
};

describe('modbus writes against pymodbus', () => {
  let peer: PymodbusPeer;
  let before: Record<string, number>;
  beforeAll(async () => {
    peer = await startPymodbus(1500);
  });
  afterAll(async () => {
    await peer?.stop();
  });
  beforeEach(() => {
    before = activeHandles();
  });
  afterEach(async () => {
    await expectNoLeaks(before, 2000);
  });

  /** A connector connected by one gather (writes use the poll's connection; they never open one). */
  async function connected(options: Partial<ModbusOptionsInput>, points: SourcePoint[]): Promise<ModbusConnector> {
    const c = connector({ host: '127.0.0.1', port: peer.tcpPort, timeoutMs: 500, ...options }, points);
    await c.gather(async () => undefined);
    await quiet(peer);
    return c;
  }

  it('writes every numeric type in every order, FC6 for 16 bits and FC16 for more, and reads each back', async () => {
    // unit 1: ABCD at 0, CDAB at 100, BADC at 200, DCBA at 300 (the fixture's map); new values, not pymodbus' own
    const values = {
      int16: [0, -321, (b: Buffer) => b.writeInt16BE(-321), 2],
      uint16: [1, 65000, (b: Buffer) => b.writeUInt16BE(65000), 2],
      int32: [2, -987654321, (b: Buffer) => b.writeInt32BE(-987654321), 4],
      uint32: [4, 4000000000, (b: Buffer) => b.writeUInt32BE(4000000000), 4],
      float32: [6, -7.25, (b: Buffer) => b.writeFloatBE(-7.25), 4],
      float64: [8, 1234.56789012345, (b: Buffer) => b.writeDoubleBE(1234.56789012345), 8],
    } as const;
    const orders = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
    const points = orders.flatMap((order, i) =>
      Object.entries(values).map(([type, [offset]]) =>
        writable(`${type}/${order}`, `unit=1;hr=${i * 100 + offset};${type};${order}`),
      ),
    );
    const c = await connected({}, points);
    try {
      for (const [i, order] of orders.entries()) {
        for (const [type, [offset, value, write, size]] of Object.entries(values)) {
          const from = peer.requests.length;
          const point = points.find((p) => p.id === `${type}/${order}`) as SourcePoint;
          const t0 = Date.now();
          const out = await c.write({ point, value });
          expect(out).toEqual({ readBack: value, rawStatus: 0, at: expect.any(Number) });
          expect(out.at).toBeGreaterThanOrEqual(t0);
          // the words on the wire, as pymodbus received them, laid out by hand: CDAB reverses the words, BADC
          // swaps the bytes of each, DCBA reverses every byte
          const bytes = be(size, write);
          const wire =
            order === 'ABCD'
              ? bytes
              : order === 'DCBA'
                ? Buffer.from(bytes).reverse()
                : order === 'CDAB'
                  ? Buffer.concat(
                      Array.from({ length: size / 2 }, (_, k) => bytes.subarray(size - 2 - 2 * k, size - 2 * k)),
                    )
                  : Buffer.from(bytes.map((_, k) => bytes[k ^ 1] as number));
          const fc = size === 2 ? 6 : 16;
          const count = fc === 6 ? 0 : size / 2;
          expect(await logged(peer, from, 2)).toEqual([
            `tcp unit=1 fc=${fc} addr=${i * 100 + offset} count=${count} values=${words(wire)}`,
            `tcp unit=1 fc=3 addr=${i * 100 + offset} count=${size / 2}`,
          ]);
        }
      }
      expect(c.stats.writes).toBe(24);
    } finally {
      await c.close();
    }
  });

  it('writes strings (FC16), scaled registers (inverse scale, rounded) and one bit (read-modify-write)', async () => {
    const name = writable('name', 'unit=1;hr=212;string:4;BADC', 'string');
    const tenths = writable('tenths', 'unit=1;hr=500;int16;scale=0.1');
    const bit = writable('bit', 'unit=1;hr=16;bit:3', 'boolean');
    const c = await connected({}, [name, tenths, bit]);
    try {
      let from = peer.requests.length;
      expect((await c.write({ point: name, value: 'AB-9' })).readBack).toBe('AB-9');
      // BADC: the first character in the low byte of each register
      expect((await logged(peer, from, 1))[0]).toBe(`tcp unit=1 fc=16 addr=212 count=4 values=${0x4241},${0x392d},0,0`);

      from = peer.requests.length;
      expect((await c.write({ point: tenths, value: 21.74 })).readBack).toBe(21.7);
      expect((await logged(peer, from, 1))[0]).toBe('tcp unit=1 fc=6 addr=500 count=0 values=217');

      // 0xA005 (bits 0, 2, 13, 15) with bit 3 set: 0xA00D; the other bits as read
      from = peer.requests.length;
      expect((await c.write({ point: bit, value: true })).readBack).toBe(true);
      expect(await logged(peer, from, 3)).toEqual([
        'tcp unit=1 fc=3 addr=16 count=1',
        `tcp unit=1 fc=6 addr=16 count=0 values=${0xa00d}`,
        'tcp unit=1 fc=3 addr=16 count=1',
      ]);
      expect((await c.write({ point: bit, value: false })).readBack).toBe(false);
    } finally {
      await c.close();
    }
  });

  it('writes coils with FC5, or FC15 when the device takes only the multiple functions', async () => {
    const coil = writable('coil', 'unit=1;coil=4', 'boolean');
    const other = writable('other', 'unit=5;coil=2', 'boolean');
    const c = await connected({ devices: [{ name: 'multi', unitId: 5, writeFunctions: 'multiple' }] }, [coil, other]);
    try {
      let from = peer.requests.length;
      expect(await c.write({ point: coil, value: true })).toMatchObject({ readBack: true, rawStatus: 0 });
      expect(await logged(peer, from, 2)).toEqual([
        'tcp unit=1 fc=5 addr=4 count=0 values=1',
        'tcp unit=1 fc=1 addr=4 count=1',
      ]);
      expect((await c.write({ point: coil, value: false })).readBack).toBe(false);
      from = peer.requests.length;
      expect((await c.write({ point: other, value: true })).readBack).toBe(true);
      expect((await logged(peer, from, 1))[0]).toBe('tcp unit=5 fc=15 addr=2 count=0 values=1');
    } finally {
      await c.close();
    }
  });

  it('takes FC16 for a single register when writeFunctions is multiple; the device refuses FC6 otherwise', async () => {
    const sp = writable('sp', 'unit=5;hr=0');
    const single = await connected({}, [sp]);
    try {
      const e = await refusal(single.write({ point: sp, value: 400 }));
      expect(e.kind).toBe('refused');
      expect(e.rawStatus).toBe(1);
      expect(e.message).toBe(
        'source "plant": write 400 (FC6) to point "sp" (unit=5;hr=0;uint16;ABCD): the device answered exception 01 (illegal function)',
      );
    } finally {
      await single.close();
    }
    const multiple = await connected({ writeFunctions: 'multiple' }, [sp]);
    try {
      const from = peer.requests.length;
      expect((await multiple.write({ point: sp, value: 400 })).readBack).toBe(400);
      expect((await logged(peer, from, 1))[0]).toBe('tcp unit=5 fc=16 addr=0 count=1 values=400');
      // the device checks its range: exception 03, and the value it holds stays
      const e = await refusal(multiple.write({ point: sp, value: 2000 }));
      expect([e.kind, e.rawStatus]).toEqual(['refused', 3]);
      expect(e.message).toMatch(/: the device answered exception 03 \(illegal data value\)$/);
      await multiple.gather(async (s) => expect(s[0]?.value).toBe(400));
    } finally {
      await multiple.close();
    }
  });

  it('refuses before sending: out of the type range, wrong value type, relinquish; and names exceptions', async () => {
    const i16 = writable('i16', 'unit=1;hr=0;int16');
    const sparse = writable('sparse', 'unit=2;hr=5');
    const failing = writable('failing', 'unit=3;hr=0');
    const reading = sourcePoint('reading', 'unit=1;hr=1');
    const c = await connected({}, [i16, sparse, failing, reading]);
    try {
      const from = peer.requests.length;
      let e = await refusal(c.write({ point: i16, value: 70000 }));
      expect([e.kind, e.rawStatus]).toEqual(['refused', undefined]);
      expect(e.message).toBe(
        'source "plant": cannot write 70000 to point "i16" (unit=1;hr=0;int16;ABCD): 70000 does not fit int16 (-32768–32767); nothing was sent',
      );
      e = await refusal(c.write({ point: i16, value: 'warm' }));
      expect(e.message).toBe(
        'source "plant": cannot write "warm" to point "i16" (unit=1;hr=0;int16;ABCD): expected a number (the point\'s valueType); nothing was sent',
      );
      e = await refusal(c.write({ point: i16, value: null }));
      expect(e.kind).toBe('refused');
      expect(e.message).toMatch(/^source "plant": cannot relinquish point "i16" .*: Modbus has no relinquish; /);
      e = await refusal(c.write({ point: reading, value: 1 }));
      expect([e.kind, e.message]).toEqual([
        'config',
        'source "plant": point "reading" is not writable (writable: false)',
      ]);
      e = await refusal(c.write({ point: writable('elsewhere', 'unit=1;hr=0'), value: 1 }));
      expect([e.kind, e.message]).toEqual([
        'config',
        'source "plant": point "elsewhere" is not configured in this source',
      ]);
      await new Promise((r) => setTimeout(r, 100));
      expect(peer.requests.length).toBe(from);

      e = await refusal(c.write({ point: sparse, value: 1 }));
      expect([e.kind, e.rawStatus]).toEqual(['refused', 2]);
      expect(e.message).toMatch(/the device answered exception 02 \(illegal data address\)$/);
      e = await refusal(c.write({ point: failing, value: 1 }));
      expect([e.kind, e.rawStatus]).toEqual(['refused', 4]);
      expect(e.message).toMatch(/the device answered exception 04 \(server device failure\)$/);
    } finally {
      await c.close();
    }
  });

  it('fails at once without a connection, and after one timeout (never retried) on a silent unit', async () => {
    const sp = writable('sp', 'unit=1;hr=0;int16');
    const silent = writable('silent', 'unit=9;hr=0');
    const fresh = connector({ host: '127.0.0.1', port: peer.tcpPort, retries: 3, timeoutMs: 300 }, [sp, silent]);
    try {
      const from = peer.requests.length;
      const e = await refusal(fresh.write({ point: sp, value: 5 }));
      expect(e.kind).toBe('device');
      expect(e.message).toBe(
        `source "plant": cannot write point "sp" (unit=1;hr=0;int16;ABCD): not connected to tcp 127.0.0.1:${peer.tcpPort} (the next poll reconnects); nothing was sent`,
      );
      expect(peer.requests.length).toBe(from);
      await fresh.gather(async () => undefined);
      const t0 = Date.now();
      const sent = fresh.stats.requests;
      const t = await refusal(fresh.write({ point: silent, value: 5 }));
      expect([t.kind, t.rawStatus]).toEqual(['device', 0x0b]);
      expect(t.message).toBe(
        'source "plant": write 5 (FC6) to point "silent" (unit=9;hr=0;uint16;ABCD): unit 9: no answer within 300 ms; it may or may not have been applied (writes are not retried)',
      );
      expect(Date.now() - t0).toBeLessThan(600);
      // one request on the wire although retries is 3 (pymodbus does not log requests to units it lacks)
      expect(fresh.stats.requests - sent).toBe(1);
    } finally {
      await fresh.close();
    }
    const closed = await refusal(fresh.write({ point: sp, value: 5 }));
    expect([closed.kind, closed.message]).toEqual([
      'device',
      'source "plant": cannot write point "sp" (unit=1;hr=0;int16;ABCD): the source is closed',
    ]);
  });

  it('queues writes behind the poll on the same connection, and writes over RTU framing too', async () => {
    const points = Array.from({ length: 20 }, (_, i) => sourcePoint(`r${i}`, `unit=1;hr=${600 + i * 20}`));
    const sp = writable('sp', 'unit=1;hr=1000;float32');
    const c = await connected({ maxGap: 0 }, [...points, sp]);
    try {
      let got = 0;
      const [, out] = await Promise.all([
        c.gather(async (s) => void (got = s.length)),
        c.write({ point: sp, value: 3.5 }),
      ]);
      expect(got).toBe(21);
      expect(out.readBack).toBe(3.5);
    } finally {
      await c.close();
    }
    const rtu = connector({ transport: 'rtu-over-tcp', host: '127.0.0.1', port: peer.rtuPort }, [sp]);
    try {
      await rtu.gather(async () => undefined);
      await quiet(peer);
      const from = peer.requests.length;
      expect((await rtu.write({ point: sp, value: -40.25 })).readBack).toBe(-40.25);
      expect((await logged(peer, from, 1))[0]).toBe(`rtu unit=1 fc=16 addr=1000 count=2 values=${0xc221},${0x0000}`);
    } finally {
      await rtu.close();
    }
  });

  it('agrees with mbpoll, an independent client, on what Plenum wrote', async () => {
    const mbpoll = (args: string[]): string => {
      const r = spawnSync('mbpoll', ['-1', '-0', '-p', String(peer.tcpPort), ...args, '127.0.0.1'], {
        encoding: 'utf8',
        timeout: 5000,
      });
      if (r.error) throw new Error(`${INSTALL_HINT}\n${r.error.message}`);
      const m = /^\[\d+\]:\s+(\S+)/m.exec(r.stdout);
      if (!m) throw new Error(`mbpoll ${args.join(' ')} printed no value:\n${r.stdout}${r.stderr}`);
      return m[1] as string;
    };
    const f32 = writable('f32', 'unit=1;hr=106;float32;CDAB');
    const i32 = writable('i32', 'unit=1;hr=2;int32;ABCD');
    const u16 = writable('u16', 'unit=1;hr=1');
    const coil = writable('coil', 'unit=1;coil=8', 'boolean');
    const c = await connected({}, [f32, i32, u16, coil]);
    try {
      await c.write({ point: f32, value: 18.375 });
      await c.write({ point: i32, value: -2000000001 });
      await c.write({ point: u16, value: 4321 });
      await c.write({ point: coil, value: true });
    } finally {
      await c.close();
    }
    // mbpoll: -B big-endian word order (ABCD), default little-endian word order (CDAB)
    expect(Number(mbpoll(['-t', '4:float', '-r', '106']))).toBe(18.375);
    expect(Number(mbpoll(['-t', '4:int', '-B', '-r', '2']))).toBe(-2000000001);
    expect(Number(mbpoll(['-t', '4', '-r', '1']))).toBe(4321);
    expect(mbpoll(['-t', '0', '-r', '8'])).toBe('1');
  });
});

describe('modbus writes against the simulator (the chilled-water plant, unit 100)', () => {
  const P = 'sim/hall1/-/-/plant1/';
  let model: HallModel;
  let server: PduModbusServer;
  let port: number;
  let before: Record<string, number>;

  beforeAll(async () => {
    before = activeHandles();
    model = new HallModel({ startMs: Date.UTC(2025, 0, 1), jobSchedule: 'none' });
    server = new PduModbusServer(model, { port: 0, log: () => undefined });
    port = await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    await expectNoLeaks(before, 3000);
  });

  const setpoint = () => model.reading(`${P}chw_setpoint`).value;

  it('writes the CHW setpoint in tenths (FC6) and as float32 (FC16), read back and in the model', async () => {
    // reads the input register, writes the holding register: a point whose writeAddress differs from its address
    const tenths = writable('chw/tenths', 'unit=100;ir=17;int16;scale=0.1', 'number', 'unit=100;hr=17;int16;scale=0.1');
    const f32 = writable('chw/float', 'unit=100;hr=4;float32');
    const c = connector({ host: '127.0.0.1', port }, [tenths, f32]);
    try {
      await c.gather(async () => undefined);
      expect(await c.write({ point: tenths, value: 7.5 })).toMatchObject({ readBack: 7.5, rawStatus: 0 });
      expect(setpoint()).toBe(7.5);
      expect((await c.write({ point: f32, value: 8.2 })).readBack).toBe(8.2);
      expect(setpoint()).toBe(8.2);
      const seen: Record<string, unknown> = {};
      await c.gather(async (s) => s.forEach((x) => (seen[x.pointId] = x.value)));
      expect(seen).toEqual({ 'chw/tenths': 8.2, 'chw/float': 8.2 });

      // out of the setpoint's range (6–20 °C): exception 03, nothing changes
      const e = await refusal(c.write({ point: f32, value: 25 }));
      expect([e.kind, e.rawStatus]).toEqual(['refused', 3]);
      expect(e.message).toBe(
        'source "plant": write 25 (FC16) to point "chw/float" (unit=100;hr=4;float32;ABCD): the device answered exception 03 (illegal data value)',
      );
      expect(setpoint()).toBe(8.2);
    } finally {
      await c.close();
    }
  });

  it('names the exceptions of a read-only register (02), a PDU (01) and a unit the gateway lacks (0B)', async () => {
    const ro = writable('ro', 'unit=100;hr=0;float32');
    const pdu = writable('pdu', 'unit=1;hr=10');
    const none = writable('none', 'unit=200;hr=0');
    const c = connector({ host: '127.0.0.1', port }, [ro, pdu, none]);
    try {
      await c.gather(async () => undefined);
      const codes = [];
      for (const point of [ro, pdu, none]) {
        const e = await refusal(c.write({ point, value: 9 }));
        codes.push([e.kind, e.rawStatus, /exception [0-9A-F]{2} \(([a-z ]+)\)$/.exec(e.message)?.[1]]);
      }
      expect(codes).toEqual([
        ['refused', 2, 'illegal data address'],
        ['refused', 1, 'illegal function'],
        ['refused', 11, 'gateway target device failed to respond'],
      ]);
    } finally {
      await c.close();
    }
  });

  it('writes through the SourceRunner; a source without writes, or not running, says so', async () => {
    const sp = writable('chw', 'unit=100;hr=17;int16;scale=0.1');
    const runner = new SourceRunner(
      modbus as never,
      {
        name: 'plant',
        intervalMs: 100,
        options: modbusOptions.parse({ host: '127.0.0.1', port }) as never,
        points: [sp],
      },
      async () => undefined,
    );
    const notYet = await refusal(runner.write({ point: sp, value: 10 }));
    expect([notYet.kind, notYet.message]).toEqual(['config', 'source "plant" (modbus) is not running']);
    runner.start();
    try {
      const end = Date.now() + 5000;
      while (runner.status.state !== 'up' && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect((await runner.write({ point: sp, value: 10.5 })).readBack).toBe(10.5);
      expect(setpoint()).toBe(10.5);
    } finally {
      await runner.stop();
    }
    const stopped = await refusal(runner.write({ point: sp, value: 10 }));
    expect(stopped.message).toBe('source "plant" (modbus) is not running');

    const gen = new SourceRunner(
      generator as never,
      { name: 'synthetic', intervalMs: 1000, options: generatorOptions.parse({}) as never, points: [] },
      async () => undefined,
    );
    gen.start();
    try {
      const e = await refusal(gen.write({ point: sp, value: 1 }));
      expect([e.kind, e.message]).toEqual(['config', 'source "synthetic" (generator) cannot write']);
    } finally {
      await gen.stop();
    }
  });

  it('a gateway that is gone: the poll fails and a write is a device error at once', async () => {
    const c = connector({ host: '127.0.0.1', port: await freePort(), connectTimeoutMs: 200 }, [
      writable('chw', 'unit=100;hr=17'),
    ]);
    try {
      await expect(c.gather(async () => undefined)).rejects.toThrow(/cannot connect/);
      const e = await refusal(c.write({ point: writable('chw', 'unit=100;hr=17'), value: 80 }));
      expect(e.kind).toBe('device');
    } finally {
      await c.close();
    }
  });
});
