/**
 * The simulator's control API (HTTP, JSON): inject and clear faults, list and add jobs, read the ground truth,
 * the true state and the lost GPU-hours, the readings and the point catalog, write setpoints. Meant for tests,
 * demos and scoring scripts on the same machine (127.0.0.1); README.md lists the routes. The same port serves the
 * racks' power limits shaped like Redfish under `/redfish/v1` (redfish.ts).
 */
import * as http from 'node:http';
import { z } from 'zod';
import { PlenumError, errorMessage } from '../common/errors';
import { formatIssues } from '../common/zod-issues';
import { SimInputError, SimNotFoundError, type FaultType, type HallModel, type Job } from './model';
import { closeHttp, listenHttp } from './http-server';
import { RedfishService } from './redfish';
import { RedfishError, type BaseMessage } from './redfish-errors';

/** What the API drives: the model, and a way to bring it up to the current simulated time first. */
export interface ControlTarget {
  model: HallModel;
  /** advances the model to now (simulated), so a change lands at the right time */
  sync(): void;
  /** extra fields for GET /health (speed, ports) */
  info(): Record<string, unknown>;
}

export interface ControlApiOptions {
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port; @default 4900 */
  port?: number;
  log?: (message: string) => void;
}

const MAX_BODY_BYTES = 64 * 1024;

const time = z
  .union([z.number().finite(), z.string().max(40)])
  .describe('Unix ms or ISO 8601; a time in the past means now');

const FaultBody = z.strictObject({
  type: z.string(),
  target: z.string().min(1),
  params: z.record(z.string(), z.number()).optional(),
  /** ends by itself after this long */
  durationS: z.number().positive().optional(),
  start: time.optional(),
});

const JobBody = z.strictObject({
  id: z.string().optional(),
  user: z.string().optional(),
  racks: z.array(z.string()).min(1),
  gpus: z.number().int().positive().optional(),
  expectedKwPerRack: z.number(),
  start: time.optional(),
  durationS: z.number().positive(),
  rampS: z.number().positive().optional(),
  stepPeriodS: z.number().positive().optional(),
  ripple: z.number().optional(),
});

/** `value: null` relinquishes an override or removes a power limit; `by` names the writer in the ground truth. */
const WriteBody = z.strictObject({
  pointId: z.string().min(1),
  value: z.number().nullable(),
  by: z.string().min(1).max(64).optional(),
});

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function parseTime(v: string | number | undefined, field: string): number | undefined {
  if (v === undefined || typeof v === 'number') return v;
  const ms = Date.parse(v);
  if (Number.isNaN(ms))
    throw new HttpError(400, `body.${field}: expected Unix ms or an ISO 8601 time; got ${JSON.stringify(v)}`);
  return ms;
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new HttpError(400, formatIssues(r.error.issues, ['body']).join('; '));
  return r.data;
}

function jobView(j: Job, now: number) {
  const end = j.start + j.durationMs;
  return { ...j, state: now < j.start ? 'scheduled' : now < end ? 'running' : 'done', end };
}

/** notifications kept for GET /notify */
const MAX_NOTIFICATIONS = 200;

export class ControlApi {
  /** what Plenum told the power management and the scheduler, oldest first */
  readonly notifications: Array<{ to: string; time: number; body: unknown }> = [];
  private server?: http.Server;
  private boundPort?: number;
  private readonly log: (message: string) => void;
  private readonly redfish: RedfishService;

