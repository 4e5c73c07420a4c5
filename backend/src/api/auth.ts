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
 * modes, write setpoints by hand, the emergency stop) and `admin` (change rules). Each includes the ones before.
 */
export type Scope = 'read' | 'operate' | 'admin';
export const SCOPES: readonly Scope[] = ['read', 'operate', 'admin'];

/** A bearer token with its scope and the name the audit trail records for it. */
export interface NamedToken {
  name: string;
  scope: Scope;
  token: string;
}

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

/**
 * Bearer-token check on every route when any token is configured (Grafana's data source proxy adds the header
 * server side, so a token never reaches a browser). The matched token's scope and name go to
 * `res.locals.auth`; without any token (loopback only, assertBindAllowed) every request is `local` with the admin
 * scope. Route tokens give a scheduler the right to post job events and nothing else. Constant-time comparison
 * of digests.
 */
export function bearerAuth(tokens: readonly NamedToken[], routeTokens: readonly RouteToken[] = []) {
  const named = tokens.map((t) => ({ ...t, digest: digest(t.token) }));
  const scoped = routeTokens.map((r) => ({ ...r, digest: digest(r.token) }));
  return (req: Request, res: Response, next: NextFunction) => {
    if (named.length === 0) {
      res.locals.auth = { name: 'local', scope: 'admin' } satisfies RequestAuth;
      return next();
    }
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (!m) {
      res
        .set('WWW-Authenticate', 'Bearer realm="plenum"')
        .status(401)
        .json({ error: 'authorization: missing bearer token' });
      return;
    }
    const given = digest(m[1]!.trim());
    const hit = named.find((t) => crypto.timingSafeEqual(given, t.digest));
    if (hit) {
      res.locals.auth = { name: hit.name, scope: hit.scope } satisfies RequestAuth;
      return next();
    }
    if (scoped.some((r) => r.method === req.method && r.path === req.path && crypto.timingSafeEqual(given, r.digest))) {
      res.locals.auth = { name: 'jobs', scope: 'read' } satisfies RequestAuth;
      return next();
    }
    res
      .set('WWW-Authenticate', 'Bearer realm="plenum", error="invalid_token"')
      .status(401)
      .json({ error: 'authorization: invalid bearer token' });
  };
}

/** Whether `has` includes `needs`. */
export function allows(has: Scope, needs: Scope): boolean {
  return SCOPES.indexOf(has) >= SCOPES.indexOf(needs);
}
