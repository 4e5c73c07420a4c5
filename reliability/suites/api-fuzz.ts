/**
 * API fuzz: the real backend (plenum.yaml with its automation and prediction, no connectors, a temp data folder,
 * tokens of every scope) on a loopback socket in this process, so that prototype pollution and unhandled
 * rejections are visible; generated requests for every route (reliability/fuzz/inputs.ts) sent over HTTP, several
 * at a time; every answer checked against the contract (fuzz/oracle.ts). After the run the server must still
 * answer, Object.prototype must be untouched and the log must hold no internal error. Then the same for the hub
 * role (fuzz/hub-bed.ts: a hub over Debian's VictoriaMetrics and mosquitto with one edge behind the broker),
 * every route its Express app registers.
 *
 * The hub is fuzzed over its peers, then with the broker SIGKILLed under it, then a hub with no broker configured
 * and a store nobody listens on.
 *
 *   full: 200,000 edge + 100,000 hub + 2 × 20,000 hub-away inputs (npm run reliability -- --only api-fuzz)
 *   short (CI): 10,000 + 2,000 + 2 × 2,000
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ROUTES } from '../../backend/src/api/routes';
import { loadConfig } from '../../backend/src/config/load';
import { CONNECTOR_NAMES } from '../../backend/src/connectors/all';
import { startPlenum } from '../../backend/src/plenum';
import { until } from '../../backend/src/remote-write/testkit';
import { HUB_DOCUMENTED, hubRoutes, startBareHub, startFuzzHubBed } from '../fuzz/hub-bed';
import { requestsFor, type FuzzRequest } from '../fuzz/inputs';
import { breach, shape, type Answer } from '../fuzz/oracle';
import { hubSeeds, seeds, type Seed } from '../fuzz/seeds';
import { figure, rssMiB, SUITE_TOKENS, type Figure, type Suite } from '../suite';

const ROOT = path.resolve(__dirname, '../..');
/** requests in flight at once */
const CONCURRENCY = 8;
/** no answer within this is a failure (the longest legitimate wait is a 25 s long poll) */
const ANSWER_TIMEOUT_MS = 40_000;

type Route = { route: string; documented: string[] };

/** Routes as `METHOD path`, with their documented statuses; the OpenAPI document is served outside the table. */
export function fuzzedRoutes(): Route[] {
  return [
    ...ROUTES.map((r) => ({ route: `${r.method.toUpperCase()} ${r.path}`, documented: Object.keys(r.responses) })),
    { route: 'GET /api/openapi.json', documented: ['200'] },
  ];
}

/** The hub's routes as its running app registered them (fuzz/hub-bed.ts), with the 5xx each documents. */
export function fuzzedHubRoutes(url: string): Route[] {
  return hubRoutes(url).map((route) => ({ route, documented: HUB_DOCUMENTED[route] ?? [] }));
}

function send(agent: http.Agent, base: URL, r: FuzzRequest): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: r.method,
        path: r.url,
        agent,
        headers: { ...r.headers, ...(r.body && { 'content-length': String(r.body.length) }) },
        timeout: ANSWER_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(r.body);
  });
}

const prototypeKeys = () =>
  [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(','));

interface Target {
  /** '' for the edge (the figures' names as before the hub joined), 'hub: ' for the hub */
  prefix: string;
  url: string;
  routes: Route[];
  seeds: Record<string, Seed[]>;
  total: number;
  /** the CI form, named in the inputs figure's target */
  short: boolean;
}

