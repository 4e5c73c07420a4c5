import type { NewEvent } from '@plenum/model';
import fs from 'node:fs';
import http, { type Server } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { Catalog } from './catalog/catalog';
import { connectorByName } from './connectors/all';
import { parseSourceOptions } from './connectors/common/options';
import { acceptJobWebhook } from './connectors/jobs/accept';
import type { JobsConnector } from './connectors/jobs/jobs';
import type { JobTransition } from './connectors/jobs/payload';
import { SourceRunner } from './connectors/runner';
import type { SourceInstance } from './connectors/types';
import { EventStore } from './events/event-store';
import { openHistorian } from './historian/historian';
import type { Historian } from './historian/types';
import { IngestPipeline } from './ingest/pipeline';
import { Arrivals } from './stream/arrivals';
import { assertBindAllowed, type FailureLimits } from './api/auth';
import { createApp } from './api/app';
import { applyServerLimits } from './api/security';
import { Metrics } from './api/metrics';
import type { SiteConfig } from './config/load';
import { Clock } from './common/clock';
import { startAutomation, type Automation } from './automation';
import { startPrediction, type PredictionService } from './predict';
import { scorePointsOf } from './predict/scores';
import { startRemoteWrite, tapIngest, type RemoteWrite } from './remote-write';
import { registerRemoteWriteMetrics } from './remote-write/metrics';
import { startSparkplug, type SparkplugService } from './sparkplug';
import { registerSparkplugMetrics } from './sparkplug/metrics';
import { EdgeRelay } from './relay/edge-relay';
import { registerEdgeRelayMetrics } from './relay/metrics';

export const VERSION = '0.1.0';

export interface StartOptions {
  /** `PLENUM_API_TOKEN`: the read scope */
  token?: string;
  /** `PLENUM_OPERATE_TOKEN`: approvals, rule modes, manual writes, the emergency stop */
  operateToken?: string;
  /** `PLENUM_ADMIN_TOKEN`: rule changes */
  adminToken?: string;
  /** `PLENUM_JOBS_TOKEN`: lets schedulers post job webhooks to `POST /api/events` and nothing else */
  jobsToken?: string;
  log?: (msg: string) => void;
  /**
   * how repeated auth failures from one address are refused (auth.ts FAILURE_DEFAULTS: 10 in 60 s → 429 for
   * 60 s); suites that fuzz the Authorization header from one address raise maxFailures
   */
  authFailures?: Partial<FailureLimits>;
  /** run no sources (tests that post samples themselves) */
  noSources?: boolean;
  /** the run's clock (PLENUM_CLOCK) for samples, events, queries and the historian, @default the wall clock */
  clock?: Clock;
}

export interface RunningPlenum {
  url: string;
  historian: Historian;
  events: EventStore;
  catalog: Catalog;
  runners: SourceRunner[];
  clock: Clock;
  /** rules, guard, capacity: present when the site config has `automation:` */
  automation?: Automation;
  /** detectors and alarms: present when the site config has `prediction:` */
  prediction?: PredictionService;
  /** the durable queue and sender: present when the site config has `remoteWrite:` */
  remoteWrite?: RemoteWrite;
  /** the Sparkplug B edge node and/or primary host: present when the site config has `sparkplug:` */
  sparkplug?: SparkplugService;
  /** events to the hub and job webhooks from it, on the edge node's connection: present with `sparkplug.edge` */
  relay?: EdgeRelay;
  stop(): Promise<void>;
}

/** Validates every source's connector options against its connector's schema; errors name file and field. */
function sourceInstances(
  config: SiteConfig,
  clock: Clock,
): Array<[SourceInstance<never>, NonNullable<ReturnType<typeof connectorByName>>]> {
  const errors: string[] = [];
  const out: Array<[SourceInstance<never>, NonNullable<ReturnType<typeof connectorByName>>]> = [];
  config.sources.forEach((s, i) => {
    const def = connectorByName(s.connector);
    if (!def) {
      errors.push(`sources[${i}].connector: unknown connector "${s.connector}"`);
      return;
    }
    const parsed = parseSourceOptions(def.options, s, i);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      return;
    }
    out.push([
      {
        name: s.name,
        intervalMs: s.intervalMs,
        options: parsed.options as never,
        points: s.points,
        liveness: s.liveness,
        clock: () => clock.now(),
      },
      def,
    ]);
  });
  if (errors.length) throw new Error(errors.map((e) => `${config.file}: ${e}`).join('\n'));
  return out;
}

/**
 * Starts the backend from a loaded site config: historian, event store, ingest pipeline, one runner per
 * source, and the HTTP API. `stop()` shuts down in reverse order, bounded in time.
 */
