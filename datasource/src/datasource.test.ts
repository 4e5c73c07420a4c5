import { firstValueFrom, Observable, of, throwError } from 'rxjs';
import { take, toArray } from 'rxjs/operators';
import {
  dateTime,
  LoadingState,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
} from '@grafana/data';
import type { BackendSrvRequest, TemplateSrv } from '@grafana/runtime';
import { API_VERSION } from '@plenum/model';
import { DataSource } from './datasource';
import type { PlenumOptions, PlenumQuery } from './types';

/** A fake of Grafana's backendSrv: records requests, answers from `routes`, counts cancelled requests. */
const calls: BackendSrvRequest[] = [];
let cancelled = 0;
let routes: Record<string, (req: BackendSrvRequest) => Observable<unknown>> = {};
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({
    fetch: (req: BackendSrvRequest) =>
      new Observable((sub) => {
        calls.push(req);
        const path = req.url.replace('/api/datasources/proxy/uid/pl/plenum', '');
        const handler = routes[path];
        let finished = false;
        const inner = (handler ? handler(req) : throwError(() => ({ status: 404, data: {} }))).subscribe({
          next: (data) => sub.next({ data, status: 200, ok: true }),
          error: (e) => {
            finished = true;
            sub.error(e);
          },
          complete: () => {
            finished = true;
            sub.complete();
          },
        });
        return () => {
          if (!finished) {
            cancelled++;
          }
          inner.unsubscribe();
        };
      }),
  }),
}));

const settings = {
  uid: 'pl',
  name: 'Plenum',
  url: '/api/datasources/proxy/uid/pl',
  jsonData: { url: 'http://plenum:8080' },
} as DataSourceInstanceSettings<PlenumOptions>;

const templateSrv = {
  replace: (t = '', _s?: unknown, format?: unknown) =>
    t.replace('$rack', typeof format === 'function' ? format(['A01', 'A02']) : '{A01,A02}'),
} as unknown as TemplateSrv;

const request = (targets: PlenumQuery[]): DataQueryRequest<PlenumQuery> =>
  ({
    requestId: 'Q1',
    targets,
    range: { from: dateTime(1_000_000), to: dateTime(4_600_000), raw: { from: 'now-1h', to: 'now' } },
    maxDataPoints: 500,
    intervalMs: 7200,
    scopedVars: {},
    filters: [],
  }) as unknown as DataQueryRequest<PlenumQuery>;

const frame = (refId: string, times: number[], values: number[]) => ({
  schema: {
    name: 'A01 inlet',
    refId,
    fields: [
      { name: 'time', type: 'time' },
      { name: 'value', type: 'number', config: { unit: 'celsius' } },
    ],
  },
  data: { values: [times, values] },
});

beforeEach(() => {
  calls.length = 0;
  cancelled = 0;
  routes = {};
});

