import path from 'node:path';
import type { RunningHub } from '../hub/hub';
import { startMosquitto, type Mosquitto } from '../sparkplug/mosquitto.testkit';
import { startBackend, type Proc } from '../testing/processes';
import {
  edgeYaml,
  eventually,
  hubHas,
  newSetup,
  post,
  queryEvents,
  startTestHub,
  stopSetup,
  write,
} from './relay.testkit';

/**
 * kill -9 of an edge process (`backend/src/main.ts --config`, as deployed) with events the hub has not
 * acknowledged — the hub is away — and a restart of edge and hub on their data folders: every event reaches the
 * hub exactly once, those acknowledged before the kill included.
 */

const NO_TWIN = { opcua: 0, modbus: 0, dcgm: 0, control: 0 };

let broker: Mosquitto;
const setup = newSetup();
const procs: Proc[] = [];

beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop(2000)));
  await stopSetup(setup);
  await broker?.stop();
});

const titles = async (url: string) =>
  (await queryEvents(url, { types: ['note'] })).map((r) => r.title).sort((a, b) => a.localeCompare(b));

describe('edge kill -9', () => {
  it('loses no event and duplicates none across a kill -9 of the edge while the hub is away', async () => {
    const { file } = write(setup, edgeYaml('hall1', broker.url));
    const dataDir = path.join(path.dirname(file), 'data');
    let hub: RunningHub = await startTestHub(setup, broker.url);
    const hubDir = setup.dirs.at(-1)!; // its plenum.yaml and data folder, for the second start
    const first = await startBackend(file, NO_TWIN, dataDir);
    procs.push(first);
    for (let i = 0; i < 5; i++)
      expect((await post(`${first.url}/api/events`, { type: 'note', title: `acked ${i}` })).status).toBe(201);
    await eventually(
      'the first five at the hub',
      hubHas(hub.url, (rows) => rows.filter((r) => r.title.startsWith('acked ')).length === 5),
    );
    // the hub goes away; what the edge records now is sent but never acknowledged
    await hub.stop();
    setup.hubs.splice(setup.hubs.indexOf(hub), 1);
    for (let i = 0; i < 10; i++)
      expect((await post(`${first.url}/api/events`, { type: 'note', title: `unacked ${i}` })).status).toBe(201);
    // waiting at the edge, on its /metrics: no hub is online, so nothing is sent
    await eventually('ten waiting at the edge', async () => {
      const m = await (await fetch(`${first.url}/metrics`)).text();
      return /^plenum_relay_events_waiting 10$/m.test(m);
    });
    first.kill('SIGKILL');
    await first.exited;

    hub = await startTestHub(setup, broker.url, hubDir);
    const second = await startBackend(file, NO_TWIN, dataDir);
    procs.push(second);
    const want = [...[0, 1, 2, 3, 4].map((i) => `acked ${i}`), ...[...Array(10).keys()].map((i) => `unacked ${i}`)];
    await eventually('every event at the hub', async () => (await titles(hub.url)).length >= want.length, 30_000);
    expect(await titles(hub.url)).toEqual(want.sort((a, b) => a.localeCompare(b)));
    await second.stop();
  }, 120_000);
});
