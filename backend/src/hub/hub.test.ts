import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataFrameJSON, QueryResponse } from '@plenum/model';
import { parseConfig } from '../config/load';
import { CONNECTOR_NAMES } from '../connectors/all';
import { startPlenum, type RunningPlenum } from '../plenum';
import { startVictoriaMetrics, victoriaMetricsAvailable, type Peer } from '../remote-write/peers';
import { until } from '../remote-write/testkit';
import { startHub, type RunningHub } from './hub';

/**
 * Two edges (one hall each, generator sources, remote write to Debian's VictoriaMetrics) and a hub over the store:
 * the hub's POST /api/query answers equal each edge's own answers for the same request — timeseries per point and
 * summed per hall (raw buckets with cut first and last buckets, 1-minute rollups, p95), latest, rackLayout and
 * catalog — within VictoriaMetrics' ≈ 12 significant digits.
 */

const HALLS = ['hall1', 'hall2'];
const BAD = 'dc1/hall1/A/R01/env/inlet_temp';
const UNCERTAIN = 'dc1/hall1/A/R02/env/inlet_temp';
const RACKS = 4;

const siteYaml = (halls: string[]) => `site:
  id: dc1
  halls:
${halls
  .map(
    (h) => `    - id: ${h}
      rows:
        - id: A
          racks:
${Array.from({ length: RACKS }, (_, i) => `            - { id: R0${i + 1}, x: ${i}, y: ${HALLS.indexOf(h)}, ratedKw: ${50 + i}, assets: [{ id: pdu, type: pdu }, { id: env, type: sensor }] }`).join('\n')}`,
  )
  .join('\n')}
api: { host: 127.0.0.1, port: 8080 }
`;

const edgeYaml = (hall: string, writeUrl: string, seed: number) => `${siteYaml([hall])}sources:
  - name: gen
    connector: generator
    interval: 200ms
    options: { seed: ${seed} }
    points:
      - { asset: '${hall}/A/*/pdu', signal: power, quantity: power, tags: [power] }
      - { asset: '${hall}/A/*/pdu', signal: breaker, quantity: state, valueType: boolean, kind: status }
      - { asset: '${hall}/A/*/env', signal: inlet_temp, quantity: temperature, tags: [inlet, temp] }
remoteWrite:
  url: ${writeUrl}
  flushInterval: 200ms
  backoff: { min: 100ms, max: 1s }
  externalLabels: { edge: ${hall}-edge }
`;

