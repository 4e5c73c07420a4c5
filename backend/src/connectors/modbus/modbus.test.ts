/**
 * The connector against modbus-serial's in-process ServerTCP: a slow unit beside a fast one, exceptions,
 * connection loss and refusal, close() in flight, pauses, and the runner's view. The Debian pymodbus peer is
 * exercised by golden.test.ts.
 */
import net from 'node:net';
import { ServerTCP, type FCallbackVal } from 'modbus-serial';
import { SourceRunner, type SourceStatus } from '../runner';
import type { SourcePoint, SourceSample } from '../types';
import { modbusOptions, type ModbusOptions } from './config';
import { modbus } from './index';
import { MODBUS_STATUS } from './link';
import { createModbus, type ModbusConnector } from './modbus';
import { activeHandles, expectNoLeaks, freePort, sourcePoint } from './testkit';

interface Peer {
  port: number;
  /** requests per unit id (one call of the vector per request) */
  requests: Map<number, number>;
  /** Date.now() of each request */
  times: number[];
  /** ms before unit `u` answers */
  delay: Map<number, number>;
  /** unit → exception code it answers with */
  exception: Map<number, number>;
  /** hr addresses that do not exist (exception 2 when a read touches them) */
  holes: Set<number>;
  close(): Promise<void>;
  dropClients(): void;
}

/** holding register value at `addr` of `unit`: recognisable per unit */
const value = (unit: number, addr: number) => (unit * 1000 + addr) & 0xffff;

async function startPeer(port?: number): Promise<Peer> {
  const p = port ?? (await freePort());
  const requests = new Map<number, number>();
  const times: number[] = [];
  const delay = new Map<number, number>();
  const exception = new Map<number, number>();
  const holes = new Set<number>();
  const pending = new Set<NodeJS.Timeout>();
  /** callback style: modbus-serial's ServerTCP takes a promise only per register, not per request */
  const read = (addr: number, length: number, unit: number, cb: FCallbackVal<number[]>): void => {
    requests.set(unit, (requests.get(unit) ?? 0) + 1);
    times.push(Date.now());
    const answer = () => {
      const code = exception.get(unit);
      // ServerTCP answers an error carrying `modbusErrorCode` with that exception
      const exceptionError = (c: number) => Object.assign(new Error(`exception ${c}`), { modbusErrorCode: c });
      if (code !== undefined) return cb(exceptionError(code), []);
      for (let a = addr; a < addr + length; a++) if (holes.has(a)) return cb(exceptionError(2), []);
      cb(
        null,
        Array.from({ length }, (_, i) => value(unit, addr + i)),
      );
    };
    const ms = delay.get(unit) ?? 0;
    if (ms <= 0) return answer();
    const t = setTimeout(() => {
      pending.delete(t);
      answer();
    }, ms);
    pending.add(t);
  };
  const server = new ServerTCP(
    {
      getMultipleHoldingRegisters: read,
      getHoldingRegister: (addr: number, unit: number, cb: FCallbackVal<number>) =>
        read(addr, 1, unit, (err, values) => cb(err, values[0] ?? 0)),
      getCoil: (addr: number) => addr % 3 === 0,
    },
    { host: '127.0.0.1', port: p, unitID: 255 },
  );
  server.on('socketError', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.on('initialized', () => resolve());
    server.on('serverError', (e) => reject(e));
  });
  return {
    port: p,
    requests,
    times,
    delay,
    exception,
    holes,
    dropClients: () => server.socks.forEach((_, s) => s.destroy()),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of pending) clearTimeout(t);
        server.close(() => resolve());
      }),
  };
}

function connector(port: number, points: SourcePoint[], options: Partial<ModbusOptions> = {}): ModbusConnector {
  return createModbus({
    name: 'pdus',
    intervalMs: 1000,
    // timeouts generous enough for a loaded CI machine, unless a test is about timeouts
    options: modbusOptions.parse({ host: '127.0.0.1', port, timeoutMs: 1000, retries: 1, ...options }),
    points,
  });
}

async function gatherOnce(c: ModbusConnector): Promise<{ samples: SourceSample[]; error?: string; ms: number }> {
  const samples: SourceSample[] = [];
  const t0 = Date.now();
  try {
    await c.gather(async (s) => void samples.push(...s));
    return { samples, ms: Date.now() - t0 };
  } catch (e) {
    return { samples, error: (e as Error).message, ms: Date.now() - t0 };
  }
}

