/**
 * The hub role (`hub:` in plenum.yaml): no sources, no historian of its own; one HTTP API whose POST /api/query
 * answers the query contract for every hall from the shared store (store-reader.ts). The catalog is rebuilt from
 * the store every `catalogRefresh`. Events come from the hub's own event store, fed by the edges through the MQTT
 * broker (`hub.broker`, relay/hub-relay.ts: every edge's jobs, automation, predictions and connector changes, with
 * its site and hall); `POST /api/events` takes schedulers' job webhooks and routes each to the edge owning its
 * hall or racks, answering with the edge's answer (relay/README.md). Without `hub.broker` the event store stays
 * empty and job webhooks are refused (501).
 */
import express, { type Request, type Response } from 'express';
import fs from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertBindAllowed, bearerAuth, type FailureLimits, type NamedToken } from '../api/auth';
import { securityHeaders, applyServerLimits } from '../api/security';
import { errorMessage, PlenumError } from '../common/errors';
import type { SiteConfig } from '../config/load';
import { EventStore } from '../events/event-store';
import { stringifyAnswer } from '../query/serialize';
import type { HubConfig } from './config';
import { StoreClient } from './store-client';
import { StoreReader } from './store-reader';
import { isJobWebhook } from '../connectors/jobs/payload';
import { HubRelay } from '../relay/hub-relay';

/** ms between the event store's retention runs: the edges' cadence (their historian maintenance, every 60 s) */
const RETENTION_EVERY_MS = 60_000;

export interface HubOptions {
  /** `PLENUM_API_TOKEN`: the read scope */
  token?: string;
  /** `PLENUM_JOBS_TOKEN`: lets schedulers post job webhooks to `POST /api/events` and nothing else */
  jobsToken?: string;
  /** the failed-authentication lockout (api/auth.ts FAILURE_DEFAULTS: 10 within 60 s blocks the address 60 s), as at an edge */
  authFailures?: Partial<FailureLimits>;
  log?: (msg: string) => void;
  now?: () => number;
}

export interface RunningHub {
  url: string;
  reader: StoreReader;
  events: EventStore;
  /** the edges' events and job routing: present with `hub.broker` */
  relay?: HubRelay;
  stop(): Promise<void>;
}