/** Sends `total` generated requests over `t.routes` and checks every answer; figures named with `t.prefix`. */
async function fuzzTarget(
  t: Target,
  seed: number,
  log: (line: string) => void,
): Promise<{ figures: Figure[]; failures: string[]; notes: string[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const base = new URL(t.url);
  const { routes, seeds: routeSeeds, total } = t;
  const missing = routes.filter((r) => !routeSeeds[r.route]?.length).map((r) => r.route);
  const failures = new Map<string, { count: number; example: string }>();
  const statuses = new Map<number, number>();
  let sent = 0;
  const kinds = { fiveXX: 0, unnamed4xx: 0, unanswered: 0 };
  let slowest = 0;
  const t0 = performance.now();
  try {
    // generated a batch at a time (a request can carry 100 kB), routes interleaved so that the state one route
    // leaves (a stop, a stored rule) meets every other
    const BATCH = 2000;
    const perBatch = Math.ceil(BATCH / routes.length);
    const batches = Math.ceil(total / (perBatch * routes.length));
    let work: Array<{ route: string; documented: string[]; req: FuzzRequest; order: number }> = [];
    let next = 0;
    const refill = (b: number) => {
      work = [];
      next = 0;
      routes.forEach((r, i) => {
        if (!routeSeeds[r.route]?.length) return;
        const reqs = fc.sample(requestsFor(r.route, routeSeeds[r.route]!, SUITE_TOKENS), {
          seed: seed * 7919 + b * 613 + i,
          numRuns: perBatch,
        });
        reqs.forEach((req, k) => work.push({ ...r, req, order: k * routes.length + ((i * 7) % routes.length) }));
      });
      work.sort((a, b) => a.order - b.order);
    };
    const worker = async () => {
      while (next < work.length) {
        const w = work[next++]!;
        const started = performance.now();
        let why: string | undefined;
        try {
          const a = await send(agent, base, w.req);
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          why = breach(a, w.documented);
          if (why) kinds[a.status >= 500 ? 'fiveXX' : 'unnamed4xx']++;
        } catch (err) {
          why = `no answer: ${(err as Error).message}`;
          kinds.unanswered++;
        }
        slowest = Math.max(slowest, performance.now() - started);
        sent++;
        if (sent % 10_000 === 0)
          log(`${t.prefix}${sent} inputs, ${failures.size} failure shapes, rss ${rssMiB().toFixed(0)} MiB`);
        if (why) {
          const key = shape(w.route, why);
          const f = failures.get(key);
          if (f) f.count++;
          else
            failures.set(key, {
              count: 1,
              example: `${w.req.method} ${w.req.url.slice(0, 200)} [${w.req.how}] → ${why}`,
            });
        }
      }
    };
    for (let b = 0; b < batches; b++) {
      refill(b);
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    }
    const health = await send(agent, base, {
      method: 'GET',
      url: '/api/health',
      headers: { authorization: `Bearer ${SUITE_TOKENS.read}` },
      how: 'after',
    }).catch((e: Error) => ({ status: 0, contentType: '', text: e.message }));
    const seconds = (performance.now() - t0) / 1000;
    const fiveXX = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    const p = t.prefix;
    const min = total.toLocaleString('en');
    return {
      figures: [
        figure(
          `${p}inputs, every route`,
          t.short ? `≥ ${min} (short form)` : `≥ ${min}`,
          `${sent.toLocaleString('en')} over ${routes.length} routes in ${seconds.toFixed(0)} s`,
          sent >= total && missing.length === 0,
        ),
        figure(
          `${p}5xx answers not documented by the route`,
          '0',
          `${kinds.fiveXX} (5xx of any kind: ${fiveXX})`,
          kinds.fiveXX === 0,
        ),
        figure(`${p}4xx not naming the field`, '0', String(kinds.unnamed4xx), kinds.unnamed4xx === 0),
        figure(`${p}requests without an answer`, '0', String(kinds.unanswered), kinds.unanswered === 0),
        figure(`${p}health after the run`, '200', String(health.status), health.status === 200),
        figure(
          `${p}slowest answer`,
          '< 40 s (long polls wait ≤ 25 s)',
          `${(slowest / 1000).toFixed(1)} s`,
          slowest < ANSWER_TIMEOUT_MS,
        ),
      ],
      failures: [
        ...missing.map((r) => `${p}${r}: no fuzz seed (reliability/fuzz/seeds.ts)`),
        ...[...failures].map(([k, f]) => `${p}${k} (×${f.count}), e.g. ${f.example}`),
      ],
      notes: [
        `${p}statuses: ${[...statuses]
          .sort(([a], [b]) => a - b)
          .map(([s, c]) => `${s}×${c}`)
          .join(', ')}`,
      ],
    };
  } finally {
    agent.destroy();
  }
}

const suite: Suite = async ({ short, seed, log }) => {
  const total = short ? 10_000 : 200_000;
  const hubTotal = short ? 2_000 : 100_000;
  /** each of the two runs with dependencies away */
  const awayTotal = short ? 2_000 : 20_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-fuzz-'));
  const config = loadConfig(path.join(ROOT, 'plenum.yaml'), {
    connectors: CONNECTOR_NAMES,
    env: { PLENUM_DATA: dir, PLENUM_PORT: '0', PLENUM_HOST: '127.0.0.1' },
  });
  const output: string[] = [];
  const crashes: string[] = [];
  const onRejection = (reason: unknown) => crashes.push(`unhandled rejection: ${(reason as Error)?.stack ?? reason}`);
  const onException = (err: unknown) => crashes.push(`uncaught exception: ${(err as Error)?.stack ?? err}`);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const protoBefore = prototypeKeys();
  const rss0 = rssMiB();
  const figures: Figure[] = [];
  const failures: string[] = [];
  const notes: string[] = [];
  /** one fuzz phase over a hub's routes, its figures, failures and notes added to the suite's */
  const hubPhase = async (prefix: string, url: string, n: number, phaseSeed: number) => {
    const r = await fuzzTarget(
      { prefix, url, routes: fuzzedHubRoutes(url), seeds: hubSeeds(), total: n, short },
      phaseSeed,
      log,
    );
    figures.push(...r.figures);
    failures.push(...r.failures);
    notes.push(...r.notes);
  };
  try {
    const plenum = await startPlenum(config, {
      noSources: true,
      token: SUITE_TOKENS.read,
      operateToken: SUITE_TOKENS.operate,
      adminToken: SUITE_TOKENS.admin,
      jobsToken: SUITE_TOKENS.jobs,
      // every input comes from one address and one in seven carries a broken Authorization: the lockout (tested in
      // api/security.test.ts) would turn the rest of the run into 429s
      authFailures: { maxFailures: Number.MAX_SAFE_INTEGER },
      log: (m) => output.push(m),
    });
    try {
      const r = await fuzzTarget(
        { prefix: '', url: plenum.url, routes: fuzzedRoutes(), seeds: seeds(), total, short },
        seed,
        log,
      );
      figures.push(...r.figures);
      failures.push(...r.failures);
      notes.push(...r.notes);
    } finally {
      await plenum.stop();
    }
    notes.push(`rss after the edge ${rssMiB().toFixed(0)} MiB`);
    const bed = await startFuzzHubBed((m) => output.push(m));
    try {
      await hubPhase('hub: ', bed.hub.url, hubTotal, seed);
      const relay = bed.hub.relay?.status();
      if (relay) notes.push(`hub relay: jobs ${JSON.stringify(relay.jobs)}, ${relay.edges.length} edge(s)`);
      // the broker SIGKILLed under the hub, which still knows the edge: job webhooks get the documented 503
      await bed.broker.kill();
      await until(
        'the hub to see the broker gone',
        async () => !bed.hub.relay!.status().connected || undefined,
        30_000,
      );
      await hubPhase('hub, broker killed: ', bed.hub.url, awayTotal, seed + 1);
    } finally {
      await bed.stop();
    }
    // the same hub routes with its dependencies away: no hub.broker (job webhooks: the documented 501) and a store
    // nobody listens on (queries must still answer 200 with per-query errors, or 4xx; never a 500)
    const bare = await startBareHub((m) => output.push(m));
    try {
      await hubPhase('hub, store and broker away: ', bare.hub.url, awayTotal, seed);
    } finally {
      await bare.stop();
    }
    const polluted =
      prototypeKeys().some((k, i) => k !== protoBefore[i]) || ({} as Record<string, unknown>).polluted !== undefined;
    // the edge's API logs `<method> <path> failed: …` and `internal error`; the hub `hub query [refId] failed: …`
    const internal = output.filter((l) => /internal error|^\S+ \S+ failed: |^hub query /.test(l));
    figures.splice(
      1,
      0,
      figure('crashes (uncaught, unhandled rejections)', '0', String(crashes.length), crashes.length === 0),
    );
    figures.push(
      figure('prototype pollution', 'none', polluted ? 'Object/Array/Function.prototype changed' : 'none', !polluted),
      figure('internal errors logged', '0', String(internal.length), internal.length === 0),
    );
    notes.push(`rss ${rss0.toFixed(0)} → ${rssMiB().toFixed(0)} MiB; seed ${seed}`);
    return {
      suite: 'api-fuzz',
      figures,
      failures: [...failures, ...crashes.slice(0, 5), ...internal.slice(0, 5).map((l) => l.slice(0, 400))],
      notes,
      output: output.join('\n'),
    };
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

export default suite;
