/**
 * Test helpers of the redfish connector (not shipped code): a BMC-shaped HTTPS server on 127.0.0.1 serving the
 * DMTF mockup `fixtures/devices/redfish/public-rackmount1` (a recorded rack-mount server), certificates made with
 * Debian's openssl, points and sources.
 *
 * The server answers as a BMC does: the service root without credentials, everything else with HTTP basic auth or
 * the X-Auth-Token of a session made by `POST /redfish/v1/SessionService/Sessions` (deleted by DELETE of its
 * Location); Redfish error bodies (Base registry messages); read-only except the chassis power limit — a PATCH of
 * `Chassis/1U/Power` (`PowerControl[0].PowerLimit.LimitInWatts`) or of `Chassis/1U/Controls/PowerLimit`
 * (`SetPoint`, `ControlMode`) — kept in memory, in the range the mockup's Control allows (150–1000 W), and seen in
 * `Power`, `Controls/PowerLimit` and `EnvironmentMetrics` alike. Per path, a test can script an answer (status,
 * raw body, delay) to play a broken BMC. It can be stopped and started again on the same port (a BMC reboot:
 * sessions are forgotten).
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Location, Quantity, ValueType } from '@plenum/model';
import type { SourceInstance, SourcePoint } from '../types';
import { redfishOptions, type RedfishOptions, type RedfishOptionsInput } from './config';
import { RedfishConnector } from './redfish';
import { certFingerprint } from './http';

export { activeHandles, expectNoLeaks, freePort } from '../../testing/handles';

/** The DMTF mockup in the repository (a copy of ../shared/devices/redfish/public-rackmount1). */
export const MOCKUP_DIR = path.resolve(__dirname, '../../../../fixtures/devices/redfish/public-rackmount1');

type Json = Record<string, unknown>;

/** Every resource of a mockup folder by its URI path (`/redfish/v1`, `/redfish/v1/Chassis/1U`, …), deep copies. */
export function loadMockup(dir = MOCKUP_DIR): Map<string, Json> {
  if (!fs.existsSync(path.join(dir, 'index.json'))) throw new Error(`the DMTF Redfish mockup is missing at ${dir}`);
  const out = new Map<string, Json>();
  const walk = (rel: string) => {
    const here = path.join(dir, rel);
    for (const e of fs.readdirSync(here, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(rel, e.name));
      else if (e.name === 'index.json') {
        const uri = `/redfish/v1${rel === '' ? '' : `/${rel.split(path.sep).join('/')}`}`;
        out.set(uri, JSON.parse(fs.readFileSync(path.join(here, e.name), 'utf8')) as Json);
      }
    }
  };
  walk('');
  return out;
}

