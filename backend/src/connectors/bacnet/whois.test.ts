/**
 * Devices configured by instance only (`deviceId` without `host`): found by a Who-Is broadcast, read where the I-Am
 * came from, looked for anew after they stop answering; through a BBMD as Distribute-Broadcast-To-Network, the
 * I-Am coming back as the BBMD's Forwarded-NPDU naming the device. On loopback the "broadcast" address is the
 * twin's face itself (`broadcastAddress: 127.0.0.1:<port>`: the Who-Is still goes as Original-Broadcast-NPDU), and a
 * small UDP socket plays the BBMD (none is packaged for Debian). tshark decodes the BVLL functions and the Who-Is.
 */
import dgram from 'node:dgram';
import { BacnetConnector } from './bacnet';
import { bacnetOptions, type BacnetOptionsInput } from './config';
import { startCapture } from './tshark';
import { activeHandles } from '../../testing/handles';
import { bacnetPoint, freeUdpPort, startTwinFace } from './testkit';
import type { SourceSample } from '../types';
import { gatherAll } from '../../testing/gather';

jest.setTimeout(30_000);

const POINT = bacnetPoint('p/t', 'object=ai:102', '°C', 'temperature');

function connector(options: BacnetOptionsInput): BacnetConnector {
  return new BacnetConnector({ name: 'bms', intervalMs: 1000, options: bacnetOptions.parse(options), points: [POINT] });
}

/**
 * No UDP socket left. Timers are not compared here: @bacnet-js/client keeps each broadcast it sends for 10 s (a
 * plain setTimeout in its transport, to ignore its own broadcast when it loops back), which ends by itself.
 */
