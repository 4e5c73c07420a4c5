import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { slugify } from './dashboards';
import { startHarnessServer, type HarnessServer } from './server';

/** A temp provisioning folder: two dashboards (one in a subfolder), a broken file, an untitled one, a duplicate (the file read later, by path, loses). */
function provisioningDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'harness-dashboards-'));
  const write = (name: string, body: unknown) => {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
  };
  write('hall.json', { uid: 'hall', title: 'Hall overview', tags: ['hall', 'ops'], panels: [] });
  write('cooling/loop.json', { uid: 'loop', title: 'Cooling loop', tags: ['cooling'], version: 7 });
  write('no-uid.json', { title: 'Ad hoc' });
  write('broken.json', '{ "title": ');
  write('untitled.json', { uid: 'untitled', panels: [] });
  write('z-dup.json', { uid: 'hall', title: 'Second hall' });
  write('notes.txt', 'not a dashboard');
  return dir;
}

describe('harness server: provisioned dashboards', () => {
  let dir: string;
  let server: HarnessServer;
  const log: string[] = [];

  beforeAll(async () => {
    dir = provisioningDir();
    server = await startHarnessServer({
      plugins: [],
      datasources: [],
      dashboardsDir: dir,
      basePath: '/preview',
      log: (l) => log.push(l),
    });
  });

  afterAll(async () => {
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const get = (p: string) => fetch(new URL(p, server.url), { redirect: 'manual' });

  it('lists them as Grafana’s /api/search does, by title, skipping files Grafana would refuse', async () => {
    const hits = (await (await get('api/search?type=dash-db')).json()) as Record<string, unknown>[];
    expect(hits.map((h) => [h.uid, h.title, h.url, h.type, h.tags])).toEqual([
      ['no-uid', 'Ad hoc', '/preview/d/no-uid/ad-hoc', 'dash-db', []],
      ['loop', 'Cooling loop', '/preview/d/loop/cooling-loop', 'dash-db', ['cooling']],
      ['hall', 'Hall overview', '/preview/d/hall/hall-overview', 'dash-db', ['hall', 'ops']],
    ]);
    expect(log.join('\n')).toMatch(/broken\.json skipped/);
    expect(log.join('\n')).toMatch(/untitled\.json skipped: Dashboard title cannot be empty/);
    expect(log.join('\n')).toMatch(/z-dup\.json skipped: uid hall is already provisioned by hall\.json/);
  });

  it('filters by query, tag and type', async () => {
    const titles = async (q: string) =>
      ((await (await get(`api/search?${q}`)).json()) as { title: string }[]).map((h) => h.title);
    expect(await titles('query=LOOP')).toEqual(['Cooling loop']);
    expect(await titles('tag=hall&tag=ops')).toEqual(['Hall overview']);
    expect(await titles('tag=hall&tag=cooling')).toEqual([]);
    expect(await titles('type=dash-folder')).toEqual([]);
  });

  it('answers GET /api/dashboards/uid/:uid with {dashboard, meta}, 404 for an unknown uid', async () => {
    const res = await get('api/dashboards/uid/loop');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { dashboard: Record<string, unknown>; meta: Record<string, unknown> };
    expect(body.dashboard).toMatchObject({ uid: 'loop', title: 'Cooling loop', version: 7 });
    expect(body.meta).toMatchObject({
      slug: 'cooling-loop',
      url: '/preview/d/loop/cooling-loop',
      provisioned: true,
      provisionedExternalId: path.join('cooling', 'loop.json'),
      canSave: false,
    });
    const missing = await get('api/dashboards/uid/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'Dashboard not found' });
  });

  it('sees a file added after start (read on every request, as provisioning polls)', async () => {
    fs.writeFileSync(path.join(dir, 'late.json'), JSON.stringify({ uid: 'late', title: 'Late arrival' }));
    expect((await get('api/dashboards/uid/late')).status).toBe(200);
  });

  it('redirects Grafana’s dashboard URL /d/<uid>/<slug> to the page’s dashboard view, keeping the query', async () => {
    const res = await get('d/hall/hall-overview?var-rack=A01&kiosk');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/preview/?var-rack=A01&kiosk=&dashboard=hall');
  });

  it('answers an empty list when the folder does not exist', async () => {
    const bare = await startHarnessServer({ plugins: [], datasources: [], dashboardsDir: path.join(dir, 'missing') });
    try {
      expect(await (await fetch(new URL('api/search', bare.url))).json()).toEqual([]);
    } finally {
      await bare.close();
    }
  });

  it('slugifies titles as Grafana does for URLs', () => {
    expect(slugify('Hall A — Rack 01 / Supply (°C)')).toBe('hall-a-rack-01-supply-c');
  });
});