describe('DataSource.query', () => {
  it('sends interpolated queries without plugin-only fields and returns frames with units, errors per refId', async () => {
    routes['/api/query'] = () =>
      of({
        results: {
          A: { frames: [frame('A', [1, 2], [20, 21])] },
          B: { frames: [], error: 'queries[1].selector.quantity[0]: invalid option', status: 400 },
        },
      });
    const ds = new DataSource(settings, templateSrv);
    const res = await firstValueFrom(
      ds.query(
        request([
          { refId: 'A', queryType: 'timeseries', selector: { rack: ['$rack'] }, schemaVersion: 1 },
          { refId: 'B', queryType: 'latest', selector: { quantity: ['heat'] } },
          { refId: 'C', queryType: 'latest', selector: {}, hide: true },
        ])
      )
    );
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.data).toEqual({
      range: { from: 1_000_000, to: 4_600_000 },
      maxDataPoints: 500,
      intervalMs: 7200,
      queries: [
        { refId: 'A', queryType: 'timeseries', selector: { rack: ['A01', 'A02'] } },
        { refId: 'B', queryType: 'latest', selector: { quantity: ['heat'] }, schemaVersion: 1 },
      ].map(({ schemaVersion: _s, ...q }) => q),
    });
    expect(res.data).toHaveLength(1);
    expect(res.data[0].fields[1].config.unit).toBe('celsius');
    expect(res.errors).toEqual([
      { refId: 'B', message: 'queries[1].selector.quantity[0]: invalid option', status: 400 },
    ]);
    expect(res.state).toBe(LoadingState.Error);
  });

  it('sends forecast and predictions queries as saved, variables expanded, plugin-only fields stripped', async () => {
    routes['/api/query'] = () => of({ results: { F: { frames: [] }, P: { frames: [] }, D: { frames: [] } } });
    const ds = new DataSource(settings, templateSrv);
    const forecast: PlenumQuery = {
      refId: 'F',
      queryType: 'forecast',
      selector: { rack: ['$rack'], quantity: ['temperature'], tags: ['inlet'] },
      limit: 27,
      horizonMs: 5_400_000,
      windowMs: 1_200_000,
      top: 5,
      alias: '{{rack}} inlet',
      schemaVersion: 1,
    };
    const res = await firstValueFrom(
      ds.query(
        request([
          forecast,
          { refId: 'P', queryType: 'predictions' },
          { refId: 'D', queryType: 'predictions', output: 'detectors', schemaVersion: 1 },
        ])
      )
    );
    expect((calls[0]!.data as { queries: unknown[] }).queries).toEqual([
      {
        refId: 'F',
        queryType: 'forecast',
        selector: { rack: ['A01', 'A02'], quantity: ['temperature'], tags: ['inlet'] },
        limit: 27,
        horizonMs: 5_400_000,
        windowMs: 1_200_000,
        top: 5,
        alias: '{{rack}} inlet',
      },
      { refId: 'P', queryType: 'predictions' },
      { refId: 'D', queryType: 'predictions', output: 'detectors' },
    ]);
    expect(res.errors).toBeUndefined();
  });

  it('puts an unreachable backend or a bad token on every refId, never a blank panel', async () => {
    const ds = new DataSource(settings, templateSrv);
    routes['/api/query'] = () => throwError(() => ({ status: 502, data: { message: 'Bad Gateway' } }));
    const down = await firstValueFrom(ds.query(request([{ refId: 'A', queryType: 'catalog', selector: {} }])));
    expect(down.errors![0]).toEqual({
      refId: 'A',
      message:
        'cannot reach the Plenum backend at http://plenum:8080: Bad Gateway; check the URL and that the backend runs',
    });
    routes['/api/query'] = () =>
      throwError(() => ({ status: 401, data: { error: 'authorization: invalid bearer token' } }));
    const denied = await firstValueFrom(ds.query(request([{ refId: 'A', queryType: 'catalog', selector: {} }])));
    expect(denied.errors![0]!.message).toBe(
      'Plenum at http://plenum:8080 refused the API token (authorization: invalid bearer token); check the token in the data source settings'
    );
    // what Grafana's data source proxy makes of the backend's 401
    routes['/api/query'] = () =>
      throwError(() => ({
        status: 400,
        statusText: 'Bad Request',
        data: { error: 'Bad Request', message: 'Authentication to data source failed' },
      }));
    const proxied = await firstValueFrom(ds.query(request([{ refId: 'A', queryType: 'catalog', selector: {} }])));
    expect(proxied.errors![0]!.message).toBe(
      'Plenum at http://plenum:8080 refused the API token (Authentication to data source failed); check the token in the data source settings'
    );
  });

  it('streams live queries: history first, then merged long-poll answers, and cancels the poll on unsubscribe', async () => {
    routes['/api/query'] = () => of({ results: { A: { frames: [frame('A', [1_000_000, 1_001_000], [20, 21])] } } });
    const afters: Array<number | undefined> = [];
    let n = 0;
    routes['/api/stream'] = (req) => {
      const body = req.data as { after?: number; queries: unknown[] };
      afters.push(body.after);
      n++;
      if (n === 3) {
        return new Observable(() => {});
      } // a long poll that never answers
      const cursor = 1_001_000 + n * 1000;
      return of({ results: { A: { frames: [frame('A', [cursor], [21 + n])] } }, from: cursor - 500, cursor });
    };
    const ds = new DataSource(settings, templateSrv);
    const q: PlenumQuery = { refId: 'A', queryType: 'timeseries', selector: {}, live: true };
    const emissions: DataQueryResponse[] = [];
    const sub = ds.query(request([q])).subscribe((e) => emissions.push(e));
    for (let i = 0; i < 50 && afters.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(emissions.map((e) => e.state)).toEqual([
      LoadingState.Streaming,
      LoadingState.Streaming,
      LoadingState.Streaming,
    ]);
    expect(emissions.map((e) => e.data[0].fields[1].values)).toEqual([
      [20, 21],
      [20, 21, 22],
      [20, 21, 22, 23],
    ]);
    expect(new Set(emissions.map((e) => e.key)).size).toBe(1);
    expect(afters).toEqual([undefined, 1_002_000, 1_003_000]);
    expect((calls[1]!.data as { queries: Array<Record<string, unknown>> }).queries[0]).not.toHaveProperty('live');
    // closing the panel cancels the long poll in flight
    sub.unsubscribe();
    expect(cancelled).toBe(1);
  });

  it('keeps streaming after a failed poll, showing why updates paused', async () => {
    routes['/api/query'] = () => of({ results: { A: { frames: [] } } });
    routes['/api/stream'] = () => throwError(() => ({ status: 502, data: {} }));
    const ds = new DataSource(settings, templateSrv);
    const first2 = await firstValueFrom(
      ds.query(request([{ refId: 'A', queryType: 'latest', selector: {}, live: true }])).pipe(take(2), toArray())
    );
    expect(first2[1]!.state).toBe(LoadingState.Streaming);
    expect(first2[1]!.errors![0]!.message).toMatch(/^live updates paused: cannot reach the Plenum backend/);
  });
});

