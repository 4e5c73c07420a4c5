import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the upstream received it. */
export interface UpstreamRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FixtureUpstream {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: UpstreamRequest[];
  close(): Promise<void>;
}

/**
 * The API the fixture datasource (`fixtures/plugins/harness-fixture-datasource`) calls through the proxy, on
 * 127.0.0.1 and a free port. Every call must carry `Authorization: Bearer <token>`, else 401.
 * - `GET /health` → `{status, version}`
 * - `POST /query` → one frame per target: `time` and `value` (°C) with 3 points, an error for text `fail`, no
 *   frames for text `empty`;
 *   queryType `annotations` answers two events (one a region) as time, timeEnd, title, text and tags fields
 * - `GET /values?q=` → the `|`-separated names in `q`, or `rack-1`, `rack-2`
 * - `GET /stream?seq=n` → a long poll answering `{seq, value: n*10}` after `streamDelayMs` (default 20 ms)
 * - `GET /sse` → server-sent events: `tick 0` at once, `tick 1` only when `/sse-release` is called
 * - `GET /echo/…` → the request itself as JSON (method, url, headers, body)
 */
export async function startFixtureUpstream(token: string, streamDelayMs = 20): Promise<FixtureUpstream> {
  const requests: UpstreamRequest[] = [];
  const releases: (() => void)[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://upstream');
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json', 'Set-Cookie': 'upstream=1' });
      res.end(JSON.stringify(value));
    };
    if (url.pathname === '/sse-release') {
      releases.splice(0).forEach((release) => release());
      return json(200, { released: true });
    }
    if (req.headers.authorization !== `Bearer ${token}`) return json(401, { message: 'bad token' });
    switch (url.pathname) {
      case '/health':
        return json(200, { status: 'ok', version: 'fixture-1' });
      case '/query': {
        const q = JSON.parse(body) as {
          from: number;
          to: number;
          targets: { refId: string; text: string; queryType: string }[];
        };
        const results: Record<string, unknown> = {};
        for (const t of q.targets) {
          if (t.queryType === 'annotations') {
            results[t.refId] = { frames: [annotationFrame(q.from)] };
            continue;
          }
          if (t.text === 'fail') {
            results[t.refId] = { error: `query ${t.refId} failed on purpose` };
            continue;
          }
          if (t.text === 'empty') {
            results[t.refId] = { frames: [] };
            continue;
          }
          const step = (q.to - q.from) / 2;
          results[t.refId] = {
            frames: [
              {
                name: t.text || 'supply',
                fields: [
                  { name: 'time', type: 'time', values: [q.from, q.from + step, q.to] },
                  { name: 'value', type: 'number', values: [18.5, 21, 27.25], config: { unit: 'celsius' } },
                ],
              },
            ],
          };
        }
        return json(200, { results });
      }
      case '/values': {
        const q = url.searchParams.get('q') ?? '';
        return json(200, q ? q.split('|') : ['rack-1', 'rack-2']);
      }
      case '/stream': {
        const seq = Number(url.searchParams.get('seq'));
        setTimeout(() => json(200, { seq, value: seq * 10 }), streamDelayMs);
        return;
      }
      case '/sse':
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        res.write('data: tick 0\n\n');
        releases.push(() => res.end('data: tick 1\n\n'));
        return;
      default:
        if (url.pathname.startsWith('/echo')) {
          return json(200, { method: req.method, url: req.url, headers: req.headers, body });
        }
        return json(404, { message: 'no such fixture endpoint' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Two events: an instant at from+1 s and a region from+2 s … from+5 s. */
function annotationFrame(from: number) {
  return {
    name: 'annotations',
    fields: [
      { name: 'time', type: 'time', values: [from + 1000, from + 2000] },
      { name: 'timeEnd', type: 'time', values: [from + 1000, from + 5000] },
      { name: 'title', type: 'string', values: ['CRAH-1 restart', 'Job 42'] },
      { name: 'text', type: 'string', values: ['Fan reset', 'Training run'] },
      { name: 'tags', type: 'other', values: [['cooling'], ['job', 'gpu']] },
    ],
  };
}
