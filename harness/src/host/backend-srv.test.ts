import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { lastValueFrom } from 'rxjs';
import { HarnessBackendSrv } from './backend-srv';

/** Answers by path: `/json`, `/text`, `/empty502`, `/bad` (400 text), `/slow` (after 200 ms), `/echo` (the request). */
async function startUpstream() {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    switch (url.pathname) {
      case '/json':
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('{"a":1}');
      case '/text':
        return res.end('plain words');
      case '/empty502':
        res.writeHead(502, { 'Content-Length': 0 });
        return res.end();
      case '/bad':
        res.writeHead(400, { 'Content-Type': 'text/plain' });
        return res.end('Authentication to data source failed');
      case '/slow':
        setTimeout(() => res.end('"late"'), 200);
        return;
      default:
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            headers: req.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('HarnessBackendSrv', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const srv = new HarnessBackendSrv();

  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => {
    upstream.server.closeAllConnections();
    await new Promise((resolve) => upstream.server.close(resolve));
  });

  it('parses JSON and falls back to text', async () => {
    await expect(srv.get(`${upstream.url}/json`)).resolves.toEqual({ a: 1 });
    await expect(srv.get(`${upstream.url}/text`)).resolves.toBe('plain words');
  });

  it('fetch() emits the full FetchResponse', async () => {
    const res = await lastValueFrom(srv.fetch<{ a: number }>({ url: `${upstream.url}/json` }));
    expect(res).toMatchObject({ status: 200, ok: true, data: { a: 1 }, config: { url: `${upstream.url}/json` } });
  });

  it('sends objects as JSON with Grafana’s headers, and params as a query string', async () => {
    const echo = (await srv.post(
      `${upstream.url}/echo`,
      { q: 'x' },
      {
        params: { a: 'b c', list: [1, 2], skip: undefined, empty: '' },
      },
    )) as {
      url: string;
      headers: Record<string, string>;
      body: string;
    };
    expect(echo.url).toBe('/echo?a=b%20c&list=1&list=2');
    expect(echo.body).toBe('{"q":"x"}');
    expect(echo.headers['content-type']).toBe('application/json');
    expect(echo.headers.accept).toBe('application/json, text/plain, */*');
  });

  it('rejects with Grafana’s FetchError; a text body becomes data.message', async () => {
    await expect(srv.get(`${upstream.url}/bad`)).rejects.toMatchObject({
      status: 400,
      statusText: 'Bad Request',
      data: { message: 'Authentication to data source failed', error: 'Bad Request' },
      config: { url: `${upstream.url}/bad` },
    });
  });

  it('an empty error body gets the status text as its message', async () => {
    await expect(srv.get(`${upstream.url}/empty502`)).rejects.toMatchObject({
      status: 502,
      data: { message: 'Bad Gateway' },
    });
  });

  it('a newer request with the same requestId cancels the older one', async () => {
    const first = srv.get(`${upstream.url}/slow`, undefined, 'Q1');
    const second = srv.get(`${upstream.url}/slow`, undefined, 'Q1');
    await expect(first).rejects.toMatchObject({ cancelled: true, status: -1, statusText: 'Request was aborted' });
    await expect(second).resolves.toBe('late');
  });

  it('refuses a path with .. when validatePath is set', async () => {
    await expect(srv.request({ url: `${upstream.url}/a/../json`, validatePath: true })).rejects.toThrow(
      /Invalid request path/,
    );
  });
});
