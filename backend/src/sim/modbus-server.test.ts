import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import ModbusRTU from 'modbus-serial';
import { activeHandles, expectNoLeaks } from '../testing/handles';
import { PLANT_UNIT_ID, PduModbusServer } from './modbus-server';
import { HallModel, defaultSite } from './model';
import { PDU_REGISTER_COUNT, encodePduRegisters } from './pdu-registers';
import {
  PlantWriteError,
  SUPERVISOR_HEARTBEAT_REGISTER,
  decodePlantWrite,
  encodePlantRegisters,
  plantRegisterCount,
  plantRegisters,
} from './plant-registers';

const t0 = Date.UTC(2025, 0, 1);

/** Runs mbpoll without blocking the event loop (the server under test lives in this process). */
function mbpoll(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('mbpoll', args, { encoding: 'utf8', timeout: 10_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

const float = (words: number[], at: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(words[at] as number, 0);
  b.writeUInt16BE(words[at + 1] as number, 2);
  return b.readFloatBE(0);
};

describe('PDU register map', () => {
  it('encodes float32 ABCD, uint32 Wh and the status bits', () => {
    const p = {
      unitId: 3,
      rack: 'A03',
      assetPath: '',
      online: true,
      powerKw: 110,
      energyKwh: 1234.5678,
      voltageV: 415.2,
      currentA: 156.3,
      frequencyHz: 50.01,
      powerFactor: 0.98,
      ratedKw: 130,
    };
    const w = encodePduRegisters(p);
    expect(w).toHaveLength(PDU_REGISTER_COUNT);
    expect(w.slice(0, 2)).toEqual([0x42dc, 0x0000]); // 110.0f
    expect(float(w, 4)).toBeCloseTo(415.2, 3);
    expect(w[8]! * 65536 + w[9]!).toBe(1_234_568);
    expect(w[10]).toBe(0b011); // powered, load ≥ 80 % of 130 kW
    expect(w[11]).toBe(3);
    expect(float(w, 18)).toBe(130);
  });
});

describe('PduModbusServer', () => {
  let model: HallModel;
  let server: PduModbusServer;
  let port: number;
  const client = new ModbusRTU();

  beforeAll(async () => {
    model = new HallModel({ startMs: t0, jobSchedule: 'none' });
    model.addJob({ racks: ['A02'], expectedKwPerRack: 100, durationMs: 3_600_000 });
    model.advanceTo(t0 + 120_000);
    server = new PduModbusServer(model, { port: 0, log: () => {} });
    port = await server.start();
    await client.connectTCP('127.0.0.1', { port });
    client.setTimeout(2000);
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => client.close(() => resolve()));
    await server.stop();
  });

  it('serves each rack PDU under its unit id, the same values in holding and input registers', async () => {
    for (const unit of [1, 2, 40]) {
      client.setID(unit);
      const pdu = model.pdus().find((p) => p.unitId === unit);
      const hr = await client.readHoldingRegisters(0, PDU_REGISTER_COUNT);
      const ir = await client.readInputRegisters(0, PDU_REGISTER_COUNT);
      expect(ir.data).toEqual(hr.data);
      expect(float(hr.data, 0)).toBeCloseTo(pdu!.powerKw, 3);
      expect(float(hr.data, 2)).toBeCloseTo(pdu!.energyKwh, -1); // float32: ~7 significant digits
      expect(hr.data[8]! * 65536 + hr.data[9]!).toBe(Math.round(pdu!.energyKwh * 1000));
      expect(float(hr.data, 4)).toBeCloseTo(pdu!.voltageV, 3);
      expect(float(hr.data, 6)).toBeCloseTo(pdu!.currentA, 3);
      expect(hr.data[11]).toBe(unit);
    }
    client.setID(2);
    expect(float((await client.readHoldingRegisters(0, 2)).data, 0)).toBeGreaterThan(80); // A02 runs the job
    expect((await client.readHoldingRegisters(10, 1)).data).toEqual([0b001]); // single-register read
  });

  it('answers exceptions: 0x0B for an unknown or offline unit, 0x02 past the map, 0x01 for writes', async () => {
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: { modbusCode?: number }) => e.modbusCode,
      );
    client.setID(99);
    expect(await code(client.readHoldingRegisters(0, 2))).toBe(0x0b);
    client.setID(1);
    expect(await code(client.readHoldingRegisters(18, 4))).toBe(0x02);
    expect(await code(client.writeRegister(0, 1))).toBe(0x01);
    const f = model.injectFault({ type: 'device_offline', target: 'A05/pdu' });
    client.setID(5);
    expect(await code(client.readInputRegisters(0, 2))).toBe(0x0b);
    model.clearFault(f.id);
    expect(await code(client.readInputRegisters(0, 2))).toBe('ok');
  });

  it('is read correctly by Debian mbpoll (an independent client)', async () => {
    if (!fs.existsSync('/usr/bin/mbpoll')) {
      throw new Error('mbpoll is missing: install the Debian package (apt-get install -y mbpoll) to run this test');
    }
    const pdu = model.pdus()[0]!;
    // -B: mbpoll assumes little-endian word order for 32-bit values unless told the map is ABCD
    const res = await mbpoll([
      '-m',
      'tcp',
      '-a',
      '1',
      '-r',
      '1',
      '-c',
      '10',
      '-t',
      '4:float',
      '-B',
      '-1',
      '-p',
      String(port),
      '127.0.0.1',
    ]);
    expect(res.code).toBe(0);
    const values = new Map([...res.out.matchAll(/^\[(\d+)\]:\s+(\S+)/gm)].map((m) => [Number(m[1]), Number(m[2])]));
    expect(values.get(1)).toBeCloseTo(pdu.powerKw, 2);
    expect(values.get(5)).toBeCloseTo(pdu.voltageV, 1);
    expect(values.get(7)).toBeCloseTo(pdu.currentA, 2);
    expect(values.get(15)).toBeCloseTo(0.98, 5);
    expect(values.get(19)).toBe(130);
    const wh = await mbpoll([
      '-m',
      'tcp',
      '-a',
      '1',
      '-r',
      '9',
      '-c',
      '1',
      '-t',
      '3:int',
      '-B',
      '-1',
      '-p',
      String(port),
      '127.0.0.1',
    ]);
    expect(wh.out).toMatch(new RegExp(`^\\[9\\]:\\s+${Math.round(pdu.energyKwh * 1000)}$`, 'm'));
    const offline = model.injectFault({ type: 'device_offline', target: 'A01/pdu' });
    const failed = await mbpoll([
      '-m',
      'tcp',
      '-a',
      '1',
      '-r',
      '1',
      '-c',
      '2',
      '-t',
      '4:float',
      '-B',
      '-1',
      '-p',
      String(port),
      '127.0.0.1',
    ]);
    model.clearFault(offline.id);
    expect(failed.out).toMatch(/Target device failed to respond/);
  });

  it('rejects a port in use with a message naming it, and stops within bounds', async () => {
    const other = new PduModbusServer(model, { port, log: () => {} });
    await expect(other.start()).rejects.toThrow(`cannot listen on 127.0.0.1:${port}`);
    const t = Date.now();
    await other.stop();
    expect(Date.now() - t).toBeLessThan(2500);
  });
});

