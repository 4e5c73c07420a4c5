import fs from 'node:fs';
import path from 'node:path';
import type { Dashboard, Panel, RowPanel } from '@grafana/schema';
import { plenumQuerySchema } from '../../backend/src/query/request-schema';
import { toWireQuery } from '../../datasource/src/data/request';
import type { PlenumQuery } from '../../datasource/src/types';
import { DASHBOARDS } from './all';
import { AUTOMATION_PANEL, CORRELATION_PANEL, HEATMAP_PANEL, PLENUM } from './build';
import { DASHBOARD_DIR, dashboardJson } from './write';

const REPO = path.resolve(__dirname, '../..');
/** core Grafana panels the dashboards may use, and ours */
const PANEL_TYPES = new Set([
  'timeseries',
  'stat',
  'table',
  'bargauge',
  'row',
  HEATMAP_PANEL,
  CORRELATION_PANEL,
  AUTOMATION_PANEL,
]);
/** sample values for each dashboard variable, as a user would pick them */
const SAMPLE_VARS: Record<string, string> = { site: 'sim', hall: 'hall1', row: 'A', rack: 'A01' };

const load = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(DASHBOARD_DIR, `${name}.json`), 'utf8')) as Dashboard;
const flat = (d: Dashboard): Panel[] =>
  (d.panels ?? []).flatMap((p) => (p.type === 'row' ? [p as Panel, ...((p as RowPanel).panels ?? [])] : [p as Panel]));

