/**
 * `read: cov` against the twin's face: SubscribeCOV with its lifetime, notifications delivered as samples,
 * renewal at half the lifetime, objects the device refuses (no COV slot left) polled instead, a check read that
 * notices a silent device, subscriptions cancelled on stop. tshark decodes the subscriptions and notifications.
 */
import { bacnet } from './index';
import { bacnetOptions } from './config';
import type { BacnetCovConnector } from './cov';
import type { SourceSample } from '../types';
import { startCapture, valueNumber } from './tshark';
import { bacnetPoint, expectNoUdpLeaks, freeUdpPort, startTwinFace } from './testkit';
import { activeHandles } from '../../testing/handles';

jest.setTimeout(30_000);

const SP = 'sim/hall1/-/-/crah1/supply_setpoint';

const waitFor = async (what: string, ok: () => boolean, ms = 8000) => {
  for (const end = Date.now() + ms; !ok();) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

it('subscribes, delivers notifications, renews, polls what it could not subscribe, and cancels on stop', async () => {
  // a controller with two COV slots: the third object is polled
  const { model, face } = await startTwinFace({ maxCovSubscriptions: 2 });
  const before = activeHandles();
  const c = bacnet.init({
    name: 'bms',
    intervalMs: 300,
    liveness: { staleAfterMs: 2000, rebuildAfterMs: 10_000 },
    options: bacnetOptions.parse({
      devices: [{ name: 'twin', host: '127.0.0.1', port: face.port }],
      localAddress: '127.0.0.1',
      localPort: await freeUdpPort(),
      timeoutMs: 300,
      retries: 0,
      read: 'cov',
      covLifetimeS: 10,
    }),
    points: [
      bacnetPoint('p/sp', 'object=av:103', '°C', 'temperature'),
      bacnetPoint('p/ret', 'object=av:115', '°C', 'temperature'),
      bacnetPoint('p/run', 'object=bi:117', 'state', 'state', { valueType: 'boolean' }),
    ],
  }) as BacnetCovConnector;
  expect(c.mode).toBe('subscribe');
  const got: SourceSample[] = [];
  const cap = await startCapture([face.port]);
  try {
    await c.start(async (s) => void got.push(...s));
    expect([...c.subscribed].sort()).toEqual(['twin/analog-value:103', 'twin/analog-value:115']);
    expect(c.refused.get('twin/binary-input:117')).toMatch(
      /SubscribeCOV: the device answered resources: no-space-to-add-list-element/,
    );
    expect(c.health()).toMatchObject({ state: 'degraded' });
    expect(face.subscriptions().map((s) => [s.object, s.remainingS])).toEqual([
      ['2:103', 10],
      ['2:115', 10],
    ]);
    // a change the BMS makes is notified, not polled
    const n0 = c.stats.notifications;
    model.write(SP, 19.5, 'api');
    face.update();
    await waitFor('the notification', () => got.some((s) => s.pointId === 'p/sp' && s.value === 19.5));
    expect(c.stats.notifications).toBeGreaterThan(n0);
    // the refused object is polled every interval
    await waitFor('polls of the refused object', () => got.filter((s) => s.pointId === 'p/run').length >= 3);
    expect(c.stats.polls).toBeGreaterThanOrEqual(2);
    // renewal at half the lifetime (5 s)
    await waitFor('a renewal', () => c.stats.renewals >= 2, 8000);
    expect(face.subscriptions().every((s) => s.remainingS >= 9)).toBe(true);
  } finally {
    await c.stop();
  }
  const pdus = await cap.stop();
  expect(face.subscriptions()).toEqual([]); // cancelled
  const subs = pdus.filter((p) => p.type === 'Confirmed-REQ' && p.service === 'subscribeCOV');
  expect(subs.length).toBeGreaterThanOrEqual(3 + 2 + 2); // 3 at start, 2 renewals, 2 cancels (+ the refused one again)
  expect(subs[0]!.objects[0]!.object).toBe('analog-value:103');
  expect(subs[0]!.text).toContain('subscriber Process Id: (Unsigned) 1');
  expect(subs[0]!.text).toContain('issue Confirmed Notifications: FALSE');
  expect(subs[0]!.text).toContain('life time (hh.mm.ss): 0.00.10');
  expect(
    pdus
      .filter((p) => p.type === 'Error' && p.service === 'subscribeCOV')
      .every((p) => p.error === 'resources: no-space-to-add-list-element'),
  ).toBe(true);
  const notes = pdus.filter((p) => p.service === 'unconfirmedCOVNotification');
  const change = notes.find((p) =>
    p.objects.some((o) => o.object === 'analog-value:103' && o.properties.some((x) => valueNumber(x.value) === 19.5)),
  );
  if (!change)
    throw new Error(
      notes
        .map((n) => n.text)
        .join('\n----\n')
        .slice(0, 3000),
    );
  await face.stop();
  await expectNoUdpLeaks(before);
});

it('a device that falls silent while its values do not move is noticed by the check read', async () => {
  const { face } = await startTwinFace();
  const c = bacnet.init({
    name: 'bms',
    intervalMs: 1000,
    liveness: { staleAfterMs: 1000, rebuildAfterMs: 10_000 },
    options: bacnetOptions.parse({
      devices: [{ name: 'twin', host: '127.0.0.1', port: face.port }],
      localAddress: '127.0.0.1',
      localPort: await freeUdpPort(),
      timeoutMs: 200,
      retries: 0,
      read: 'cov',
    }),
    points: [bacnetPoint('p/sp', 'object=av:103', '°C', 'temperature')],
  }) as BacnetCovConnector;
  const got: SourceSample[] = [];
  try {
    await c.start(async (s) => void got.push(...s));
    expect(c.health()).toEqual({ state: 'up' });
    await face.stop();
    const t0 = Date.now();
    await waitFor('a bad sample', () => got.some((s) => s.quality === 'bad'), 3000);
    // a check every 500 ms + a 200 ms timeout: ≤ 0.7 s here; the bound leaves room for a loaded CI machine
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(c.health()).toMatchObject({
      state: 'degraded',
      lastError: expect.stringMatching(/no answer within 200 ms/),
    });
  } finally {
    await c.stop();
  }
});

it('runs as a subscribed source under the SourceRunner: up, notified values flow, stop cancels', async () => {
  const { SourceRunner } = await import('../runner');
  const { model, face } = await startTwinFace();
  const got: SourceSample[] = [];
  const runner = new SourceRunner(
    bacnet as never,
    {
      name: 'bms',
      intervalMs: 500,
      options: bacnetOptions.parse({
        devices: [{ name: 'twin', host: '127.0.0.1', port: face.port }],
        localAddress: '127.0.0.1',
        localPort: await freeUdpPort(),
        timeoutMs: 300,
        read: 'cov',
      }),
      points: [bacnetPoint('p/sp', 'object=av:103', '°C', 'temperature')],
    } as never,
    async (s) => void got.push(...s),
  );
  runner.start();
  try {
    await waitFor('up', () => runner.status.state === 'up' && got.length > 0);
    model.write(SP, 21.5, 'api');
    face.update();
    await waitFor('the notified value', () => got.some((s) => s.value === 21.5));
    expect(face.subscriptions()).toHaveLength(1);
  } finally {
    await runner.stop();
  }
  expect(face.subscriptions()).toEqual([]);
  await face.stop();
});
