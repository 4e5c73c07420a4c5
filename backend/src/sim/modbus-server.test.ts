import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import ModbusRTU from 'modbus-serial';
import { PduModbusServer } from './modbus-server';
import { HallModel } from './model';
import { PDU_REGISTER_COUNT, encodePduRegisters } from './pdu-registers';

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
