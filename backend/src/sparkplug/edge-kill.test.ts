import fs from 'node:fs';
import type { Sample } from '@plenum/model';
import { startProc, type Proc } from '../testing/processes';
import { startMosquitto, type Mosquitto } from './mosquitto.testkit';
import { PrimaryHost } from './primary-host';
import { brokerConfig, num, tahuConsumer, tmpDir, until, type TahuConsumer } from './testkit';

/**
 * kill -9 of an edge node's process: the broker publishes its Will, the NDEATH with that session's bdSeq, and the
 * primary host marks its points bad; the edge started again on the same data folder comes back with the next
 * bdSeq and its data flows again.
 */

const SCRIPT = 'backend/src/sparkplug/edge-child.testkit.ts';
const POINT = 'sim/hall1/A/A01/pdu/power';

let broker: Mosquitto;
let consumer: TahuConsumer;
let host: PrimaryHost;
let dir: string;
const procs: Proc[] = [];
const received: Sample[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
  consumer = await tahuConsumer(broker.url);
  dir = tmpDir();
  host = new PrimaryHost({
    broker: brokerConfig(broker.url),
    host: { hostId: 'hub', clientId: 'plenum-host-kill', reorderTimeoutMs: 500 },
    onSamples: (s) => void received.push(...s),
  });
  host.start();
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop(2000)));
  await host?.stop(0);
  await consumer?.close();
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const edgeOf = () => host.status().edges.find((e) => e.edge === 'sim/hall1');

describe('edge node kill -9', () => {
  it('NDEATH comes as the Will with the bdSeq, points go bad, the restarted edge resumes with the next bdSeq', async () => {
    const first = startProc(SCRIPT, [], { SP_BROKER: broker.url, SP_DIR: dir });
    procs.push(first);
    await until('the first session', () => edgeOf()?.online === true && received.length > 10, 30_000);
    expect(edgeOf()!.bdSeq).toBe(0);
    const killedAt = Date.now();
    first.kill('SIGKILL');
    await first.exited;
    await consumer.waitFor('the Will', () => consumer.of('NDEATH').length === 1, 10_000);
    // keepalive 1 s: the broker gives up after 1.5 s without a packet
    expect(Date.now() - killedAt).toBeLessThan(5000);
    expect(num(consumer.of('NDEATH')[0]!.payload!.metrics!.find((m) => m.name === 'bdSeq')!.value)).toBe(0);
    await until('bad on the host', () => received.some((s) => s.pointId === POINT && s.quality === 'bad'));
    expect(edgeOf()).toMatchObject({ online: false, deaths: 1 });

    const n = received.length;
    const second = startProc(SCRIPT, [], { SP_BROKER: broker.url, SP_DIR: dir });
    procs.push(second);
    // data flows again: good samples after the restart (the bad marks of the death may land after n too)
    const goodSince = () => received.slice(n).filter((s) => s.quality === 'good').length;
    await until('good data of the second session', () => edgeOf()?.online === true && goodSince() > 10, 30_000);
    expect(edgeOf()!.bdSeq).toBe(1);
    expect(
      num(
        consumer
          .of('NBIRTH')
          .at(-1)!
          .payload!.metrics!.find((m) => m.name === 'bdSeq')!.value,
      ),
    ).toBe(1);
    await second.stop();
    await consumer.waitFor('the NDEATH of the second', () => consumer.of('NDEATH').length === 2);
    expect(num(consumer.of('NDEATH')[1]!.payload!.metrics!.find((m) => m.name === 'bdSeq')!.value)).toBe(1);
  }, 90_000);
});
