/**
 * What every answer of the API carries and what the HTTP server refuses, whatever the route: security headers,
 * no CORS, and the header/time limits of the node server. Browsers never call the API directly (Grafana's data
 * source proxy does, server side), so nothing here opens it to a page.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';

/** Limits of the node HTTP server; every value configurable in `api` (config/README.md). */
export interface ServerLimits {
  /** largest request head (request line + headers), bytes; @default 16 KiB (node's own default) */
  maxHeaderBytes: number;
  /** the whole head must arrive within this, ms; @default 20000 */
  headersTimeoutMs: number;
  /**
   * the whole request (head and body) must arrive within this, ms; the answer may take longer (a `/api/stream`
   * long poll waits up to 25 s after its body arrived), @default 60000
   */
  requestTimeoutMs: number;
  /** an idle keep-alive connection is closed after this, ms; @default 5000 */
  keepAliveTimeoutMs: number;
}

export const SERVER_LIMIT_DEFAULTS: ServerLimits = {
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
};

/** Applies the time limits to a created server (maxHeaderBytes must be given to createServer). */
export function applyServerLimits(server: Server, limits: ServerLimits): void {
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
}

/**
 * Security headers on every answer (errors and 404s included): no MIME sniffing, never framed, no referrer,
 * never cached (answers are live plant data), HSTS only when served over TLS. No `Access-Control-Allow-*` is
 * ever sent, so a browser page on another origin cannot read an answer, and a preflight gets no grant.
 */
export function securityHeaders(opts: { tls?: boolean } = {}) {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.set({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
      'Cross-Origin-Resource-Policy': 'same-origin',
      ...(opts.tls && { 'Strict-Transport-Security': 'max-age=31536000' }),
    });
    next();
  };
}
