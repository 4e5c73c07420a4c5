import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../backend/src/config/load';
import { CONNECTOR_NAMES } from '../backend/src/connectors/all';
import { startPlenum, type RunningPlenum } from '../backend/src/plenum';
import { readCompose, REPO } from './compose-services';

/**
 * The Prometheus data source and the alert rule group that provisioning/ gives Grafana, checked without Grafana:
 * the files as Grafana reads them (env expansion, custom HTTP headers), and every rule's queries run against the
 * real Prometheus API of a backend started here over a real historian, evaluated at the group's interval through
 * Grafana's threshold expression and its pending → firing state machine (`for`). The samples make the inlet rule
 * fire for one rack only: others are hot for less than 5 min, dip below 27 °C once, or have a sensor gone bad.
 */

const TOKEN = 'alerting-read-token';
const DS_FILE = 'provisioning/datasources/plenum-prometheus.yaml';
const RULES_FILE = 'provisioning/alerting/plenum.yaml';

const yaml = (rel: string) => parse(fs.readFileSync(path.join(REPO, rel), 'utf8'));

/** Grafana's provisioning expansion of environment variables in values: `${VAR}`, then `$VAR`; `$$` is a `$`. */
function expandEnv(value: string, env: Record<string, string>): string {
  const braced = value.replace(/\$\$|\$\{(\w+)\}/g, (all, n?: string) => (n === undefined ? all : (env[n] ?? '')));
  return braced.replace(/\$\$|\$(\w+)/g, (_, n?: string) => (n === undefined ? '$' : (env[n] ?? '')));
}

interface ProvisionedDatasource {
  name: string;
  uid: string;
  type: string;
  access: string;
  url: string;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

/** Grafana's custom headers of a data source: `jsonData.httpHeaderName<n>` with `secureJsonData.httpHeaderValue<n>`. */
function customHeaders(ds: ProvisionedDatasource, env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, name] of Object.entries(ds.jsonData)) {
    const n = /^httpHeaderName(\d+)$/.exec(k)?.[1];
    if (n && typeof name === 'string') out[name] = expandEnv(ds.secureJsonData[`httpHeaderValue${n}`] ?? '', env);
  }
  return out;
}

interface RuleQuery {
  refId: string;
  datasourceUid: string;
  relativeTimeRange: { from: number; to: number };
  model: Record<string, unknown> & { refId: string };
}

