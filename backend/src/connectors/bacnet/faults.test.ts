/**
 * The bacnet connector behind testing/udp-fault-proxy.ts (the UDP fault proxy SNMP uses) in front of the twin's
 * face: a silent device, a half-open path (requests arrive, answers are lost), garbage answers, answers later than
 * the timeout, and recovery. Each poll ends within its bound with bad samples and a named error, late answers are
 * ignored, and the first poll after the fault is good again.
 */
import { UdpFaultProxy } from '../../testing/udp-fault-proxy';
import { activeHandles } from '../../testing/handles';
import { BacnetConnector } from './bacnet';
import { bacnetOptions } from './config';
import { TIMEOUT_STATUS } from './quality';
import { bacnetPoint, expectNoUdpLeaks, freeUdpPort, startTwinFace } from './testkit';
import type { SourceSample } from '../types';

jest.setTimeout(30_000);

it('drop, half-open, garbage and latency give bad samples and a named error within the bound; recovery is immediate', async () => {
  const { face } = await startTwinFace();
  const before = activeHandles();
  const proxy = await new UdpFaultProxy(face.port).start();
  const c = new BacnetConnector({
    name: 'bms',
    intervalMs: 1000,
    options: bacnetOptions.parse({
      devices: [{ name: 'twin', host: '127.0.0.1', port: proxy.port, deviceId: 1001 }],
      localAddress: '127.0.0.1',
      localPort: await freeUdpPort(),
      timeoutMs: 200,
      retries: 1,
    }),
    points: [
      bacnetPoint('p/a', 'object=ai:102', '°C', 'temperature'),
      bacnetPoint('p/b', 'object=ai:9001', '°C', 'temperature'),
    ],
  });
  const poll = async () => {
    const got: SourceSample[] = [];
    const t0 = Date.now();
    let error: string | undefined;
    try {
      await c.gather(async (s) => void got.push(...s));
    } catch (e) {
      error = (e as Error).message;
    }
    return { got, error, ms: Date.now() - t0 };
  };
  try {
    expect((await poll()).got.every((s) => s.quality === 'good')).toBe(true);
    for (const fault of ['drop', 'half-open', 'latency', 'garbage'] as const) {
      proxy.fault = fault;
      proxy.latencyMs = 500; // later than timeoutMs × (retries + 1)
      // a BVLC header that claims more than it carries, then junk: the library must not take it for an answer
      proxy.garbage = Buffer.from([0x81, 0x0a, 0x00, 0x40, 0x01, 0x00, 0x30, 0x07, 0x0e, 0xff, 0xff]);
      const requests = proxy.requests;
      const r = await poll();
      expect(r.got.map((s) => [s.pointId, s.quality, s.rawStatus])).toEqual([
        ['p/a', 'bad', TIMEOUT_STATUS],
        ['p/b', 'bad', TIMEOUT_STATUS],
      ]);
      expect(r.error).toMatch(
        /^source "bms": 2 of 2 points bad: device "twin" \(127\.0\.0\.1:\d+ device 1001\): ReadPropertyMultiple of 2 objects: no answer within 200 ms after 1 retry; 2 points not read$/,
      );
      // one request and its retry, no more: the device gets no further requests that poll
      expect(proxy.requests - requests).toBe(2);
      expect(r.ms).toBeLessThan(2 * 200 + 1500); // two timeouts, and room for a loaded CI machine
      proxy.fault = 'pass';
      await new Promise((res) => setTimeout(res, fault === 'latency' ? 600 : 0)); // the late answers arrive, ignored
      const back = await poll();
      expect(back.error).toBeUndefined();
      expect(back.got.every((s) => s.quality === 'good')).toBe(true);
    }
    expect(c.link.stats.timeouts).toBe(4);
  } finally {
    await c.close();
    await proxy.stop();
    await face.stop();
  }
  await expectNoUdpLeaks(before);
});
