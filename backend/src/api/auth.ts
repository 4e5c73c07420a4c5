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

/** A token that opens one route only, e.g. the job webhook token (`PLENUM_JOBS_TOKEN`) for `POST /api/events`. */
export interface RouteToken {
  method: string;
  path: string;
  token: string;
}

const digest = (s: string) => crypto.createHash('sha256').update(s).digest();

/**
 * Bearer-token check on every route when a token is configured (Grafana's data source proxy adds the header
 * server side, so the token never reaches a browser). Route tokens give a scheduler the right to post job
 * events and nothing else. Constant-time comparison of digests.
 */
export function bearerAuth(token: string | undefined, routeTokens: readonly RouteToken[] = []) {
  const expected = token ? digest(token) : undefined;
  const scoped = routeTokens.map((r) => ({ ...r, digest: digest(r.token) }));
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) return next();
    const m = /^Bearer\s+(.+)$/i.exec(req.get('authorization') ?? '');
    if (!m) {
      res
        .set('WWW-Authenticate', 'Bearer realm="plenum"')
        .status(401)
        .json({ error: 'authorization: missing bearer token' });
      return;
    }
    const given = digest(m[1]!.trim());
    const ok =
      crypto.timingSafeEqual(given, expected) ||
      scoped.some((r) => r.method === req.method && r.path === req.path && crypto.timingSafeEqual(given, r.digest));
    if (!ok) {
      res
        .set('WWW-Authenticate', 'Bearer realm="plenum", error="invalid_token"')
        .status(401)
        .json({ error: 'authorization: invalid bearer token' });
      return;
    }
    next();
  };
}