interface Rule {
  uid: string;
  title: string;
  condition: string;
  data: RuleQuery[];
  for: string;
  noDataState: string;
  execErrState: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RuleGroup {
  orgId: number;
  name: string;
  folder: string;
  interval: string;
  rules: Rule[];
}

const DURATION = /^(\d+)(s|m|h)$/;
function ms(d: string): number {
  const m = DURATION.exec(d);
  if (!m) throw new Error(`not a duration this test reads: ${d}`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

/** One evaluation's numbers per refId: label set (JSON of sorted labels) → value. */
type Frame = Map<string, number>;

const labelKey = (metric: Record<string, string>) =>
  JSON.stringify(Object.fromEntries(Object.entries(metric).sort(([a], [b]) => (a < b ? -1 : 1))));

/**
 * Evaluates a rule at `t` (Unix ms) as Grafana's alerting engine does: each data query of a Prometheus data source is
 * an instant query at t − relativeTimeRange.to over the data source's URL with its method and headers; server-side
 * expressions (`__expr__`) then run on the results. Only the expression types the provisioned rules use are known
 * here — a new type fails the test rather than being guessed. Returns the condition's value per label set.
 */
async function evaluateRule(
  rule: Rule,
  t: number,
  datasources: Map<string, ProvisionedDatasource>,
  env: Record<string, string>,
): Promise<Frame> {
  const frames = new Map<string, Frame>();
  for (const q of rule.data) {
    if (q.datasourceUid === '__expr__') {
      const m = q.model as unknown as {
        type: string;
        expression: string;
        conditions?: Array<{ evaluator: { type: string; params: number[] } }>;
      };
      if (m.type !== 'threshold') throw new Error(`${rule.uid}: expression type ${m.type} is not emulated here`);
      const input = frames.get(m.expression);
      if (!input) throw new Error(`${rule.uid}: ${q.refId} reads ${m.expression}, evaluated after it or missing`);
      const ev = m.conditions![0]!.evaluator;
      const test: Record<string, (v: number) => boolean> = {
        gt: (v) => v > ev.params[0]!,
        lt: (v) => v < ev.params[0]!,
        within_range: (v) => v > ev.params[0]! && v < ev.params[1]!,
        outside_range: (v) => v < ev.params[0]! || v > ev.params[1]!,
      };
      if (!test[ev.type]) throw new Error(`${rule.uid}: threshold ${ev.type} is not emulated here`);
      frames.set(q.refId, new Map([...input].map(([k, v]) => [k, test[ev.type]!(v) ? 1 : 0])));
      continue;
    }
    const ds = datasources.get(q.datasourceUid);
    if (!ds) throw new Error(`${rule.uid}: ${q.refId} names data source ${q.datasourceUid}, which is not provisioned`);
    expect(q.model).toMatchObject({ instant: true });
    const body = new URLSearchParams({
      query: String(q.model.expr),
      time: String((t - q.relativeTimeRange.to * 1000) / 1000),
    });
    const base = `${expandEnv(ds.url, env)}/api/v1/query`;
    const post = ds.jsonData.httpMethod !== 'GET';
    const res = await fetch(post ? base : `${base}?${body}`, {
      method: post ? 'POST' : 'GET',
      headers: { ...customHeaders(ds, env), ...(post && { 'Content-Type': 'application/x-www-form-urlencoded' }) },
      ...(post && { body }),
    });
    const answer = (await res.json()) as {
      status: string;
      error?: string;
      data: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (answer.status !== 'success') throw new Error(`${rule.uid} ${q.refId}: ${res.status} ${answer.error}`);
    expect(answer.data.resultType).toBe('vector');
    frames.set(q.refId, new Map(answer.data.result.map((r) => [labelKey(r.metric), Number(r.value[1])])));
  }
  return frames.get(rule.condition)!;
}

type AlertState = { state: 'Normal' } | { state: 'Pending' | 'Alerting'; since: number };

/**
 * Grafana's alert instance states over successive evaluations: a condition that turns non-zero makes the instance
 * Pending (Alerting at once when `for` is 0), Alerting once it has been Pending for `for`; zero or a vanished
 * series makes it Normal again.
 */
function step(states: Map<string, AlertState>, frame: Frame, t: number, forMs: number): void {
  for (const key of new Set([...states.keys(), ...frame.keys()])) {
    const v = frame.get(key);
    const s = states.get(key) ?? { state: 'Normal' };
    if (v === undefined || v === 0) states.set(key, { state: 'Normal' });
    else if (s.state === 'Normal')
      states.set(key, forMs === 0 ? { state: 'Alerting', since: t } : { state: 'Pending', since: t });
    else if (s.state === 'Pending' && t - s.since >= forMs) states.set(key, { state: 'Alerting', since: t });
  }
}

const racksIn = (states: Map<string, AlertState>, state: AlertState['state']) =>
  [...states]
    .filter(([, s]) => s.state === state)
    .map(([k]) => (JSON.parse(k) as { rack: string }).rack)
    .sort();

describe('provisioning: the plenum-prometheus data source and the alert rules', () => {
  const ds = yaml(DS_FILE);
  const rules = yaml(RULES_FILE);

  it('provisions a Prometheus data source at the backend’s /prometheus, the read token as a Bearer header', () => {
    expect(ds.apiVersion).toBe(1);
    const [prom] = ds.datasources as ProvisionedDatasource[];
    expect(prom).toMatchObject({
      uid: 'plenum-prometheus',
      type: 'prometheus',
      access: 'proxy',
      url: '${PLENUM_URL}/prometheus',
    });
    // the same backend and token as the Plenum data source
    const plenum = yaml('provisioning/datasources/plenum.yaml').datasources[0];
    expect(prom!.url.startsWith(plenum.jsonData.url)).toBe(true);
    expect(prom!.jsonData.httpHeaderName1).toBe('Authorization');
    expect(prom!.secureJsonData.httpHeaderValue1).toBe(`Bearer ${plenum.secureJsonData.apiToken}`);
    expect(JSON.stringify(prom!.jsonData)).not.toMatch(/TOKEN/);
    expect(customHeaders(prom!, { PLENUM_API_TOKEN: 't0k' })).toEqual({ Authorization: 'Bearer t0k' });
    // its uid is not the other's, or Grafana would overwrite one with the other
    expect(prom!.uid).not.toBe(plenum.uid);
  });

  it('mounts the alerting folder into Grafana, and every rule reads a provisioned data source', () => {
    const grafana = readCompose().services.grafana!;
    const mounts = new Map(grafana.volumes!.map((v) => [v.split(':')[1]!, v.split(':')[0]!]));
    expect(mounts.get('/etc/grafana/provisioning/alerting')).toBe('./provisioning/alerting');
    expect(Object.keys(grafana.environment!)).toEqual(expect.arrayContaining(['PLENUM_URL', 'PLENUM_API_TOKEN']));
    expect(rules.apiVersion).toBe(1);
    const groups = rules.groups as RuleGroup[];
    expect(groups.map((g) => g.rules.map((r) => r.uid))).toEqual([['plenum-rack-inlet-high', 'plenum-gpu-throttling']]);
    for (const r of groups.flatMap((g) => g.rules)) {
      expect(r.data.map((d) => d.refId)).toContain(r.condition);
      for (const d of r.data) {
        expect(['plenum-prometheus', '__expr__']).toContain(d.datasourceUid);
        expect(d.model.refId).toBe(d.refId);
      }
      // labels are env-expanded by Grafana's provisioning: a `$` there would be eaten
      expect(JSON.stringify(r.labels)).not.toContain('$');
    }
  });

  describe('rules evaluated against the API of a running backend', () => {
    let plenum: RunningPlenum | undefined;
    let dataDir: string | undefined;
    /** the last evaluation, on a whole minute; samples cover the 20 min before it */
    const T = Math.floor(Date.now() / 60_000) * 60_000;
    const MIN = 60_000;
    let env: Record<string, string>;
    const datasources = new Map<string, ProvisionedDatasource>();

    /** inlet °C of a rack at time t (T − 20 min … T) */
    function inlet(rack: string, t: number): { value: number; quality: 'good' | 'bad' } {
      const ago = T - t;
      switch (rack) {
        case 'A01': // above 27 since 7 min ago: fires
          return { value: ago <= 7 * MIN ? 28.5 : 22, quality: 'good' };
        case 'A02': // above 27 for only 3 min: pending
          return { value: ago <= 3 * MIN ? 28 : 22, quality: 'good' };
        case 'A03': // hot for 10 min, but its sensor went bad 2 min ago: a stale series, not a firing alert
          return { value: ago <= 10 * MIN ? 29 : 22, quality: ago <= 2 * MIN ? 'bad' : 'good' };
        case 'A04': // hot for 10 min with one dip below 27 three minutes ago: the `for` starts again
          return { value: ago <= 10 * MIN && ago !== 3 * MIN ? 28 : 26, quality: 'good' };
        default:
          return { value: 21 + (rack.charCodeAt(0) % 4) + Number(rack.slice(1)) / 10, quality: 'good' };
      }
    }
    /** hottest GPU °C of a rack at t */
    function gpu(rack: string, t: number): number {
      const ago = T - t;
      if (rack === 'B05') return ago <= 4 * MIN ? 87 : 78; // at the slowdown point for 4 min: fires (for 2m)
      if (rack === 'C02') return ago <= 1 * MIN ? 87 : 80; // for 1 min: pending
      return 70;
    }

    beforeAll(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-alerting-'));
      const config = loadConfig(path.join(REPO, 'plenum.yaml'), {
        connectors: CONNECTOR_NAMES,
        env: { PLENUM_DATA: dataDir, PLENUM_PORT: '0', PLENUM_HOST: '127.0.0.1' },
      });
      plenum = await startPlenum(config, { noSources: true, token: TOKEN, log: () => {} });
      // Grafana's environment in docker-compose.yml, pointed at this backend
      env = { PLENUM_URL: plenum.url, PLENUM_API_TOKEN: TOKEN };
      for (const d of ds.datasources as ProvisionedDatasource[]) datasources.set(d.uid, d);
      const samples = [];
      for (const p of plenum.catalog.all()) {
        const rack = p.location.rack;
        if (!rack) continue;
        const signal = p.id.split('/').pop();
        if (signal !== 'inlet_temp' && signal !== 'gpu_temp_max') continue;
        for (let t = T - 20 * MIN; t <= T; t += 15_000)
          samples.push(
            signal === 'inlet_temp'
              ? { pointId: p.id, ts: t, ...inlet(rack, t) }
              : { pointId: p.id, ts: t, value: gpu(rack, t), quality: 'good' },
          );
      }
      expect(samples.length).toBeGreaterThan(40 * 2 * 80);
      for (let i = 0; i < samples.length; i += 2000) {
        const res = await fetch(`${plenum.url}/api/samples`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ samples: samples.slice(i, i + 2000) }),
        });
        const r = (await res.json()) as { rejected: unknown[] };
        expect(r.rejected).toEqual([]);
      }
    }, 60_000);

    afterAll(async () => {
      await plenum?.stop();
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /** evaluates the rule at every interval from T − 15 min to T; the states after each evaluation */
    async function run(uid: string): Promise<Array<{ t: number; states: Map<string, AlertState> }>> {
      const group = (rules.groups as RuleGroup[]).find((g) => g.rules.some((r) => r.uid === uid))!;
      const rule = group.rules.find((r) => r.uid === uid)!;
      const states = new Map<string, AlertState>();
      const out = [];
      for (let t = T - 15 * MIN; t <= T; t += ms(group.interval)) {
        step(states, await evaluateRule(rule, t, datasources, env), t, ms(rule.for));
        out.push({ t, states: new Map(states) });
      }
      return out;
    }

    it('the data source’s header is what opens the API (without it, 401)', async () => {
      const prom = datasources.get('plenum-prometheus')!;
      const url = `${expandEnv(prom.url, env)}/api/v1/query?query=1`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: customHeaders(prom, env) })).status).toBe(200);
    });

    it('rack inlet > 27 °C for 5 min fires for A01 only; A02 and A04 are pending, A03’s dead sensor does not fire', async () => {
      const evals = await run('plenum-rack-inlet-high');
      const last = evals.at(-1)!.states;
      expect(racksIn(last, 'Alerting')).toEqual(['A01']);
      expect(racksIn(last, 'Pending')).toEqual(['A02', 'A04']);
      // one instance per rack, named by its topology labels only
      expect([...last.keys()]).toHaveLength(40);
      expect(JSON.parse([...last.keys()][0]!)).toEqual({
        hall: 'hall1',
        rack: expect.any(String),
        row: expect.any(String),
        site: 'sim',
      });
      // A01 went from pending to firing exactly when it had been above 27 °C for 5 min (T − 7 min + 5 min)
      const firstFiring = evals.find((e) => racksIn(e.states, 'Alerting').includes('A01'))!;
      expect(T - firstFiring.t).toBe(2 * MIN);
      // A03 and A04 fired while hot; A04 stopped at its dip, A03 when its samples turned bad (a stale marker)
      const at = (ago: number) => evals.find((e) => e.t === T - ago)!.states;
      expect(racksIn(at(4 * MIN), 'Alerting')).toEqual(['A03', 'A04']);
      expect(racksIn(at(3 * MIN), 'Alerting')).toEqual(['A03']);
      expect(racksIn(at(2 * MIN), 'Alerting')).toEqual(['A01']);
      expect(last.get(labelKey({ site: 'sim', hall: 'hall1', row: 'A', rack: 'A03' }))).toEqual({ state: 'Normal' });
    }, 30_000);

    it('GPU throttling fires for B05 (at its slowdown temperature for 4 min), C02 is pending', async () => {
      const last = (await run('plenum-gpu-throttling')).at(-1)!.states;
      expect(racksIn(last, 'Alerting')).toEqual(['B05']);
      expect(racksIn(last, 'Pending')).toEqual(['C02']);
    }, 30_000);
  });
});
