/**
 * The HTTP side of the connector: one keep-alive agent per source, a whole-request timeout, gzip, a body size
 * limit, abort on close, and messages that name the URL without its password and never carry a secret.
 */
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { PROM_STATUS } from './select';

/** Largest answer body, decompressed: 64 MiB (a big node_exporter is ~1 MiB). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

export interface HttpAnswer {
  status: number;
  statusMessage: string;
  contentType: string;
  body: string;
}

/** A request that got no usable HTTP answer; `rawStatus` is a PROM_STATUS code. */
export class RequestFailure extends Error {
  constructor(
    readonly rawStatus: number,
    message: string,
    /** the connector was closed while the request was in flight */
    readonly closed = false,
    /** a kept-alive socket was found closed before the request was answered: safe to repeat once */
    public staleSocket = false,
  ) {
    super(message);
    this.name = 'RequestFailure';
  }
}

/** The URL for messages: `user:***@` instead of a password. */
export function redactUrl(url: URL | string): string {
  const u = new URL(String(url));
  if (u.password !== '') u.password = '***';
  return u.toString();
}

export interface RequestOptions {
  method: 'GET' | 'POST';
  body?: string;
  contentType?: string;
  accept: string;
  /** bearer token for this request */
  token?: string;
  extraHeaders?: Record<string, string>;
}

export class HttpClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly inflight = new Set<http.ClientRequest>();
  private closed = false;
  /** values never to show in a message */
  private readonly secrets: string[];

  constructor(
    private readonly opts: { timeoutMs: number; headers: Record<string, string>; maxSockets: number },
    secrets: readonly (string | undefined)[] = [],
  ) {
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets };
    this.httpAgent = new http.Agent(agentOpts);
    this.httpsAgent = new https.Agent(agentOpts);
    this.secrets = [...secrets, ...Object.values(opts.headers)].filter((s): s is string => !!s && s.length >= 3);
  }

  /** Replaces every secret in a text by `***`. */
  scrub(text: string, more: readonly string[] = []): string {
    let out = text;
    for (const s of [...this.secrets, ...more.filter((x) => x.length >= 3)]) out = out.split(s).join('***');
    return out;
  }

  /**
   * Resolves with any HTTP answer (the caller judges the status); rejects with a RequestFailure when there is
   * none: unreachable, timeout, malformed or oversized body, or close().
   */
  async request(url: URL, o: RequestOptions): Promise<HttpAnswer> {
    try {
      return await this.attempt(url, o);
    } catch (e) {
      // a kept-alive socket the server closed while idle fails at once: the request never reached it, so repeat
      // it once on a new connection (as Node's documentation advises, `request.reusedSocket`)
      if (e instanceof RequestFailure && e.staleSocket && !this.closed) return this.attempt(url, o);
      throw e;
    }
  }

  private attempt(url: URL, o: RequestOptions): Promise<HttpAnswer> {
    const where = `${o.method} ${redactUrl(url)}`;
    if (this.closed) return Promise.reject(new RequestFailure(0, `${where}: closed`, true));
    const headers: Record<string, string> = {
      'user-agent': 'Plenum-prometheus-connector/0.1',
      accept: o.accept,
      'accept-encoding': 'gzip, deflate',
      ...this.opts.headers,
      ...o.extraHeaders,
    };
    if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) {
      headers['content-type'] = o.contentType ?? 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(o.body));
    }
    const isHttps = url.protocol === 'https:';
    const fail = (code: number, what: string) =>
      new RequestFailure(code, this.scrub(`${where}: ${what}`, o.token !== undefined ? [o.token] : []));

    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      const finish = (failure: RequestFailure | undefined, answer?: HttpAnswer) => {
        if (settled) return;
        const err = failure && this.closed ? new RequestFailure(0, `${where}: closed`, true) : failure;
        settled = true;
        clearTimeout(timer);
        this.inflight.delete(req);
        if (err) {
          req.destroy();
          reject(err);
        } else resolve(answer as HttpAnswer);
      };
      const req = (isHttps ? https : http).request(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || (isHttps ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          method: o.method,
          headers,
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          ...(url.username !== '' && {
            auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
          }),
        },
        (res) => {
          const encoding = String(res.headers['content-encoding'] ?? 'identity').toLowerCase();
          let stream: Readable = res;
          if (encoding === 'gzip' || encoding === 'x-gzip') stream = res.pipe(zlib.createGunzip());
          else if (encoding === 'deflate') stream = res.pipe(zlib.createInflate());
          else if (encoding !== 'identity') {
            finish(fail(PROM_STATUS.malformed, `unsupported content-encoding "${encoding}"`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          stream.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES) {
              finish(fail(PROM_STATUS.malformed, `answer larger than ${MAX_BODY_BYTES / 1048576} MiB`));
              stream.destroy();
              return;
            }
            chunks.push(c);
          });
          stream.on('error', (e) => finish(fail(PROM_STATUS.malformed, `cannot read the answer: ${e.message}`)));
          res.on('aborted', () => finish(fail(PROM_STATUS.unreachable, 'connection lost while reading the answer')));
          stream.on('end', () =>
            finish(undefined, {
              status: res.statusCode ?? 0,
              statusMessage: res.statusMessage ?? '',
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      this.inflight.add(req);
      const timer = setTimeout(
        () => finish(fail(PROM_STATUS.timeout, `no complete answer within ${this.opts.timeoutMs} ms (timeoutMs)`)),
        this.opts.timeoutMs,
      );
      let answered = false;
      req.on('response', () => (answered = true));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const f = fail(PROM_STATUS.unreachable, `unreachable: ${e.message}`);
        f.staleSocket = !answered && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE');
        finish(f);
      });
      req.end(o.body);
    });
  }

  /** Aborts requests in flight and closes every socket; immediate. */
  close(): void {
    this.closed = true;
    for (const req of this.inflight) req.destroy();
    this.inflight.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