async function post(url: string, body: unknown): Promise<QueryResponse> {
  const res = await fetch(`${url}/api/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as QueryResponse;
}

const frames = (r: QueryResponse, refId = 'A'): DataFrameJSON[] => {
  const res = r.results[refId]!;
  expect(res.error).toBeUndefined();
  return res.frames;
};

/** values equal within VictoriaMetrics' decimal precision; booleans as 0/1 (the store has numbers only) */
function close(a: unknown, b: unknown): boolean {
  const num = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);
  const x = num(a);
  const y = num(b);
  if (typeof x === 'number' && typeof y === 'number') return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x));
  return x === y;
}

function expectColumnsClose(got: unknown[], want: unknown[], what: string) {
  if (process.env.HUB_DEBUG && (got.length !== want.length || got.some((g, i) => !close(g, want[i]))))
    console.log(what, JSON.stringify(got), JSON.stringify(want));
  expect({ what, length: got.length }).toEqual({ what, length: want.length });
  const bad = got.map((g, i) => [i, g, want[i]] as const).filter(([, g, w]) => !close(g, w));
  expect({ what, bad: bad.slice(0, 5) }).toEqual({ what, bad: [] });
}

/** timeseries frames by display name: times and values */
function series(fs: DataFrameJSON[]): Map<string, { t: unknown[]; v: unknown[] }> {
  return new Map(fs.map((f) => [f.schema!.name!, { t: f.data!.values[0]!, v: f.data!.values[1]! }]));
}

describe('hub over VictoriaMetrics with two edges', () => {
  let vm: Peer | undefined;
  const edges: RunningPlenum[] = [];
  let hub: RunningHub | undefined;
  const dirs: string[] = [];
  const logs: string[] = [];
  let t0 = 0;
  let tEnd = 0;

  afterAll(async () => {
    await hub?.stop();
    for (const e of edges) await e.stop();
    await vm?.remove();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  beforeAll(async () => {
    if (!victoriaMetricsAvailable())
      throw new Error('victoria-metrics is not installed: apt-get install victoria-metrics');
    vm = await startVictoriaMetrics();
    t0 = Date.now();
    for (const [i, hall] of HALLS.entries()) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plenum-hub-${hall}-`));
      dirs.push(dir);
      const config = parseConfig(edgeYaml(hall, vm.writeUrl, i + 1), path.join(dir, 'plenum.yaml'), {
        connectors: CONNECTOR_NAMES,
        env: { PLENUM_DATA: path.join(dir, 'data'), PLENUM_PORT: '0' },
      });
      edges.push(await startPlenum(config, { log: (m) => logs.push(m) }));
    }
    // 6 s of 5 Hz samples, then the sources stop so that each edge's history is final
    await new Promise((r) => setTimeout(r, 6000));
    for (const e of edges) await Promise.all(e.runners.map((r) => r.stop()));
    // a dead sensor and a doubtful one on hall1: bad is a stale marker in the store, uncertain a value
    const stamp = Date.now();
    const res = await fetch(`${edges[0]!.url}/api/samples`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        samples: [
          { pointId: BAD, ts: stamp, value: 99, quality: 'bad' },
          { pointId: UNCERTAIN, ts: stamp, value: 30.5, quality: 'uncertain' },
        ],
      }),
    });
    expect(res.status).toBeLessThan(300);
    tEnd = Date.now() + 1;
    // stored samples wait up to 100 ms in memory before they are queued (remote-write/README.md)
    await new Promise((r) => setTimeout(r, 500));
    for (const e of edges)
      await until('the edge queue to drain', () => {
        const s = e.remoteWrite!.status();
        return s.queue.samples === 0 && s.sender.state === 'idle';
      });
    await fetch(`${vm.url}/internal/force_flush`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-hub-'));
    dirs.push(dir);
    const hubConfig = parseConfig(
      `${siteYaml(HALLS)}hub:\n  store: { url: ${vm.url} }\n`,
      path.join(dir, 'plenum.yaml'),
      { connectors: CONNECTOR_NAMES, env: { PLENUM_DATA: path.join(dir, 'data'), PLENUM_PORT: '0' } },
    );
    hub = await startHub(hubConfig as typeof hubConfig & { hub: NonNullable<typeof hubConfig.hub> }, {
      log: (m) => logs.push(m),
    });
  }, 60_000);

  const range = () => ({ from: t0 - 1000, to: tEnd + 1000 });

  it('lists every point of both halls in its catalog, as the edges do', async () => {
    const q = { range: range(), queries: [{ refId: 'A', queryType: 'catalog', selector: {} }] };
    const hubCat = frames(await post(hub!.url, q))[0]!;
    const cols = ['id', 'domain', 'quantity', 'unit', 'kind', 'hall', 'row', 'rack', 'asset', 'tags'];
    const pick = (f: DataFrameJSON) =>
      cols.map((c) => f.data!.values[f.schema!.fields.findIndex((x) => x.name === c)]!);
    const edgeCols = await Promise.all(edges.map(async (e) => pick(frames(await post(e.url, q))[0]!)));
    const want = cols.map((_, i) => edgeCols.flatMap((c) => c[i]!));
    expect(pick(hubCat)).toEqual(want);
    expect(hub!.reader.catalog.size).toBe(HALLS.length * RACKS * 3);
  });

  it.each([
    ['raw 1 s buckets, cut first and last', { intervalMs: 1000, maxDataPoints: 1000, offset: 337 }],
    ['raw 200 ms buckets', { intervalMs: 200, maxDataPoints: 5000, offset: 0 }],
  ])('answers timeseries per point as each edge does (%s)', async (_name, o) => {
    const r = { from: t0 - 1000 + o.offset, to: tEnd + 1000 - o.offset };
    for (const [i, hall] of HALLS.entries()) {
      for (const aggregate of ['avg', 'min', 'max', 'last']) {
        const body = {
          range: r,
          intervalMs: o.intervalMs,
          maxDataPoints: o.maxDataPoints,
          queries: [{ refId: 'A', queryType: 'timeseries', selector: { hall: [hall] }, aggregate }],
        };
        const want = series(frames(await post(edges[i]!.url, body)));
        const got = series(frames(await post(hub!.url, body)));
        expect([...got.keys()]).toEqual([...want.keys()]);
        for (const [name, w] of want) {
          expect(w.t.length).toBeGreaterThan(3);
          expectColumnsClose(got.get(name)!.t, w.t, `${hall} ${aggregate} ${name} times`);
          expectColumnsClose(got.get(name)!.v, w.v, `${hall} ${aggregate} ${name} values`);
        }
      }
    }
  });

  it('answers p95 per point on the same buckets, within each bucket (the store interpolates between ranks)', async () => {
    const body = (aggregate: string) => ({
      range: { from: t0 - 663, to: tEnd + 337 },
      intervalMs: 1000,
      queries: [{ refId: 'A', queryType: 'timeseries', selector: {}, aggregate }],
    });
    const got = series(frames(await post(hub!.url, body('p95'))));
    for (const e of edges) {
      const want = series(frames(await post(e.url, body('p95'))));
      const min = series(frames(await post(e.url, body('min'))));
      const max = series(frames(await post(e.url, body('max'))));
      for (const [name, w] of want) {
        const g = got.get(name)!;
        expectColumnsClose(g.t, w.t, `${name} times`);
        g.v.forEach((v, i) => {
          expect(v as number).toBeGreaterThanOrEqual((min.get(name)!.v[i] as number) - 1e-9);
          expect(v as number).toBeLessThanOrEqual((max.get(name)!.v[i] as number) + 1e-9);
        });
      }
    }
  });

  it('sums power per hall over both halls in one query, as each edge does for its own', async () => {
    const body = (halls?: string[]) => ({
      range: range(),
      intervalMs: 1000,
      queries: [
        {
          refId: 'A',
          queryType: 'timeseries',
          selector: { quantity: ['power'], ...(halls && { hall: halls }) },
          aggregate: 'sum',
          groupBy: 'hall',
        },
      ],
    });
    const got = series(frames(await post(hub!.url, body())));
    expect(got.size).toBe(2);
    for (const [i, hall] of HALLS.entries()) {
      const want = series(frames(await post(edges[i]!.url, body([hall]))));
      for (const [name, w] of want) {
        expect(name).toContain(hall);
        expectColumnsClose(got.get(name)!.t, w.t, `${name} times`);
        expectColumnsClose(got.get(name)!.v, w.v, `${name} values`);
      }
    }
  });

  it('answers 1-minute rollup buckets (whole minutes) as each edge does', async () => {
    const body = {
      range: range(),
      queries: [{ refId: 'A', queryType: 'timeseries', selector: {}, resolution: '1m', aggregate: 'max' }],
    };
    const got = series(frames(await post(hub!.url, body)));
    for (const e of edges) {
      for (const [name, w] of series(frames(await post(e.url, body)))) {
        expectColumnsClose(got.get(name)!.t, w.t, `${name} times`);
        expectColumnsClose(got.get(name)!.v, w.v, `${name} values`);
      }
    }
  });

  it('answers latest per point and per rack as each edge does', async () => {
    for (const groupBy of ['point', 'rack']) {
      const body = { range: range(), queries: [{ refId: 'A', queryType: 'latest', selector: {}, groupBy }] };
      const got = frames(await post(hub!.url, body));
      for (const [i, hall] of HALLS.entries()) {
        const want = frames(await post(edges[i]!.url, body));
        for (const w of want) {
          const g = got.find((f) => f.schema!.name === w.schema!.name)!;
          const names = w.schema!.fields.map((f) => f.name);
          expect(g.schema!.fields.map((f) => f.name)).toEqual(names);
          const hallCol = names.indexOf('hall');
          const rows = g.data!.values[hallCol]!.map((h, r) => (h === hall ? r : -1)).filter((r) => r >= 0);
          names.forEach((n, c) => {
            if (n === 'name') return; // the store has no display names: the id (README.md, deviations)
            if (n === 'value' && groupBy === 'point') {
              // a bad sample has no value in the store (a stale marker): null where the edge shows what it got
              const rowOf = w.data!.values[0]!.indexOf(BAD);
              if (rowOf >= 0) {
                expect(w.data!.values[c]![rowOf]).toBe(99);
                expect(g.data!.values[c]![rows[rowOf]!]).toBeNull();
                const without = (col: unknown[], skip: number) => col.filter((_, k) => k !== skip);
                expectColumnsClose(
                  without(
                    rows.map((r) => g.data!.values[c]![r]),
                    rowOf,
                  ),
                  without(w.data!.values[c]!, rowOf),
                  `latest ${n}`,
                );
                return;
              }
            }
            expectColumnsClose(
              rows.map((r) => g.data!.values[c]![r]),
              w.data!.values[c]!,
              `latest by ${groupBy} ${w.schema!.name} ${n}`,
            );
          });
        }
      }
    }
  });

  it('carries bad and uncertain quality through the store', async () => {
    const body = {
      range: range(),
      queries: [{ refId: 'A', queryType: 'latest', selector: { ids: [BAD, UNCERTAIN] } }],
    };
    const quality = (fs: DataFrameJSON[]) => {
      const f = fs[0]!;
      const col = (n: string) => f.data!.values[f.schema!.fields.findIndex((x) => x.name === n)]!;
      return { point: col('point'), quality: col('quality'), time: col('time') };
    };
    const want = quality(frames(await post(edges[0]!.url, body)));
    expect(want.quality).toEqual(['bad', 'uncertain']);
    expect(quality(frames(await post(hub!.url, body)))).toEqual(want);
    const problems = {
      range: range(),
      queries: [
        { refId: 'A', queryType: 'latest', selector: { hall: ['hall1'] }, problemsOnly: true, staleAfterMs: 3_600_000 },
      ],
    };
    const rows = (fs: DataFrameJSON[]) => {
      const f = fs[0]!;
      return f.data!.values[f.schema!.fields.findIndex((x) => x.name === 'problem')];
    };
    expect(rows(frames(await post(hub!.url, problems)))).toEqual(rows(frames(await post(edges[0]!.url, problems))));
  });

  it('answers the rack heatmap of each hall as its edge does', async () => {
    for (const [i, hall] of HALLS.entries()) {
      for (const measure of ['value', 'headroom']) {
        const body = {
          range: range(),
          queries: [{ refId: 'A', queryType: 'rackLayout', hall: [hall], selector: { quantity: ['power'] }, measure }],
        };
        const got = frames(await post(hub!.url, body));
        const want = frames(await post(edges[i]!.url, body));
        expect(got.map((f) => f.schema)).toEqual(want.map((f) => f.schema));
        got.forEach((f, k) =>
          f.data!.values.forEach((col, c) =>
            expectColumnsClose(col, want[k]!.data!.values[c]!, `${hall} ${measure} ${f.schema!.name} ${c}`),
          ),
        );
      }
    }
  });

  it('reports a bad query on its own refId and a store outage as an error, not a crash', async () => {
    const r = await post(hub!.url, {
      range: range(),
      queries: [
        { refId: 'A', queryType: 'timeseries', selector: { quantity: ['nope'] } },
        { refId: 'B', queryType: 'catalog', selector: { hall: ['hall2'] } },
      ],
    });
    expect(r.results.A!.error).toMatch(/queries\[0\]\.selector\.quantity/);
    expect(r.results.B!.frames[0]!.data!.values[0]!.length).toBe(RACKS * 3);
    await vm!.stop();
    try {
      const down = await post(hub!.url, {
        range: range(),
        queries: [{ refId: 'A', queryType: 'latest', selector: { hall: ['hall1'] } }],
      });
      expect(down.results.A!.status).toBe(500);
      expect(down.results.A!.error).toMatch(/store http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query: ECONNREFUSED/);
    } finally {
      await vm!.restart();
    }
  });
});
