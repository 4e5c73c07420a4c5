import mqtt from 'mqtt';
import type { RunningHub } from '../hub/hub';
import type { RunningPlenum } from '../plenum';
import { startMosquitto, type Mosquitto } from '../sparkplug/mosquitto.testkit';
import { relayTopic, type EdgeInfo } from './messages';
import { eventually, hubHas, newSetup, post, queryEvents, startEdge, startTestHub, stopSetup } from './relay.testkit';

/**
 * Scheduler job webhooks posted at the hub go through Debian mosquitto to the edge that owns the job's racks or
 * hall, are recorded there as a job event with its samples (as if posted to the edge), and come back to the hub as
 * that edge's event. Unknown halls and racks are 404s naming them; a broker that is down is a 503.
 */

let broker: Mosquitto;
const setup = newSetup();
let edge1: RunningPlenum;
let edge2: RunningPlenum;
let hub: RunningHub;

beforeAll(async () => {
  broker = await startMosquitto();
  hub = await startTestHub(setup, broker.url);
  edge1 = await startEdge(setup, 'hall1', broker.url);
  edge2 = await startEdge(setup, 'hall2', broker.url);
  await eventually('both edges announced at the hub', async () => hub.relay!.status().edges.length === 2);
}, 60_000);
afterAll(async () => {
  await stopSetup(setup);
  await broker?.stop();
});

const slurm = (extra: Record<string, unknown>) => ({
  event: 'job_start',
  job_id: 4711,
  user: 'alice',
  expected_kw: 80,
  time: new Date().toISOString(),
  ...extra,
});

