import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { Point } from '@plenum/model';
import { CONNECTOR_NAMES } from '../../backend/src/connectors/all';
import { loadConfig } from '../../backend/src/config/load';
import { hallSiteConfig, POINTS_PER_RACK } from '../../reliability/load/hall-site';

/**
 * The configs of `npm run bench:scaleout`: edges of one hall each (bench:scale's AI racks, 50 generator points a
 * rack: `reliability/load/hall-site.ts`) that remote-write to VictoriaMetrics and publish as Sparkplug edge nodes,
 * and the hub over the same store with every hall's topology. Written as plenum.yaml files and loaded as the
 * backend loads them, so a mistake fails here, named.
 */

export const SITE_ID = 'scaleout';
/** the Sparkplug primary host the edges wait for (bench/scaleout/sparkplug-host.ts) */
export const HOST_ID = 'hub';

export interface EdgeSiteOptions {
  /** hall id of this edge (one edge per hall) */
  hall: string;
  racks: number;
  /** generator poll interval, wall ms: 1000 / clock speed */
  intervalMs: number;
  /** remote write URL (…/api/v1/write); none when unset */
  writeUrl?: string;
  /** remote write flushInterval (a duration); the config's default (1 s) when unset */
  flush?: string;
  /** MQTT broker URL; no Sparkplug when unset */
  brokerUrl?: string;
  site?: string;
}

type Doc = Record<string, unknown> & { site: { id: string; halls: Array<{ id: string }> } };

/** One hall's document: bench:scale's rack site with its hall renamed, plus the exports asked for. */
export function edgeDocument(o: EdgeSiteOptions): Doc {
  const { config } = hallSiteConfig(o.racks * POINTS_PER_RACK, {
    intervalMs: o.intervalMs,
    // whole simulated seconds: 1 Hz per point on the simulated clock
    stepMs: 1000,
    racksPerHall: o.racks,
  });
  const doc = config as Doc;
  doc.site.id = o.site ?? SITE_ID;
  doc.site.halls[0]!.id = o.hall;
  Object.assign(doc.site.halls[0]!, { name: `Hall ${o.hall}` });
  if (o.writeUrl)
    doc.remoteWrite = {
      url: o.writeUrl,
      // the defaults (flush too unless --flush): a shorter flush lowers the end-to-end delay but sends each
      // series' labels with fewer samples, which costs sender and receiver CPU per sample
      ...(o.flush ? { flushInterval: o.flush } : {}),
      backoff: { min: '200ms', max: '2s' },
      externalLabels: { edge: `${o.hall}-edge` },
    };
  if (o.brokerUrl)
    doc.sparkplug = {
      // keepalive 2 s: a killed peer's Will goes out within 3 s
      broker: { url: o.brokerUrl, keepalive: '2s', reconnect: { min: '200ms', max: '2s' } },
      edge: { primaryHostId: HOST_ID, interval: '1s' },
    };
  return doc;
}

/** The hub's document: the topology of every hall (racks' x/y for the heatmap) and the store. */
export function hubDocument(halls: Doc[], storeUrl: string): Record<string, unknown> {
  return {
    site: { id: SITE_ID, name: 'scale-out bench site', timezone: 'UTC', halls: halls.flatMap((h) => h.site.halls) },
    api: { host: '127.0.0.1' },
    // a catalog refresh every 5 s: the bench starts the hub before the edges have sent anything
    hub: { store: { url: storeUrl }, catalogRefresh: '5s' },
  };
}

/** Writes `doc` as `<dir>/plenum.yaml` and loads it (errors named by file and field). */
export function writeConfig(dir: string, doc: Record<string, unknown>): { file: string; points: Point[] } {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'plenum.yaml');
  fs.writeFileSync(file, stringify(doc, { aliasDuplicateObjects: false }));
  const loaded = loadConfig(file, { connectors: CONNECTOR_NAMES, env: {} });
  return { file, points: loaded.points };
}
