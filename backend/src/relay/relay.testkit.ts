/**
 * An edge-and-hub setup for the relay tests, every backend started from a plenum.yaml as `npm run backend` starts
 * it: Debian mosquitto, edges of site `sim` (one per hall, `sparkplug.edge`, a jobs source), and a hub with
 * `hub.broker`. The hub's store URL points nowhere (nothing listens there): these tests read only events, which
 * the hub answers from its own event store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../config/load';
import { startHub, type RunningHub } from '../hub/hub';
import { startPlenum, type RunningPlenum } from '../plenum';
import { tmpDir } from '../sparkplug/testkit';

/** Site `sim` with two halls of two GPU racks each: hall1 has A01, A02; hall2 has B01, B02. */
export function siteYaml(): string {
  const hall = (id: string, row: string) => `
    - id: ${id}
      rows:
        - id: ${row}
          racks:
            - { id: ${row}01, x: 1, y: 1, assets: [{ id: gpu, type: gpu-server }] }
            - { id: ${row}02, x: 2, y: 1, assets: [{ id: gpu, type: gpu-server }] }`;
  return `site:\n  id: sim\n  halls:${hall('hall1', 'A')}${hall('hall2', 'B')}\n`;
}

const jobsSource = (hall: string) => `sources:
  - name: jobs
    connector: jobs
    points:
      - { asset: '${hall}/*/*/gpu', signal: job_active, quantity: state, valueType: boolean, address: active }
`;

export interface Setup {
  dirs: string[];
  edges: RunningPlenum[];
  hubs: RunningHub[];
}

export const newSetup = (): Setup => ({ dirs: [], edges: [], hubs: [] });

/** Writes plenum.yaml into `dir` or a new folder (removed by stopSetup); its data goes to `<folder>/data`. */
export function write(s: Setup, yaml: string, dir?: string): { file: string; yaml: string } {
  const d = dir ?? tmpDir();
  if (!dir) s.dirs.push(d);
  const file = path.join(d, 'plenum.yaml');
  fs.writeFileSync(file, yaml);
  return { file, yaml };
}

/** Connection options and ids: an MQTT user name, an edge node id other than the hall's. */
export interface Who {
  username?: string;
  edgeNodeId?: string;
}

const brokerYaml = (url: string, who: Who) =>
  `broker: { url: '${url}', keepalive: 2s, reconnect: { min: 100ms, max: 1s }${who.username ? `, username: ${who.username}` : ''} }`;

/** The plenum.yaml of the edge of `hall`: the site, a jobs source, sparkplug.edge on `brokerUrl`. */
export const edgeYaml = (hall: string, brokerUrl: string, who: Who = {}) =>
  `${siteYaml()}${jobsSource(hall)}sparkplug:\n  ${brokerYaml(brokerUrl, who)}\n  edge: { hall: ${hall}${who.edgeNodeId ? `, edgeNodeId: ${who.edgeNodeId}` : ''} }\n`;

/** An edge of `hall` on `brokerUrl`, in this process. */
export async function startEdge(s: Setup, hall: string, brokerUrl: string, who: Who = {}): Promise<RunningPlenum> {
  const yaml = edgeYaml(hall, brokerUrl, who);
  const { file } = write(s, yaml);
  const cfg = parseConfig(yaml, file, { env: {} });
  const p = await startPlenum({ ...cfg, api: { ...cfg.api, port: 0 } }, { log: () => undefined });
  s.edges.push(p);
  return p;
}

/** A hub on `brokerUrl`; `dir` to start one again on its data folder. */
export async function startTestHub(
  s: Setup,
  brokerUrl: string,
  dir?: string,
  who: Who = {},
  clientId?: string,
  tokens: { token?: string; jobsToken?: string } = {},
): Promise<RunningHub> {
  const relay = `{ jobTimeout: 5s${clientId ? `, clientId: ${clientId}` : ''} }`;
  const yaml = `${siteYaml()}hub:\n  store: { url: 'http://127.0.0.1:9' }\n  catalogRefresh: 1h\n  ${brokerYaml(brokerUrl, who)}\n  relay: ${relay}\n`;
  const { file } = write(s, yaml, dir);
  const cfg = parseConfig(yaml, file, { env: {} });
  const h = await startHub(
    { ...cfg, api: { ...cfg.api, port: 0 }, hub: cfg.hub! },
    { log: () => undefined, ...tokens },
  );
  s.hubs.push(h);
  return h;
}

export async function stopSetup(s: Setup): Promise<void> {
  for (const e of s.edges.splice(0).reverse()) await e.stop();
  for (const h of s.hubs.splice(0).reverse()) await h.stop();
  for (const d of s.dirs) fs.rmSync(d, { recursive: true, force: true });
}

export interface EventRow {
  time: number;
  timeEnd: number | null;
  title: string;
  type: string;
  severity: string;
  hall: string | null;
  rack: string | null;
  source: string;
  id: number;
}

/** The `events` query of the query contract at `url` (POST /api/query), as rows. */
export async function queryEvents(url: string, q: Record<string, unknown> = {}): Promise<EventRow[]> {
  const r = await fetch(`${url}/api/query`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      range: { from: Date.now() - 30 * 86_400_000, to: Date.now() + 3_600_000 },
      queries: [{ refId: 'E', queryType: 'events', limit: 10_000, ...q }],
    }),
  });
  const body = (await r.json()) as {
    results: {
      E: {
        error?: string;
        frames: Array<{ schema: { fields: Array<{ name: string }> }; data: { values: unknown[][] } }>;
      };
    };
  };
  if (r.status !== 200 || body.results.E.error) throw new Error(`events query: ${r.status} ${JSON.stringify(body)}`);
  const f = body.results.E.frames[0]!;
  const names = f.schema.fields.map((x) => x.name);
  const n = f.data.values[0]?.length ?? 0;
  return Array.from(
    { length: n },
    (_, i) => Object.fromEntries(names.map((name, j) => [name, f.data.values[j]![i]])) as unknown as EventRow,
  );
}

export async function post(
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token && { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Waits for an async condition, polling every 200 ms; the last error (if any) is in the timeout's message. */
export async function eventually(what: string, pred: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      if (await pred()) return;
    } catch (err) {
      last = ` (last: ${err instanceof Error ? err.message : String(err)})`;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The hub has events (of every type) such that `pred` holds. */
export const hubHas = (url: string, pred: (rows: EventRow[]) => boolean) => async () => pred(await queryEvents(url));
