/**
 * One BMC over HTTP(S), with Node's own `node:https`: a keep-alive agent per BMC holding at most
 * `maxConcurrency` requests in flight (login included), a whole-request timeout, TLS verified against the system
 * CAs, a CA file or a pinned certificate (checked before a byte of the request is sent; never skipped), and
 * authentication by session (X-Auth-Token, logged in again once when the BMC forgets the session, deleted at
 * close), basic auth or a pre-issued token. Messages name the BMC URL and the resource, never a secret.
 *
 * Why not `fetch`: Node 20's fetch (undici inside) takes a CA or a pin only through an undici `Agent` passed as
 * `dispatcher`, which Node does not export (it needs the npm `undici` package, a second copy of what Node ships).
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { RedfishOptions } from './config';
import { REDFISH_STATUS } from './address';

/** Largest answer body: 8 MiB (a Chassis resource is a few kB). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Bound of the session DELETE at close, ms. */
const LOGOUT_MS = 1000;

/** A request without a usable answer, or answered with an HTTP error; `rawStatus`: HTTP status or REDFISH_STATUS. */
export class BmcFailure extends Error {
  constructor(
    readonly rawStatus: number,
    message: string,
    /** the client was closed while it was in flight */
    readonly closed = false,
    /** a kept-alive socket the BMC had closed: the request never reached it, safe to send again once */
    public staleSocket = false,
  ) {
    super(message);
    this.name = 'BmcFailure';
  }
}

export interface BmcAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The Redfish error message of an error body (`error.@Message.ExtendedInfo[0].Message`, else `error.message`). */
export function redfishMessage(body: string): string | undefined {
  try {
    const j = JSON.parse(body) as {
      error?: { message?: unknown; code?: unknown; '@Message.ExtendedInfo'?: Array<{ Message?: unknown }> };
    };
    const info = j.error?.['@Message.ExtendedInfo']?.[0]?.Message;
    if (typeof info === 'string') return info;
    if (typeof j.error?.message === 'string') return j.error.message;
  } catch {
    // not JSON: no message
  }
  return undefined;
}