describe('job webhooks at the hub', () => {
  it('a job naming racks lands at the edge owning them as a job event with samples, and its event comes back', async () => {
    const r = await post(`${hub.url}/api/events`, slurm({ racks: ['B01', 'B02'] }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: 'job', location: { hall: 'hall2' }, data: { jobId: '4711' } });
    // recorded at hall2's edge, not at hall1's
    const at2 = edge2.events.find({ from: 0, to: Date.now() + 1000, types: ['job'] });
    expect(at2).toMatchObject([{ title: 'job 4711 (alice, 2 racks, 80 kW)', location: { hall: 'hall2' } }]);
    expect(edge1.events.find({ from: 0, to: Date.now() + 1000, types: ['job'] })).toEqual([]);
    // the jobs source of hall2 set its racks active, as for a webhook posted to the edge itself
    await eventually('B01 active at hall2', async () => {
      const l = await edge2.historian.latest(['sim/hall2/B/B01/gpu/job_active']);
      return l.get('sim/hall2/B/B01/gpu/job_active')?.value === true;
    });
    await eventually(
      'the job event at the hub',
      hubHas(hub.url, (rows) => rows.some((e) => e.type === 'job' && e.hall === 'hall2' && e.timeEnd === null)),
    );

    // the end, posted twice (a scheduler retrying): one event at the hub, closed
    const end = slurm({ event: 'job_end', racks: ['B01', 'B02'], time: new Date().toISOString() });
    expect((await post(`${hub.url}/api/events`, end)).status).toBe(201);
    expect((await post(`${hub.url}/api/events`, end)).status).toBe(201);
    await eventually(
      'the job closed at the hub',
      hubHas(hub.url, (rows) => rows.some((e) => e.type === 'job' && e.timeEnd !== null)),
    );
    const jobs = await queryEvents(hub.url, { types: ['job'] });
    expect(jobs).toMatchObject([{ hall: 'hall2', title: 'job 4711 (alice, 2 racks, 80 kW)' }]);
  }, 60_000);

  it('a Kubernetes Job naming its hall goes to that hall', async () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'pretrain',
        namespace: 'ml',
        annotations: { 'plenum.io/racks': 'A01', 'plenum.io/hall': 'hall1' },
      },
      status: { startTime: new Date(Date.now() - 5000).toISOString() },
    };
    const r = await post(`${hub.url}/api/events`, job);
    expect(r.status).toBe(201);
    expect(edge1.events.find({ from: 0, to: Date.now() + 1000, types: ['job'] })).toMatchObject([
      { data: { jobId: 'ml/pretrain' }, location: { hall: 'hall1', rack: 'A01' } },
    ]);
  }, 30_000);

  it('refuses what it cannot route, naming the hall or rack, and a bad body naming the field', async () => {
    expect(await post(`${hub.url}/api/events`, slurm({ racks: ['Z99'] }))).toMatchObject({
      status: 404,
      body: { error: expect.stringContaining('rack "Z99" is in no hall an edge publishes') },
    });
    expect(await post(`${hub.url}/api/events`, slurm({ hall: 'hall9', racks: ['A01'] }))).toMatchObject({
      status: 404,
      body: { error: expect.stringContaining('no edge publishes hall "hall9"') },
    });
    expect(await post(`${hub.url}/api/events`, slurm({ hall: 'hall1', racks: ['B01'] }))).toMatchObject({
      status: 404,
      body: { error: expect.stringContaining('rack "B01" not in hall "hall1"') },
    });
    expect(await post(`${hub.url}/api/events`, slurm({ racks: ['A01', 'B01'] }))).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('several halls (hall1: A01; hall2: B01)') },
    });
    expect(await post(`${hub.url}/api/events`, slurm({ job_id: undefined, racks: ['A01'] }))).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('body.job_id') },
    });
    expect(await post(`${hub.url}/api/events`, { type: 'note', title: 'x' })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('job webhooks only') },
    });
  }, 30_000);

  it('answers 504 when the edge does not answer in time (an edge announced, then gone)', async () => {
    // a retained info of an edge that is not running, as a crashed edge leaves it
    const c = await mqtt.connectAsync(broker.url, { clientId: 'ghost-announcer' });
    const info: EdgeInfo = { site: 'sim', hall: 'hall3', racks: ['C01'], time: Date.now() };
    await c.publishAsync(relayTopic('sim', 'ghost', 'info'), JSON.stringify(info), { qos: 1, retain: true });
    await eventually('the ghost announced', async () => hub.relay!.status().edges.length === 3);
    const t0 = Date.now();
    const r = await post(`${hub.url}/api/events`, slurm({ job_id: 'j-ghost', racks: ['C01'] }));
    expect(r).toMatchObject({
      status: 504,
      body: { error: expect.stringContaining('edge sim/ghost (hall hall3) did not answer within 5000 ms; retry') },
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4900);
    // retired: an empty retained message clears it, and the hub forgets the edge
    await c.publishAsync(relayTopic('sim', 'ghost', 'info'), '', { qos: 1, retain: true });
    await c.endAsync();
    await eventually('the ghost forgotten', async () => hub.relay!.status().edges.length === 2);
  }, 30_000);

  it('takes the jobs token (PLENUM_JOBS_TOKEN) for job webhooks and nothing else, as an edge does', async () => {
    const locked = await startTestHub(setup, broker.url, undefined, {}, 'plenum-hub-locked', {
      token: 'read-secret',
      jobsToken: 'jobs-secret',
    });
    await eventually('the edges announced at the locked hub', async () => locked.relay!.status().edges.length >= 2);
    const job = slurm({ job_id: 'j-token', racks: ['A01'] });
    expect((await post(`${locked.url}/api/events`, job)).status).toBe(401);
    expect((await post(`${locked.url}/api/events`, job, 'wrong')).status).toBe(401);
    expect(await post(`${locked.url}/api/events`, job, 'jobs-secret')).toMatchObject({ status: 201 });
    const q = await post(`${locked.url}/api/query`, { range: { from: 0, to: 1 }, queries: [] }, 'jobs-secret');
    expect(q.status).toBe(403);
    expect((await post(`${locked.url}/api/events`, job, 'read-secret')).status).toBe(201);
  }, 30_000);

  it('answers 503 while the broker is down, and routes again once it is back', async () => {
    await broker.kill();
    await eventually('the hub sees the broker gone', async () => !hub.relay!.connected);
    const r = await post(`${hub.url}/api/events`, slurm({ job_id: 'j-outage', racks: ['A02'] }));
    expect(r.status).toBe(503);
    expect(String(r.body.error)).toContain('not connected to the broker');
    await broker.restart();
    await eventually(
      'the job routed after the restart',
      async () => (await post(`${hub.url}/api/events`, slurm({ job_id: 'j-outage', racks: ['A02'] }))).status === 201,
      30_000,
    );
    expect(edge1.events.find({ from: 0, to: Date.now() + 1000, types: ['job'], text: 'j-outage' })).toHaveLength(1);
  }, 60_000);
});