export async function startHub(config: SiteConfig & { hub: HubConfig }, opts: HubOptions = {}): Promise<RunningHub> {
  const log = opts.log ?? ((m: string) => console.log(m));
  const now = opts.now ?? Date.now;
  const hub = config.hub;
  assertBindAllowed(config.api.host, opts.token ?? config.api.tokens.find((t) => t.scope !== 'jobs')?.name);
  fs.mkdirSync(config.historian.dataDir, { recursive: true });
  // the edges' events relayed here keep `historian.retention.events` as at an edge (default 730 d)
  const events = new EventStore(config.historian.dataDir, { now, retentionMs: config.historian.eventRetentionMs });
  const applyRetention = () => {
    try {
      events.applyRetention(now());
    } catch (err) {
      log(`hub: event retention failed, retried in ${RETENTION_EVERY_MS / 1000} s: ${errorMessage(err)}`);
    }
  };
  applyRetention();
  const retentionTimer = setInterval(applyRetention, RETENTION_EVERY_MS);
  retentionTimer.unref();
  const client = new StoreClient(hub.store);
  const reader = new StoreReader(client, hub, config.site, events, now);
  const relay = hub.broker
    ? new HubRelay({
        broker: hub.broker,
        clientId: hub.relay.clientId ?? `plenum-hub-${config.site.id}`,
        events,
        jobTimeoutMs: hub.relay.jobTimeout,
        log,
      })
    : undefined;
  relay?.start();
  try {
    await reader.refresh();
  } catch (err) {
    // the hub starts anyway (the store may come later); queries answer from an empty catalog until a refresh works
    log(
      `hub: the first catalog read from ${client.url} failed (${errorMessage(err)}); retrying every ${hub.catalogRefresh} ms`,
    );
  }
  let refreshing = false;
  const timer = setInterval(() => {
    if (refreshing) return;
    refreshing = true;
    reader
      .refresh()
      .catch((err) => log(`hub: catalog refresh from ${client.url} failed: ${errorMessage(err)}`))
      .finally(() => (refreshing = false));
  }, hub.catalogRefresh);
  timer.unref();

  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders({ tls: false }));
  const tokens: NamedToken[] = [
    ...(opts.token ? [{ name: 'read', scope: 'read' as const, token: opts.token }] : []),
    ...config.api.tokens,
  ];
  const jobsRoute = opts.jobsToken ? [{ method: 'POST', path: '/api/events', token: opts.jobsToken }] : [];
  app.use(bearerAuth(tokens, jobsRoute, { log, failures: opts.authFailures }));
  app.use(express.json({ limit: config.api.maxBodyBytes, strict: false }));
  app.get('/api/health', (_req, res) => {
    const s = reader.readerStatus();
    res.json({
      status: s.lastRefreshError ? 'degraded' : 'ok',
      role: 'hub',
      time: new Date(now()).toISOString(),
      store: { url: client.url, kind: hub.store.kind },
      points: s.points,
      hub: s,
      ...(relay && { relay: relay.status() }),
    });
  });
  app.post('/api/events', async (req: Request, res: Response) => {
    // express.json skips other content types, leaving no body: say so rather than "not a job webhook"
    if (!req.is('application/json') && (req.get('content-length') ?? '0') !== '0') {
      res.status(415).json({ error: 'content-type: send JSON with Content-Type: application/json' });
      return;
    }
    if (!isJobWebhook(req.body)) {
      res.status(400).json({
        error:
          'body: the hub takes scheduler job webhooks only ({event: job_start|job_end|job_submit, …} or a Kubernetes Job); post other events to the edge of their hall',
      });
      return;
    }
    if (!relay) {
      res.status(501).json({ error: 'this hub has no hub.broker: it cannot route job webhooks to the edges' });
      return;
    }
    const out = await relay.dispatchJob(req.body, now());
    if (out.status === 503) res.set('Retry-After', '5');
    res.status(out.status).json(out.body);
  });
  app.get('/api/topology', (_req, res) => {
    res.json(reader.catalog.site);
  });
  app.post('/api/query', async (req: Request, res: Response) => {
    try {
      const answer = await reader.answer(req.body, {
        onInternalError: (refId, err) => log(`hub query ${refId} failed: ${errorMessage(err)}`),
      });
      const text = stringifyAnswer(answer);
      res.status(200).set({ 'Content-Type': 'application/json; charset=utf-8' }).end(text);
    } catch (err) {
      if (err instanceof PlenumError && err.origin === 'query') res.status(400).json({ error: err.message });
      else {
        log(`hub query failed: ${(err as Error)?.stack ?? String(err)}`);
        res.status(500).json({ error: `internal error: ${errorMessage(err)}` });
      }
    }
  });
  // as at an edge (api/app.ts): a JSON error naming the route, not Express's HTML "Cannot GET"
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path} on this hub (hub/README.md lists its API)` });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: unknown) => {
    const status = (err as { status?: number }).status ?? 500;
    res.status(status).json({ error: status < 500 ? `body: ${errorMessage(err)}` : 'internal error' });
  });

  const server: Server = http.createServer({ maxHeaderSize: config.api.maxHeaderBytes }, app);
  applyServerLimits(server, {
    maxHeaderBytes: config.api.maxHeaderBytes,
    headersTimeoutMs: config.api.headersTimeoutMs,
    requestTimeoutMs: config.api.requestTimeoutMs,
    keepAliveTimeoutMs: config.api.keepAliveTimeoutMs,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.api.port, config.api.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    reader,
    events,
    ...(relay && { relay }),
    async stop() {
      clearInterval(timer);
      clearInterval(retentionTimer);
      await relay?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      events.close();
    },
  };
}
