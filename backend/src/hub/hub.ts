/**
 * The hub role (`hub:` in plenum.yaml): no sources, no historian of its own; one HTTP API whose POST /api/query
 * answers the query contract for every hall from the shared store (store-reader.ts). The catalog is rebuilt from
 * the store every `catalogRefresh`; events come from the hub's own event store (README.md: not fed from the edges
 * yet).
 */
import express, { type Request, type Response } from 'express';
import fs from 'node:fs';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertBindAllowed, bearerAuth, type NamedToken } from '../api/auth';
import { securityHeaders, applyServerLimits } from '../api/security';
import { errorMessage, PlenumError } from '../common/errors';
import type { SiteConfig } from '../config/load';
import { EventStore } from '../events/event-store';
import { stringifyAnswer } from '../query/serialize';
import type { HubConfig } from './config';
import { StoreClient } from './store-client';
import { StoreReader } from './store-reader';

export interface HubOptions {
  /** `PLENUM_API_TOKEN`: the read scope */
  token?: string;
  log?: (msg: string) => void;
  now?: () => number;
}

export interface RunningHub {
  url: string;
  reader: StoreReader;
  events: EventStore;
  stop(): Promise<void>;
}

export async function startHub(config: SiteConfig & { hub: HubConfig }, opts: HubOptions = {}): Promise<RunningHub> {
  const log = opts.log ?? ((m: string) => console.log(m));
  const now = opts.now ?? Date.now;
  const hub = config.hub;
  assertBindAllowed(config.api.host, opts.token ?? config.api.tokens.find((t) => t.scope !== 'jobs')?.name);
  fs.mkdirSync(config.historian.dataDir, { recursive: true });
  const events = new EventStore(config.historian.dataDir);
  const client = new StoreClient(hub.store);
  const reader = new StoreReader(client, hub, config.site, events, now);
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
  app.use(bearerAuth(tokens, [], { log }));
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
    });
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
    async stop() {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      events.close();
    },
  };
}