/** A self-signed certificate for 127.0.0.1 made by openssl in a temp folder (removed), and its fingerprint. */
export function makeCert(cn = 'bmc.test'): { key: string; cert: string; fingerprint: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-bmc-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '2',
        '-subj',
        `/CN=${cn}`,
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    const cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert, fingerprint: certFingerprint(cert) };
  } catch (e) {
    throw new Error(
      `openssl could not make a test certificate (apt-get install -y openssl; CI installs it in .ci/run): ${(e as Error).message}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface SeenRequest {
  method: string;
  path: string;
  /** how it authenticated: basic, session, none, or refused */
  auth: 'basic' | 'session' | 'none' | 'refused';
  body: string;
}

/** A scripted answer for one path: a status and a raw body (garbage allowed), after a delay. */
export interface Scripted {
  status?: number;
  body?: string;
  delayMs?: number;
  /** drop the connection without an answer */
  hangUp?: boolean;
}

export interface BmcServerOptions {
  /** key and certificate (HTTPS), or null for plain HTTP */
  tls: { key: string; cert: string } | null;
  /** user name → password */
  users?: Record<string, string>;
  port?: number;
  mockupDir?: string;
}

const SESSIONS = '/redfish/v1/SessionService/Sessions';
const POWER = '/redfish/v1/Chassis/1U/Power';
const CONTROL = '/redfish/v1/Chassis/1U/Controls/PowerLimit';
const ENV = '/redfish/v1/Chassis/1U/EnvironmentMetrics';

function redfishError(status: number, id: string, message: string): { status: number; body: string } {
  return {
    status,
    body: JSON.stringify({
      error: {
        code: `Base.1.5.0.${id}`,
        message,
        '@Message.ExtendedInfo': [
          { '@odata.type': '#Message.v1_1_1.Message', MessageId: `Base.1.5.0.${id}`, Message: message },
        ],
      },
    }),
  };
}

export class BmcServer {
  readonly requests: SeenRequest[] = [];
  /** path → scripted answer (replaces the mockup's) */
  readonly scripted = new Map<string, Scripted>();
  /** requests being answered now, and the most at once */
  inflight = 0;
  peakInflight = 0;
  /** delay of every answer, ms (a slow BMC) */
  delayMs = 0;
  private resources: Map<string, Json>;
  private readonly sessions = new Map<string, { id: string; user: string }>();
  private server?: http.Server;
  private readonly sockets = new Set<net.Socket>();
  private _port: number;
  private seq = 0;

  constructor(private readonly o: BmcServerOptions) {
    this.resources = loadMockup(o.mockupDir);
    this._port = o.port ?? 0;
  }

  get port(): number {
    return this._port;
  }

  get url(): string {
    return `${this.o.tls ? 'https' : 'http'}://127.0.0.1:${this._port}`;
  }

  /** sessions alive now */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** A resource as the server holds it now (PATCHed values included). */
  resource(uri: string): Json {
    return this.resources.get(uri) as Json;
  }

  /** Back to the mockup as recorded. */
  reset(): void {
    this.resources = loadMockup(this.o.mockupDir);
    this.scripted.clear();
    this.delayMs = 0;
  }

  async start(): Promise<number> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res);
    const s = this.o.tls
      ? https.createServer({ key: this.o.tls.key, cert: this.o.tls.cert }, handler)
      : http.createServer(handler);
    s.on(this.o.tls ? 'secureConnection' : 'connection', (sock: net.Socket) => {
      this.sockets.add(sock);
      sock.once('close', () => this.sockets.delete(sock));
    });
    s.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(this._port, '127.0.0.1', () => resolve());
    });
    this._port = (s.address() as net.AddressInfo).port;
    this.server = s;
    return this._port;
  }

  /** Closes the listener and every connection at once; sessions are forgotten (a reboot). */
  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.sessions.clear();
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private authOf(req: http.IncomingMessage): SeenRequest['auth'] {
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string') return this.sessions.has(token) ? 'session' : 'refused';
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (basic) {
      const [user, ...rest] = Buffer.from(basic[1] as string, 'base64')
        .toString('utf8')
        .split(':');
      return this.o.users?.[user as string] === rest.join(':') ? 'basic' : 'refused';
    }
    return 'none';
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const p = (req.url ?? '/').split('?')[0]?.replace(/\/+$/, '') || '/';
      const auth = this.authOf(req);
      this.requests.push({ method: req.method ?? '', path: p, auth, body });
      this.inflight++;
      this.peakInflight = Math.max(this.peakInflight, this.inflight);
      const script = this.scripted.get(p);
      const delay = script?.delayMs ?? this.delayMs;
      const send = () => {
        this.inflight--;
        if (script?.hangUp) return void req.socket.destroy();
        const a =
          script?.status !== undefined || script?.body !== undefined
            ? { status: script.status ?? 200, body: script.body ?? '', headers: {} }
            : this.answer(req.method ?? 'GET', p, auth, body);
        if (res.destroyed) return;
        res.writeHead(a.status, {
          'content-type': 'application/json; charset=utf-8',
          'odata-version': '4.0',
          ...a.headers,
        });
        res.end(a.body);
      };
      if (delay > 0) setTimeout(send, delay);
      else send();
    });
  }

  private answer(
    method: string,
    p: string,
    auth: SeenRequest['auth'],
    body: string,
  ): { status: number; body: string; headers: Record<string, string> } {
    const plain = (r: { status: number; body: string }, headers: Record<string, string> = {}) => ({ ...r, headers });
    const json = (status: number, v: unknown, headers: Record<string, string> = {}) => ({
      status,
      body: JSON.stringify(v),
      headers,
    });
    // the service root and the session login are open to anyone (DSP0266 "Authentication requirements")
    const open =
      (method === 'GET' && (p === '/redfish' || p === '/redfish/v1')) || (method === 'POST' && p === SESSIONS);
    if (!open && (auth === 'none' || auth === 'refused')) {
      return plain(
        redfishError(401, 'NoValidSession', 'There is no valid session established with the implementation.'),
        {
          'www-authenticate': 'Basic realm="Redfish"',
        },
      );
    }
    if (p === '/redfish' && method === 'GET') return json(200, { v1: '/redfish/v1/' });
    if (method === 'POST' && p === SESSIONS) return this.login(body);
    if (method === 'DELETE' && p.startsWith(`${SESSIONS}/`)) {
      const id = p.slice(SESSIONS.length + 1);
      const token = [...this.sessions].find(([, s]) => s.id === id)?.[0];
      if (token === undefined)
        return plain(redfishError(404, 'ResourceMissingAtURI', `The resource at the URI ${p} was not found.`));
      this.sessions.delete(token);
      return { status: 204, body: '', headers: {} };
    }
    if (method === 'PATCH' && (p === POWER || p === CONTROL)) return this.patch(p, body);
    const r = this.resources.get(p);
    if (!r) return plain(redfishError(404, 'ResourceMissingAtURI', `The resource at the URI ${p} was not found.`));
    if (method !== 'GET') {
      return plain(redfishError(405, 'OperationNotAllowed', 'The HTTP method is not allowed on this resource.'), {
        allow: 'GET',
      });
    }
    return json(200, r);
  }

  private login(body: string): { status: number; body: string; headers: Record<string, string> } {
    let creds: { UserName?: unknown; Password?: unknown };
    try {
      creds = JSON.parse(body) as typeof creds;
    } catch {
      return { ...redfishError(400, 'MalformedJSON', 'The request body submitted was malformed JSON.'), headers: {} };
    }
    if (typeof creds.UserName !== 'string' || this.o.users?.[creds.UserName] !== creds.Password) {
      return {
        ...redfishError(
          401,
          'ResourceAtUriUnauthorized',
          'While accessing the resource, the service received an authorization error.',
        ),
        headers: {},
      };
    }
    const id = String(++this.seq);
    const token = crypto.randomBytes(16).toString('hex');
    this.sessions.set(token, { id, user: creds.UserName });
    const location = `${SESSIONS}/${id}`;
    return {
      status: 201,
      body: JSON.stringify({
        '@odata.id': location,
        '@odata.type': '#Session.v1_5_0.Session',
        Id: id,
        UserName: creds.UserName,
      }),
      headers: { 'x-auth-token': token, location },
    };
  }

  private patch(p: string, body: string): { status: number; body: string; headers: Record<string, string> } {
    const err = (status: number, id: string, message: string) => ({
      ...redfishError(status, id, message),
      headers: {},
    });
    let v: unknown;
    try {
      v = JSON.parse(body);
    } catch {
      return err(400, 'MalformedJSON', 'The request body submitted was malformed JSON.');
    }
    const control = this.resource(CONTROL);
    const min = control.AllowableMin as number;
    const max = control.AllowableMax as number;
    let limit: number | null | undefined;
    let disable = false;
    if (p === POWER) {
      const pc = (v as { PowerControl?: unknown }).PowerControl;
      const member =
        Array.isArray(pc) && pc.length === 1 ? (pc[0] as { PowerLimit?: { LimitInWatts?: unknown } }) : undefined;
      const w = member?.PowerLimit?.LimitInWatts;
      if (!member || (w !== null && typeof w !== 'number')) {
        return err(
          400,
          'PropertyValueFormatError',
          'Expected {"PowerControl":[{"PowerLimit":{"LimitInWatts": <W> | null}}]}.',
        );
      }
      limit = w as number | null;
    } else {
      const c = v as { SetPoint?: unknown; ControlMode?: unknown };
      if (c.ControlMode === 'Disabled') disable = true;
      else if (typeof c.SetPoint === 'number') limit = c.SetPoint;
      else return err(400, 'PropertyValueFormatError', 'Expected {"SetPoint": <W>} or {"ControlMode": "Disabled"}.');
    }
    if (typeof limit === 'number' && (limit < min || limit > max)) {
      return err(
        400,
        'PropertyValueOutOfRange',
        `The value '${limit}' for the property LimitInWatts is not in the supported range of acceptable values (${min}–${max}).`,
      );
    }
    const value = disable ? null : (limit as number | null);
    const power = this.resource(POWER) as { PowerControl: Array<{ PowerLimit: { LimitInWatts: number | null } }> };
    (power.PowerControl[0] as { PowerLimit: { LimitInWatts: number | null } }).PowerLimit.LimitInWatts = value;
    control.ControlMode = value === null ? 'Disabled' : 'Automatic';
    if (value !== null) control.SetPoint = value;
    const env = this.resource(ENV) as { PowerLimitWatts: Json };
    env.PowerLimitWatts.ControlMode = control.ControlMode;
    if (value !== null) env.PowerLimitWatts.SetPoint = value;
    return { status: 200, body: JSON.stringify(this.resource(p)), headers: {} };
  }
}

