// node-opcua requires hexy, an ES module Jest's CommonJS runtime cannot load (plain Node 20.20 can): a stand-in
// for its only use, hex dumps in debug output
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));

import * as fs from 'node:fs';
import * as path from 'node:path';
import { LogLevel, MessageSecurityMode, OPCUACertificateManager, SecurityPolicy, setLogLevel } from 'node-opcua';
import { parse } from 'yaml';
import { SourceRunner } from '../runner';
import type { ConnectorDefinition, SourceSample } from '../types';
import { createOpcUa } from './connector';
import { opcua } from './index';
import { OpcUaLink, STATUS } from './link';
import { OpcUaPoller, OpcUaSubscriber } from './opcua';
import { listRejected, trustServer } from './pki';
import { parsePoints } from './points';
import { browsePoints, pointTemplates } from './browse';
import { runCli } from './cli';
import {
  activeHandles,
  collector,
  expectNoLeaks,
  opcuaPoint,
  SIM_NS,
  simPoints,
  source,
  startSim,
  tempDir,
  type SimPeer,
} from './testkit';
import type { OpcUaOptionsInput } from './config';
import type { SourcePoint } from '../types';

setLogLevel(LogLevel.Error); // node-opcua's own warnings would flood the output

const CRAH = ['fan_speed', 'supply_temp', 'supply_setpoint', 'valve', 'return_temp', 'airflow', 'filter_dp'];
const CDU = ['supply_temp', 'supply_setpoint', 'return_temp', 'flow', 'pump_speed', 'heat_load'];
/** every node id the simulator serves */
const ALL = [
  ...[1, 2, 3, 4].flatMap((c) => CRAH.map((s) => `hall1.crah${c}.${s}`)),
  ...CDU.map((s) => `hall1.cdu1.${s}`),
  ...['A', 'B', 'C', 'D'].flatMap((row) =>
    Array.from({ length: 10 }, (_, i) => `${row}${String(i + 1).padStart(2, '0')}`).flatMap((rack) =>
      ['inlet_temp', 'exhaust_temp'].map((s) => `hall1.${row}.${rack}.env.${s}`),
    ),
  ),
];

const logs: string[] = [];
const deps = { log: (m: string) => void logs.push(m) };

function subscriber(options: OpcUaOptionsInput, points: SourcePoint[], intervalMs = 200): OpcUaSubscriber {
  const s = source(options, points, intervalMs);
  return new OpcUaSubscriber(s, parsePoints(s), deps);
}

function poller(options: OpcUaOptionsInput, points: SourcePoint[]): OpcUaPoller {
  const s = source({ ...options, mode: 'poll' }, points);
  return new OpcUaPoller(s, parsePoints(s), deps);
}

const good = (all: SourceSample[], ids: readonly string[]) =>
  ids.every((id) => all.some((s) => s.pointId === id && s.quality === 'good'));