describe.each(Object.keys(DASHBOARDS))('dashboards/%s.json', (name) => {
  const d = load(name);

  it('is what its typed source generates (npm run dashboards)', () => {
    expect(fs.readFileSync(path.join(DASHBOARD_DIR, `${name}.json`), 'utf8')).toBe(dashboardJson(name));
  });

  it('uses the provisioned Plenum data source for every panel, target and variable', () => {
    for (const p of flat(d).filter((x) => x.type !== 'row')) {
      expect([p.title, p.datasource]).toEqual([p.title, PLENUM]);
      for (const t of p.targets ?? []) expect([p.title, t.datasource]).toEqual([p.title, PLENUM]);
      expect([p.title, PANEL_TYPES.has(p.type)]).toEqual([p.title, true]);
    }
    for (const v of d.templating?.list ?? []) expect([v.name, v.datasource]).toEqual([v.name, PLENUM]);
  });

  it('places panels inside the 24-column grid without overlaps', () => {
    const cells = new Map<string, string>();
    for (const p of flat(d)) {
      const g = p.gridPos!;
      expect([p.title, g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0]).toEqual([p.title, true]);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          const other = cells.get(`${x},${y}`);
          expect([p.title, other]).toEqual([p.title, undefined]);
          cells.set(`${x},${y}`, p.title ?? '');
        }
      }
    }
  });

  it('selects by template variables, never by hard-coded hall or rack ids', () => {
    const ids = /"(hall\d+|[A-D]\d{2})"/;
    for (const p of flat(d)) expect([p.title, ids.test(JSON.stringify(p.targets ?? []))]).toEqual([p.title, false]);
    const used = JSON.stringify(d.panels).match(/\$\{?(\w+)/g) ?? [];
    const defined = new Set((d.templating?.list ?? []).map((v) => v.name));
    for (const ref of used) {
      const v = ref.replace(/^\$\{?/, '');
      if (!v.startsWith('__')) expect([ref, defined.has(v)]).toEqual([ref, true]);
    }
  });

  it('chains its variables: site first, hall from the site, each reading only variables defined before it', () => {
    const vars = d.templating?.list ?? [];
    const names = vars.map((v) => v.name);
    vars.forEach((v, i) => {
      const refs = (JSON.stringify(v.query).match(/\$\{?(\w+)/g) ?? []).map((r) => r.replace(/^\$\{?/, ''));
      for (const ref of refs) expect([v.name, ref, names.slice(0, i).includes(ref)]).toEqual([v.name, ref, true]);
    });
    if (names.includes('hall')) {
      expect(names[0]).toBe('site');
      expect(vars[0]).toMatchObject({ type: 'query', multi: false, includeAll: false, query: { kind: 'sites' } });
      expect(vars.find((v) => v.name === 'hall')!.query).toMatchObject({ kind: 'halls', site: '$site' });
      for (const v of vars.filter((x) => ['row', 'rack'].includes(x.name)))
        expect([v.name, v.query]).toEqual([v.name, expect.objectContaining({ site: '$site', hall: '$hall' })]);
    }
  });

  it('has targets the backend accepts once variables are picked', () => {
    for (const p of flat(d)) {
      for (const t of (p.targets ?? []) as unknown as PlenumQuery[]) {
        const picked = JSON.parse(JSON.stringify(t).replace(/\$(\w+)/g, (m, v: string) => SAMPLE_VARS[v] ?? m));
        const { datasource: _ds, ...wire } = toWireQuery(picked) as unknown as Record<string, unknown>;
        const r = plenumQuerySchema.safeParse(wire);
        expect([p.title, t.refId, r.success ? 'ok' : r.error.message]).toEqual([p.title, t.refId, 'ok']);
      }
    }
  });
});

it('every dashboard has its own uid, and the plugin panels they use are built plugins', () => {
  const uids = Object.keys(DASHBOARDS).map((n) => load(n).uid);
  expect(new Set(uids).size).toBe(uids.length);
  for (const [id, dir] of [
    [HEATMAP_PANEL, 'panels/rack-heatmap'],
    [CORRELATION_PANEL, 'panels/cooling-correlation'],
    [AUTOMATION_PANEL, 'panels/automation'],
    [PLENUM.type, 'datasource'],
  ]) {
    expect(JSON.parse(fs.readFileSync(path.join(REPO, dir!, 'src/plugin.json'), 'utf8')).id).toBe(id);
  }
});

it('puts the automation audit trail on the automation dashboard’s setpoint chart', () => {
  const d = load('automation');
  const anno = (d.annotations?.list ?? []).find((a) => a.name === 'Automation')!;
  expect(anno.target).toMatchObject({ queryType: 'events', types: ['automation'] });
  const ids = (anno as { filter?: { ids: number[] } }).filter?.ids ?? [];
  expect(
    flat(d)
      .filter((p) => ids.includes(p.id!))
      .map((p) => p.type),
  ).toEqual(['timeseries']);
});

it('shows the automation panel on the NOC wall without leaving its 27 rows', () => {
  const wall = flat(load('noc-wall'));
  expect(wall.some((p) => p.type === AUTOMATION_PANEL)).toBe(true);
  expect(Math.max(...wall.map((p) => p.gridPos!.y + p.gridPos!.h))).toBe(27);
});

it('gives the NOC wall’s heatmap the open predictions of its hall, for its corner marks', () => {
  const heatmap = flat(load('noc-wall')).find((p) => p.type === HEATMAP_PANEL)!;
  expect(heatmap.targets).toContainEqual(
    expect.objectContaining({ queryType: 'events', types: ['prediction'], hall: ['$hall'], open: true }),
  );
});

describe('site overview', () => {
  const d = load('site-overview');
  const panels = flat(d);

  it('selects the halls of one site, all of them by default', () => {
    const hall = d.templating!.list!.find((v) => v.name === 'hall')!;
    expect(hall).toMatchObject({ multi: true, includeAll: true, current: { value: '$__all' } });
  });

  it('draws every selected hall on one heatmap and groups the per-hall figures by hall in one query each', () => {
    const heatmap = panels.find((p) => p.type === HEATMAP_PANEL)!;
    expect(heatmap.targets).toContainEqual(expect.objectContaining({ queryType: 'rackLayout', hall: ['$hall'] }));
    expect((heatmap.options as { layout: { hall: string } }).layout.hall).toBe('');
    const grouped = panels.filter((p) => p.type === 'bargauge' || p.type === 'timeseries');
    expect(grouped.map((p) => p.title)).toEqual([
      'IT power by hall',
      'CRAH fan power by hall',
      'Chilled-water plant power by hall',
      'Worst rack inlet by hall',
      'IT and CRAH fan power by hall over time',
      'Worst rack inlet by hall over time',
    ]);
    for (const p of grouped)
      for (const t of p.targets as unknown as PlenumQuery[])
        expect([p.title, t.refId, t]).toEqual([
          p.title,
          t.refId,
          expect.objectContaining({ groupBy: 'hall', selector: expect.objectContaining({ hall: ['$hall'] }) }),
        ]);
  });

  it('repeats the open predictions and alarms and the points needing attention per hall, linking to that hall', () => {
    const repeated = panels.filter((p) => p.repeat);
    expect(repeated.map((p) => [p.repeat, p.repeatDirection, p.maxPerRow])).toEqual([
      ['hall', 'h', 4],
      ['hall', 'h', 4],
    ]);
    const links = repeated.flatMap((p) => (p.links ?? []).map((l) => l.url ?? ''));
    const uids = Object.keys(DASHBOARDS).map((n) => load(n).uid);
    for (const url of links) {
      expect(url).toMatch(/^\/d\/([\w-]+)\/[\w-]+\?var-site=\$\{site\}&var-hall=\$\{hall\}&/);
      expect(uids).toContain(url.split('/')[2]);
    }
    expect(links.map((u) => u.split('/')[2])).toEqual([
      'plenum-noc-wall',
      'plenum-hall',
      'plenum-predictions',
      'plenum-data-quality',
    ]);
    // the bars link each hall's row to its NOC wall
    for (const p of panels.filter((x) => x.type === 'bargauge'))
      expect((p.fieldConfig?.defaults?.links?.[0] as { url?: string } | undefined)?.url).toContain(
        'var-hall=${__data.fields.hall}',
      );
  });
});
