import crypto from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** Hosts that only this machine can reach; without a token the server binds nothing else. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Refuses to expose an unauthenticated API beyond loopback. */
export function assertBindAllowed(host: string, token: string | undefined): void {
  if (!token && !isLoopback(host)) {
    throw new Error(
      `PLENUM_HOST=${host} would expose the API without authentication; set PLENUM_API_TOKEN or bind to 127.0.0.1`,
    );
  }
}

/**
 * What a token may do: `read` (dashboards, queries, ingest, events), `operate` (approve proposals, set rule
 * modes, write setpoints by hand, the emergency stop) and `admin` (change rules); each includes the ones before.
 * `jobs` stands apart: it opens `POST /api/events` only (schedulers' job webhooks) and nothing else.
 */
export type Scope = 'jobs' | 'read' | 'operate' | 'admin';
/** the ordered scopes; `jobs` is not in the order (see JOBS_ROUTES) */
export const SCOPES: readonly Scope[] = ['read', 'operate', 'admin'];
export const ALL_SCOPES: readonly Scope[] = ['jobs', 'read', 'operate', 'admin'];
/** the only routes a `jobs` token opens */
export const JOBS_ROUTES: ReadonlyArray<{ method: string; path: string }> = [{ method: 'POST', path: '/api/events' }];

/**
 * A bearer token with its scope and the name the audit trail records for it: the token itself (from the
 * environment) or its SHA-256 digest as 64 hex digits (from plenum.yaml: `printf %s "$TOKEN" | sha256sum`).
 */
export type NamedToken = { name: string; scope: Scope } & ({ token: string } | { sha256: string });

/** Who a request is, after authentication (res.locals.auth). */
export interface RequestAuth {
  name: string;
  scope: Scope;
}

/** A token that opens one route only, e.g. the job webhook token (`PLENUM_JOBS_TOKEN`) for `POST /api/events`. */
export interface RouteToken {
  method: string;
  path: string;
  token: string;
}

const digest = (s: string) => crypto.createHash('sha256').update(s).digest();

/** The hex SHA-256 of a token, as `api.tokens[].sha256` wants it (the same as `printf %s "$TOKEN" | sha256sum`). */
export const tokenSha256 = (token: string): string => digest(token).toString('hex');

/** How repeated failures are slowed; @default 10 failures per address in 60 s, then 429 for 60 s */
export interface FailureLimits {
  /** failures from one address allowed within windowMs before it is refused, @default 10 */
  maxFailures: number;
  /** ms, @default 60000 */
  windowMs: number;
  /** ms an address is refused (429, Retry-After) once over maxFailures, @default 60000 */
  blockMs: number;
}
export const FAILURE_DEFAULTS: FailureLimits = { maxFailures: 10, windowMs: 60_000, blockMs: 60_000 };
/** most addresses remembered at once; the oldest are forgotten first */
const MAX_TRACKED = 10_000;

/**
 * Failed authentications per client address. After `maxFailures` within `windowMs` the address gets 429 with
 * Retry-After for `blockMs` on every request (a right token too: otherwise guessing would only be answered
 * differently, not slowed). Logs the address and the count, never what was sent.
 */
