import fs from 'node:fs';
import path from 'node:path';
import { dashboardRequests } from '../load/dashboard-queries';

/**
 * Valid requests per route, the seeds the API fuzzer mutates. Every route of the route table must have at least
 * one (api-fuzz.test.ts checks), so a new route cannot skip the fuzz suite. Ids and points come from plenum.yaml,
 * the config the fuzzed backend runs; the /api/query and /api/stream seeds are the provisioned dashboards' own
 * queries as the data source builds them (reliability/load/dashboard-queries.ts).
 */

export interface Seed {
  /** express path with `:params` filled in */
  path: string;
  query?: Record<string, string>;
  body?: unknown;
}

const ROOT = path.resolve(__dirname, '../..');
/** the dashboards' template variables, as picked on the sample site */
const VARS = { hall: 'hall1', rack: 'A01', row: 'A', asset: 'crah1' };
const NOW = 'now';

const RULE = {
  id: 'fuzz-rule',
  description: 'a rule the fuzzer stores',
  mode: 'observe',
  when: { threshold: { ids: ['sim/hall1/*/*/env/inlet_temp'], above: 27, onDelay: '2m' } },
  then: [{ event: { severity: 'warning', title: 'inlet of {rack} above 27 °C' } }],
};

/** `METHOD path` (as in the route table) → seeds. */
export function seeds(): Record<string, Seed[]> {
  const range = { from: Date.now() - 3_600_000, to: Date.now() };
  const panels = fs
    .readdirSync(path.join(ROOT, 'dashboards'))
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => dashboardRequests(f.slice(0, -5), VARS, range));
  return {
    'GET /api/health': [{ path: '/api/health' }],
    'POST /api/query': [
      ...panels.map((p) => ({ path: '/api/query', body: p.query })),
      { path: '/api/query', body: { range: { from: 0, to: 1 }, queries: [{ refId: 'A', queryType: 'events' }] } },
    ],
    'POST /api/stream': panels.flatMap((p) =>
      p.stream ? [{ path: '/api/stream', body: { ...p.stream, after: 0, waitMs: 0 } }] : [],
    ),
    'GET /api/points': [
      { path: '/api/points', query: { text: 'inlet', page: '1', pageSize: '10' } },
      { path: '/api/points', query: { hall: 'hall1', quantity: 'temperature,power', tags: 'inlet' } },
    ],
    'GET /api/topology': [{ path: '/api/topology' }],
    'POST /api/events': [
      { path: '/api/events', body: { type: 'note', title: 'fuzz', severity: 'info', location: { rack: 'A01' } } },
      {
        path: '/api/events',
        body: { event: 'job_start', job_id: '42', racks: ['A01', 'A02'], start_time: NOW, user: 'u' },
      },
      {
        path: '/api/events',
        body: {
          kind: 'Job',
          metadata: { name: 'train', uid: 'u1', annotations: { 'plenum.io/racks': 'A01' } },
          status: { startTime: new Date().toISOString() },
        },
      },
    ],
    'GET /api/events': [{ path: '/api/events', query: { from: 'now-6h', to: NOW, type: 'job,note', limit: '50' } }],
    'POST /api/samples': [
      {
        path: '/api/samples',
        body: { samples: [{ pointId: 'sim/hall1/A/A01/env/inlet_temp', ts: NOW, value: 22.5 }] },
      },
    ],
    'GET /metrics': [{ path: '/metrics' }],
    'GET /api/automation': [{ path: '/api/automation' }],
    'POST /api/automation/stop': [{ path: '/api/automation/stop', body: { reason: 'fuzz' } }],
    'POST /api/automation/resume': [{ path: '/api/automation/resume', body: {} }],
    'POST /api/automation/rules/:id/mode': [
      { path: '/api/automation/rules/inlet-high/mode', body: { mode: 'observe' } },
    ],
    'POST /api/automation/proposals/:id/approve': [{ path: '/api/automation/proposals/1/approve', body: {} }],
    'POST /api/automation/proposals/:id/reject': [
      { path: '/api/automation/proposals/1/reject', body: { reason: 'no' } },
    ],
    'POST /api/automation/write': [
      {
        path: '/api/automation/write',
        body: { pointId: 'sim/hall1/-/-/crah1/supply_setpoint', value: 18, leaseS: 60 },
      },
      { path: '/api/automation/write', body: { pointId: 'sim/hall1/-/-/crah1/supply_setpoint', value: null } },
    ],
    'GET /api/automation/rules': [{ path: '/api/automation/rules' }],
    'GET /api/automation/rules/:id/versions': [{ path: '/api/automation/rules/feed-forward/versions' }],
    'PUT /api/automation/rules/:id': [{ path: '/api/automation/rules/fuzz-rule', body: RULE }],
    'DELETE /api/automation/rules/:id': [{ path: '/api/automation/rules/fuzz-rule' }],
    'GET /api/automation/trace': [{ path: '/api/automation/trace', query: { kind: 'verdict', limit: '20' } }],
    'POST /api/capacity': [{ path: '/api/capacity', body: { racks: ['A01', 'B02'], kwPerRack: 40, hall: 'hall1' } }],
    'GET /api/predictions': [{ path: '/api/predictions' }],
    'POST /api/predictions/:id/ack': [{ path: '/api/predictions/1/ack', body: {} }],
    'POST /api/predictions/:id/shelve': [{ path: '/api/predictions/1/shelve', body: { duration: '2h', reason: 'x' } }],
    'POST /api/predictions/:id/unshelve': [{ path: '/api/predictions/1/unshelve', body: {} }],
    'POST /api/predictions/backtest': [{ path: '/api/predictions/backtest', body: { from: 'now-1h', to: NOW } }],
    'GET /api/openapi.json': [{ path: '/api/openapi.json' }],
    ...promqlSeeds(),
  };
}

