import type { RunningPlenum } from '../plenum';
import { startMosquitto, type Mosquitto } from '../sparkplug/mosquitto.testkit';
import {
  eventually,
  hubHas,
  newSetup,
  post,
  queryEvents,
  startEdge,
  startTestHub,
  stopSetup,
  type EventRow,
} from './relay.testkit';

/**
 * Two edges (hall1, hall2 of site sim) and a hub through Debian mosquitto, each from a plenum.yaml: every event
 * an edge's store records reaches the hub's `events` query with its hall, updates and closes included; a broker
 * SIGKILL with events written meanwhile loses none and duplicates none.
 */

let broker: Mosquitto;
const setup = newSetup();
let edge1: RunningPlenum;
let edge2: RunningPlenum;
let hubUrl: string;

beforeAll(async () => {
  broker = await startMosquitto();
  hubUrl = (await startTestHub(setup, broker.url)).url;
  edge1 = await startEdge(setup, 'hall1', broker.url);
  edge2 = await startEdge(setup, 'hall2', broker.url);
}, 60_000);
afterAll(async () => {
  await stopSetup(setup);
  await broker?.stop();
});

const byTitle = (rows: EventRow[], title: string) => rows.filter((r) => r.title === title);

describe('events from the edges at the hub', () => {
  it('reach the hub for both halls, filterable by hall and type; a prediction updated and closed stays one event', async () => {
    const t0 = Date.now() - 60_000;
    expect((await post(`${edge1.url}/api/events`, { type: 'note', title: 'note of hall1', time: t0 })).status).toBe(
      201,
    );
    expect((await post(`${edge2.url}/api/events`, { type: 'alarm', title: 'alarm of hall2', time: t0 })).status).toBe(
      201,
    );
    // a prediction as the predictor writes one: opened, updated, closed (predict/index.ts record)
    const p = edge1.events.add({
      time: t0 + 1000,
      type: 'prediction',
      severity: 'warning',
      title: 'CRAH-1 fan degrading',
      location: { site: 'sim', hall: 'hall1', asset: 'crah1' },
      tags: ['prediction', 'fan'],
      source: 'predict',
      data: { confidence: 0.6 },
    });
    edge1.events.update(p.id, { severity: 'critical', data: { confidence: 0.9 } });
    await eventually(
      'both halls and the updated prediction at the hub',
      hubHas(hubUrl, (rows) => rows.length >= 3 && rows.some((r) => r.severity === 'critical')),
      20_000,
    );
    edge1.events.update(p.id, { timeEnd: t0 + 5000 });
    await eventually(
      'the prediction closed at the hub',
      hubHas(hubUrl, (rows) => rows.some((r) => r.title === 'CRAH-1 fan degrading' && r.timeEnd === t0 + 5000)),
    );

    const all = await queryEvents(hubUrl, { types: ['note', 'alarm', 'prediction'] });
    expect(byTitle(all, 'note of hall1')).toMatchObject([{ hall: 'hall1', type: 'note' }]);
    expect(byTitle(all, 'alarm of hall2')).toMatchObject([{ hall: 'hall2', type: 'alarm' }]);
    expect(byTitle(all, 'CRAH-1 fan degrading')).toMatchObject([
      { hall: 'hall1', severity: 'critical', timeEnd: t0 + 5000, source: 'predict' },
    ]);
    const hall2 = await queryEvents(hubUrl, { hall: ['hall2'], types: ['note', 'alarm', 'prediction'] });
    expect(hall2.map((r) => r.title)).toEqual(['alarm of hall2']);
    expect(await queryEvents(hubUrl, { types: ['prediction'], open: true })).toEqual([]);
  }, 60_000);

  it('a broker outage with events written meanwhile loses none and duplicates none; connector events relay too', async () => {
    await broker.kill();
    const n = 25;
    const t0 = Date.now() - 30_000;
    for (let i = 0; i < n; i++) {
      edge1.events.add({ time: t0 + i, type: 'connector', title: `outage ${i} hall1`, source: 'modbus' });
      edge2.events.add({ time: t0 + i, type: 'connector', title: `outage ${i} hall2`, source: 'modbus' });
    }
    // an event opened before and closed during the outage
    const open = edge2.events.add({ time: t0, type: 'alarm', title: 'open across the outage', source: 'api' });
    edge2.events.update(open.id, { timeEnd: t0 + 100 });
    await broker.restart();
    await eventually(
      'every outage event at the hub',
      hubHas(
        hubUrl,
        (rows) =>
          rows.filter((r) => r.title.startsWith('outage ')).length >= 2 * n &&
          rows.some((r) => r.title === 'open across the outage' && r.timeEnd === t0 + 100),
      ),
      40_000,
    );
    const rows = await queryEvents(hubUrl, { types: ['connector', 'alarm'] });
    const outage = rows.filter((r) => r.title.startsWith('outage '));
    expect(outage).toHaveLength(2 * n);
    expect(new Set(outage.map((r) => r.title)).size).toBe(2 * n);
    for (const r of outage) expect(r.hall).toBe(r.title.endsWith('hall1') ? 'hall1' : 'hall2');
    expect(byTitle(rows, 'open across the outage')).toHaveLength(1);
    // the edges' cursors caught up: nothing waits to be sent
    await eventually('edge cursors at their stores', async () =>
      [edge1, edge2].every(
        (e) => e.relay!.status().cursor > 0 && e.events.changesSince(e.relay!.status().cursor, 1).length === 0,
      ),
    );
    const metrics = await (await fetch(`${edge2.url}/metrics`)).text();
    expect(metrics).toMatch(/^plenum_relay_events_waiting 0$/m);
    expect(metrics).toMatch(/^plenum_relay_batches_acked_total [1-9]/m);
  }, 90_000);

  it('a second hub with an empty store (a pair behind one URL, or a hub whose file was lost) gets every event too', async () => {
    const titles = async (url: string) =>
      (await queryEvents(url))
        .map((r) => `${r.hall} ${r.type} ${r.title} ${r.timeEnd}`)
        .sort((a, b) => a.localeCompare(b));
    const second = await startTestHub(setup, broker.url, undefined, {}, 'plenum-hub-second');
    const want = await titles(hubUrl);
    expect(want.length).toBeGreaterThan(50);
    await eventually(
      'the same events at the second hub',
      async () => (await titles(second.url)).length >= want.length,
      30_000,
    );
    expect(await titles(second.url)).toEqual(want);
    // both hubs keep up with what comes next
    edge1.events.add({ time: Date.now(), type: 'note', title: 'after the second hub' });
    for (const url of [hubUrl, second.url])
      await eventually(
        'the new event at both hubs',
        hubHas(url, (rows) => rows.some((r) => r.title === 'after the second hub')),
      );
  }, 60_000);
});
