import express, { type NextFunction, type Request, type Response } from 'express';
import { errorMessage, PlenumError } from '../common/errors';
import { allows, bearerAuth, type FailureLimits, type NamedToken, type RequestAuth } from './auth';
import { securityHeaders } from './security';
import { openApiDocument } from './openapi';
import { ROUTES, type ApiDeps } from './routes';

export interface AppOptions {
  /** the read token, required on every route when set (`PLENUM_API_TOKEN`) */
  token?: string;
  /** the operate token (`PLENUM_OPERATE_TOKEN`): approvals, modes, manual writes, the emergency stop */
  operateToken?: string;
  /** the admin token (`PLENUM_ADMIN_TOKEN`): rule changes */
  adminToken?: string;
  /** opens `POST /api/events` only, for schedulers' job webhooks (`PLENUM_JOBS_TOKEN`) */
  jobsToken?: string;
  /** largest JSON body accepted, bytes; @default 8 MiB */
  maxBodyBytes?: number;
  /** tokens from plenum.yaml (`api.tokens`, hashed), besides the environment's */
  tokens?: readonly NamedToken[];
  /** how repeated auth failures are slowed, @default FAILURE_DEFAULTS (auth.ts) */
  authFailures?: Partial<FailureLimits>;
  /** served over TLS: adds HSTS */
  tls?: boolean;
}

/**
 * The express app: auth, JSON body parsing with a size limit, the route table, and error answers that name the
 * field (4xx) or say it was ours (500, logged). Every handler's rejection is caught (express 5 forwards async
 * errors), so no request can crash the process.
 */
export function createApp(deps: ApiDeps, opts: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(securityHeaders({ tls: opts.tls }));
  app.use((req, res, next) => {
    const end = deps.metrics.httpDuration.startTimer({ method: req.method });
    res.on('finish', () =>
      end({ route: (req.route?.path as string | undefined) ?? 'unmatched', status: String(res.statusCode) }),
    );
    next();
  });
  const tokens: NamedToken[] = [
    ...(opts.token ? [{ name: 'read', scope: 'read' as const, token: opts.token }] : []),
    ...(opts.operateToken ? [{ name: 'operate', scope: 'operate' as const, token: opts.operateToken }] : []),
    ...(opts.adminToken ? [{ name: 'admin', scope: 'admin' as const, token: opts.adminToken }] : []),
    ...(opts.tokens ?? []),
  ];
  app.use(
    bearerAuth(tokens, opts.jobsToken ? [{ method: 'POST', path: '/api/events', token: opts.jobsToken }] : [], {
      log: deps.log,
      failures: opts.authFailures,
    }),
  );
  app.use(express.json({ limit: opts.maxBodyBytes ?? 8 * 1024 * 1024, strict: false }));
  for (const r of ROUTES) {
    app[r.method](r.path, async (req: Request, res: Response) => {
      const auth = res.locals.auth as RequestAuth;
      const needs = r.scope ?? 'read';
      if (!allows(auth.scope, needs)) {
        res.status(403).json({
          error: `authorization: ${r.method.toUpperCase()} ${r.path} needs the ${needs} scope; this token (${auth.name}) has ${auth.scope}${needs === 'admin' ? ' (PLENUM_ADMIN_TOKEN or an api.tokens entry with scope admin)' : ' (PLENUM_OPERATE_TOKEN or an api.tokens entry with scope operate)'}`,
        });
        return;
      }
      if (
        (r.method === 'post' || r.method === 'put') &&
        !req.is('application/json') &&
        !(r.form && req.is('application/x-www-form-urlencoded')) &&
        (req.get('content-length') ?? '0') !== '0'
      ) {
        res.status(415).json({ error: 'body: send JSON with Content-Type: application/json' });
        return;
      }
      await r.handle(deps, req, res);
    });
  }
  const doc = openApiDocument(ROUTES, deps.version);
  app.get('/api/openapi.json', (_req, res) => {
    res.json(doc);
  });
  app.use((req, res) => {
    res.status(404).json({ error: `no route ${req.method} ${req.path}; see /api/openapi.json` });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; limit?: number };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: `body: not valid JSON (${errorMessage(err)})` });
    } else if (e.type === 'entity.too.large') {
      res.status(413).json({ error: `body: larger than the ${e.limit} bytes allowed (api.maxBodyBytes)` });
    } else if (err instanceof PlenumError && err.origin === 'query') {
      res.status(400).json({ error: err.message });
    } else if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') {
      res.status(415).json({ error: `content-type: ${errorMessage(err)}; send JSON as UTF-8` });
    } else if (err instanceof URIError || /^Failed to decode param/.test(errorMessage(err))) {
      res.status(400).json({ error: `path: ${errorMessage(err).replace(/^Failed to decode param/, 'cannot decode')}` });
    } else if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      // body-parser's other refusals (aborted, size mismatch): about the body
      res.status(e.status).json({ error: `body: ${errorMessage(err)}` });
    } else {
      deps.log(`internal error: ${(err as Error)?.stack ?? String(err)}`);
      res.status(500).json({ error: `internal error: ${errorMessage(err)}` });
    }
  });
  return app;
}
