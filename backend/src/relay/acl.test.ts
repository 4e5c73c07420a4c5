import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { startMosquitto, type Mosquitto } from '../sparkplug/mosquitto.testkit';
import { tmpDir } from '../sparkplug/testkit';
import { relayTopic } from './messages';
import { eventually, hubHas, newSetup, post, startEdge, startTestHub, stopSetup } from './relay.testkit';

/**
 * The broker ACL that README.md recommends, taken from the README itself and loaded by Debian mosquitto: with
 * it the hub (user `hub`) and an edge (user and edge node id `edge-hall1`) still exchange events and jobs, and
 * an edge may not post jobs to another edge.
 */

const README = fs.readFileSync(path.join(__dirname, 'README.md'), 'utf8');
const ACL = /```\n(user hub\n[\s\S]*?)```/.exec(README)![1]!;

let broker: Mosquitto;
let aclDir: string;
const setup = newSetup();

beforeAll(async () => {
  aclDir = tmpDir();
  // mosquitto started as root drops to its own user: the file must be readable by others
  fs.chmodSync(aclDir, 0o755);
  fs.writeFileSync(path.join(aclDir, 'acl'), ACL, { mode: 0o644 });
  broker = await startMosquitto([`acl_file ${path.join(aclDir, 'acl')}`]);
}, 30_000);
afterAll(async () => {
  await stopSetup(setup);
  await broker?.stop();
  fs.rmSync(aclDir, { recursive: true, force: true });
});

describe("the README's broker ACL", () => {
  it('lets the hub and an edge exchange events and jobs under it', async () => {
    const hub = await startTestHub(setup, broker.url, undefined, { username: 'hub' });
    const edge = await startEdge(setup, 'hall1', broker.url, { username: 'edge-hall1', edgeNodeId: 'edge-hall1' });
    expect((await post(`${edge.url}/api/events`, { type: 'note', title: 'under the ACL' })).status).toBe(201);
    await eventually(
      'the event at the hub',
      hubHas(hub.url, (rows) => rows.some((r) => r.title === 'under the ACL' && r.hall === 'hall1')),
    );
    await eventually('the edge announced', async () => hub.relay!.status().edges.length === 1);
    const job = { event: 'job_start', job_id: 'acl-1', racks: ['A01'], time: new Date().toISOString() };
    const r = await post(`${hub.url}/api/events`, job);
    expect(r).toMatchObject({ status: 201, body: { type: 'job', location: { hall: 'hall1' } } });
    expect(edge.sparkplug!.edge!.status()).toMatchObject({ connected: true, born: true });
    expect(edge.relay!.status().jobsHandled).toBe(1);

    // another edge's user publishing a job to this edge: the broker drops it (still PUBACKs, MQTT 3.1.1)
    const rogue = await mqtt.connectAsync(broker.url, { clientId: 'rogue', username: 'edge-hall2' });
    const forged = { requestId: 'forged', body: { ...job, job_id: 'forged' } };
    await rogue.publishAsync(relayTopic('sim', 'edge-hall1', 'jobs'), JSON.stringify(forged), { qos: 1 });
    await rogue.endAsync();
    // a legitimate job after it: once answered, the forged one (published before) would have been handled first
    expect((await post(`${hub.url}/api/events`, { ...job, job_id: 'acl-2' })).status).toBe(201);
    expect(edge.relay!.status().jobsHandled).toBe(2);
    expect(edge.events.find({ from: 0, to: Date.now() + 1000, types: ['job'], text: 'forged' })).toEqual([]);
  }, 60_000);
});