describe('DataSource.query on a backend without /api/stream (a hub)', () => {
  it('answers live queries with their history and ends, without an error', async () => {
    routes['/api/query'] = () => of({ results: { A: { frames: [frame('A', [1_000_000], [20])] } } });
    let polls = 0;
    routes['/api/stream'] = () => {
      polls++;
      return throwError(() => ({ status: 404, statusText: 'Not Found', data: 'Cannot POST /api/stream' }));
    };
    const ds = new DataSource(settings, templateSrv);
    const all = await firstValueFrom(
      ds.query(request([{ refId: 'A', queryType: 'timeseries', selector: {}, live: true }])).pipe(toArray())
    );
    expect(all.map((e) => e.state)).toEqual([LoadingState.Streaming, LoadingState.Done]);
    expect(all[1]!.errors ?? []).toEqual([]);
    expect(all[1]!.data[0].fields[1].values).toEqual([20]);
    expect(all[1]!.key).toBe(all[0]!.key);
    expect(polls).toBe(1);
    // and the next refresh does not ask again
    const again = await firstValueFrom(
      ds.query(request([{ refId: 'A', queryType: 'timeseries', selector: {}, live: true }])).pipe(toArray())
    );
    expect(again.map((e) => [e.state, e.errors ?? []])).toEqual([[LoadingState.Done, []]]);
    expect(polls).toBe(1);
  });
});