async function noSocketLeft(before: Record<string, number>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const now = activeHandles();
    if ((now.UDPWRAP ?? now.UDPWrap ?? 0) <= (before.UDPWRAP ?? before.UDPWrap ?? 0)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('a UDP socket was left open');
}

const poll = gatherAll;

/**
 * A BBMD as far as a foreign device sees one (clause J.4–J.5): it accepts the registration, sends a
 * Distribute-Broadcast-To-Network's NPDU on to its subnet (here: unicast to the face), and forwards what the
 * subnet answers to the registered foreign device as a Forwarded-NPDU carrying the answerer's B/IP address.
 */
async function forwardingBbmd(subnet: { port: number }) {
  const sock = dgram.createSocket('udp4');
  let foreign: { address: string; port: number } | undefined;
  const distributed: Buffer[] = [];
  sock.on('message', (m, r) => {
    if (m[0] !== 0x81) return;
    if (m[1] === 0x05) {
      foreign = { address: r.address, port: r.port };
      sock.send(Buffer.from([0x81, 0x00, 0x00, 0x06, 0x00, 0x00]), r.port, r.address);
    } else if (m[1] === 0x09) {
      distributed.push(m);
      const npdu = m.subarray(4);
      const out = Buffer.concat([Buffer.from([0x81, 0x0a, 0, 0]), npdu]); // Original-Unicast-NPDU on the subnet
      out.writeUInt16BE(out.length, 2);
      sock.send(out, subnet.port, '127.0.0.1');
    } else if (m[1] === 0x0a && r.port === subnet.port && foreign) {
      const npdu = m.subarray(4);
      const out = Buffer.concat([Buffer.from([0x81, 0x04, 0, 0, 127, 0, 0, 1, r.port >> 8, r.port & 0xff]), npdu]);
      out.writeUInt16BE(out.length, 2);
      sock.send(out, foreign.port, foreign.address);
    }
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { port: sock.address().port, distributed, stop: () => new Promise<void>((r) => sock.close(() => r())) };
}

it('a device given by deviceId only is found by a Who-Is broadcast, read there, and looked for anew when it stops answering', async () => {
  let { face } = await startTwinFace();
  const port = face.port;
  const before = activeHandles();
  const c = connector({
    devices: [{ name: 'ahu', deviceId: 1001 }],
    localAddress: '127.0.0.1',
    localPort: await freeUdpPort(),
    broadcastAddress: `127.0.0.1:${port}`,
    timeoutMs: 300,
    retries: 0,
  });
  const cap = await startCapture([port]);
  const runs: Array<{ samples: SourceSample[]; error?: string }> = [];
  try {
    runs.push(await poll(c));
    runs.push(await poll(c)); // found: no second Who-Is
    await face.stop();
    runs.push(await poll(c)); // the read times out: the device is lost
    runs.push(await poll(c)); // looked for: no I-Am
    ({ face } = await startTwinFace({ port }));
    runs.push(await poll(c)); // back: found again
  } finally {
    await c.close();
    await face.stop();
  }
  const pdus = await cap.stop();
  await noSocketLeft(before);
  expect(runs.map((r) => r.samples.map((s) => s.quality))).toEqual([['good'], ['good'], ['bad'], ['bad'], ['good']]);
  expect(runs[0]!.samples[0]!.value).toBeGreaterThan(10);
  expect(runs[2]!.error).toMatch(
    /device "ahu" \(127\.0\.0\.1:\d+ device 1001 \(found by Who-Is\)\): .*1 points not read/,
  );
  expect(runs[3]!.error).toContain(
    `device "ahu" (device 1001 (by Who-Is, not found yet)): no I-Am for device 1001 within 300 ms of a Who-Is broadcast to 127.0.0.1:${port}`,
  );
  // the Who-Is went as a broadcast, for that one instance, on the first poll and after the loss (twice: the
  // failed look and the one that found it again); every read went to where the I-Am came from
  const whoIs = pdus.filter((p) => p.service === 'who-Is');
  expect(whoIs).toHaveLength(3);
  for (const w of whoIs) {
    expect(w.bvlc).toBe('Original-Broadcast-NPDU');
    expect(w.text).toMatch(/Low Limit[^\n]*1001/i);
    expect(w.text).toMatch(/High Limit[^\n]*1001/i);
  }
  const reads = pdus.filter((p) => p.type === 'Confirmed-REQ' && p.service === 'readPropertyMultiple');
  expect(reads.length).toBeGreaterThanOrEqual(3);
  expect(reads.every((p) => p.dstPort === port)).toBe(true);
});

it('through a BBMD: Who-Is as Distribute-Broadcast-To-Network, the device read at the address its forwarded I-Am names', async () => {
  const { face } = await startTwinFace({ deviceId: 77 });
  const bbmd = await forwardingBbmd(face);
  const before = activeHandles();
  const c = connector({
    devices: [{ name: 'ahu', deviceId: 77 }],
    localAddress: '127.0.0.1',
    localPort: await freeUdpPort(),
    timeoutMs: 500,
    bbmd: { host: '127.0.0.1', port: bbmd.port, ttlS: 60 },
  });
  const cap = await startCapture([face.port, bbmd.port]);
  let run: Awaited<ReturnType<typeof poll>>;
  try {
    run = await poll(c);
  } finally {
    await c.close();
    await bbmd.stop();
    await face.stop();
  }
  const pdus = await cap.stop();
  await noSocketLeft(before);
  expect(run.error).toBeUndefined();
  expect(run.samples.map((s) => s.quality)).toEqual(['good']);
  expect(bbmd.distributed).toHaveLength(1);
  const fns = pdus.map((p) => p.bvlc);
  expect(fns).toContain('Distribute-Broadcast-To-Network');
  expect(fns).toContain('Forwarded-NPDU');
  const read = pdus.find((p) => p.service === 'readPropertyMultiple' && p.type === 'Confirmed-REQ');
  expect(read?.dstPort).toBe(face.port); // the device itself, not the BBMD that forwarded its I-Am
});

it('a device needs host or deviceId, and network/mac only with host', () => {
  const issues = (devices: unknown[]) =>
    bacnetOptions.safeParse({ devices }).error?.issues.map((i) => [i.path.join('.'), i.message]);
  expect(issues([{ name: 'a' }])).toEqual([
    ['devices.0.host', 'device "a": expected host, or deviceId to find it by a Who-Is broadcast'],
  ]);
  expect(issues([{ name: 'b', deviceId: 5, network: 2, mac: 3 }])).toEqual([
    ['devices.0.network', 'network and mac need host (device "b"); a device found by Who-Is gets them from its I-Am'],
  ]);
  expect(issues([{ name: 'c', deviceId: 5 }])).toBeUndefined();
});
