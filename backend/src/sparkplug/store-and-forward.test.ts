import fs from 'node:fs';
import type { Sample } from '@plenum/model';
import { SparkplugEdge } from './edge-node';
import { startMosquitto, type Mosquitto } from './mosquitto.testkit';
import { PrimaryHost } from './primary-host';
import { brokerConfig, edgeConfig, edgePoint, tahuConsumer, tmpDir, until, type TahuConsumer } from './testkit';

/**
 * Store-and-forward of Plenum's edge, read by Plenum's primary host through Debian mosquitto: the broker killed
 * (SIGKILL) and restarted on its port while samples are being stored, and the primary host going offline (its
 * STATE) — every sample arrives once the edge is born again, in order per point, the ones from the outage with
 * is_historical; the edge's bdSeq moves on with each session.
 */

const POINTS = ['A/A01/pdu/power', 'A/A02/pdu/power', '-/-/crah1/supply_temp'].map((p) => edgePoint(`sim/hall1/${p}`));

let broker: Mosquitto;
let dir: string;
let edge: SparkplugEdge | undefined;
let host: PrimaryHost | undefined;
let consumer: TahuConsumer | undefined;
let received: Array<Sample & { historical: boolean; birth: boolean }> = [];

const newHost = () =>
  new PrimaryHost({
    broker: brokerConfig(broker.url),
    host: { hostId: 'hub', clientId: 'plenum-host-sf', reorderTimeoutMs: 500 },
    onSamples: (s, from) =>
      void received.push(...s.map((x) => ({ ...x, historical: from.historical, birth: from.kind === 'birth' }))),
  });

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});
beforeEach(() => {
  dir = tmpDir();
  received = [];
});
afterEach(async () => {
  await edge?.stop();
  await host?.stop();
  await consumer?.close();
  edge = host = consumer = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Offers one sample per point every 10 ms with value = its index, until stopped; returns what it offered. */
function feed(e: SparkplugEdge) {
  const offered: Sample[] = [];
  let i = 0;
  const t = setInterval(() => {
    const ts = Date.now();
    const batch = POINTS.map((p): Sample => ({ pointId: p.id, ts: ts + 0, value: i, quality: 'good' }));
    i++;
    offered.push(...batch);
    e.offer(batch);
  }, 10);
  return { offered, stop: () => clearInterval(t) };
}

/** every offered sample arrived (duplicates allowed: at least once), and per point in ts order */
function checkComplete(offered: readonly Sample[]) {
  const key = (s: Sample) => `${s.pointId}@${s.ts}`;
  const got = new Set(received.filter((s) => s.quality === 'good').map(key));
  const lost = offered.filter((s) => !got.has(key(s)));
  expect(lost.map((s) => `${s.pointId}@${s.ts}=${String(s.value)}`)).toEqual([]);
  for (const p of POINTS) {
    const seen = new Set<number>();
    let last = -Infinity;
    // births carry the newest value, ahead of the replay that follows them
    for (const s of received.filter((r) => r.pointId === p.id && r.quality === 'good' && !r.birth)) {
      if (seen.has(s.ts)) continue; // a redelivery of an entry in flight at the outage
      seen.add(s.ts);
      expect(s.ts).toBeGreaterThanOrEqual(last);
      last = s.ts;
    }
  }
}

describe('store-and-forward', () => {
  it('spools through a broker SIGKILL and restart, then replays in order with is_historical, a new bdSeq', async () => {
    host = newHost();
    host.start();
    edge = new SparkplugEdge({
      broker: brokerConfig(broker.url),
      edge: edgeConfig({ primaryHostId: 'hub', intervalMs: 50 }),
      site: 'sim',
      points: POINTS,
      dataDir: dir,
    });
    edge.start();
    await until('born', () => edge!.status().born);
    const f = feed(edge);
    await until('live data', () => received.length > 30);
    await broker.kill();
    await until('the edge sees the loss', () => !edge!.status().connected);
    await new Promise((r) => setTimeout(r, 1000));
    const spooled = edge.status().queue.entries;
    expect(spooled).toBeGreaterThan(10);
    await broker.restart();
    await until('born again', () => edge!.status().born && edge!.status().bdSeq > 0, 15_000);
    await new Promise((r) => setTimeout(r, 300));
    f.stop();
    await until('the spool empty', () => edge!.status().queue.entries === 0, 15_000);
    await until('the last samples', () => {
      const last = f.offered[f.offered.length - 1]!;
      return received.some((s) => s.pointId === last.pointId && s.ts === last.ts);
    });
    checkComplete(f.offered);
    const historical = received.filter((s) => s.historical);
    expect(historical.length).toBeGreaterThanOrEqual(spooled * 0.9);
    expect(edge.status().historical).toBeGreaterThan(0);
    // the host reads the Plenum edge exactly: its own point ids, its session's bdSeq
    expect(new Set(received.map((s) => s.pointId))).toEqual(new Set(POINTS.map((p) => p.id)));
    expect(host.status().edges).toEqual([
      expect.objectContaining({ edge: 'sim/hall1', online: true, bdSeq: edge.status().bdSeq, plenum: true }),
    ]);
  }, 60_000);

  it('spools while the primary host is offline and replays once its STATE is online again', async () => {
    consumer = await tahuConsumer(broker.url);
    host = newHost();
    host.start();
    edge = new SparkplugEdge({
      broker: brokerConfig(broker.url),
      edge: edgeConfig({ primaryHostId: 'hub', intervalMs: 50 }),
      site: 'sim',
      points: POINTS,
      dataDir: dir,
    });
    edge.start();
    await until('born', () => edge!.status().born);
    const f = feed(edge);
    await until('live data', () => received.length > 30);
    await host.stop();
    host = undefined;
    // the edge ends its session with an NDEATH and waits, spooling
    await consumer.waitFor('NDEATH', () => consumer!.of('NDEATH').length === 1);
    await new Promise((r) => setTimeout(r, 800));
    const st = edge.status();
    expect(st).toMatchObject({ born: false, hostOnline: false, connected: true });
    expect(st.queue.entries).toBeGreaterThan(10);
    const births = consumer.of('NBIRTH').length;
    host = newHost();
    host.start();
    await until('born again', () => edge!.status().born, 15_000);
    f.stop();
    await until('the spool empty', () => edge!.status().queue.entries === 0, 15_000);
    await new Promise((r) => setTimeout(r, 200));
    checkComplete(f.offered);
    expect(received.some((s) => s.historical)).toBe(true);
    expect(consumer.of('NBIRTH').length).toBe(births + 1);
    expect(consumer.of('NDEATH')[0]!.payload!.metrics!.find((m) => m.name === 'bdSeq')!.value).toEqual(
      consumer.of('NBIRTH')[0]!.payload!.metrics!.find((m) => m.name === 'bdSeq')!.value,
    );
  }, 60_000);
});
