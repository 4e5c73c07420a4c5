import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiDeps, openTestBed, type TestBed } from '../testing/fixture';
import { createApp, type AppOptions } from './app';
import { tokenSha256 } from './auth';
import { applyServerLimits, SERVER_LIMIT_DEFAULTS } from './security';

const READ = 'read-secret-7f3a';
const OPERATE = 'operate-secret-91b2';
const HASHED = 'hashed-secret-c0de';
const JOBS = 'jobs-secret-5e5e';
const WRONG = 'guess-secret-dead';

/** A real server on 127.0.0.1 with the app, its log captured. */
async function serve(bed: TestBed, opts: AppOptions) {
  const logs: string[] = [];
  const app = createApp(apiDeps(bed, { log: (m) => logs.push(m) }), opts);
  const server = http.createServer({ maxHeaderSize: SERVER_LIMIT_DEFAULTS.maxHeaderBytes }, app);
  applyServerLimits(server, SERVER_LIMIT_DEFAULTS);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = async (path: string, token?: string, init: RequestInit = {}) => {
    const res = await fetch(url + path, {
      ...init,
      headers: { ...(token && { Authorization: `Bearer ${token}` }), ...(init.headers as Record<string, string>) },
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };
  const close = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      server.closeAllConnections();
    });
  return { url, logs, call, close, server };
}

describe('API security', () => {
  let bed: TestBed;
  beforeEach(() => {
    bed = openTestBed();
  });
  afterEach(() => bed.close());

  it('scopes: read, operate, hashed tokens from the config by name, jobs on POST /api/events only', async () => {
    const s = await serve(bed, {
      token: READ,
      operateToken: OPERATE,
      jobsToken: JOBS,
      tokens: [
        { name: 'noc-admin', scope: 'admin', sha256: tokenSha256(HASHED) },
        { name: 'slurm', scope: 'jobs', sha256: tokenSha256('slurm-secret-1') },
      ],
    });
    try {
      expect((await s.call('/api/health', READ)).status).toBe(200);
      expect((await s.call('/api/health', HASHED)).status).toBe(200);
      // the read token may not stop the plant; the 403 names the token by name, never by value
      const stop = await s.call('/api/automation/stop', READ, { method: 'POST' });
      expect(stop.status).toBe(403);
      expect(stop.text).toContain('this token (read) has read');
      expect(stop.text).not.toContain(READ);
      for (const jobs of [JOBS, 'slurm-secret-1']) {
        const get = await s.call('/api/events', jobs);
        expect(get.status).toBe(403);
        expect(get.text).toContain('jobs scope');
        const health = await s.call('/api/health', jobs);
        expect(health.status).toBe(403);
        const post = await s.call('/api/events', jobs, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ type: 'note', title: 'from a scheduler' }),
        });
        expect(post.status).toBe(201);
      }
      expect(tokenSha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    } finally {
      await s.close();
    }
  });

  it('refuses an address after repeated failures (429, Retry-After), logs address and count, leaks no token', async () => {
    const s = await serve(bed, { token: READ, authFailures: { maxFailures: 3, windowMs: 60_000, blockMs: 30_000 } });
    try {
      const seen: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await s.call('/api/health', WRONG);
        expect(r.status).toBe(401);
        seen.push(r.text);
      }
      const blocked = await s.call('/api/health', WRONG);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      // a right token from the same address waits too: guessing is slowed, not merely answered differently
      expect((await s.call('/api/health', READ)).status).toBe(429);
      seen.push(blocked.text);
      expect(s.logs.some((l) => /auth: 3 failed authentications from (::ffff:)?127\.0\.0\.1/.test(l))).toBe(true);
      const metrics = await fetch(`${s.url}/metrics`, { headers: { Authorization: `Bearer ${READ}` } });
      seen.push(await metrics.text());
      const all = [...s.logs, ...seen].join('\n');
      for (const secret of [READ, WRONG, tokenSha256(READ), tokenSha256(WRONG)]) expect(all).not.toContain(secret);
    } finally {
      await s.close();
    }
  });

  it('sends security headers on every answer and no CORS grant, preflight included', async () => {
    const s = await serve(bed, { token: READ });
    try {
      const answers = [
        await s.call('/api/health', READ),
        await s.call('/api/health'),
        await s.call('/api/nope', READ),
        await s.call('/api/query', READ, {
          method: 'OPTIONS',
          headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
        }),
        await s.call('/api/health', READ, { headers: { Origin: 'https://evil.example' } }),
      ];
      for (const a of answers) {
        expect(a.headers.get('x-content-type-options')).toBe('nosniff');
        expect(a.headers.get('x-frame-options')).toBe('DENY');
        expect(a.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        expect(a.headers.get('referrer-policy')).toBe('no-referrer');
        expect(a.headers.get('cache-control')).toBe('no-store');
        expect(a.headers.get('strict-transport-security')).toBeNull();
        expect(a.headers.get('x-powered-by')).toBeNull();
        expect(
          Array.from(a.headers as unknown as Iterable<[string, string]>, ([k]) => k).filter((k) =>
            k.startsWith('access-control-'),
          ),
        ).toEqual([]);
      }
    } finally {
      await s.close();
    }
  });

  it('limits the request head and times out slow requests, later than the longest /api/stream wait', async () => {
    const s = await serve(bed, { token: READ });
    try {
      expect(s.server.requestTimeout).toBe(SERVER_LIMIT_DEFAULTS.requestTimeoutMs);
      expect(s.server.headersTimeout).toBe(SERVER_LIMIT_DEFAULTS.headersTimeoutMs);
      expect(s.server.keepAliveTimeout).toBe(SERVER_LIMIT_DEFAULTS.keepAliveTimeoutMs);
      // a long poll waits at most 25 s (POST /api/stream waitMs) after its body arrived
      expect(SERVER_LIMIT_DEFAULTS.requestTimeoutMs).toBeGreaterThan(25_000);
      const big = await s.call('/api/health', READ, { headers: { 'X-Big': 'x'.repeat(20 * 1024) } });
      expect(big.status).toBe(431);
    } finally {
      await s.close();
    }
  });
});