export async function startBmc(o: BmcServerOptions): Promise<BmcServer> {
  const s = new BmcServer(o);
  await s.start();
  return s;
}

/** A configured point reading `address`, in `unit` (W by default). */
export function sourcePoint(
  id: string,
  address: string,
  o: {
    quantity?: Quantity;
    unit?: string;
    valueType?: ValueType;
    writable?: boolean;
    writeAddress?: string;
    location?: Partial<Location>;
  } = {},
): SourcePoint {
  const quantity = o.quantity ?? 'power';
  const unit = quantity === 'power' ? 'kW' : quantity === 'temperature' ? '°C' : '';
  return {
    id,
    domain: 'IT',
    quantity,
    unit,
    grafanaUnit: quantity === 'power' ? 'kwatt' : 'celsius',
    valueType: o.valueType ?? 'number',
    kind: o.writable ? 'setpoint' : 'measurement',
    writable: o.writable ?? false,
    location: { site: 's', ...o.location },
    tags: [],
    source: {
      connector: 'redfish',
      source: 'test',
      address,
      ...(o.writeAddress !== undefined && { writeAddress: o.writeAddress }),
    },
    sourceUnit: o.unit ?? (quantity === 'power' ? 'W' : unit),
    conversion: { scale: quantity === 'power' && (o.unit ?? 'W') === 'W' ? 0.001 : 1, offset: 0 },
  };
}

/** A source with options parsed by the schema (defaults filled). */
export function redfishSource(
  options: RedfishOptionsInput,
  points: SourcePoint[],
  name = 'test',
  intervalMs = 1000,
): SourceInstance<RedfishOptions> {
  return { name, intervalMs, options: redfishOptions.parse(options), points };
}

export function connector(options: RedfishOptionsInput, points: SourcePoint[], now?: () => number): RedfishConnector {
  return new RedfishConnector(redfishSource(options, points), now);
}
