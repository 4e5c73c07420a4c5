/**
 * The Sparkplug roles of one backend, built from `sparkplug:` (config.ts): the edge node is fed by the historian's
 * acknowledged ingest (plenum.ts taps it) and writes DCMDs through the automation guard; the primary host stores
 * what it reads through the ingest pipeline, registering the points of each birth in the historian and catalog,
 * so that a backend with `sparkplug.host` is a hub whose query API answers for every edge it hears.
 */
import type { NewEvent, Point, Sample, SampleValue, Site } from '@plenum/model';
import type { Catalog } from '../catalog/catalog';
import type { Automation } from '../automation';
import type { Historian } from '../historian/types';
import type { IngestPipeline } from '../ingest/pipeline';
import type { EdgeConfig, SparkplugConfig } from './config';
import { SparkplugEdge, type CommandResult, type EdgeStatus, type SessionExtension } from './edge-node';
import { PrimaryHost, type HostStatus } from './primary-host';

export interface SparkplugStatus {
  edge?: EdgeStatus;
  host?: HostStatus;
}

export interface SparkplugService {
  edge?: SparkplugEdge;
  host?: PrimaryHost;
  /** the edge's tap on the historian's acknowledged ingest */
  offer(samples: readonly Sample[]): void;
  status(): SparkplugStatus;
  close(): Promise<void>;
}

export interface SparkplugDeps {
  config: SparkplugConfig;
  site: Site;
  points: readonly Point[];
  dataDir: string;
  now: () => number;
  log: (msg: string) => void;
  historian: Historian;
  catalog: Catalog;
  /** the pipeline the host stores through (the same checks as any other source) */
  ingest: () => IngestPipeline;
  /** the automation service once it runs; undefined: DCMD writes are refused */
  automation: () => Automation | undefined;
  addEvent: (e: NewEvent) => void;
  /** another user of the edge's MQTT connection (the events and jobs relay to the hub, relay/edge-relay.ts) */
  extension?: (edge: EdgeConfig) => SessionExtension;
}

/**
 * A DCMD write as an operator's request through the guard (like POST /api/automation/write, priority 1), or a
 * refusal naming why: no automation section, a point automation does not list, a value that is not a number.
 */
export async function writeThroughGuard(
  automation: Automation | undefined,
  pointId: string,
  value: SampleValue,
  origin: string,
): Promise<CommandResult> {
  if (!automation)
    return { ok: false, reason: 'automation is not configured (no automation: section): Plenum writes nothing' };
  if (!automation.points.has(pointId))
    return { ok: false, reason: `point ${pointId} is not writable: it is not a point automation knows` };
  if (typeof value !== 'number')
    return { ok: false, reason: `point ${pointId} takes a number; got ${JSON.stringify(value)}` };
  const r = await automation.guard.write({
    pointId,
    value,
    actor: { kind: 'operator', id: 'sparkplug' },
    priority: 1,
    reason: `Sparkplug DCMD (${origin})`,
    inputs: [],
  });
  if (!r.verdict.allow) return { ok: false, reason: `${r.verdict.code}: ${r.verdict.reason}` };
  if (r.error) return { ok: false, reason: `the device failed: ${r.error}` };
  return { ok: true, detail: r.verified === false ? 'written, read-back differs' : 'written and read back' };
}

export function startSparkplug(d: SparkplugDeps): SparkplugService {
  const { config } = d;
  const edge = config.edge
    ? new SparkplugEdge({
        broker: config.broker,
        edge: config.edge,
        site: d.site.id,
        points: d.points,
        dataDir: d.dataDir,
        now: d.now,
        log: d.log,
        ...(d.extension && { extension: d.extension(config.edge) }),
        // the catch-up at start reads what the historian acknowledged after the spool's marks (edge-node.ts)
        history: d.historian,
        command: (pointId, value, origin) => writeThroughGuard(d.automation(), pointId, value, origin),
        onCommand: (c) => {
          if (c.result.ok) return; // the guard records its own writes
          d.addEvent({
            time: d.now(),
            type: 'automation',
            severity: 'warning',
            title: `Sparkplug DCMD refused: ${c.pointId ?? `${c.device}/${c.metric}`}`,
            text: c.result.reason,
            tags: ['sparkplug', 'dcmd'],
            source: 'sparkplug',
          });
        },
      })
    : undefined;
  const host = config.host
    ? new PrimaryHost({
        broker: config.broker,
        host: config.host,
        now: d.now,
        log: d.log,
        onPoints: (points) => {
          const fresh = points.filter((p) => !d.catalog.get(p.id));
          if (fresh.length === 0) return;
          d.historian.ensurePoints(fresh.map((p) => ({ id: p.id, valueType: p.valueType })));
          d.catalog.add(fresh);
        },
        onSamples: async (samples, from) => {
          const r = await d.ingest().store(samples);
          if (r.rejected.length)
            d.log(
              `sparkplug host: ${r.rejected.length} samples of ${from.edge} refused, first: ${r.rejected[0]!.reason}`,
            );
        },
      })
    : undefined;
  edge?.start();
  host?.start();
  return {
    ...(edge && { edge }),
    ...(host && { host }),
    offer: (samples) => edge?.offer(samples),
    status: () => ({ ...(edge && { edge: edge.status() }), ...(host && { host: host.status() }) }),
    async close() {
      await Promise.all([edge?.stop(), host?.stop()]);
    },
  };
}