/** the hub's fuzz site (fuzz/hub-bed.ts): site `sim`, halls hall1 (with an edge) and hall2 (without), racks R01, R02 */
const HUB_VARS = { hall: 'hall1', rack: 'R01', row: 'A', asset: 'crah1' };

/**
 * Valid requests per route of the hub (backend/src/hub/hub.ts, served by the fuzz hub of fuzz/hub-bed.ts). Every
 * route the running hub registers must have one (api-fuzz.test.ts reads them from its Express app), so a new hub
 * route cannot skip the fuzz suite. Job webhooks name hall1's racks (routed to its edge through the broker), hall2
 * (no edge there: the relay's 404) or only a hall.
 */
export function hubSeeds(): Record<string, Seed[]> {
  const range = { from: Date.now() - 3_600_000, to: Date.now() };
  const panels = fs
    .readdirSync(path.join(ROOT, 'dashboards'))
    .filter((f) => f.endsWith('.json'))
    .flatMap((f) => dashboardRequests(f.slice(0, -5), HUB_VARS, range));
  return {
    'GET /api/health': [{ path: '/api/health' }],
    'GET /api/topology': [{ path: '/api/topology' }],
    'POST /api/query': [
      ...panels.map((p) => ({ path: '/api/query', body: p.query })),
      { path: '/api/query', body: { range: { from: 0, to: 1 }, queries: [{ refId: 'A', queryType: 'events' }] } },
      {
        path: '/api/query',
        body: { range, queries: [{ refId: 'A', queryType: 'events', hall: 'hall1', types: ['job'] }] },
      },
    ],
    'POST /api/events': [
      { path: '/api/events', body: { event: 'job_start', job_id: '42', racks: ['R01', 'R02'], time: NOW, user: 'u' } },
      { path: '/api/events', body: { event: 'job_end', job_id: 42, hall: 'hall1', end_time: Date.now() } },
      { path: '/api/events', body: { event: 'job_submit', job_id: 'h2', hall: 'hall2', site: 'sim', gpus: 8 } },
      {
        path: '/api/events',
        body: {
          kind: 'Job',
          metadata: {
            name: 'train',
            uid: 'u1',
            annotations: { 'plenum.io/racks': 'R01', 'plenum.io/expected-kw': '40' },
          },
          status: { startTime: new Date().toISOString() },
        },
      },
    ],
  };
}

const PROM = '/prometheus/api/v1';
const INLET = 'plenum_temperature_celsius{hall="hall1",signal="inlet_temp"}';

/** The Prometheus API's routes (backend/src/promql/routes.ts): the same parameters by GET query and POST form. */
function promqlSeeds(): Record<string, Seed[]> {
  const end = Math.floor(Date.now() / 1000);
  const get: Record<string, Seed[]> = {
    '/query': [
      { path: `${PROM}/query`, query: { query: `max by (rack) (${INLET}) > 27`, time: String(end) } },
      { path: `${PROM}/query`, query: { query: `rate(plenum_energy_kilowatt_hours[5m])` } },
    ],
    '/query_range': [
      {
        path: `${PROM}/query_range`,
        query: { query: `avg_over_time(${INLET}[5m])`, start: String(end - 3600), end: String(end), step: '60' },
      },
      {
        path: `${PROM}/query_range`,
        query: {
          query: 'sum by (hall) (plenum_power_kilowatts)',
          start: String(end - 600),
          end: String(end),
          step: '15s',
        },
      },
    ],
    '/series': [{ path: `${PROM}/series`, query: { 'match[]': INLET, start: String(end - 3600), end: String(end) } }],
    '/labels': [{ path: `${PROM}/labels` }, { path: `${PROM}/labels`, query: { 'match[]': INLET } }],
    '/label/:name/values': [{ path: `${PROM}/label/rack/values` }, { path: `${PROM}/label/__name__/values` }],
    '/metadata': [{ path: `${PROM}/metadata`, query: { metric: 'plenum_temperature_celsius', limit: '5' } }],
    '/status/buildinfo': [{ path: `${PROM}/status/buildinfo` }],
  };
  const out: Record<string, Seed[]> = {};
  for (const [route, list] of Object.entries(get)) {
    out[`GET ${PROM}${route}`] = list;
    // POST seeds carry the parameters in the URL and an empty JSON body; the fuzzer then mutates both
    out[`POST ${PROM}${route}`] = list.map((s) => ({ ...s, body: {} }));
  }
  return out;
}