const floatWords = (v: number): number[] => {
  const b = Buffer.alloc(4);
  b.writeFloatBE(v, 0);
  return [b.readUInt16BE(0), b.readUInt16BE(2)];
};

describe('plant register map', () => {
  const map = plantRegisters(3);
  const ranges = new Map([
    ['chw_setpoint', { min: 6, max: 20, unit: '°C' }],
    ['supervisor_heartbeat', { min: 0, max: 65_535, unit: '' }],
  ]);
  const code = (f: () => unknown) => {
    try {
      f();
      return 'ok';
    } catch (e) {
      return e instanceof PlantWriteError ? e.modbusErrorCode : String(e);
    }
  };

  it('encodes float32 ABCD, int16 tenths, counts and one status register per chiller', () => {
    const values: Record<string, number | null> = {
      chw_supply_temp: 12.34,
      chw_return_temp: 18.1,
      chw_setpoint: 12,
      chillers_running: 2,
      chiller1_status: 2,
      chiller2_status: 1,
      chiller3_status: 0,
      energy: null,
      supervisor_heartbeat: 4321,
    };
    const w = encodePlantRegisters(map, 3, (sig) =>
      sig in values ? { value: values[sig] as number | null, quality: 'good' } : undefined,
    );
    expect(w).toHaveLength(plantRegisterCount(3));
    expect(w).toHaveLength(31);
    expect(plantRegisterCount(8)).toBe(31); // the heartbeat stays at 30 whatever the plant
    expect(float(w, 0)).toBeCloseTo(12.34, 5);
    expect(w.slice(4, 6)).toEqual([0x4140, 0x0000]); // 12.0f
    expect(w.slice(14, 16)).toEqual([0, 0]); // a missing value encodes as 0
    expect(w.slice(16, 24)).toEqual([2, 120, 123, 181, 3, 2, 1, 0]);
    expect(w.slice(24, 30)).toEqual([0, 0, 0, 0, 0, 0]); // reserved
    expect(SUPERVISOR_HEARTBEAT_REGISTER).toBe(30);
    expect(w[30]).toBe(4321);
    expect(map.find((f) => f.address === 30)).toMatchObject({ signal: 'supervisor_heartbeat', asset: 'bms' });
  });

  it('decodes FC6 tenths and FC16 floats, and refuses what is not a whole writable field or out of range', () => {
    expect(decodePlantWrite(map, 17, [75], ranges)).toEqual([{ signal: 'chw_setpoint', value: 7.5 }]);
    expect(decodePlantWrite(map, 4, floatWords(7.3), ranges)).toEqual([{ signal: 'chw_setpoint', value: 7.3 }]);
    expect(code(() => decodePlantWrite(map, 17, [201], ranges))).toBe(0x03);
    expect(code(() => decodePlantWrite(map, 17, [0xffff], ranges))).toBe(0x03); // −0.1 °C
    expect(code(() => decodePlantWrite(map, 4, floatWords(5.99), ranges))).toBe(0x03);
    expect(code(() => decodePlantWrite(map, 4, [0x7fc0, 0], ranges))).toBe(0x03); // NaN
    expect(code(() => decodePlantWrite(map, 4, [0x4140], ranges))).toBe(0x02); // half a float
    expect(code(() => decodePlantWrite(map, 5, [0x4140], ranges))).toBe(0x02);
    expect(code(() => decodePlantWrite(map, 4, [...floatWords(8), 0], ranges))).toBe(0x02); // runs into hr 6
    expect(code(() => decodePlantWrite(map, 0, [1], ranges))).toBe(0x02); // read-only
    expect(code(() => decodePlantWrite(map, 24, [1], ranges))).toBe(0x02); // reserved
    expect(code(() => decodePlantWrite(map, 31, [1], ranges))).toBe(0x02); // past the map
    expect(() => decodePlantWrite(map, 16, [1], ranges)).toThrow(
      'register 16 (chillers running) is read-only; writable: 4–5 (float32), 17 (int16), 30 (uint16)',
    );
    expect(decodePlantWrite(map, 30, [65_535], ranges)).toEqual([{ signal: 'supervisor_heartbeat', value: 65_535 }]);
  });
});

