/**
 * The hub side of the API fuzz: a hub (backend/src/hub/hub.ts, as `main.ts` starts it for a plenum.yaml with
 * `hub:`) over real peers — Debian's VictoriaMetrics as the shared store and Debian's mosquitto as `hub.broker` —
 * with one edge (hall1 of site `sim`: a generator remote-writing to the store, a jobs source, `sparkplug.edge`) so
 * that job webhooks posted at the hub are routed through the broker and answered by a real edge. Hall2 is in the
 * site but has no edge: jobs for it get the relay's 404. Everything on 127.0.0.1 and free ports, stopped by stop().
 *
 * The hub's routes are read from its running Express app (`hubRoutes`), not from a list kept by hand, so a route
 * added to hub.ts is fuzzed — and fails api-fuzz.test.ts until it has a seed in seeds.ts `hubSeeds()`.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { tokenSha256 } from '../../backend/src/api/auth';
import { parseConfig, type SiteConfig } from '../../backend/src/config/load';
import { CONNECTOR_NAMES } from '../../backend/src/connectors/all';
import { startHub, type HubOptions, type RunningHub } from '../../backend/src/hub/hub';
import type { HubConfig } from '../../backend/src/hub/config';
import { hubSiteYaml } from '../../backend/src/hub/testkit';
import { startPlenum, type RunningPlenum } from '../../backend/src/plenum';
import { startVictoriaMetrics, victoriaMetricsAvailable, type Peer } from '../../backend/src/remote-write/peers';
import { until } from '../../backend/src/remote-write/testkit';
import { startMosquitto, type Mosquitto } from '../../backend/src/sparkplug/mosquitto.testkit';
import { SUITE_TOKENS } from '../suite';

export const HUB_SITE = 'sim';
export const HUB_HALLS = ['hall1', 'hall2'];
/** racks R01, R02 in row A of each hall (hub/testkit.ts hubSiteYaml) */
export const HUB_RACKS = 2;

/**
 * The 5xx each hub route documents (hub.ts, relay/README.md): POST /api/events answers 501 without `hub.broker`,
 * 503 (with Retry-After) when no edge has announced itself or the broker is away, 504 when the owning edge does not
 * answer within `hub.relay.jobTimeout`. A dependency being away is a 5xx by design; a 500 is never documented.
 */
export const HUB_DOCUMENTED: Record<string, string[]> = {
  'POST /api/events': ['501', '503', '504'],
};

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

/**
 * `METHOD path` of every route the Express app serving `url` (in this process) registered. The app is found as the
 * `request` listener of the listening http.Server on that port: RunningHub does not expose its app, and reading
 * the routes from the running server rather than from hub.ts's text cannot miss one registered elsewhere.
 */
export function hubRoutes(url: string): string[] {
  const port = Number(new URL(url).port);
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const server = handles.find(
    (h): h is http.Server =>
      h instanceof http.Server && h.listening && (h.address() as AddressInfo | null)?.port === port,
  );
  if (!server) throw new Error(`hubRoutes: no listening http.Server on port ${port} in this process`);
  const app = server.listeners('request')[0] as { router?: { stack: Layer[] } } | undefined;
  const stack = app?.router?.stack;
  if (!stack) throw new Error(`hubRoutes: the server on port ${port} is not an Express 5 app (no app.router.stack)`);
  return stack.flatMap((l) =>
    l.route
      ? Object.keys(l.route.methods)
          .filter((m) => l.route!.methods[m] && m !== '_all')
          .map((m) => `${m.toUpperCase()} ${l.route!.path}`)
      : [],
  );
}

type HubSiteConfig = SiteConfig & { hub: HubConfig };

function parse(yaml: string, dir: string): SiteConfig {
  const file = path.join(dir, 'plenum.yaml');
  fs.writeFileSync(file, yaml);
  return parseConfig(yaml, file, {
    connectors: CONNECTOR_NAMES,
    env: { PLENUM_DATA: path.join(dir, 'data'), PLENUM_PORT: '0', PLENUM_HOST: '127.0.0.1' },
  });
}

/** Options of every hub the suite starts: tokens of every scope, as the fuzzed edge has them. */
function hubOptions(log: (m: string) => void): HubOptions {
  return {
    token: SUITE_TOKENS.read,
    jobsToken: SUITE_TOKENS.jobs,
    // every input comes from one address and one in fourteen carries a broken Authorization: the lockout (tested
    // in api/security.test.ts) would turn the rest of the run into 429s
    authFailures: { maxFailures: Number.MAX_SAFE_INTEGER },
    log,
  };
}