describe('opcua connector against the simulator', () => {
  let dir: string;
  let sim: SimPeer;
  let pki: string;
  let before: Record<string, number>;

  beforeAll(async () => {
    dir = tempDir();
    pki = path.join(dir, 'client-pki');
    sim = await startSim({ pkiDir: path.join(dir, 'server-pki'), users: { operator: 'secret' } });
  });
  afterAll(async () => {
    await sim?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    before = activeHandles();
  });
  afterEach(async () => {
    await expectNoLeaks(before, 3000);
  });

  it('delivers values by subscription with good quality and the source timestamps', async () => {
    const ids = ['hall1.crah1.supply_temp', 'hall1.crah1.fan_speed', 'hall1.cdu1.flow', 'hall1.A.A01.env.inlet_temp'];
    const points = [
      ...simPoints(ids),
      opcuaPoint('fast', `nsu=${SIM_NS};s=hall1.crah2.supply_temp;sampling=100;deadband=abs:0.001`),
      opcuaPoint('pct', `nsu=${SIM_NS};s=hall1.crah2.valve;deadband=pct:0.5;queue=5`),
    ];
    const c = subscriber({ endpoint: sim.endpoint, pkiDir: pki }, points);
    const got = collector();
    const t0 = Date.now();
    await c.start(got.sink);
    await got.until('a good value of every point', (all) => good(all, [...ids, 'fast', 'pct']));
    await c.stop();
    for (const s of got.samples) {
      expect(s.quality).toBe('good');
      expect(s.rawStatus).toBeUndefined();
      expect(typeof s.value).toBe('number');
      // the simulator stamps values with its model time (100 ms steps), not the arrival time
      expect((sim.model.now() - s.ts) % 100).toBe(0);
      expect(s.ts).toBeGreaterThan(t0 - 60_000);
      expect(s.ts).toBeLessThanOrEqual(Date.now());
    }
    // three parameter sets (default, fast, pct) → three CreateMonitoredItems calls in one subscription
    expect(c.stats.createMonitoredItemsCalls).toBe(3);
    expect(c.stats.subscriptions).toBe(1);
    expect(c.stats.monitoredItems).toBe(6);
    expect(c.state).toBe('stopped');
  });

  it('polls with batched reads when mode is poll, and marks unknown nodes and namespaces bad', async () => {
    const ids = ALL.slice(0, 7);
    const points = [
      ...simPoints(ids),
      opcuaPoint('nonode', `nsu=${SIM_NS};s=hall1.crah9.supply_temp`),
      opcuaPoint('nons', 'nsu=urn:nowhere;i=1'),
      opcuaPoint('state', 'i=2259'), // Server_ServerStatus_State, an enum (Int32) in namespace 0
    ];
    const c = poller({ endpoint: sim.endpoint, pkiDir: pki, maxItemsPerCall: 3 }, points);
    const got = collector();
    await c.gather(got.sink);
    await c.close();
    expect(c.readSizes).toEqual([3, 3, 3]); // 9 readable nodes (the unknown namespace is never read)
    const by = new Map(got.samples.map((s) => [s.pointId, s]));
    for (const id of ids) expect(by.get(id)).toMatchObject({ quality: 'good' });
    expect(by.get('nonode')).toMatchObject({ quality: 'bad', value: 0, rawStatus: STATUS.badNodeIdUnknown });
    expect(by.get('nons')).toMatchObject({ quality: 'bad', value: 0, rawStatus: STATUS.badNodeIdUnknown });
    expect(by.get('state')).toMatchObject({ quality: 'good', value: 0 }); // ServerState.Running
    expect(logs.some((l) => l.includes('"urn:nowhere"') && l.includes('"nons"'))).toBe(true);
  });

  it('turns a device_offline fault into bad samples keeping the raw status, and back', async () => {
    const ids = ['hall1.cdu1.flow', 'hall1.cdu1.supply_setpoint', 'hall1.crah3.supply_temp'];
    const c = subscriber({ endpoint: sim.endpoint, pkiDir: pki }, simPoints(ids));
    const got = collector();
    await c.start(got.sink);
    await got.until('good values', (all) => good(all, ids));
    const fault = sim.model.injectFault({ type: 'device_offline', target: 'cdu1' });
    const from = got.samples.length;
    await got.until('bad CDU values', () =>
      ['hall1.cdu1.flow', 'hall1.cdu1.supply_setpoint'].every((id) =>
        got.since(from).some((s) => s.pointId === id && s.quality === 'bad'),
      ),
    );
    for (const s of got.since(from).filter((x) => x.pointId.includes('cdu1') && x.quality === 'bad')) {
      expect(s).toMatchObject({ value: 0, rawStatus: 0x80310000 }); // BadNoCommunication, as the server sent it
    }
    sim.model.clearFault(fault.id);
    const back = got.samples.length;
    await got.until('good CDU values again', () =>
      got.since(back).some((s) => s.pointId === 'hall1.cdu1.flow' && s.quality === 'good'),
    );
    await c.stop();
  });

  it('browses a folder into point templates, within depth and count limits', async () => {
    const link = await OpcUaLink.open({
      source: 'browse',
      options: source({ endpoint: sim.endpoint, pkiDir: pki, mode: 'poll' }, []).options,
      pkiDir: pki,
      log: () => undefined,
      events: { lost: () => undefined, restored: () => undefined, namespaces: () => undefined, dead: () => undefined },
    });
    try {
      const all = await browsePoints(link, `nsu=${SIM_NS};s=hall1`, { maxDepth: 4 });
      const served = sim.server.served;
      expect(all.variables.map((v) => v.address).sort()).toEqual(served.map((n) => `nsu=${SIM_NS};s=${n.id}`).sort());
      expect(all.truncated).toBe(false);
      const shallow = await browsePoints(link, `nsu=${SIM_NS};s=hall1`, { maxDepth: 2 });
      // hall-level assets (CRAHs, the CDU, the plant) are 2 levels down, the rack sensors 4
      expect(shallow.variables).toHaveLength(served.filter((n) => n.path.length === 2).length);
      expect(shallow.unexplored).toBe(40); // rack folders not entered
      const few = await browsePoints(link, `nsu=${SIM_NS};s=hall1`, {
        maxDepth: 4,
        maxVariables: 10,
      });
      expect(few.variables).toHaveLength(10);
      expect(few.truncated).toBe(true);
      const yaml = parse(pointTemplates(all)) as Record<string, unknown>[];
      expect(yaml).toContainEqual({
        asset: 'hall1/-/-/crah1',
        signal: 'supply_temp',
        quantity: 'temperature',
        unit: '°C',
        min: 0,
        max: 40,
        address: `nsu=${SIM_NS};s=hall1.crah1.supply_temp`,
      });
      expect(yaml).toContainEqual(
        expect.objectContaining({
          asset: 'hall1/-/-/cdu1',
          signal: 'supply_setpoint',
          kind: 'setpoint',
          writable: true,
        }),
      );
      expect(yaml).toContainEqual(
        expect.objectContaining({ asset: 'hall1/B/B07/env', signal: 'exhaust_temp', quantity: 'temperature' }),
      );
      expect(yaml).toContainEqual(expect.objectContaining({ signal: 'fan_speed', quantity: 'speed', unit: '%' }));
    } finally {
      await link.close();
    }
  });

  it('chooses SignAndEncrypt by default (securityMode auto): refused until the server is trusted, never downgraded', async () => {
    const autoPki = path.join(dir, 'auto-pki');
    const logs: string[] = [];
    const open = () =>
      OpcUaLink.open({
        source: 'auto',
        // no securityMode: the default, auto (testkit's source() says None unless told)
        options: source({ endpoint: sim.endpoint, pkiDir: autoPki, mode: 'poll', securityMode: 'auto' }, []).options,
        pkiDir: autoPki,
        log: (m) => void logs.push(m),
        events: {
          lost: () => undefined,
          restored: () => undefined,
          namespaces: () => undefined,
          dead: () => undefined,
        },
      });
    // the simulator offers None, Sign and SignAndEncrypt: auto takes SignAndEncrypt, and an unknown server
    // certificate is refused as with an explicit SignAndEncrypt (not a quiet fall back to None)
    await expect(open()).rejects.toThrow(
      `${sim.endpoint}: the server certificate is not trusted (BadCertificateUntrusted)`,
    );
    await trustServer(autoPki, sim.endpoint);
    const link = await open();
    try {
      expect(link.client.securityMode).toBe(MessageSecurityMode.SignAndEncrypt);
      // the strongest current policy the simulator offers
      expect([
        SecurityPolicy.Aes256_Sha256_RsaPss,
        SecurityPolicy.Aes128_Sha256_RsaOaep,
        SecurityPolicy.Basic256Sha256,
      ]).toContain(link.client.securityPolicy);
      expect(logs.filter((l) => l.includes('neither signed nor encrypted'))).toEqual([]);
    } finally {
      await link.close();
    }
  });

  it('refuses an untrusted server certificate with SignAndEncrypt, then connects once trusted; checks passwords', async () => {
    const secure = {
      endpoint: sim.endpoint,
      pkiDir: pki,
      securityMode: 'SignAndEncrypt',
      securityPolicy: 'Basic256Sha256',
      auth: { type: 'username', username: 'operator', password: 'secret' },
    } as const;
    const ids = ['hall1.crah4.supply_temp'];
    const first = subscriber(secure, simPoints(ids));
    const err = await first.start(collector().sink).then(
      () => undefined,
      (e: Error) => e,
    );
    await first.stop();
    expect(err?.message).toContain(`${sim.endpoint}: the server certificate is not trusted (BadCertificateUntrusted)`);
    expect(err?.message).toContain(path.join(pki, 'rejected'));
    expect(err?.message).toContain(`cli.ts trust --pki ${pki} --endpoint ${sim.endpoint}`);
    const rejected = listRejected(pki);
    expect(rejected).toHaveLength(1);

    const info = await trustServer(pki, sim.endpoint);
    expect(info.thumbprint).toBe(rejected[0]!.thumbprint);
    expect(listRejected(pki)).toHaveLength(0);

    const c = subscriber(secure, simPoints(ids));
    const got = collector();
    await c.start(got.sink);
    await got.until('a value over SignAndEncrypt', (all) => good(all, ids));
    await c.stop();

    const wrong = subscriber({ ...secure, auth: { ...secure.auth, password: 'nope' } }, simPoints(ids));
    const refused = await wrong.start(collector().sink).then(
      () => undefined,
      (e: Error) => e,
    );
    await wrong.stop();
    expect(refused?.message).toMatch(/the server refused user "operator" \(BadUserAccessDenied\)/);
    expect(refused?.message).not.toContain('nope');

    const noEndpoint = subscriber({ ...secure, securityPolicy: 'Basic256' }, simPoints(ids));
    await expect(noEndpoint.start(collector().sink)).rejects.toThrow(
      `${sim.endpoint}: the server offers no endpoint with securityMode SignAndEncrypt and securityPolicy Basic256; list its endpoints: npx tsx backend/src/connectors/opcua/cli.ts endpoints --endpoint ${sim.endpoint}`,
    );
    await noEndpoint.stop();

    // certificate user authentication: a self-signed user certificate (the simulator accepts any)
    const userPki = new OPCUACertificateManager({ rootFolder: path.join(dir, 'user-pki'), disableFileWatchers: true });
    await userPki.initialize();
    const certificateFile = path.join(dir, 'user-cert.pem');
    await userPki.createSelfSignedCertificate({
      applicationUri: 'urn:test:operator',
      subject: '/CN=operator',
      dns: [],
      startDate: new Date(),
      validity: 30,
      outputFile: certificateFile,
    });
    await userPki.dispose();
    const privateKeyFile = path.join(dir, 'user-pki', 'own', 'private', 'private_key.pem');
    const byCert = subscriber(
      { ...secure, auth: { type: 'certificate', certificateFile, privateKeyFile } },
      simPoints(ids),
    );
    const gc = collector();
    await byCert.start(gc.sink);
    await gc.until('a value with certificate user authentication', (all) => good(all, ids));
    await byCert.stop();

    for (const policy of ['Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const) {
      const p = subscriber({ ...secure, securityMode: 'Sign', securityPolicy: policy }, simPoints(ids));
      const g = collector();
      await p.start(g.sink);
      await g.until(`a value over Sign ${policy}`, (all) => good(all, ids));
      await p.stop();
    }
  }, 30_000);

  it('CLI: browse prints point templates; rejected lists refused servers; trust --cert trusts one', async () => {
    const out: string[] = [];
    const print = (line: string) => void out.push(line);
    const cliPki = path.join(dir, 'cli-pki');
    const root = `nsu=${SIM_NS};s=hall1.cdu1`;
    expect(
      await runCli(
        [
          'browse',
          '--endpoint',
          sim.endpoint,
          '--root',
          root,
          '--hall',
          'hall1',
          '--pki',
          cliPki,
          '--security-mode',
          'None',
        ],
        print,
      ),
    ).toBe(0);
    const templates = parse(out.join('\n')) as { asset: string; address: string }[];
    expect(templates.map((t) => t.address)).toEqual(
      sim.server.served.filter((n) => n.path.join('.') === 'hall1.cdu1').map((n) => `nsu=${SIM_NS};s=${n.id}`),
    );
    expect(new Set(templates.map((t) => t.asset))).toEqual(new Set(['hall1/-/-/cdu1']));

    const refused = subscriber(
      { endpoint: sim.endpoint, pkiDir: cliPki, securityMode: 'Sign' },
      simPoints(['hall1.cdu1.flow']),
    );
    await expect(refused.start(collector().sink)).rejects.toThrow(/not trusted/);
    await refused.stop();
    out.length = 0;
    await runCli(['rejected', '--pki', cliPki], print);
    expect(out).toHaveLength(1);
    const file = /(\S+\.pem)$/.exec(out[0]!)?.[1] as string;
    out.length = 0;
    await runCli(['trust', '--pki', cliPki, '--cert', file], print);
    expect(out[0]).toMatch(/^trusted .*commonName=/);
    expect(listRejected(cliPki)).toEqual([]);
    expect(fs.readdirSync(path.join(cliPki, 'trusted', 'certs'))).toHaveLength(1);
    await expect(runCli(['trust', '--pki', cliPki], print)).rejects.toThrow('trust needs one of --endpoint or --cert');
    await expect(runCli(['browse', '--endpoint', 'http://x', '--root', 'i=85'], print)).rejects.toThrow(
      /endpoint: expected/,
    );
  });

  it('runs under the SourceRunner through the connector definition, and stops within 5 s', async () => {
    const ids = ['hall1.crah2.return_temp', 'hall1.D.D10.env.exhaust_temp'];
    const s = source({ endpoint: sim.endpoint, pkiDir: pki }, simPoints(ids));
    const got = collector();
    const runner = new SourceRunner(opcua as ConnectorDefinition<never>, s as never, got.sink);
    runner.start();
    await got.until('values through the runner', (all) => good(all, ids));
    await got.until('the runner up', () => runner.status.state === 'up', 2000);
    const t = Date.now();
    await runner.stop();
    expect(Date.now() - t).toBeLessThan(5000);
    expect(runner.status.state).toBe('stopped');
    expect(runner.status.samples).toBeGreaterThanOrEqual(2);
  });
});

describe('opcua connector and server limits', () => {
  let dir: string;
  let sim: SimPeer;

  beforeAll(async () => {
    dir = tempDir();
    sim = await startSim({
      pkiDir: path.join(dir, 'server-pki'),
      maxMonitoredItemsPerCall: 10,
      maxMonitoredItemsPerSubscription: 20,
    });
  });
  afterAll(async () => {
    await sim?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('splits 35 points into calls of ≤ MaxMonitoredItemsPerCall and subscriptions of ≤ MaxMonitoredItemsPerSubscription', async () => {
    const before = activeHandles();
    const ids = ALL.slice(0, 35);
    const calls = () => sim.server.requestCounts.get('CreateMonitoredItemsRequest') ?? 0;
    const subs = () => sim.server.requestCounts.get('CreateSubscriptionRequest') ?? 0;
    const [calls0, subs0] = [calls(), subs()];
    const c = subscriber({ endpoint: sim.endpoint, pkiDir: path.join(dir, 'client-pki') }, simPoints(ids));
    const got = collector();
    await c.start(got.sink);
    await got.until('a good value of all 35 points', (all) => good(all, ids));
    expect(c.subscriptionSizes).toEqual([20, 15]);
    expect(c.callSizes).toEqual([10, 10, 10, 5]);
    expect(c.stats.createMonitoredItemsCalls).toBe(4);
    expect(c.stats.monitoredItems).toBe(35);
    expect(calls() - calls0).toBe(4); // what the server saw
    expect(subs() - subs0).toBe(2);
    await c.stop();
    await expectNoLeaks(before, 3000);
  });
});

describe('opcua connector across server restarts', () => {
  let dir: string;
  let sim: SimPeer;
  let pki: string;

  beforeEach(async () => {
    dir = tempDir();
    pki = path.join(dir, 'client-pki');
    sim = await startSim({ pkiDir: path.join(dir, 'server-pki') });
  });
  afterEach(async () => {
    await sim?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const ids = ['hall1.crah1.supply_temp', 'hall1.cdu1.return_temp', 'hall1.C.C05.env.inlet_temp'];

  it('recovers a subscription after a restart that moves the namespace index, and marks the gap', async () => {
    const before = activeHandles();
    const c = subscriber(
      { endpoint: sim.endpoint, pkiDir: pki, reconnect: { initialDelayMs: 100, maxDelayMs: 400 } },
      simPoints(ids),
    );
    const p = poller(
      { endpoint: sim.endpoint, pkiDir: pki, reconnect: { initialDelayMs: 100, maxDelayMs: 400 } },
      simPoints(ids),
    );
    const got = collector();
    const polled = collector();
    await c.start(got.sink);
    await p.gather(polled.sink);
    await got.until('good values', (all) => good(all, ids));
    const indexBefore = sim.server.namespaceIndex;

    const lostFrom = got.samples.length;
    const tStop = Date.now();
    await sim.stop();
    await got.until('the gap marker', () =>
      ids.every((id) => got.since(lostFrom).some((s) => s.pointId === id && s.quality === 'bad')),
    );
    await expect(p.gather(polled.sink)).rejects.toThrow(/source "ua"/);
    await sim.restart({ extraNamespaces: ['urn:test:registered-first', 'urn:test:second'] });
    expect(sim.server.namespaceIndex).toBe((indexBefore as number) + 2);

    const gap = got.since(lostFrom).filter((s) => s.quality === 'bad');
    expect(gap).toHaveLength(ids.length);
    for (const s of gap) {
      expect(s.rawStatus).toBe(STATUS.badCommunicationError);
      expect(s.ts).toBeGreaterThanOrEqual(tStop);
      expect(s.ts).toBeLessThan(tStop + 3000);
    }
    const backFrom = got.samples.length;
    await got.until(
      'good values from the restarted server',
      () => ids.every((id) => got.since(backFrom).some((s) => s.pointId === id && s.quality === 'good')),
      20_000,
    );
    // a new session: the connector rebuilt everything itself (node-opcua's recreation ignores MaxNodesPerRead),
    // resolving the namespace at its new index
    expect(c.stats.rebuilds).toBeGreaterThanOrEqual(1);
    expect(c.stats.restores).toBe(0);
    expect(got.since(backFrom).every((s) => s.quality === 'good')).toBe(true);
    expect(got.since(backFrom).every((s) => s.ts > gap[0]!.ts)).toBe(true);

    const pollFrom = polled.samples.length;
    for (let i = 0; i < 50; i++) {
      try {
        await p.gather(polled.sink);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(
      polled
        .since(pollFrom)
        .filter((s) => s.quality === 'good')
        .map((s) => s.pointId)
        .sort(),
    ).toEqual([...ids].sort());
    await c.stop();
    await p.close();
    // the replaced client's repair, refused by the connector, retries once after node-opcua's 5 s
    // OPCUAClientBase.retryDelay, finds the client disconnected and ends: wait that long
    await expectNoLeaks(before, 6500);
  }, 40_000);

  it('rebuilds client, session and subscriptions when the reconnection takes longer than rebuildAfterMs', async () => {
    const before = activeHandles();
    const c = subscriber(
      {
        endpoint: sim.endpoint,
        pkiDir: pki,
        reconnect: { initialDelayMs: 100, maxDelayMs: 500, rebuildAfterMs: 1000 },
      },
      simPoints(ids),
    );
    const got = collector();
    await c.start(got.sink);
    await got.until('good values', (all) => good(all, ids));
    await sim.stop();
    const end = Date.now() + 10_000;
    while (c.stats.rebuilds === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(c.stats.rebuilds).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 500)); // the rebuilt client retries against the stopped server
    expect(c.stats.gaps).toBe(1); // one outage, one marker
    await sim.restart();
    const backFrom = got.samples.length;
    await got.until(
      'good values after the rebuild',
      () => ids.every((id) => got.since(backFrom).some((s) => s.pointId === id && s.quality === 'good')),
      20_000,
    );
    // up once the first values of the new subscriptions arrived
    await got.until('the state up', () => c.state === 'up', 2000);
    await c.stop();
    await expectNoLeaks(before, 3000);
  }, 40_000);

  it('recovers when the server closes the session', async () => {
    const before = activeHandles();
    const c = subscriber(
      { endpoint: sim.endpoint, pkiDir: pki, keepAliveMs: 1000, reconnect: { initialDelayMs: 100, maxDelayMs: 400 } },
      simPoints(ids),
    );
    const got = collector();
    await c.start(got.sink);
    await got.until('good values', (all) => good(all, ids));
    expect(sim.server.closeSessions()).toBe(1);
    const from = got.samples.length;
    await got.until(
      'the gap marker and good values after it',
      () => {
        const after = got.since(from);
        const gapAt = after.findIndex((s) => s.rawStatus === STATUS.badCommunicationError);
        return (
          gapAt >= 0 && ids.every((id) => after.slice(gapAt).some((s) => s.pointId === id && s.quality === 'good'))
        );
      },
      10_000,
    );
    expect(c.stats.rebuilds).toBe(1);
    await c.stop();
    await expectNoLeaks(before, 3000);
  }, 30_000);

  it('stops within 5 s while the server is down, leaving nothing open', async () => {
    const before = activeHandles();
    const c = createOpcUa(
      source(
        { endpoint: sim.endpoint, pkiDir: pki, reconnect: { initialDelayMs: 100, maxDelayMs: 200 } },
        simPoints(ids),
      ),
      deps,
    );
    const got = collector();
    if (c.mode !== 'subscribe') throw new Error('expected subscribe');
    await c.start(got.sink);
    await got.until('good values', (all) => good(all, ids));
    await sim.stop();
    await new Promise((r) => setTimeout(r, 700));
    const t = Date.now();
    await c.stop();
    expect(Date.now() - t).toBeLessThan(5000);
    await expectNoLeaks(before, 3000);
  }, 30_000);
});