export class AuthFailures {
  private readonly byAddress = new Map<string, { first: number; count: number; blockedUntil: number }>();
  constructor(
    private readonly limits: FailureLimits = FAILURE_DEFAULTS,
    private readonly log: (m: string) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** seconds to wait when `address` is refused now, else 0 */
  retryAfter(address: string): number {
    const e = this.byAddress.get(address);
    const t = this.now();
    return e && e.blockedUntil > t ? Math.ceil((e.blockedUntil - t) / 1000) : 0;
  }

  failed(address: string): void {
    const t = this.now();
    let e = this.byAddress.get(address);
    if (!e || t - e.first > this.limits.windowMs) {
      this.byAddress.delete(address);
      if (this.byAddress.size >= MAX_TRACKED) this.byAddress.delete(this.byAddress.keys().next().value as string);
      e = { first: t, count: 0, blockedUntil: 0 };
      this.byAddress.set(address, e);
    }
    e.count++;
    if (e.count === this.limits.maxFailures) {
      e.blockedUntil = t + this.limits.blockMs;
      this.log(
        `auth: ${e.count} failed authentications from ${address} within ${this.limits.windowMs / 1000} s; refusing it (429) for ${this.limits.blockMs / 1000} s`,
      );
    } else if (e.count > this.limits.maxFailures && e.count % (this.limits.maxFailures * 10) === 0) {
      this.log(`auth: ${e.count} failed authentications from ${address} since ${new Date(e.first).toISOString()}`);
    }
  }
}

export interface BearerOptions {
  /** where failure summaries go (address and count only) */
  log?: (m: string) => void;
  failures?: Partial<FailureLimits>;
  now?: () => number;
}

/**
 * Bearer-token check on every route when any token is configured (Grafana's data source proxy adds the header
 * server side, so a token never reaches a browser). The matched token's scope and name go to
 * `res.locals.auth`; without any token (loopback only, assertBindAllowed) every request is `local` with the admin
 * scope. A `jobs` token (or a route token) opens its route(s) only; elsewhere it gets 403. Constant-time
 * comparison of SHA-256 digests, every configured digest compared on every request. Repeated failures from one
 * address are refused for a while (AuthFailures).
 */
export function bearerAuth(
  tokens: readonly NamedToken[],
  routeTokens: readonly RouteToken[] = [],
  opts: BearerOptions = {},
) {
  const named = tokens.map((t) => ({
    name: t.name,
    scope: t.scope,
    digest: 'token' in t ? digest(t.token) : Buffer.from(t.sha256, 'hex'),
  }));
  const scoped = routeTokens.map((r) => ({ ...r, digest: digest(r.token) }));
  const failures = new AuthFailures({ ...FAILURE_DEFAULTS, ...opts.failures }, opts.log, opts.now);
  return (req: Request, res: Response, next: NextFunction) => {
    // jobs tokens alone do not close the API (as before: loopback only, assertBindAllowed)
    if (!named.some((t) => t.scope !== 'jobs')) {
      res.locals.auth = { name: 'local', scope: 'admin' } satisfies RequestAuth;
      return next();
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = failures.retryAfter(address);
    if (wait > 0) {
      res
        .set('Retry-After', String(wait))
        .status(429)
        .json({ error: `authorization: too many failed attempts from ${address}; retry in ${wait} s` });
      return;
    }
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (!m) {
      failures.failed(address);
      res
        .set('WWW-Authenticate', 'Bearer realm="plenum"')
        .status(401)
        .json({ error: 'authorization: missing bearer token' });
      return;
    }
    const given = digest(m[1]!.trim());
    // compare against every digest, so the time taken does not tell which one matched
    let hit: (typeof named)[number] | undefined;
    for (const t of named) if (crypto.timingSafeEqual(given, t.digest) && !hit) hit = t;
    let route: (typeof scoped)[number] | undefined;
    for (const r of scoped) if (crypto.timingSafeEqual(given, r.digest) && !route) route = r;
    const auth: RequestAuth | undefined = hit
      ? { name: hit.name, scope: hit.scope }
      : route
        ? { name: 'jobs', scope: 'jobs' }
        : undefined;
    if (!auth) {
      failures.failed(address);
      res
        .set('WWW-Authenticate', 'Bearer realm="plenum", error="invalid_token"')
        .status(401)
        .json({ error: 'authorization: invalid bearer token' });
      return;
    }
    if (auth.scope === 'jobs') {
      const opens = hit ? JOBS_ROUTES : [route!];
      if (!opens.some((r) => r.method === req.method && r.path === req.path)) {
        res.status(403).json({
          error: `authorization: this token (${auth.name}) has the jobs scope, which opens ${opens.map((r) => `${r.method} ${r.path}`).join(', ')} only`,
        });
        return;
      }
    }
    res.locals.auth = auth;
    next();
  };
}

/** Whether `has` includes `needs`; `jobs` passes a read-scoped route (bearerAuth already confined it to its routes). */
export function allows(has: Scope, needs: Scope): boolean {
  if (has === 'jobs') return needs === 'jobs' || needs === 'read';
  if (needs === 'jobs') return true;
  return SCOPES.indexOf(has) >= SCOPES.indexOf(needs);
}