/** operate and admin tokens as plenum.yaml's hashed `api.tokens` (the hub takes only its read token by env) */
function withTokens(c: SiteConfig): SiteConfig {
  return {
    ...c,
    api: {
      ...c.api,
      tokens: [
        { name: 'fuzz-operate', scope: 'operate', sha256: tokenSha256(SUITE_TOKENS.operate) },
        { name: 'fuzz-admin', scope: 'admin', sha256: tokenSha256(SUITE_TOKENS.admin) },
      ],
    },
  };
}

/** A hub with no broker and a store nobody listens on: enough to read its routes (it starts without its store). */
export async function startBareHub(log: (m: string) => void): Promise<{ hub: RunningHub; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-fuzz-barehub-'));
  try {
    const c = parse(
      `${hubSiteYaml(HUB_SITE, HUB_HALLS, HUB_RACKS)}hub:\n  store: { url: 'http://127.0.0.1:9' }\n`,
      dir,
    );
    const hub = await startHub(withTokens(c) as HubSiteConfig, hubOptions(log));
    return {
      hub,
      stop: async () => {
        await hub.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface FuzzHubBed {
  hub: RunningHub;
  edge: RunningPlenum;
  vm: Peer;
  broker: Mosquitto;
  stop(): Promise<void>;
}

const brokerYaml = (url: string) => `broker: { url: '${url}', keepalive: 2s, reconnect: { min: 100ms, max: 1s } }`;

/**
 * VictoriaMetrics, mosquitto, the hall1 edge and the hub; resolves once the hub's catalog holds hall1's points and
 * the hub's relay knows the edge (so that job webhooks reach it). Throws naming what is missing; whatever started
 * is stopped first.
 */
export async function startFuzzHubBed(log: (m: string) => void): Promise<FuzzHubBed> {
  if (!victoriaMetricsAvailable())
    throw new Error('victoria-metrics is not installed: apt-get install victoria-metrics');
  const dirs: string[] = [];
  const mk = (name: string) => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), `plenum-fuzz-${name}-`));
    dirs.push(d);
    return d;
  };
  let vm: Peer | undefined;
  let broker: Mosquitto | undefined;
  let edge: RunningPlenum | undefined;
  let hub: RunningHub | undefined;
  const stop = async () => {
    await hub?.stop();
    await edge?.stop();
    await broker?.stop();
    await vm?.remove();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  };
  try {
    vm = await startVictoriaMetrics();
    broker = await startMosquitto();
    const site = hubSiteYaml(HUB_SITE, HUB_HALLS, HUB_RACKS);
    const edgeYaml = `${site}sources:
  - name: gen
    connector: generator
    interval: 1s
    options: { seed: 1 }
    points:
      - { asset: 'hall1/A/*/pdu', signal: power, quantity: power, tags: [elec, power, sensor, pdu] }
      - { asset: 'hall1/A/*/env', signal: inlet_temp, quantity: temperature, tags: [air, temp, sensor, inlet] }
      - { asset: 'hall1/-/-/crah1', signal: fan_power, quantity: power, tags: [fan, elec, power, sensor] }
      - { asset: 'hall1/-/-/plant1', signal: power, quantity: power, tags: [chiller, elec, power, sensor] }
  - name: jobs
    connector: jobs
    points:
      - { asset: 'hall1/*/*/pdu', signal: job_active, quantity: state, valueType: boolean, address: active }
remoteWrite:
  url: ${vm.writeUrl}
  flushInterval: 200ms
  backoff: { min: 100ms, max: 1s }
sparkplug:
  ${brokerYaml(broker.url)}
  edge: { hall: hall1 }
`;
    edge = await startPlenum(parse(edgeYaml, mk('edge')), { log });
    const hubYaml = `${site}hub:
  store: { url: '${vm.url}' }
  catalogRefresh: 1s
  ${brokerYaml(broker.url)}
  relay: { jobTimeout: 5s }
`;
    hub = await startHub(withTokens(parse(hubYaml, mk('hub'))) as HubSiteConfig, hubOptions(log));
    const h = hub;
    await until(
      "hall1's points in the hub's catalog and the edge known to the hub's relay",
      async () => {
        // VictoriaMetrics keeps incoming rows in memory for up to a second
        await fetch(`${vm!.url}/internal/force_flush`);
        const points = h.reader.catalog.all().filter((p) => p.location.hall === 'hall1').length;
        return (points > 0 && (h.relay?.status().edges.length ?? 0) > 0) || undefined;
      },
      60_000,
    );
    return { hub, edge, vm, broker, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
