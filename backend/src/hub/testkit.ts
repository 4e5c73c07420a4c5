/**
 * A hub over real peers for tests outside hub.test.ts (the harness's browser tests, say): one edge process per hall
 * (generator sources, remote write to Debian's VictoriaMetrics) and a hub reading that store, all on 127.0.0.1 with
 * free ports, stopped by `stop()`. The same way hub.test.ts starts its two edges, here as one call.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../config/load';
import { CONNECTOR_NAMES } from '../connectors/all';
import { startPlenum, type RunningPlenum } from '../plenum';
import { startVictoriaMetrics, victoriaMetricsAvailable, type Peer } from '../remote-write/peers';
import { until } from '../remote-write/testkit';
import { startHub, type RunningHub } from './hub';

export interface HubBedOptions {
  /** @default 'dc1' */
  site?: string;
  /** one edge per hall, @default ['hall1', 'hall2'] */
  halls?: string[];
  /** racks in each hall's one row (R01, R02, …), @default 4 */
  racks?: number;
  /** the edges' generator interval, @default '500ms' */
  interval?: string;
  /** the hub's read token (`PLENUM_API_TOKEN`); the edges take none (127.0.0.1 only) */
  token?: string;
  /** @default collected, returned as `logs` */
  log?: (msg: string) => void;
}

export interface HubBed {
  site: string;
  halls: string[];
  vm: Peer;
  edges: RunningPlenum[];
  hub: RunningHub;
  /** the hub's API base URL */
  url: string;
  logs: string[];
  /** hub, edges, store — every process and temp folder */
  stop(): Promise<void>;
}

/**
 * The site config the hub and each edge share: every hall one row `A` of `racks` racks (a PDU and an inlet sensor
 * each, rated 50 kW + 1 per rack index) and hall-level CRAH and chilled-water plant assets; each hall its own floor.
 */
export function hubSiteYaml(site: string, halls: string[], racks: number): string {
  const rackLines = () =>
    Array.from(
      { length: racks },
      (_, i) =>
        `            - { id: R${String(i + 1).padStart(2, '0')}, x: ${i}, y: 0, ratedKw: ${50 + i}, assets: [{ id: pdu, type: pdu }, { id: env, type: sensor }] }`,
    ).join('\n');
  return `site:
  id: ${site}
  halls:
${halls
  .map(
    (h) => `    - id: ${h}
      assets: [{ id: crah1, type: crah }, { id: plant1, type: chiller }]
      rows:
        - id: A
          racks:
${rackLines()}`,
  )
  .join('\n')}
api: { host: 127.0.0.1, port: 8080 }
`;
}

/**
 * An edge of one hall: rack PDU power (tags pdu, elec), rack inlet temperature (inlet), CRAH fan power (fan, elec)
 * and the plant's electric power (chiller, elec) — what the dashboards select — remote-written to `writeUrl`.
 */
function edgeYaml(site: string, hall: string, racks: number, writeUrl: string, interval: string, seed: number) {
  return `${hubSiteYaml(site, [hall], racks)}sources:
  - name: gen
    connector: generator
    interval: ${interval}
    options: { seed: ${seed} }
    points:
      - { asset: '${hall}/A/*/pdu', signal: power, quantity: power, tags: [elec, power, sensor, pdu] }
      - { asset: '${hall}/A/*/env', signal: inlet_temp, quantity: temperature, tags: [air, temp, sensor, inlet] }
      - { asset: '${hall}/-/-/crah1', signal: fan_power, quantity: power, tags: [fan, elec, power, sensor] }
      - { asset: '${hall}/-/-/plant1', signal: power, quantity: power, tags: [chiller, elec, power, sensor] }
remoteWrite:
  url: ${writeUrl}
  flushInterval: 200ms
  backoff: { min: 100ms, max: 1s }
  externalLabels: { edge: ${hall}-edge }
`;
}

/** points per hall the edges write: racks × 2 + 2 */
export const hubBedPoints = (racks: number) => racks * 2 + 2;

/**
 * Starts VictoriaMetrics, one edge per hall and then the hub (catalog refreshed every second), and resolves once
 * the hub's catalog holds every point of every hall. Throws naming what is missing (victoria-metrics not
 * installed, a hall whose points never reached the hub within 60 s); whatever started is stopped first.
 */
export async function startHubBed(opts: HubBedOptions = {}): Promise<HubBed> {
  const site = opts.site ?? 'dc1';
  const halls = opts.halls ?? ['hall1', 'hall2'];
  const racks = opts.racks ?? 4;
  const logs: string[] = [];
  const log = opts.log ?? ((m: string) => logs.push(m));
  if (!victoriaMetricsAvailable())
    throw new Error('victoria-metrics is not installed: apt-get install victoria-metrics');
  const dirs: string[] = [];
  const edges: RunningPlenum[] = [];
  let hub: RunningHub | undefined;
  const vm = await startVictoriaMetrics();
  const stop = async () => {
    await hub?.stop();
    for (const e of edges) await e.stop();
    await vm.remove();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  };
  const config = (yaml: string, name: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plenum-hubbed-${name}-`));
    dirs.push(dir);
    return parseConfig(yaml, path.join(dir, 'plenum.yaml'), {
      connectors: CONNECTOR_NAMES,
      env: { PLENUM_DATA: path.join(dir, 'data'), PLENUM_PORT: '0' },
    });
  };
  try {
    for (const [i, hall] of halls.entries()) {
      const c = config(edgeYaml(site, hall, racks, vm.writeUrl, opts.interval ?? '500ms', i + 1), hall);
      edges.push(await startPlenum(c, { log }));
    }
    const hubConfig = config(
      `${hubSiteYaml(site, halls, racks)}hub:\n  store: { url: ${vm.url} }\n  catalogRefresh: 1s\n`,
      'hub',
    );
    hub = await startHub(hubConfig as typeof hubConfig & { hub: NonNullable<typeof hubConfig.hub> }, {
      log,
      ...(opts.token && { token: opts.token }),
    });
    const want = hubBedPoints(racks);
    await until(
      `every point of ${halls.join(', ')} in the hub's catalog`,
      async () => {
        // VictoriaMetrics keeps incoming rows in memory for up to a second
        await fetch(`${vm.url}/internal/force_flush`);
        const all = hub!.reader.catalog.all();
        return halls.every((h) => all.filter((p) => p.location.hall === h).length === want) || undefined;
      },
      60_000,
    );
    return { site, halls, vm, edges, hub, url: hub.url, logs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