/** At most `n` holders at once, first come first served. */
class Permits {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  /** most holders at once since start, for tests */
  peak = 0;
  constructor(private readonly n: number) {
    this.free = n;
  }
  async acquire(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.peak = Math.max(this.peak, this.n - this.free);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

type AuthOptions = Pick<
  RedfishOptions,
  'auth' | 'username' | 'password' | 'token' | 'tls' | 'timeoutMs' | 'maxConcurrency'
>;

export class BmcClient {
  /** where sessions are created; the service root's Links.Sessions when the connector has read it */
  sessionsPath = '/redfish/v1/SessionService/Sessions';
  private agent?: http.Agent;
  private agentReady?: Promise<http.Agent>;
  private readonly permits: Permits;
  private readonly inflight = new Set<http.ClientRequest>();
  private closed = false;
  private session?: { token: string; location?: string };
  private login?: Promise<void>;
  /** a refused login of this gather, not tried again before the next (wrong credentials lock BMC accounts) */
  private loginRefused?: BmcFailure;
  /** requests sent, for tests and stats */
  requests = 0;
  logins = 0;

  constructor(
    /** the BMC's name (options.bmcs key, or "bmc") */
    readonly name: string,
    /** its base URL, ending in / */
    readonly base: URL,
    private readonly o: AuthOptions,
  ) {
    this.permits = new Permits(o.maxConcurrency);
  }

  /** most requests in flight at once since start */
  get peakConcurrency(): number {
    return this.permits.peak;
  }

  /** A new poll: a login refused in the previous one may be tried again. */
  beginGather(): void {
    this.loginRefused = undefined;
  }

  /** `https://10.0.0.5/redfish/v1/Chassis/1U` for messages (no secrets are ever in a BMC URL here). */
  url(path: string): string {
    return new URL(path, this.base).toString();
  }

  /** GET a resource as JSON; throws a BmcFailure naming the URL. */
  async get(path: string): Promise<unknown> {
    const a = await this.authed('GET', path);
    return this.json('GET', path, a);
  }

  /** GET without credentials: the service root, open to anyone (DSP0266), read before a session exists. */
  async getOpen(path: string): Promise<unknown> {
    const a = await this.send('GET', path, undefined, {});
    if (a.status < 200 || a.status >= 300) throw this.httpError('GET', path, a);
    return this.json('GET', path, a);
  }

  /** PATCH a resource with a JSON body; resolves with the answer whatever its status (the caller judges it). */
  async patch(path: string, body: unknown): Promise<BmcAnswer> {
    return this.authed('PATCH', path, JSON.stringify(body), false);
  }

  json(method: string, path: string, a: BmcAnswer): unknown {
    try {
      return JSON.parse(a.body) as unknown;
    } catch (e) {
      const excerpt = a.body.trim().split('\n')[0]?.slice(0, 80) ?? '';
      throw new BmcFailure(
        REDFISH_STATUS.malformed,
        `${method} ${this.url(path)}: not JSON (${(e as Error).message}): ${JSON.stringify(excerpt)}`,
      );
    }
  }

  /** Sends with the credentials; a 401 on a session makes one new login and one more try. */
  private async authed(method: string, path: string, body?: string, throwOnError = true): Promise<BmcAnswer> {
    let answer = await this.withAuth(method, path, body);
    if (answer.status === 401 && this.o.auth === 'session' && !this.closed) {
      this.session = undefined; // the BMC forgot it (expired, restarted)
      answer = await this.withAuth(method, path, body);
    }
    if (throwOnError && (answer.status < 200 || answer.status >= 300)) throw this.httpError(method, path, answer);
    return answer;
  }

  httpError(method: string, path: string, a: BmcAnswer): BmcFailure {
    const msg = redfishMessage(a.body);
    const hint =
      a.status === 401
        ? this.o.auth === 'none'
          ? ' (the BMC wants credentials; expected auth session or basic)'
          : ` (credentials refused${this.o.username !== undefined ? ` for user "${this.o.username}"` : ''})`
        : '';
    return new BmcFailure(a.status, `${method} ${this.url(path)}: HTTP ${a.status}${msg ? `: ${msg}` : ''}${hint}`);
  }

  private async withAuth(method: string, path: string, body?: string): Promise<BmcAnswer> {
    const headers: Record<string, string> = {};
    if (this.o.auth === 'session') {
      await this.ensureSession();
      headers['x-auth-token'] = (this.session as { token: string }).token;
    } else if (this.o.auth === 'basic') {
      headers.authorization = `Basic ${Buffer.from(`${this.o.username}:${this.o.password}`).toString('base64')}`;
    } else if (this.o.auth === 'token') {
      headers['x-auth-token'] = this.o.token as string;
    }
    return this.send(method, path, body, headers);
  }

  private async ensureSession(): Promise<void> {
    if (this.session) return;
    if (this.loginRefused) throw this.loginRefused;
    this.login ??= this.doLogin().finally(() => (this.login = undefined));
    await this.login;
  }

  private async doLogin(): Promise<void> {
    this.logins++;
    const path = this.sessionsPath;
    const a = await this.send(
      'POST',
      path,
      JSON.stringify({ UserName: this.o.username, Password: this.o.password }),
      {},
    );
    if (a.status === 401 || a.status === 403) {
      const f = new BmcFailure(
        a.status,
        `POST ${this.url(path)}: HTTP ${a.status}: session login refused for user "${this.o.username}" (wrong username or password, or the account is locked)`,
      );
      this.loginRefused = f;
      throw f;
    }
    if (a.status < 200 || a.status >= 300) throw this.httpError('POST', path, a);
    const token = a.headers['x-auth-token'];
    if (typeof token !== 'string' || token === '') {
      throw new BmcFailure(
        REDFISH_STATUS.malformed,
        `POST ${this.url(path)}: HTTP ${a.status} without an X-Auth-Token header; expected a Redfish session`,
      );
    }
    let location = typeof a.headers.location === 'string' ? a.headers.location : undefined;
    if (location === undefined) {
      try {
        const id = (JSON.parse(a.body) as { '@odata.id'?: unknown })['@odata.id'];
        if (typeof id === 'string') location = id;
      } catch {
        // no body: the session cannot be deleted at close, it times out on the BMC
      }
    }
    this.session = { token, ...(location !== undefined && { location }) };
  }

  /** The TLS agent, built at the first request (reads tls.ca). */
  private getAgent(): Promise<http.Agent> {
    if (this.agent) return Promise.resolve(this.agent);
    this.agentReady ??= this.makeAgent().then(
      (a) => (this.agent = a),
      (e: unknown) => {
        this.agentReady = undefined;
        throw e;
      },
    );
    return this.agentReady;
  }

  private async makeAgent(): Promise<http.Agent> {
    const common = { keepAlive: true, maxSockets: this.o.maxConcurrency };
    if (this.base.protocol === 'http:') return new http.Agent(common);
    const t = this.o.tls;
    if (t.fingerprint !== undefined) return new PinnedAgent(common, t.fingerprint, this.o.timeoutMs);
    let ca: Buffer | undefined;
    if (t.ca !== undefined) {
      try {
        ca = await fs.readFile(t.ca);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        throw new BmcFailure(
          REDFISH_STATUS.certificate,
          `tls.ca: cannot read ${t.ca}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
        );
      }
    }
    return new https.Agent({
      ...common,
      rejectUnauthorized: true,
      ...(ca !== undefined && { ca }),
      ...(t.serverName !== undefined && { servername: t.serverName }),
    });
  }

  private async send(
    method: string,
    path: string,
    body: string | undefined,
    auth: Record<string, string>,
  ): Promise<BmcAnswer> {
    const release = await this.permits.acquire();
    try {
      // a kept-alive socket the BMC closed while idle fails before the request reaches it: send it again, on
      // another socket (each idle socket of the pool may be stale after a BMC restart, hence a few tries)
      for (let tries = 0; ; tries++) {
        try {
          return await this.attempt(method, path, body, auth);
        } catch (e) {
          if (!(e instanceof BmcFailure && e.staleSocket && !this.closed && tries <= this.o.maxConcurrency)) throw e;
        }
      }
    } finally {
      release();
    }
  }

  private async attempt(
    method: string,
    path: string,
    body: string | undefined,
    auth: Record<string, string>,
    timeoutMs = this.o.timeoutMs,
    force = false,
  ): Promise<BmcAnswer> {
    const where = `${method} ${this.url(path)}`;
    if (this.closed && !force) throw new BmcFailure(0, `${where}: closed`, true);
    const agent = await this.getAgent();
    this.requests++;
    const url = new URL(path, this.base);
    const isHttps = url.protocol === 'https:';
    const headers: Record<string, string> = {
      'user-agent': 'Plenum-redfish-connector/0.1',
      accept: 'application/json',
      'odata-version': '4.0',
      ...auth,
    };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    return new Promise<BmcAnswer>((resolve, reject) => {
      let settled = false;
      const finish = (failure: BmcFailure | undefined, answer?: BmcAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.inflight.delete(req);
        if (failure) {
          req.destroy();
          reject(this.closed && !force ? new BmcFailure(0, `${where}: closed`, true) : failure);
        } else resolve(answer as BmcAnswer);
      };
      const fail = (code: number, what: string) => new BmcFailure(code, `${where}: ${what}`);
      const req = (isHttps ? https : http).request(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port || (isHttps ? 443 : 80),
          path: `${url.pathname}${url.search}`,
          method,
          headers,
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES) {
              finish(fail(REDFISH_STATUS.malformed, `answer larger than ${MAX_BODY_BYTES / 1048576} MiB`));
              return;
            }
            chunks.push(c);
          });
          res.on('aborted', () => finish(fail(REDFISH_STATUS.unreachable, 'connection lost while reading the answer')));
          res.on('error', (e) => finish(fail(REDFISH_STATUS.unreachable, `cannot read the answer: ${e.message}`)));
          res.on('end', () =>
            finish(undefined, {
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      this.inflight.add(req);
      const timer = setTimeout(
        () => finish(fail(REDFISH_STATUS.timeout, `no complete answer within ${timeoutMs} ms (timeoutMs)`)),
        timeoutMs,
      );
      let answered = false;
      req.on('response', () => (answered = true));
      req.on('error', (e: NodeJS.ErrnoException) => {
        const cert = e instanceof PinMismatch || (e.code !== undefined && TLS_CODES.has(e.code));
        const f = fail(
          cert ? REDFISH_STATUS.certificate : REDFISH_STATUS.unreachable,
          cert ? `certificate refused: ${e.message}` : `unreachable: ${e.message}`,
        );
        f.staleSocket = !answered && req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE');
        finish(f);
      });
      req.end(body);
    });
  }

  /** Aborts what is in flight, deletes the session (bounded: 1 s), closes every socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const req of this.inflight) req.destroy();
    this.inflight.clear();
    const s = this.session;
    this.session = undefined;
    if (s?.location !== undefined && this.agent) {
      try {
        const path = new URL(s.location, this.base).pathname;
        await this.attempt(
          'DELETE',
          path,
          undefined,
          { 'x-auth-token': s.token },
          Math.min(LOGOUT_MS, this.o.timeoutMs),
          true,
        );
      } catch {
        // the BMC is gone or slow: the session expires on its own (SessionTimeout)
      }
    }
    this.agent?.destroy();
  }
}

/** Error codes of a certificate Node refuses. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
]);

class PinMismatch extends Error {}

/**
 * An agent that accepts the one certificate whose SHA-256 fingerprint is pinned, whoever signed it: the TLS
 * handshake completes without chain checks, then the fingerprint is compared before the socket is handed to the
 * request, so nothing is sent to a server with another certificate.
 */
class PinnedAgent extends https.Agent {
  /** sockets still in their handshake: no request owns them yet, so a request's timeout cannot end them */
  private readonly pending = new Set<tls.TLSSocket>();

  constructor(
    opts: https.AgentOptions,
    private readonly pin: string,
    /** how long a handshake may take (a black-holed BMC accepts and never answers), ms */
    private readonly handshakeMs: number,
  ) {
    super(opts);
  }

  override destroy(): void {
    for (const s of this.pending) s.destroy();
    this.pending.clear();
    super.destroy();
  }

  override createConnection(
    options: http.ClientRequestArgs,
    cb?: (err: Error | null, stream: Duplex) => void,
  ): undefined {
    // Node's agent always passes the callback, and waits for it before it writes the request
    if (!cb) throw new Error('PinnedAgent.createConnection needs its callback');
    const socket = tls.connect({ ...(options as tls.ConnectionOptions), rejectUnauthorized: false });
    this.pending.add(socket);
    const timer = setTimeout(() => {
      socket.destroy();
      onError(new Error(`no TLS handshake within ${this.handshakeMs} ms (timeoutMs)`));
    }, this.handshakeMs);
    const settle = () => {
      clearTimeout(timer);
      this.pending.delete(socket);
      socket.off('error', onError);
    };
    const onError = (e: Error) => {
      settle();
      cb(e, socket);
    };
    socket.once('error', onError);
    socket.once('close', () => settle());
    socket.once('secureConnect', () => {
      settle();
      const cert = socket.getPeerCertificate();
      const got = (cert.fingerprint256 ?? '').replace(/:/g, '').toUpperCase();
      if (got !== this.pin || got === '') {
        const e = new PinMismatch(
          `the certificate's SHA-256 fingerprint ${fingerprintText(got)} is not the pinned tls.fingerprint ${fingerprintText(this.pin)}`,
        );
        socket.destroy();
        cb(e, socket);
        return;
      }
      cb(null, socket);
    });
    return undefined;
  }
}

/** `AB:CD:…` as openssl prints it. */
export function fingerprintText(hex: string): string {
  return hex.match(/.{1,2}/g)?.join(':') ?? '(none)';
}

/** The SHA-256 fingerprint of a PEM certificate, as tls.fingerprint takes it. */
export function certFingerprint(pem: string | Buffer): string {
  return new crypto.X509Certificate(pem).fingerprint256.replace(/:/g, '');
}