  constructor(
    private readonly target: ControlTarget,
    private readonly opts: ControlApiOptions = {},
  ) {
    this.log = opts.log ?? ((m) => console.warn(m));
    this.redfish = new RedfishService(target);
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  async start(): Promise<number> {
    if (this.server) throw new Error('control API: already started');
    const host = this.opts.host ?? '127.0.0.1';
    const port = this.opts.port ?? 4900;
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => this.log(`control API: ${errorMessage(err)}`));
    });
    this.server = server;
    try {
      this.boundPort = await listenHttp(server, host, port, 'control API', (m) => this.log(m));
    } catch (err) {
      this.server = undefined;
      throw err;
    }
    return this.boundPort;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeHttp(server);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const send = (status: number, body: unknown) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(`${JSON.stringify(body)}\n`);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname === '/redfish' || url.pathname.startsWith('/redfish/')) {
        return await this.handleRedfish(req, res, url);
      }
      const body = req.method === 'POST' ? await readJson(req) : undefined;
      const out = this.route(req.method ?? 'GET', url, body);
      if (typeof out.body === 'string') {
        res.writeHead(out.status, { 'content-type': 'application/x-ndjson; charset=utf-8' }).end(out.body);
      } else send(out.status, out.body);
    } catch (err) {
      if (err instanceof HttpError) send(err.status, { error: err.message });
      else if (err instanceof SimNotFoundError) send(404, { error: err.message });
      else if (err instanceof SimInputError) send(400, { error: err.message });
      else if (err instanceof PlenumError && err.origin === 'device') send(409, { error: err.message });
      else {
        this.log(`control API: ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
        send(500, { error: `internal error: ${errorMessage(err)}` });
      }
    }
  }

  /** A Redfish request: JSON in and out with OData-Version 4.0, every error a Redfish error body. */
  private async handleRedfish(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    let out;
    try {
      const body = req.method === 'PATCH' || req.method === 'POST' ? await readJson(req) : undefined;
      out = this.redfish.handle(req.method ?? 'GET', url.pathname, body);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      const id: BaseMessage = status === 413 ? 'PayloadTooLarge' : status === 400 ? 'MalformedJSON' : 'InternalError';
      out = new RedfishError(status, id, [], [], errorMessage(err)).response();
    }
    if (res.headersSent) return;
    res
      .writeHead(out.status, {
        'content-type': 'application/json; charset=utf-8',
        'OData-Version': '4.0',
        ...out.headers,
      })
      .end(`${JSON.stringify(out.body)}\n`);
  }

  private route(method: string, url: URL, body: unknown): { status: number; body: unknown } {
    const { model } = this.target;
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const route = `${method} ${path.startsWith('/faults/') ? '/faults/:id' : path.startsWith('/notify/') ? '/notify/:to' : path}`;
    switch (route) {
      // the site's power management and scheduler, as far as a twin needs them: they receive Plenum's
      // notifications (job start/end, caps, cooling faults) and show what they got
      case 'POST /notify/:to': {
        const to = path.slice('/notify/'.length);
        this.notifications.push({ to, time: model.now(), body });
        if (this.notifications.length > MAX_NOTIFICATIONS) this.notifications.shift();
        return { status: 202, body: { received: true } };
      }
      case 'GET /notify':
        return { status: 200, body: { notifications: this.notifications } };
      case 'GET /health':
        this.target.sync();
        return {
          status: 200,
          body: {
            ok: true,
            simTime: new Date(model.now()).toISOString(),
            simTimeMs: model.now(),
            seed: model.seed,
            ...this.target.info(),
          },
        };
      case 'GET /faults': {
        // upcoming faults of the seeded schedule stay hidden unless asked for: they are the answers being scored
        const upcoming = url.searchParams.get('upcoming') === 'true';
        const faults = model.faults().filter((f) => upcoming || f.source === 'api' || f.state !== 'scheduled');
        return { status: 200, body: { faults } };
      }
      case 'POST /faults': {
        const b = parseBody(FaultBody, body);
        this.target.sync();
        const fault = model.injectFault({
          type: b.type as FaultType,
          target: b.target,
          params: b.params,
          start: parseTime(b.start, 'start'),
          durationMs: b.durationS === undefined ? undefined : Math.round(b.durationS * 1000),
        });
        return { status: 201, body: { fault } };
      }
      case 'DELETE /faults/:id': {
        this.target.sync();
        return { status: 200, body: { fault: model.clearFault(decodeURIComponent(path.slice('/faults/'.length))) } };
      }
      case 'GET /jobs': {
        const now = model.now();
        const state = url.searchParams.get('state');
        const jobs = model.jobs().map((j) => jobView(j, now));
        return { status: 200, body: { jobs: state ? jobs.filter((j) => j.state === state) : jobs } };
      }
      case 'POST /jobs': {
        const b = parseBody(JobBody, body);
        this.target.sync();
        const s = (v: number | undefined) => (v === undefined ? undefined : Math.round(v * 1000));
        const job = model.addJob({
          id: b.id,
          user: b.user,
          racks: b.racks,
          gpus: b.gpus,
          expectedKwPerRack: b.expectedKwPerRack,
          start: parseTime(b.start, 'start'),
          durationMs: s(b.durationS) as number,
          rampMs: s(b.rampS),
          stepPeriodMs: s(b.stepPeriodS),
          ripple: b.ripple,
        });
        return { status: 201, body: { job: jobView(job, model.now()) } };
      }
      case 'GET /ground-truth': {
        const entries = model.groundTruth().map((e) => ({ ...e, isoTime: new Date(e.time).toISOString() }));
        if (url.searchParams.get('format') === 'jsonl') {
          return { status: 200, body: entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '') };
        }
        return { status: 200, body: { entries } };
      }
      case 'GET /truth': {
        // the true state (not what sensors read) and the GPU-hours jobs lost to power caps and thermal slowdown
        this.target.sync();
        return {
          status: 200,
          body: {
            time: model.now(),
            isoTime: new Date(model.now()).toISOString(),
            state: model.truth(),
            powerLimits: model.rackPowerLimits(),
            lostGpuHours: model.lostGpuHours(),
            energy: model.energy(),
          },
        };
      }
      case 'GET /readings': {
        const prefix = url.searchParams.get('prefix') ?? '';
        const readings: Record<string, unknown> = {};
        for (const [id, r] of model.readings()) if (id.startsWith(prefix)) readings[id] = r;
        return { status: 200, body: { time: model.now(), readings } };
      }
      case 'GET /signals':
        return { status: 200, body: { signals: model.signals() } };
      case 'POST /write': {
        const b = parseBody(WriteBody, body);
        this.target.sync();
        model.write(b.pointId, b.value, b.by);
        return { status: 200, body: { pointId: b.pointId, reading: model.reading(b.pointId) } };
      }
      default: {
        const known = [
          '/health',
          '/faults',
          '/jobs',
          '/ground-truth',
          '/truth',
          '/readings',
          '/signals',
          '/write',
          '/notify',
        ];
        const exists = known.includes(path) || path.startsWith('/faults/');
        throw new HttpError(
          exists ? 405 : 404,
          exists
            ? `${method} is not supported on ${path}`
            : `no route ${method} ${path}; routes: GET /health, GET|POST /faults, DELETE /faults/:id, GET|POST /jobs, GET /ground-truth, GET /truth, GET /readings, GET /signals, POST /write, POST /notify/<to>, GET /notify, /redfish/v1/…`,
        );
      }
    }
  }
}

/** Reads a JSON body of at most MAX_BODY_BYTES; an empty body reads as undefined. */
function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // keep draining so the 413 answer reaches the client; just stop keeping the bytes
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('error', (err) => reject(new HttpError(400, `reading the body failed: ${err.message}`)));
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return reject(new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`));
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch (err) {
        reject(new HttpError(400, `body: not JSON (${errorMessage(err)})`));
      }
    });
  });
}
