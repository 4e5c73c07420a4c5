import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Rack } from '@plenum/model';
import type { SourcePoint } from '../connectors/types';
import { WriteError } from '../connectors/types';
import { PowerCapsSchema } from './config';
import { isPowerCapPoint, POWER_CAP_CONNECTOR, PowerCapClient, powerCapPoints } from './power-caps';

/**
 * A BMC's Redfish service on 127.0.0.1: `PATCH /redfish/v1/Chassis/<id>/Power` sets the limit (the BMC may clamp
 * it), a GET reads it back. `answer` overrides the status of the next request of a method.
 */
interface Bmc {
  root: string;
  limits: Map<string, number | null>;
  requests: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  /** the BMC holds at least this many watts whatever it is asked */
  floorW?: number;
  answer: Partial<Record<'PATCH' | 'GET', { status: number; body: string }>>;
  close(): Promise<void>;
}

async function bmc(): Promise<Bmc> {
  const state: Omit<Bmc, 'root' | 'close'> = { limits: new Map(), requests: [], answer: {} };
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const method = req.method as 'PATCH' | 'GET';
      state.requests.push({ method, url: req.url ?? '', headers: req.headers, body });
      const canned = state.answer[method];
      if (canned) {
        delete state.answer[method];
        res.writeHead(canned.status, { 'content-type': 'application/json' }).end(canned.body);
        return;
      }
      const m = /^\/redfish\/v1\/Chassis\/([^/]+)\/Power$/.exec(req.url ?? '');
      if (!m) {
        res.writeHead(404).end();
        return;
      }
      const id = decodeURIComponent(m[1] as string);
      if (method === 'PATCH') {
        const w = (JSON.parse(body) as { PowerControl: Array<{ PowerLimit: { LimitInWatts: number | null } }> })
          .PowerControl[0]?.PowerLimit.LimitInWatts;
        state.limits.set(id, w === null || w === undefined ? null : Math.max(w, state.floorW ?? 0));
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ PowerControl: [{ PowerLimit: { LimitInWatts: state.limits.get(id) ?? null } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    root: `http://127.0.0.1:${port}/redfish/v1/`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  });
}

const rack = (id: string, ratedKw?: number): Rack =>
  ({ id, x: 1, y: 1, assets: [], ...(ratedKw !== undefined && { ratedKw }) }) as unknown as Rack;

const SITE = {
  id: 's1',
  halls: [
    { id: 'hall1', rows: [{ id: 'A', racks: [rack('A01', 130), rack('A02')] }] },
    { id: 'hall2', rows: [{ id: 'C', racks: [rack('C07', 90)] }] },
  ],
};
const AT = Date.UTC(2026, 6, 15, 10);

describe('powerCapPoints', () => {
  it("makes one writable kW setpoint per rack, addressed by the chassis template, bounded by minKw and the rack's rating", () => {
    const caps = PowerCapsSchema.parse({ redfish: 'http://bmc/redfish/v1', chassis: 'rack-{rack}-gpu', minKw: 30 });
    const pts = powerCapPoints(SITE, caps);
    expect(pts.map((p) => [p.id, p.source.address, p.min, p.max])).toEqual([
      ['s1/hall1/A/A01/gpu/power_limit', 'rack-A01-gpu', 30, 130],
      ['s1/hall1/A/A02/gpu/power_limit', 'rack-A02-gpu', 30, undefined],
      ['s1/hall2/C/C07/gpu/power_limit', 'rack-C07-gpu', 30, 90],
    ]);
    for (const p of pts) {
      expect(p).toMatchObject({
        writable: true,
        kind: 'setpoint',
        quantity: 'power',
        unit: 'kW',
        source: { connector: POWER_CAP_CONNECTOR },
        conversion: { scale: 1, offset: 0 },
      });
      expect(p.location.rack).toBe(p.id.split('/')[3]);
    }
    // the default chassis id is the rack id
    expect(powerCapPoints(SITE, PowerCapsSchema.parse({ redfish: 'http://bmc' }))[2]?.source.address).toBe('C07');
  });
  it("tells its virtual points from a configured redfish source's, whose writes go through that source's runner", () => {
    const [cap] = powerCapPoints(SITE, PowerCapsSchema.parse({ redfish: 'http://bmc' }));
    expect(isPowerCapPoint(cap)).toBe(true);
    const bmc = { source: { connector: POWER_CAP_CONNECTOR, source: 'rack-bmcs', address: 'A01:powerLimit' } };
    expect(isPowerCapPoint(bmc as SourcePoint)).toBe(false);
    expect(isPowerCapPoint(undefined)).toBe(false);
  });
});

describe('PowerCapClient', () => {
  let b: Bmc;
  beforeEach(async () => {
    b = await bmc();
  });
  afterEach(() => b.close());

  const setup = (extra: object = {}) => {
    const caps = PowerCapsSchema.parse({ redfish: b.root, chassis: 'rack {rack}', token: 'tok-123', ...extra });
    const points = powerCapPoints(SITE, caps);
    return { client: new PowerCapClient(caps, () => AT), a01: points[0] as SourcePoint };
  };

  it('requests a cap: PATCHes the limit in watts with the token, reads it back in kW', async () => {
    const { client, a01 } = setup();
    const out = await client.write(a01, 87.5);
    expect(b.requests.map((r) => [r.method, r.url])).toEqual([
      ['PATCH', '/redfish/v1/Chassis/rack%20A01/Power'],
      ['GET', '/redfish/v1/Chassis/rack%20A01/Power'],
    ]);
    const patch = b.requests[0] as Bmc['requests'][number];
    expect(JSON.parse(patch.body)).toEqual({ PowerControl: [{ PowerLimit: { LimitInWatts: 87500 } }] });
    expect(patch.headers).toMatchObject({ 'x-auth-token': 'tok-123', 'content-type': 'application/json' });
    expect(b.requests[1]?.headers['x-auth-token']).toBe('tok-123');
    expect(b.limits.get('rack A01')).toBe(87500);
    expect(out).toEqual({ readBack: 87.5, rawStatus: 0, at: AT });
    expect(client.known.get(a01.id)).toBe(87.5);
  });

  it('releases a cap with a null limit; the read-back is null (no cap)', async () => {
    const { client, a01 } = setup();
    await client.write(a01, 60);
    const out = await client.write(a01, null);
    expect(JSON.parse(b.requests[2]?.body ?? '')).toEqual({ PowerControl: [{ PowerLimit: { LimitInWatts: null } }] });
    expect(out.readBack).toBeNull();
    expect(b.limits.get('rack A01')).toBeNull();
    expect(client.known.get(a01.id)).toBeNull();
  });

  it('reports what the BMC holds, not what was asked (the guard compares the read-back)', async () => {
    const { client, a01 } = setup();
    b.floorW = 40_000;
    expect((await client.write(a01, 25)).readBack).toBe(40);
    expect(client.known.get(a01.id)).toBe(40);
  });

  it('sends no token when none is configured', async () => {
    const caps = PowerCapsSchema.parse({ redfish: b.root });
    const p = powerCapPoints(SITE, caps)[0] as SourcePoint;
    await new PowerCapClient(caps, () => AT).write(p, 50);
    expect(b.requests[0]?.headers['x-auth-token']).toBeUndefined();
  });

  it("a refusal (4xx) is a 'refused' WriteError naming the point, the request, the status and Redfish's message", async () => {
    const { client, a01 } = setup();
    b.answer.PATCH = {
      status: 400,
      body: JSON.stringify({
        error: {
          code: 'Base.1.8.GeneralError',
          message: 'A general error has occurred.',
          '@Message.ExtendedInfo': [{ Message: 'The value 5000 for LimitInWatts is below the minimum 20000.' }],
        },
      }),
    };
    const err = await client.write(a01, 5).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteError);
    expect(err).toMatchObject({
      kind: 'refused',
      rawStatus: 400,
      message: `${a01.id}: PATCH ${b.root}Chassis/rack%20A01/Power: HTTP 400: The value 5000 for LimitInWatts is below the minimum 20000.`,
    });
    expect(client.known.has(a01.id)).toBe(false);
    expect(b.requests).toHaveLength(1); // no read-back of a refused write
  });

  it("a BMC failing (5xx) is a 'device' WriteError; without a Redfish body the status text is the message", async () => {
    const { client, a01 } = setup();
    b.answer.PATCH = { status: 503, body: 'busy' };
    const err = await client.write(a01, 50).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'device', rawStatus: 503 });
    expect((err as Error).message).toBe(
      `${a01.id}: PATCH ${b.root}Chassis/rack%20A01/Power: HTTP 503: Service Unavailable`,
    );
  });

  it("an unreachable BMC is a 'device' WriteError naming the point and the URL", async () => {
    const { client, a01 } = setup();
    await b.close();
    const err = await client.write(a01, 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteError);
    expect(err).toMatchObject({ kind: 'device' });
    expect((err as Error).message).toMatch(
      new RegExp(`^${a01.id}: PATCH ${b.root}Chassis/rack%20A01/Power: .*ECONNREFUSED`),
    );
    b = await bmc(); // afterEach closes it
  });

  it("a read-back that fails is a 'device' WriteError naming the point and the GET, not a bare parse error", async () => {
    const { client, a01 } = setup();
    b.answer.GET = { status: 500, body: '<html>internal error</html>' };
    const err = await client.write(a01, 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteError);
    expect(err).toMatchObject({ kind: 'device', rawStatus: 500 });
    expect((err as Error).message).toBe(
      `${a01.id}: GET ${b.root}Chassis/rack%20A01/Power: HTTP 500: Internal Server Error`,
    );
    expect(client.known.has(a01.id)).toBe(false);
  });
});
