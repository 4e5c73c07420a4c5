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
 * Bearer-token check on every route when a token is configured (Grafana's data source proxy adds the header
 * server side, so the token never reaches a browser). Constant-time comparison.
 */
export function bearerAuth(token: string | undefined) {
  const expected = token ? crypto.createHash('sha256').update(token).digest() : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!expected) return next();
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m) {
      res
        .set('WWW-Authenticate', 'Bearer realm="plenum"')
        .status(401)
        .json({ error: 'authorization: missing bearer token' });
      return;
    }
    const given = crypto.createHash('sha256').update(m[1]!.trim()).digest();
    if (!crypto.timingSafeEqual(given, expected)) {
      res
        .set('WWW-Authenticate', 'Bearer realm="plenum", error="invalid_token"')
        .status(401)
        .json({ error: 'authorization: invalid bearer token' });
      return;
    }
    next();
  };
}