describe('DataSource.annotations', () => {
  /** one automation event as the backend's events query frames it (backend/src/query/events.ts) */
  const automationFrame = {
    schema: {
      name: 'events',
      refId: 'Anno',
      fields: [
        { name: 'time', type: 'time' },
        { name: 'timeEnd', type: 'time' },
        { name: 'title', type: 'string' },
        { name: 'text', type: 'string' },
        { name: 'tags', type: 'other' },
        { name: 'type', type: 'string' },
        { name: 'severity', type: 'string' },
        { name: 'hall', type: 'string' },
        { name: 'rack', type: 'string' },
        { name: 'source', type: 'string' },
        { name: 'id', type: 'number' },
      ],
    },
    data: {
      values: [
        [2_000_000],
        [null],
        ['proposal #3 approved: rule inlet-high → crah1/supply_setpoint 18 → 17'],
        ['by operator:operate/alice'],
        [['automation', 'proposal', 'approved']],
        ['automation'],
        ['info'],
        [null],
        [null],
        ['automation'],
        [41],
      ],
    },
  };

  it('runs a saved automation annotation as an events query and returns the fields Grafana maps to annotations', async () => {
    const ds = new DataSource(settings, templateSrv);
    // a hand-written dashboard may give the type as one string
    const prepared = ds.annotations.prepareAnnotation!({
      name: 'Automation',
      enable: true,
      iconColor: 'orange',
      target: { refId: 'Anno', queryType: 'events', types: 'automation' } as unknown as PlenumQuery,
    });
    expect(prepared.target).toEqual({
      refId: 'Anno',
      queryType: 'events',
      types: ['automation'],
      schemaVersion: 1,
    });
    routes['/api/query'] = () => of({ results: { Anno: { frames: [automationFrame] } } });
    const res = await firstValueFrom(ds.query(request([prepared.target as PlenumQuery])));
    expect((calls[0]!.data as { queries: unknown[] }).queries).toEqual([
      { refId: 'Anno', queryType: 'events', types: ['automation'] },
    ]);
    // Grafana's annotation processing reads these fields by name: time, timeEnd, title, text and tags (a list)
    const [frame] = res.data;
    const field = (name: string) => frame.fields.find((f: { name: string }) => f.name === name);
    expect(field('time')).toMatchObject({ type: 'time', values: [2_000_000] });
    expect(field('timeEnd')).toMatchObject({ type: 'time', values: [null] });
    expect(field('title')!.values[0]).toMatch(/^proposal #3 approved/);
    expect(field('text')!.values).toEqual(['by operator:operate/alice']);
    expect(field('tags')!.values).toEqual([['automation', 'proposal', 'approved']]);
    expect(res.errors).toBeUndefined();
  });

  it('gives a new annotation query job events, as before', () => {
    const ds = new DataSource(settings, templateSrv);
    expect(ds.annotations.prepareAnnotation!({ name: 'New', enable: true, iconColor: 'red' }).target).toEqual({
      refId: 'Anno',
      queryType: 'events',
      types: ['job'],
      schemaVersion: 1,
    });
  });
});

describe('DataSource.testDatasource', () => {
  it('checks /api/health through the proxy and says what failed', async () => {
    const ds = new DataSource(settings, templateSrv);
    routes['/api/health'] = () =>
      of({ status: 'ok', version: '0.1.0', apiVersion: API_VERSION, points: 3, connectors: [] });
    expect(await ds.testDatasource()).toEqual({
      status: 'success',
      message: 'Plenum 0.1.0 at http://plenum:8080: 3 points, 0/0 connectors up',
    });
    routes['/api/health'] = () =>
      throwError(() => ({ status: 401, data: { error: 'authorization: invalid bearer token' } }));
    expect((await ds.testDatasource()).message).toMatch(/refused the API token/);
    const noUrl = new DataSource({ ...settings, jsonData: {} }, templateSrv);
    expect((await noUrl.testDatasource()).message).toBe(
      'Set the backend URL (for example http://plenum:8080) and save'
    );
  });
});

describe('DataSource.metricFindQuery', () => {
  it('lists racks of the halls a variable selects', async () => {
    routes['/api/topology'] = () =>
      of({
        id: 's',
        halls: [
          { id: 'h1', rows: [{ id: 'A', racks: [{ id: 'A01', x: 0, y: 0, assets: [] }] }] },
          { id: 'h2', rows: [{ id: 'B', racks: [{ id: 'B01', x: 0, y: 0, assets: [] }] }] },
        ],
      });
    const ds = new DataSource(settings, { replace: (t = '') => t.replace('$hall', 'h2') } as unknown as TemplateSrv);
    expect(await ds.metricFindQuery({ kind: 'racks', hall: '$hall' })).toEqual([{ text: 'B01', value: 'B01' }]);
  });

  it('lists the sites, and the halls of the sites a variable selects (multi-value included)', async () => {
    routes['/api/topology'] = () =>
      of({
        id: 'dc1',
        name: 'DC 1',
        halls: [
          { id: 'h1', rows: [] },
          { id: 'h2', rows: [] },
        ],
      });
    const replace = (t = '', _vars?: unknown, format?: (v: string | string[]) => string) =>
      t.replace('$site', format ? format(['dc1', 'dc9']) : 'dc1,dc9');
    const ds = new DataSource(settings, { replace } as unknown as TemplateSrv);
    expect(await ds.metricFindQuery({ kind: 'sites' })).toEqual([{ text: 'DC 1', value: 'dc1' }]);
    expect((await ds.metricFindQuery({ kind: 'halls', site: '$site' })).map((v) => v.value)).toEqual(['h1', 'h2']);
    expect(await ds.metricFindQuery({ kind: 'halls', site: 'dc9' })).toEqual([]);
  });
});
