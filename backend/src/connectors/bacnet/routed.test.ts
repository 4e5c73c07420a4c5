/**
 * Routed networks: a device behind a BACnet router (the NPDU carries its network number and MS/TP MAC), and
 * foreign-device registration with a BBMD. No router or BBMD is packaged for Debian: the twin's face stands in for
 * the router (it answers whatever the NPDU's destination), and a small UDP socket for the BBMD, answering
 * Register-Foreign-Device with the BVLC-Result of clause J.2.1 (success, or a NAK). tshark decodes the NPDU's
 * DNET/DADR and the BVLL messages.
 */
import dgram from 'node:dgram';
import { BacnetConnector } from './bacnet';
import { bacnetOptions } from './config';
import { startCapture } from './tshark';
import { bacnetPoint, freeUdpPort, startTwinFace } from './testkit';
import type { SourceSample } from '../types';

jest.setTimeout(30_000);

async function fakeBbmd(result: number): Promise<{ port: number; registrations: number[]; stop(): Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  const registrations: number[] = [];
  sock.on('message', (m, r) => {
    // Register-Foreign-Device: 0x81 0x05 0x0006 <TTL, 2 octets>
    if (m[0] === 0x81 && m[1] === 0x05 && m.length >= 6) {
      registrations.push(m.readUInt16BE(4));
      sock.send(Buffer.from([0x81, 0x00, 0x00, 0x06, result >> 8, result & 0xff]), r.port, r.address);
    }
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { port: sock.address().port, registrations, stop: () => new Promise<void>((r) => sock.close(() => r())) };
}

it('reads a device behind a router (DNET 5, DADR 12) after registering with the BBMD, renewed at half the TTL', async () => {
  const { face } = await startTwinFace();
  const bbmd = await fakeBbmd(0x0000);
  let now = 1_000_000;
  const c = new BacnetConnector(
    {
      name: 'bms',
      intervalMs: 1000,
      options: bacnetOptions.parse({
        devices: [{ name: 'mstp', host: '127.0.0.1', port: face.port, network: 5, mac: 12 }],
        localAddress: '127.0.0.1',
        localPort: await freeUdpPort(),
        timeoutMs: 300,
        bbmd: { host: '127.0.0.1', port: bbmd.port, ttlS: 60 },
      }),
      points: [bacnetPoint('p/t', 'object=ai:102', '°C', 'temperature')],
    },
    () => now,
  );
  const cap = await startCapture([face.port, bbmd.port]);
  const got: SourceSample[] = [];
  try {
    await c.gather(async (s) => void got.push(...s));
    now += 20_000; // before half the TTL: not again
    await c.gather(async (s) => void got.push(...s));
    now += 15_000; // 35 s > 30 s: renewed
    await c.gather(async (s) => void got.push(...s));
  } finally {
    await c.close();
    await bbmd.stop();
    await face.stop();
  }
  const pdus = await cap.stop();
  expect(got.map((s) => s.quality)).toEqual(['good', 'good', 'good']);
  expect(bbmd.registrations).toEqual([60, 60]);
  const rpms = pdus.filter((p) => p.type === 'Confirmed-REQ' && p.service === 'readPropertyMultiple');
  if (rpms[0]?.dadr === undefined) throw new Error(`no DADR decoded: ${pdus.map((p) => p.bvlcText).join('\n')}`);
  expect(rpms.map((p) => [p.dnet, p.dadr])).toEqual([
    [5, '12'],
    [5, '12'],
    [5, '12'],
  ]);
  const regs = pdus.filter((p) => p.bvlc === 'Register-Foreign-Device');
  expect(regs).toHaveLength(2);
  expect(regs[0]!.bvlcText).toMatch(/60/);
  expect(pdus.filter((p) => p.bvlc === 'BVLC-Result')).toHaveLength(2);
});

it('a BBMD that refuses the registration (NAK) is named and the source degraded; reads go on', async () => {
  const { face } = await startTwinFace();
  const bbmd = await fakeBbmd(0x0030); // Register-Foreign-Device NAK
  const c = new BacnetConnector({
    name: 'bms',
    intervalMs: 1000,
    options: bacnetOptions.parse({
      devices: [{ name: 'twin', host: '127.0.0.1', port: face.port }],
      localAddress: '127.0.0.1',
      localPort: await freeUdpPort(),
      timeoutMs: 300,
      bbmd: { host: '127.0.0.1', port: bbmd.port },
    }),
    points: [bacnetPoint('p/t', 'object=ai:102', '°C', 'temperature')],
  });
  const got: SourceSample[] = [];
  let error: string | undefined;
  try {
    await c.gather(async (s) => void got.push(...s));
  } catch (e) {
    error = (e as Error).message;
  } finally {
    await c.close();
    await bbmd.stop();
    await face.stop();
  }
  // the device answered (reads are unicast), but the source is not as configured: degraded with the reason
  expect(got[0]!.quality).toBe('good');
  expect(error).toMatch(
    /^source "bms": Register-Foreign-Device with the BBMD at 127\.0\.0\.1:\d+: the device answered communication: register-foreign-device-failed \(BVLC result 0x0030: NAK\)/,
  );
  expect(c.lastProblems[0]).toMatch(
    /Register-Foreign-Device with the BBMD at 127\.0\.0\.1:\d+: .*register-foreign-device-failed \(BVLC result 0x0030: NAK\).*broadcasts such as Who-Is do not reach other subnets/,
  );
});