export async function startPlenum(config: SiteConfig, opts: StartOptions = {}): Promise<RunningPlenum> {
  const log = opts.log ?? ((m: string) => console.log(m));
  // a jobs token alone opens one route and leaves the rest open: it does not count
  assertBindAllowed(
    config.api.host,
    opts.token ?? opts.operateToken ?? opts.adminToken ?? config.api.tokens.find((t) => t.scope !== 'jobs')?.name,
  );
  const clock = opts.clock ?? Clock.wall();
  const now = () => clock.now();
  const instances = opts.noSources ? [] : sourceInstances(config, clock);
  fs.mkdirSync(config.historian.dataDir, { recursive: true });
  const events = new EventStore(config.historian.dataDir, { now, retentionMs: config.historian.eventRetentionMs });
  const historian = openHistorian({
    dir: config.historian.dataDir,
    retention: config.historian.retention,
    now,
    // the event store's retention on the historian's maintenance cadence (every 60 s), not a timer of its own
    afterMaintenance: (t) => {
      try {
        events.applyRetention(t);
      } catch (err) {
        log(
          `event retention failed, retried at the next maintenance run: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    },
  });
  // the prediction service's anomaly-score series are points like any other (predict/scores.ts)
  const points = [...config.points, ...scorePointsOf(config)];
  historian.ensurePoints(points.map((p) => ({ id: p.id, valueType: p.valueType })));
  const catalog = new Catalog(config.site, points);
  // before any sample is stored: it first queues what the historian stored after its queue's last commit
  const remoteWrite = config.remoteWrite
    ? startRemoteWrite({
        config: config.remoteWrite,
        dataDir: config.historian.dataDir,
        select: (sel) => catalog.select(sel),
        historian,
        now,
        log,
      })
    : undefined;
  // created after the ingest pipeline (its host stores through it) but tapped before: samples stored from the start
  let sparkplug: SparkplugService | undefined;
  let store = remoteWrite ? tapIngest(historian, (samples) => remoteWrite.offer(samples)) : historian;
  if (config.sparkplug?.edge) store = tapIngest(store, (samples) => sparkplug?.offer(samples));
  const ingest = new IngestPipeline(
    store,
    config.sources.flatMap((s) => s.points),
    now,
    clock.describe(),
  );
  const arrivals = new Arrivals(now);
  ingest.onStored((ids) => arrivals.record(ids));
  // connectors that receive events of their own (SNMP traps and informs) write them to the event store
  const eventSink = (e: NewEvent) => {
    try {
      events.add(e);
    } catch (err) {
      log(`cannot store an event from a connector (${e.title}): ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const runners = instances.map(
    ([source, def]) =>
      new SourceRunner(
        def,
        { ...source, events: eventSink },
        // not async: the batch must not be held across the fsync (SourceRunner.counted)
        (samples) =>
          ingest.fromSource(samples).then((r) => {
            if (r.rejected.length)
              throw new Error(
                `${r.rejected.length} samples refused, first: ${r.rejected[0]!.pointId}: ${r.rejected[0]!.reason}`,
              );
          }),
        {
          onStateChange(status, previous) {
            log(
              `source ${status.source} (${status.connector}): ${previous} → ${status.state}${status.lastError ? ` — ${status.lastError}` : ''}`,
            );
            if (previous === 'starting' && status.state === 'up') return;
            events.add({
              time: now(),
              type: 'connector',
              severity: status.state === 'up' ? 'info' : status.state === 'stopped' ? 'info' : 'warning',
              title: `${status.source}: ${status.state}`,
              ...(status.lastError && status.state !== 'up' && { text: status.lastError }),
              tags: ['connector', status.connector],
              source: status.source,
            });
          },
        },
      ),
  );
  /** copies, so a caller cannot change a runner's status */
  const sourceStates = () => runners.map((r) => ({ ...r.status }));
  const metrics = new Metrics({
    historian: () => historian.stats(),
    ingest: ingest.counters,
    sources: () => runners.map((r) => r.status),
  });
  if (remoteWrite) registerRemoteWriteMetrics(metrics.registry, () => remoteWrite.status());
  // created once the runners run (its guard writes through them); the routes read it when they are called
  let automation: Automation | undefined;
  let relay: EdgeRelay | undefined;
  // a job the hub routed here is handled as one posted to POST /api/events (the same onJob as the API's)
  const onJob = async (job: JobTransition, time: number) => {
    // a submitted job is announced, not running: it has no samples, only automation prepares for it
    if (job.phase !== 'submit')
      for (const r of runners)
        if (r.status.connector === 'jobs') await (r.connector as JobsConnector | undefined)?.accept(job, time);
    automation?.onJob(job, time);
  };
  if (config.sparkplug) {
    const sp = startSparkplug({
      config: config.sparkplug,
      site: config.site,
      points,
      dataDir: config.historian.dataDir,
      now,
      log,
      historian,
      catalog,
      ingest: () => ingest,
      automation: () => automation,
      addEvent: eventSink,
      extension: (edge) =>
        (relay = new EdgeRelay({
          group: edge.groupId,
          edge: edge.edgeNodeId,
          site: config.site.id,
          hall: edge.hall,
          racks: config.site.halls.find((h) => h.id === edge.hall)?.rows.flatMap((r) => r.racks.map((k) => k.id)) ?? [],
          events,
          acceptJob: (body) => acceptJobWebhook(body, { events, now, onJob }),
          now,
          log,
        })),
    });
    sparkplug = sp;
    registerSparkplugMetrics(metrics.registry, () => sp.status());
    const r = relay;
    if (r) registerEdgeRelayMetrics(metrics.registry, () => r.status());
  }
  const prediction = config.prediction
    ? startPrediction({ config, clock, historian, events, catalog, ingest, log })
    : undefined;
  const app = createApp(
    {
      get automation() {
        return automation;
      },
      prediction,
      ctx: {
        catalog,
        historian,
        events,
        now,
        sources: sourceStates,
        ...(prediction && { detectors: () => prediction.predictor.detectors.status() }),
      },
      ingest,
      arrivals,
      sources: sourceStates,
      onJob,
      metrics,
      ...(remoteWrite && { remoteWrite: () => remoteWrite.status() }),
      version: VERSION,
      startedAt: Date.now(),
      clock,
      log,
    },
    {
      token: opts.token,
      operateToken: opts.operateToken,
      adminToken: opts.adminToken,
      jobsToken: opts.jobsToken,
      maxBodyBytes: config.api.maxBodyBytes,
      tokens: config.api.tokens,
      tls: config.api.tls !== undefined,
      authFailures: opts.authFailures,
    },
  );
  const api = config.api;
  // node checks the header and request timeouts every connectionsCheckingInterval (30 s by default): once a second
  // instead, so a slow client is cut within a second of its limit (reliability/suites/slow-clients.ts)
  const serverOptions = { maxHeaderSize: api.maxHeaderBytes, connectionsCheckingInterval: 1000 };
  const server: Server = api.tls
    ? https.createServer({ ...serverOptions, ...api.tls }, app)
    : http.createServer(serverOptions, app);
  applyServerLimits(server, {
    maxHeaderBytes: api.maxHeaderBytes,
    headersTimeoutMs: api.headersTimeoutMs,
    requestTimeoutMs: api.requestTimeoutMs,
    keepAliveTimeoutMs: api.keepAliveTimeoutMs,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(api.port, api.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  for (const r of runners) r.start();
  // job points start from the jobs still open in the event store (a job can outlive a restart), idle elsewhere
  const jobsAt = now();
  const openJobs = events.find({ types: ['job'], open: true, from: 0, to: jobsAt, limit: 10_000 });
  for (const r of runners)
    if (r.status.connector === 'jobs')
      await (r.connector as JobsConnector | undefined)
        ?.publishOpen(openJobs, jobsAt)
        .catch((err) => log(`source ${r.status.source}: initial job values not stored — ${String(err)}`));
  if (config.automation) {
    automation = await startAutomation({
      config,
      clock,
      historian,
      events,
      catalog,
      runners,
      log,
      ...(prediction && { predictions: () => prediction.openForRules() }),
    });
    const rules = automation.engine.status().rules;
    log(
      `automation: ${rules.length} rule${rules.length === 1 ? '' : 's'} (${rules.map((r) => `${r.id} ${r.mode}`).join(', ')})${automation.guard.isStopped ? '; STOPPED (emergency stop in force: POST /api/automation/resume)' : ''}`,
    );
  }
  return {
    url: `${config.api.tls ? 'https' : 'http'}://${host}:${addr.port}`,
    historian,
    events,
    catalog,
    runners,
    clock,
    get automation() {
      return automation;
    },
    prediction,
    remoteWrite,
    sparkplug,
    relay,
    async stop() {
      // the plant goes back to the BMS while the connectors still run
      await automation?.close();
      await prediction?.close();
      await Promise.all(runners.map((r) => r.stop()));
      // after the last sample is stored: what is buffered is queued, the queue closed before the historian
      await remoteWrite?.close();
      // after the last sample is stored: the edge spools what is pending, publishes NDEATH; the host its STATE
      await relay?.stop();
      await sparkplug?.close();
      arrivals.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await historian.close();
      events.close();
    },
  };
}