describe('PduModbusServer: the chilled-water plant (unit 100)', () => {
  let model: HallModel;
  let server: PduModbusServer;
  let port: number;
  let before: Record<string, number>;
  const client = new ModbusRTU();
  const P = 'sim/hall1/-/-/plant1/';
  const setpoint = () => model.reading(`${P}chw_setpoint`).value;
  const code = async (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: { modbusCode?: number }) => e.modbusCode,
    );
  const mb = (args: string[]) => mbpoll(['-m', 'tcp', '-a', String(PLANT_UNIT_ID), '-1', '-p', String(port), ...args]);

  beforeAll(async () => {
    if (!fs.existsSync('/usr/bin/mbpoll')) {
      throw new Error('mbpoll is missing: install the Debian package (apt-get install -y mbpoll) to run this test');
    }
    before = activeHandles();
    model = new HallModel({ startMs: t0, jobSchedule: 'none' });
    model.addJob({ racks: ['A01', 'A02', 'B01'], expectedKwPerRack: 110, durationMs: 3_600_000 });
    model.advanceTo(t0 + 300_000);
    server = new PduModbusServer(model, { port: 0, log: () => {} });
    port = await server.start();
    await client.connectTCP('127.0.0.1', { port });
    client.setTimeout(2000);
    client.setID(PLANT_UNIT_ID);
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => client.close(() => resolve()));
    await server.stop();
    await expectNoLeaks(before, 2000);
  });

  it('serves the plant next to the PDUs, the same words in holding and input registers', async () => {
    expect(server.plantUnitId).toBe(100);
    const count = plantRegisterCount(model.params.chillers);
    const hr = await client.readHoldingRegisters(0, count);
    const ir = await client.readInputRegisters(0, count);
    expect(ir.data).toEqual(hr.data);
    const r = (s: string) => model.reading(P + s).value as number;
    expect(float(hr.data, 0)).toBeCloseTo(r('chw_supply_temp'), 4);
    expect(float(hr.data, 2)).toBeCloseTo(r('chw_return_temp'), 4);
    expect(float(hr.data, 4)).toBe(12);
    expect(float(hr.data, 8)).toBeCloseTo(r('load'), 2);
    expect(float(hr.data, 10)).toBeCloseTo(r('power'), 2);
    expect(float(hr.data, 12)).toBeCloseTo(r('outdoor_temp'), 4);
    expect(hr.data[16]).toBe(r('chillers_running'));
    expect(hr.data[17]).toBe(120);
    expect(hr.data[20]).toBe(model.params.chillers);
    expect(hr.data[21]).toBe(r('chiller1_status'));
    expect(await code(client.readHoldingRegisters(count - 1, 2))).toBe(0x02);
  });

  it('takes the setpoint by FC6 (int16 tenths) and FC16 (float32 ABCD), logs the writer, reads back at once', async () => {
    await client.writeRegister(17, 95); // FC6
    expect(setpoint()).toBe(9.5);
    expect(float((await client.readHoldingRegisters(4, 2)).data, 0)).toBe(9.5);
    expect(model.groundTruth().at(-1)).toMatchObject({
      phase: 'write',
      target: `${P}chw_setpoint`,
      by: 'modbus:unit100',
      from: 12,
      to: 9.5,
      time: model.now(),
    });
    await client.writeRegisters(4, floatWords(10.25)); // FC16
    expect(setpoint()).toBe(10.25);
    expect((await client.readHoldingRegisters(17, 1)).data).toEqual([103]); // 10.25 → 102.5 → rounds to 103
    await client.writeRegisters(17, [110]); // FC16 of the int16 register
    expect(setpoint()).toBe(11);
  });

  it('answers 0x03 for a value out of range, 0x02 for read-only or missing registers, 0x0B when offline', async () => {
    const n = model.groundTruth().length;
    expect(await code(client.writeRegister(17, 201))).toBe(0x03);
    expect(await code(client.writeRegisters(4, floatWords(25)))).toBe(0x03);
    expect(await code(client.writeRegister(0, 1))).toBe(0x02); // supply temperature: read-only
    expect(await code(client.writeRegister(4, 0x4140))).toBe(0x02); // half of the float32
    expect(await code(client.writeRegisters(60, [1]))).toBe(0x02);
    expect(model.groundTruth()).toHaveLength(n); // nothing refused reached the model
    expect(setpoint()).toBe(11);
    client.setID(1);
    expect(await code(client.writeRegister(0, 1))).toBe(0x01); // PDUs stay read-only
    client.setID(PLANT_UNIT_ID);
    const f = model.injectFault({ type: 'device_offline', target: 'plant1' });
    try {
      expect(await code(client.readHoldingRegisters(0, 2))).toBe(0x0b);
      expect(await code(client.writeRegister(17, 100))).toBe(0x0b);
    } finally {
      model.clearFault(f.id);
    }
    expect(await code(client.readHoldingRegisters(0, 2))).toBe('ok');
  });

  it('is written and read by Debian mbpoll: FC6 on hr 17, FC16 float32 on hr 4–5 (-B), exceptions', async () => {
    // mbpoll's -r is 1-based: hr 17 is -r 18; one 16-bit value goes out as FC6
    const fc6 = await mb(['-v', '-r', '18', '-t', '4', '127.0.0.1', '85']);
    expect(fc6.out).toMatch(/Written 1 references/);
    expect(fc6.out).toContain('<64><06><00><11><00><55>'); // -v prints the frame: unit 100, FC6, hr 17, 85
    expect(setpoint()).toBe(8.5);
    expect(model.groundTruth().at(-1)).toMatchObject({ by: 'modbus:unit100', to: 8.5 });
    // a float goes out as FC16 of two registers; -B: ABCD word order
    const fc16 = await mb(['-v', '-r', '5', '-t', '4:float', '-B', '127.0.0.1', '13.7']);
    expect(fc16.out).toMatch(/Written 1 references/);
    expect(fc16.out).toContain('<64><10><00><04><00><02>'); // unit 100, FC16, hr 4, 2 registers
    expect(setpoint()).toBe(13.7);
    const read = await mb(['-r', '1', '-c', '8', '-t', '3:float', '-B', '127.0.0.1']);
    expect(read.code).toBe(0);
    const values = new Map([...read.out.matchAll(/^\[(\d+)\]:\s+(\S+)/gm)].map((m) => [Number(m[1]), Number(m[2])]));
    expect(values.get(5)).toBe(13.7);
    expect(values.get(1)).toBeCloseTo(model.reading(`${P}chw_supply_temp`).value as number, 2);
    const tenths = await mb(['-r', '18', '-c', '1', '-t', '4', '127.0.0.1']);
    expect(tenths.out).toMatch(/^\[18\]:\s+137$/m);
    expect((await mb(['-r', '18', '-t', '4', '127.0.0.1', '300'])).out).toMatch(/Illegal data value/);
    expect((await mb(['-r', '5', '-t', '4:float', '-B', '127.0.0.1', '3.5'])).out).toMatch(/Illegal data value/);
    expect((await mb(['-r', '1', '-t', '4', '127.0.0.1', '10'])).out).toMatch(/Illegal data address/);
    expect(setpoint()).toBe(13.7);
  });

  it('renews the BMS watchdog’s lease by FC6 on hr 30; a leased setpoint goes back when the heartbeat stops', async () => {
    const from = setpoint();
    await client.writeRegister(30, 7); // FC6: the heartbeat
    expect(model.supervisor()).toMatchObject({ live: true, heartbeat: 7 });
    expect((await client.readHoldingRegisters(30, 1)).data).toEqual([7]);
    expect(model.groundTruth().at(-1)).toMatchObject({ target: 'sim/hall1/-/-/bms/supervisor_heartbeat', to: 7 });
    await client.writeRegister(17, 80); // leased: written by modbus:unit100 while the heartbeat is live
    expect(model.supervisor().leased).toMatchObject([
      { pointId: `${P}chw_setpoint`, saved: from, by: 'modbus:unit100' },
    ]);
    model.advanceTo(model.now() + 20_000);
    await client.writeRegisters(30, [8]); // FC16 renews as well
    model.advanceTo(model.now() + 29_000);
    expect(setpoint()).toBe(8);
    model.advanceTo(model.now() + 1000);
    expect(setpoint()).toBe(from);
    expect(model.groundTruth().at(-2)).toMatchObject({
      target: `${P}chw_setpoint`,
      by: 'bms-watchdog',
      from: 8,
      to: from,
    });
    expect(await code(client.writeRegister(29, 1))).toBe(0x02); // reserved
  });

  it('brings the model to now before a write, so the ground truth has the write at the current simulated time', async () => {
    const other = new PduModbusServer(model, {
      port: 0,
      log: () => {},
      sync: () => model.advanceTo(model.now() + 5000),
    });
    const c = new ModbusRTU();
    try {
      const p = await other.start();
      await c.connectTCP('127.0.0.1', { port: p });
      c.setID(PLANT_UNIT_ID);
      const t = model.now();
      await c.writeRegister(17, 100);
      expect(model.groundTruth().at(-1)).toMatchObject({ to: 10, time: t + 5000 });
    } finally {
      await new Promise<void>((resolve) => c.close(() => resolve()));
      await other.stop();
    }
  });

  it('picks a unit id above the PDUs in a hall of 100 or more, and refuses one a PDU has', () => {
    const big = new HallModel({
      startMs: t0,
      jobSchedule: 'none',
      site: defaultSite({ rows: 11, racksPerRow: 10, crahs: 2 }),
    });
    expect(new PduModbusServer(big, { port: 0 }).plantUnitId).toBe(111);
    expect(() => new PduModbusServer(model, { port: 0, plantUnitId: 7 })).toThrow(
      "plantUnitId 7 is the unit id of rack A07's PDU; choose one above 40",
    );
    expect(new PduModbusServer(model, { port: 0, plantUnitId: null }).plantUnitId).toBeUndefined();
  });
});