const byId = (samples: SourceSample[]) => Object.fromEntries(samples.map((s) => [s.pointId, s]));

describe('modbus connector against an in-process ServerTCP', () => {
  let peer: Peer;
  let before: Record<string, number>;
  beforeEach(async () => {
    before = activeHandles();
    peer = await startPeer();
  });
  afterEach(async () => {
    await peer.close();
    await expectNoLeaks(before);
  });

  it('reads values, batching each unit’s registers into one request', async () => {
    const c = connector(peer.port, [
      sourcePoint('u1/a', 'unit=1;hr=0'),
      sourcePoint('u1/b', 'unit=1;hr=5;uint32'),
      sourcePoint('u1/c', 'unit=1;hr=9;int16;scale=0.5;offset=1'),
      sourcePoint('u2/a', 'unit=2;hr=100'),
      sourcePoint('u1/coil', 'unit=1;coil=3', 'boolean'),
      sourcePoint('u1/coil2', 'unit=1;coil=4', 'boolean'),
    ]);
    expect(c.reads).toEqual([
      { unitId: 1, table: 'hr', start: 0, count: 10 },
      { unitId: 1, table: 'coil', start: 3, count: 2 },
      { unitId: 2, table: 'hr', start: 100, count: 1 },
    ]);
    const { samples, error } = await gatherOnce(c);
    expect(error).toBeUndefined();
    const s = byId(samples);
    expect(s['u1/a']).toMatchObject({ value: 1000, quality: 'good' });
    expect(s['u1/b']).toMatchObject({ value: 1005 * 65536 + 1006, quality: 'good' });
    expect(s['u1/c']).toMatchObject({ value: 1009 * 0.5 + 1, quality: 'good' });
    expect(s['u2/a']).toMatchObject({ value: 2100, quality: 'good' });
    expect(s['u1/coil']).toMatchObject({ value: true, quality: 'good' });
    expect(s['u1/coil2']).toMatchObject({ value: false, quality: 'good' });
    expect(samples.every((x) => x.rawStatus === undefined)).toBe(true);
    expect(c.stats).toMatchObject({ requests: 3, answers: 3, connects: 1 });
    expect([...peer.requests.entries()]).toEqual([
      [1, 1],
      [2, 1],
    ]);
    await c.close();
  });

  it('does not let a slow unit stall the others longer than its timeout, nor mix up its late answers', async () => {
    // unit 1 answers 400 ms late: after the 300 ms timeout, while the retry and then unit 2's reads are on the wire
    peer.delay.set(1, 400);
    const c = connector(
      peer.port,
      [
        sourcePoint('u1/a', 'unit=1;hr=0'),
        sourcePoint('u1/far', 'unit=1;hr=500'),
        sourcePoint('u2/a', 'unit=2;hr=0'),
        sourcePoint('u2/far', 'unit=2;hr=500'),
        sourcePoint('u3/a', 'unit=3;hr=7'),
      ],
      { timeoutMs: 300 },
    );
    const first = await gatherOnce(c);
    expect(first.error).toBeUndefined();
    const s = byId(first.samples);
    expect(s['u1/a']).toMatchObject({ value: 0, quality: 'bad', rawStatus: MODBUS_STATUS.noResponse });
    // its second request is not even tried: the unit has not answered anything in this poll
    expect(s['u1/far']).toMatchObject({ quality: 'bad', rawStatus: 0x0b });
    expect(s['u2/a']).toMatchObject({ value: 2000, quality: 'good' });
    expect(s['u2/far']).toMatchObject({ value: 2500, quality: 'good' });
    expect(s['u3/a']).toMatchObject({ value: 3007, quality: 'good' });
    expect(c.stats).toMatchObject({ timeouts: 2, retries: 1, skipped: 1 });
    // one timeout and one retry, then the healthy units at full speed
    expect(first.ms).toBeLessThan(300 * 2 + 250);

    // next poll: the silent unit gets one attempt, no retry
    const second = await gatherOnce(c);
    expect(byId(second.samples)['u2/a']).toMatchObject({ value: 2000, quality: 'good' });
    expect(c.stats).toMatchObject({ timeouts: 3, retries: 1, skipped: 2 });
    expect(second.ms).toBeLessThan(300 + 250);

    // it recovers as soon as it answers in time
    peer.delay.delete(1);
    await new Promise((r) => setTimeout(r, 450)); // let the last late answer arrive and be ignored
    const third = await gatherOnce(c);
    expect(byId(third.samples)['u1/far']).toMatchObject({ value: 1500, quality: 'good' });
    expect(third.samples.every((x) => x.quality === 'good')).toBe(true);
    await c.close();
  });

  it('reports exceptions with their code, and splits a joined read the device refuses', async () => {
    peer.exception.set(4, 6); // busy: retried, then bad
    peer.exception.set(5, 1); // illegal function: not retried
    peer.holes.add(3);
    const c = connector(peer.port, [
      sourcePoint('u1/a', 'unit=1;hr=0'),
      sourcePoint('u1/b', 'unit=1;hr=6'), // joined with hr=0 across the hole at 3
      sourcePoint('u1/hole', 'unit=1;hr=3'),
      sourcePoint('u4/a', 'unit=4;hr=0'),
      sourcePoint('u5/a', 'unit=5;hr=0'),
    ]);
    expect(c.reads.map((r) => `${r.unitId}:${r.start}+${r.count}`)).toEqual(['1:0+7', '4:0+1', '5:0+1']);
    const { samples, error } = await gatherOnce(c);
    expect(error).toBeUndefined();
    const s = byId(samples);
    expect(s['u1/a']).toMatchObject({ value: 1000, quality: 'good' });
    expect(s['u1/b']).toMatchObject({ value: 1006, quality: 'good' });
    expect(s['u1/hole']).toMatchObject({ quality: 'bad', rawStatus: 2 });
    expect(s['u4/a']).toMatchObject({ quality: 'bad', rawStatus: 6 });
    expect(s['u5/a']).toMatchObject({ quality: 'bad', rawStatus: 1 });
    expect(c.reads.map((r) => `${r.unitId}:${r.start}+${r.count}`)).toEqual([
      '1:0+1',
      '1:3+1',
      '1:6+1',
      '4:0+1',
      '5:0+1',
    ]);
    // requests: the joined read, 3 split reads, busy twice, illegal function once; all but 2 split reads are exceptions
    expect(c.stats).toMatchObject({ requests: 7, splits: 1, exceptions: 5, retries: 1 });
    await c.close();
  });

  it('throws when it cannot connect, delivering bad samples, and reconnects on the next gather', async () => {
    const port = peer.port;
    await peer.close();
    const c = connector(port, [sourcePoint('u1/a', 'unit=1;hr=0'), sourcePoint('u1/c', 'unit=1;coil=0', 'boolean')]);
    const down = await gatherOnce(c);
    expect(down.error).toMatch(
      new RegExp(
        `^source "pdus": cannot connect to tcp 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*; all 2 points are bad \\(rawStatus 0x0A\\), retrying on the next poll$`,
      ),
    );
    expect(down.samples).toEqual([
      expect.objectContaining({ pointId: 'u1/a', value: 0, quality: 'bad', rawStatus: 0x0a }),
      expect.objectContaining({ pointId: 'u1/c', value: false, quality: 'bad', rawStatus: 0x0a }),
    ]);
    peer = await startPeer(port);
    const up = await gatherOnce(c);
    expect(up.error).toBeUndefined();
    expect(byId(up.samples)['u1/a']).toMatchObject({ value: 1000, quality: 'good' });
    await c.close();
  });

  it('notices a dropped connection: unread points bad, gather throws, the next one reconnects', async () => {
    const c = connector(peer.port, [sourcePoint('u1/a', 'unit=1;hr=0'), sourcePoint('u2/a', 'unit=2;hr=0')], {
      timeoutMs: 2000,
    });
    expect((await gatherOnce(c)).error).toBeUndefined();
    // the gateway closes the connection while unit 1's read is on the wire
    peer.delay.set(1, 1000);
    const pending = gatherOnce(c);
    await new Promise((r) => setTimeout(r, 100));
    peer.dropClients();
    const cut = await pending;
    expect(cut.ms).toBeLessThan(1000);
    expect(cut.error).toBe(
      `source "pdus": connection to tcp 127.0.0.1:${peer.port} lost; unread points are bad (rawStatus 0x0A), reconnecting on the next poll`,
    );
    expect(cut.samples.map((s) => [s.pointId, s.quality, s.rawStatus])).toEqual([
      ['u1/a', 'bad', 0x0a],
      ['u2/a', 'bad', 0x0a],
    ]);
    peer.delay.delete(1);
    const again = await gatherOnce(c);
    expect(again.error).toBeUndefined();
    expect(again.samples.every((s) => s.quality === 'good')).toBe(true);
    expect(c.stats.connects).toBe(2);
    await c.close();
  });

  it('throws and reconnects when no unit answers at all', async () => {
    peer.delay.set(1, 400);
    peer.delay.set(2, 400);
    const c = connector(peer.port, [sourcePoint('u1/a', 'unit=1;hr=0'), sourcePoint('u2/a', 'unit=2;hr=0')], {
      retries: 0,
      timeoutMs: 150,
    });
    const dead = await gatherOnce(c);
    expect(dead.error).toBe(
      `source "pdus": no unit behind tcp 127.0.0.1:${peer.port} answered (2 reads failed); reconnecting on the next poll`,
    );
    expect(dead.samples.map((s) => s.rawStatus)).toEqual([0x0b, 0x0b]);
    peer.delay.clear();
    const again = await gatherOnce(c);
    expect(again.error).toBeUndefined();
    expect(c.stats.connects).toBe(2);
    await c.close();
  });

  it('closes within milliseconds while a request is in flight, and delivers nothing after', async () => {
    peer.delay.set(1, 5000);
    const c = connector(peer.port, [sourcePoint('u1/a', 'unit=1;hr=0')], { timeoutMs: 10_000 });
    let delivered = 0;
    const gathering = c.gather(async () => void delivered++);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await c.close();
    await gathering;
    expect(Date.now() - t0).toBeLessThan(100);
    expect(delivered).toBe(0);
  });

  it('pauses between requests', async () => {
    const c = connector(
      peer.port,
      [sourcePoint('a', 'unit=1;hr=0'), sourcePoint('b', 'unit=2;hr=0'), sourcePoint('c', 'unit=3;hr=0')],
      {
        pauseMs: 60,
      },
    );
    await gatherOnce(c);
    const gaps = peer.times.slice(1).map((t, i) => t - (peer.times[i] as number));
    expect(gaps).toHaveLength(2);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(55);
    await c.close();
  });

  it('runs under the SourceRunner: up with one dead unit, degraded when the gateway is gone', async () => {
    peer.delay.set(2, 1000);
    const states: string[] = [];
    const got: SourceSample[] = [];
    const options = modbusOptions.parse({ host: '127.0.0.1', port: peer.port, timeoutMs: 300, retries: 0 });
    const runner = new SourceRunner(
      modbus as never,
      {
        name: 'pdus',
        intervalMs: 50,
        options: options as never,
        points: [sourcePoint('a', 'unit=1;hr=0'), sourcePoint('b', 'unit=2;hr=0')],
      },
      async (s) => void got.push(...s),
      { onStateChange: (st: SourceStatus) => states.push(st.state) },
    );
    runner.start();
    const until = async (cond: () => boolean) => {
      const end = Date.now() + 5000;
      while (!cond()) {
        if (Date.now() > end) throw new Error(`timed out; states ${states.join(' → ')}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until(() => got.filter((s) => s.pointId === 'a' && s.quality === 'good').length >= 2);
    expect(runner.status.state).toBe('up');
    expect(got.filter((s) => s.pointId === 'b').every((s) => s.quality === 'bad' && s.rawStatus === 0x0b)).toBe(true);
    await peer.close();
    await until(() => runner.status.state === 'degraded');
    expect(runner.status.lastError).toMatch(/^source "pdus": (connection to|cannot connect to) tcp 127\.0\.0\.1/);
    await runner.stop();
    expect(states[0]).toBe('up');
    expect(states.at(-1)).toBe('stopped');
  });
});

/** CRC-16/MODBUS, written out here (not modbus-serial's) for the fake RTU gateway below. */
function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

describe('modbus connector, RTU over TCP, against a hand-written gateway', () => {
  it('ignores a late answer that arrives before the next request to the same unit and function', async () => {
    const before = activeHandles();
    // answers FC3 with register value = address + 1; hr=20 answers 250 ms late
    const timers = new Set<NodeJS.Timeout>();
    const server = net.createServer((sock) => {
      sock.on('error', () => undefined);
      sock.on('data', (req) => {
        if (req.length !== 8 || crc16(req.subarray(0, 6)) !== req.readUInt16LE(6)) return;
        const [unit, fc] = [req[0] as number, req[1] as number];
        const [addr, count] = [req.readUInt16BE(2), req.readUInt16BE(4)];
        const res = Buffer.alloc(5 + count * 2);
        res.writeUInt8(unit, 0);
        res.writeUInt8(fc, 1);
        res.writeUInt8(count * 2, 2);
        for (let i = 0; i < count; i++) res.writeUInt16BE(addr + i + 1, 3 + i * 2);
        res.writeUInt16LE(crc16(res.subarray(0, res.length - 2)), res.length - 2);
        if (addr !== 20) return void sock.write(res);
        const t = setTimeout(() => {
          timers.delete(t);
          if (!sock.destroyed) sock.write(res);
        }, 250);
        timers.add(t);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const c = createModbus({
      name: 'gw',
      intervalMs: 1000,
      options: modbusOptions.parse({
        transport: 'rtu-over-tcp',
        host: '127.0.0.1',
        port,
        timeoutMs: 200,
        retries: 0,
        pauseMs: 150,
        maxGap: 0,
      }),
      points: [
        sourcePoint('a', 'unit=1;hr=0;uint32'),
        sourcePoint('b', 'unit=1;hr=20;uint32'),
        sourcePoint('c', 'unit=1;hr=40;uint32'),
      ],
    });
    // same unit, function and length: the late answer to hr=20 would fit the request for hr=40 exactly
    const { samples, error } = await gatherOnce(c);
    expect(error).toBeUndefined();
    const s = byId(samples);
    expect(s.a).toMatchObject({ value: 1 * 65536 + 2, quality: 'good' });
    expect(s.b).toMatchObject({ quality: 'bad', rawStatus: 0x0b });
    expect(s.c).toMatchObject({ value: 41 * 65536 + 42, quality: 'good' });
    await c.close();
    for (const t of timers) clearTimeout(t);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await expectNoLeaks(before);
  });
});

describe('modbus connector, serial', () => {
  it('fails the gather with the port named when the serial device does not exist, leaving nothing open', async () => {
    const before = activeHandles();
    const c = createModbus({
      name: 'rs485',
      intervalMs: 1000,
      options: modbusOptions.parse({ transport: 'rtu', path: '/dev/plenum-no-such-tty', connectTimeoutMs: 500 }),
      points: [sourcePoint('a', 'unit=1;hr=0')],
    });
    const { samples, error } = await gatherOnce(c);
    expect(error).toMatch(/^source "rs485": cannot connect to rtu \/dev\/plenum-no-such-tty: .*no such file/i);
    expect(samples).toEqual([expect.objectContaining({ pointId: 'a', quality: 'bad', rawStatus: 0x0a })]);
    await c.close();
    await expectNoLeaks(before);
  });
});

describe('modbus init', () => {
  it('validates every point address and value type without I/O, naming the source and point', () => {
    const before = activeHandles();
    const options = modbusOptions.parse({ host: 'gw.invalid', maxRegistersPerRead: 10 });
    const init = () =>
      modbus.init({
        name: 'pdus',
        intervalMs: 1000,
        options,
        points: [
          sourcePoint('p/ok', 'unit=1;hr=0;float32'),
          sourcePoint('p/typo', 'unit=1;hr=0;flaot32'),
          sourcePoint('p/bool', 'unit=1;hr=0;float32', 'boolean'),
          sourcePoint('p/str', 'unit=1;hr=0;string:16', 'string'),
        ],
      });
    expect(init).toThrow(
      [
        'bad address "unit=1;hr=0;flaot32" of point "p/typo" in source "pdus": unknown part "flaot32" (did you mean "float32"?); expected a type (int16, uint16, int32, uint32, float32, float64, string:<registers>, bit:<0..15>, bool), an order (ABCD, CDAB, BADC, DCBA) or key=value (unit, device, hr, ir, coil, di, scale, offset)',
        'address "unit=1;hr=0;float32" of point "p/bool" in source "pdus" reads float32 (number values) but the point\'s valueType is boolean; expected valueType: number or an address of type bit:<n>, or a coil/di',
        'address "unit=1;hr=0;string:16" of point "p/str" in source "pdus" spans 16 registers but one read takes at most 10 (maxRegistersPerRead); expected a shorter string',
      ].join('\n'),
    );
    expect(activeHandles()).toEqual(before);
  });
});
