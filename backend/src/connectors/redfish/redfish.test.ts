/**
 * The redfish connector against a BMC-shaped HTTPS server on 127.0.0.1 serving the DMTF mockup public-rackmount1
 * (testkit.ts): both schema families, sessions and basic auth, the three ways of trusting a certificate, the
 * per-BMC concurrency limit, and every broken answer a BMC gives (README "Errors and quality"). The values asserted
 * are the mockup's own (fixtures/devices/redfish/public-rackmount1/Chassis/1U/…/index.json).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SourceSample } from '../types';
import { REDFISH_STATUS } from './address';
import type { RedfishOptionsInput } from './config';
import type { RedfishConnector } from './redfish';
import { activeHandles, connector, expectNoLeaks, makeCert, sourcePoint, startBmc, type BmcServer } from './testkit';

const USERS = { admin: 'cr3dential!' };
const cert = makeCert();

/** Runs one gather; the samples by point id, and the error the gather threw (if any). */
async function gatherOnce(c: RedfishConnector): Promise<{ by: Map<string, SourceSample>; error?: string }> {
  const got: SourceSample[] = [];
  let error: string | undefined;
  try {
    await c.gather(async (s) => void got.push(...s));
  } catch (e) {
    error = (e as Error).message;
  }
  return { by: new Map(got.map((s) => [s.pointId, s])), ...(error !== undefined && { error }) };
}

const pick = (s: SourceSample | undefined) => s && { value: s.value, quality: s.quality, rawStatus: s.rawStatus };

describe('redfish against the DMTF mockup over HTTPS', () => {
  let bmc: BmcServer;
  let before: Record<string, number>;
  let opened: RedfishConnector[] = [];
  const open = (o: Partial<RedfishOptionsInput>, points: ReturnType<typeof sourcePoint>[]) => {
    const c = connector(
      {
        url: bmc.url,
        auth: 'session',
        username: 'admin',
        password: USERS.admin,
        tls: { fingerprint: cert.fingerprint },
        ...o,
      } as RedfishOptionsInput,
      points,
    );
    opened.push(c);
    return c;
  };

  beforeAll(async () => {
    before = activeHandles();
    bmc = await startBmc({ tls: cert, users: USERS });
  });
  afterEach(async () => {
    await Promise.all(opened.map((c) => c.close()));
    opened = [];
    bmc.reset();
    bmc.requests.length = 0;
  });
  afterAll(async () => {
    await bmc.stop();
    await expectNoLeaks(before, 2000);
  });

  it('reads both schema families, sensors and the chassis, with Status → quality, in one session', async () => {
    const t = { quantity: 'temperature' as const, unit: '°C' };
    const points = [
      // well-known signals, schema auto: the newer resources where the chassis links them
      sourcePoint('power', '1U:power'), // EnvironmentMetrics PowerWatts
      sourcePoint('limit', '1U:powerLimit'), // the classic Power limit first (what BMCs accept writes to)
      sourcePoint('capacity', '1U:powerCapacity'), // PowerSubsystem CapacityWatts
      sourcePoint('intake', '1U:intakeTemp', t), // ThermalSubsystem/ThermalMetrics
      sourcePoint('exhaust', '*:exhaustTemp', t), // the one chassis
      // explicit places, classic family
      sourcePoint('consumed', '1U/Power#PowerControl/0/PowerConsumedWatts'),
      sourcePoint('avg', '1U/Power#PowerControl/0/PowerMetrics/AverageConsumedWatts'),
      sourcePoint('cpu1', '1U/Thermal#Temperatures[Name=CPU1 Temp]/ReadingCelsius', t),
      sourcePoint('intakeOld', '1U/Thermal#Temperatures[PhysicalContext=Intake]/ReadingCelsius', t),
      sourcePoint('fan', '1U/Thermal#Fans/0/Reading', { quantity: 'rotation', unit: 'rpm' }),
      sourcePoint('psuOld', '1U/Power#PowerSupplies/0/LastPowerOutputWatts'), // Health Warning
      sourcePoint('cpu2', '1U/Thermal#Temperatures/1/ReadingCelsius', t), // State Disabled, no reading
      // explicit places, newer family
      sourcePoint('total', '1U/Sensors/TotalPower#Reading'),
      sourcePoint('ambient', '1U/Sensors/AmbientTemp#Reading', t),
      sourcePoint('setpoint', '1U/Controls/PowerLimit#SetPoint'),
      sourcePoint('allowMax', '1U/EnvironmentMetrics#PowerLimitWatts/AllowableMax'),
      sourcePoint('psu1', '1U/PowerSubsystem/PowerSupplies/Bay1/Metrics#InputPowerWatts/Reading'), // Warning
      sourcePoint('fan1', '1U/EnvironmentMetrics#FanSpeedsPercent[DeviceName=Chassis Fan #1]/Reading', {
        quantity: 'utilization',
        unit: '%',
      }),
      // the chassis itself, as strings
      sourcePoint('health', '1U#Status/Health', { quantity: 'state', valueType: 'string' }),
      sourcePoint('powerState', '1U#PowerState', { quantity: 'state', valueType: 'string' }),
      sourcePoint('rack', '1U#Location/Placement/Rack', { quantity: 'state', valueType: 'string' }),
    ];
    const c = open({}, points);
    const { by, error } = await gatherOnce(c);
    expect(error).toBeUndefined();
    const good = (value: number | string) => ({ value, quality: 'good', rawStatus: undefined });
    expect(pick(by.get('power'))).toEqual(good(374));
    expect(pick(by.get('limit'))).toEqual(good(500));
    expect(pick(by.get('capacity'))).toEqual(good(2000));
    expect(pick(by.get('intake'))).toEqual(good(24.8));
    expect(pick(by.get('exhaust'))).toEqual(good(40.5));
    expect(pick(by.get('consumed'))).toEqual(good(344));
    expect(pick(by.get('avg'))).toEqual(good(319));
    expect(pick(by.get('cpu1'))).toEqual(good(41));
    expect(pick(by.get('intakeOld'))).toEqual(good(25));
    expect(pick(by.get('fan'))).toEqual(good(2100));
    expect(pick(by.get('psuOld'))).toEqual({ value: 325, quality: 'uncertain', rawStatus: REDFISH_STATUS.warning });
    expect(pick(by.get('cpu2'))).toEqual({ value: 0, quality: 'bad', rawStatus: REDFISH_STATUS.notEnabled });
    expect(pick(by.get('total'))).toEqual(good(374));
    expect(pick(by.get('ambient'))).toEqual(good(22.5));
    expect(pick(by.get('setpoint'))).toEqual(good(500));
    expect(pick(by.get('allowMax'))).toEqual(good(1000));
    expect(pick(by.get('psu1'))).toEqual({ value: 937.4, quality: 'uncertain', rawStatus: REDFISH_STATUS.warning });
    expect(pick(by.get('fan1'))).toEqual(good(45));
    expect(pick(by.get('health'))).toEqual(good('OK'));
    expect(pick(by.get('powerState'))).toEqual(good('On'));
    expect(pick(by.get('rack'))).toEqual(good('WEB43'));
    expect(c.problems).toHaveLength(3);
    expect(c.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^psuOld: https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Chassis\/1U\/Power: Status\.Health Warning$/,
        ),
        expect.stringMatching(
          /^cpu2: https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Chassis\/1U\/Thermal#Temperatures\/1\/ReadingCelsius: no property Temperatures\/1\/ReadingCelsius \(Status\.State Disabled\)$/,
        ),
        expect.stringMatching(/^psu1: .*Bay1\/Metrics: Status\.Health Warning$/),
      ]),
    );
    // discovery from the service root, one session, each resource once per gather
    const seen = bmc.requests.map((r) => `${r.method} ${r.path} ${r.auth}`);
    expect(seen.slice(0, 4)).toEqual([
      'GET /redfish/v1 none',
      'POST /redfish/v1/SessionService/Sessions none',
      'GET /redfish/v1/Chassis session',
      'GET /redfish/v1/Chassis/1U session',
    ]);
    // the chassis is read by discovery, then again as a resource of three points
    const gets = bmc.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(gets.filter((g) => g === '/redfish/v1/Chassis/1U')).toHaveLength(2);
    expect(new Set(gets).size).toBe(gets.length - 1);
    expect(bmc.requests.every((r) => r.auth !== 'refused' && r.auth !== 'basic')).toBe(true);

    // the next gather reuses discovery and session: only the resources
    bmc.requests.length = 0;
    await gatherOnce(c);
    expect(bmc.requests.some((r) => r.method === 'POST' || r.path === '/redfish/v1/Chassis')).toBe(false);
    expect(bmc.requests.length).toBe(10); // the 10 resources the 21 points read, the chassis itself included
    expect(bmc.sessionCount).toBe(1);
    await c.close();
    expect(bmc.sessionCount).toBe(0);
    expect(bmc.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/redfish/v1/SessionService/Sessions/1' });
  });

  it('schema classic reads the deprecated Power/Thermal, modern the newer resources', async () => {
    const points = (['power', 'powerLimit', 'powerCapacity', 'intakeTemp', 'exhaustTemp'] as const).map((s) =>
      sourcePoint(s, `1U:${s}`),
    );
    const classic = await gatherOnce(open({ schema: 'classic' }, points));
    expect([...classic.by.values()].map(pick)).toEqual([
      { value: 344, quality: 'good', rawStatus: undefined },
      { value: 500, quality: 'good', rawStatus: undefined },
      { value: 800, quality: 'good', rawStatus: undefined },
      { value: 25, quality: 'good', rawStatus: undefined },
      // the mockup's Thermal has no exhaust temperature
      { value: 0, quality: 'bad', rawStatus: REDFISH_STATUS.absent },
    ]);
    const modern = await gatherOnce(open({ schema: 'modern' }, points));
    expect([...modern.by.values()].map((s) => s.value)).toEqual([374, 500, 2000, 24.8, 40.5]);
  });

  it('missing chassis, links and properties are bad with named errors; the good points stay good', async () => {
    const c = open({}, [
      sourcePoint('ok', '1U:power'),
      sourcePoint('noChassis', '9Z:power'),
      sourcePoint('noLink', '1U/Bogus#Reading'),
      sourcePoint('noProp', '1U/Power#PowerControl/0/NoSuchWatts'),
      sourcePoint('noMember', '1U/Power#PowerControl/3/PowerConsumedWatts'),
      sourcePoint('noResource', '1U/Sensors/NoSuchSensor#Reading'),
      sourcePoint('wrongType', '1U/Power#PowerControl/0/Name'),
      sourcePoint('object', '1U/Power#PowerControl/0/PowerLimit'),
    ]);
    const { by, error } = await gatherOnce(c);
    expect(error).toBeUndefined();
    expect(by.get('ok')?.quality).toBe('good');
    expect(
      Object.fromEntries([...by].filter(([k]) => k !== 'ok').map(([k, s]) => [k, [s.quality, s.rawStatus]])),
    ).toEqual({
      noChassis: ['bad', REDFISH_STATUS.noChassis],
      noLink: ['bad', REDFISH_STATUS.absent],
      noProp: ['bad', REDFISH_STATUS.absent],
      noMember: ['bad', REDFISH_STATUS.absent],
      noResource: ['bad', 404],
      wrongType: ['bad', REDFISH_STATUS.wrongType],
      object: ['bad', REDFISH_STATUS.wrongType],
    });
    const problem = (id: string) => c.problems.find((p) => p.startsWith(`${id}: `));
    expect(problem('noChassis')).toMatch(
      /no chassis "9Z" on https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Chassis \(members: 1U\)/,
    );
    expect(problem('noLink')).toMatch(/\/Chassis\/1U has no Bogus \(it links .*PowerSubsystem.*\)/);
    expect(problem('noProp')).toMatch(
      /\/Chassis\/1U\/Power#PowerControl\/0\/NoSuchWatts: no property PowerControl\/0\/NoSuchWatts$/,
    );
    expect(problem('noResource')).toMatch(
      /GET https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Chassis\/1U\/Sensors\/NoSuchSensor: HTTP 404: The resource at the URI/,
    );
    expect(problem('wrongType')).toMatch(
      /PowerControl\/0\/Name is string "System Input Power"; the point's valueType is number/,
    );
  });

  it('garbage JSON, HTTP 500, a timeout and a hang-up are bad on their points only; named; never a throw past gather', async () => {
    const c = open({ timeoutMs: 300 }, [
      sourcePoint('garbage', '1U/Power#PowerControl/0/PowerConsumedWatts'),
      sourcePoint('error', '1U/Sensors/TotalPower#Reading'),
      sourcePoint('ok', '1U/EnvironmentMetrics#PowerWatts/Reading'),
    ]);
    await gatherOnce(c); // discovery and session first
    bmc.scripted.set('/redfish/v1/Chassis/1U/Power', { status: 200, body: '<html>BMC busy</html>' });
    bmc.scripted.set('/redfish/v1/Chassis/1U/Sensors/TotalPower', {
      status: 500,
      body: JSON.stringify({ error: { code: 'Base.1.5.0.InternalError', message: 'sensor daemon restarting' } }),
    });
    let r = await gatherOnce(c);
    expect(r.error).toBeUndefined();
    expect(pick(r.by.get('garbage'))).toEqual({ value: 0, quality: 'bad', rawStatus: REDFISH_STATUS.malformed });
    expect(pick(r.by.get('error'))).toEqual({ value: 0, quality: 'bad', rawStatus: 500 });
    expect(pick(r.by.get('ok'))).toEqual({ value: 374, quality: 'good', rawStatus: undefined });
    expect(c.problems.join('\n')).toMatch(
      /GET https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Chassis\/1U\/Power: not JSON \(.*\): "<html>BMC busy<\/html>"/,
    );
    expect(c.problems.join('\n')).toMatch(/Sensors\/TotalPower: HTTP 500: sensor daemon restarting/);

    // a BMC too slow for timeoutMs: every point bad (timeout), the gather throws naming URL and resource
    bmc.scripted.clear();
    bmc.delayMs = 1000;
    const t0 = Date.now();
    r = await gatherOnce(c);
    expect(Date.now() - t0).toBeLessThan(900); // one timeout, not one per resource
    expect([...r.by.values()].map((s) => [s.quality, s.rawStatus])).toEqual([
      ['bad', REDFISH_STATUS.timeout],
      ['bad', REDFISH_STATUS.timeout],
      ['bad', REDFISH_STATUS.timeout],
    ]);
    expect(r.error).toMatch(
      /^source "test": \w+: GET https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Chassis\/1U\/\S+: no complete answer within 300 ms \(timeoutMs\); all 3 points are bad/,
    );
    bmc.delayMs = 0;
    bmc.scripted.set('/redfish/v1/Chassis/1U/EnvironmentMetrics', { hangUp: true });
    r = await gatherOnce(c);
    expect(r.by.get('ok')).toMatchObject({ quality: 'bad', rawStatus: REDFISH_STATUS.unreachable });
    bmc.scripted.clear();
    expect((await gatherOnce(c)).by.get('ok')).toMatchObject({ quality: 'good', value: 374 });
  });

  it('basic auth on every request; wrong credentials are 401 on every point, one try per gather', async () => {
    const points = [sourcePoint('power', '1U:power'), sourcePoint('limit', '1U:powerLimit')];
    const c = open({ auth: 'basic' }, points);
    const { by } = await gatherOnce(c);
    expect(by.get('power')?.value).toBe(374);
    expect(bmc.requests.filter((r) => r.path !== '/redfish/v1').every((r) => r.auth === 'basic')).toBe(true);
    expect(bmc.requests.some((r) => r.method === 'POST')).toBe(false);

    bmc.requests.length = 0;
    const wrong = open({ auth: 'basic', password: 'guess' }, points);
    const r = await gatherOnce(wrong);
    expect([...r.by.values()].map((s) => [s.quality, s.rawStatus])).toEqual([
      ['bad', 401],
      ['bad', 401],
    ]);
    expect(r.error).toMatch(
      /GET https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/Chassis: HTTP 401: There is no valid session .* \(credentials refused for user "admin"\)/,
    );
    expect(r.error).not.toContain('guess');

    // a session login refused: named, not repeated per resource within the gather
    bmc.requests.length = 0;
    const badSession = open({ password: 'guess' }, points);
    const s = await gatherOnce(badSession);
    expect(s.error).toMatch(
      /POST https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/SessionService\/Sessions: HTTP 401: session login refused for user "admin"/,
    );
    expect(s.error).not.toContain('guess');
    expect(bmc.requests.filter((q) => q.method === 'POST')).toHaveLength(1);
  });

  it('logs in again when the BMC forgets the session (a BMC reboot), and the session is deleted at close', async () => {
    const c = open({}, [sourcePoint('power', '1U:power')]);
    expect((await gatherOnce(c)).by.get('power')?.quality).toBe('good');
    await bmc.stop();
    const down = await gatherOnce(c);
    expect(down.by.get('power')).toMatchObject({ quality: 'bad', rawStatus: REDFISH_STATUS.unreachable });
    expect(down.error).toMatch(/unreachable: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    await bmc.start();
    bmc.requests.length = 0;
    expect((await gatherOnce(c)).by.get('power')).toMatchObject({ quality: 'good', value: 374 });
    expect(bmc.requests.map((r) => `${r.method} ${r.auth}`)).toEqual(['GET refused', 'POST none', 'GET session']);
    expect(c.clients.get('bmc')?.logins).toBe(2);
    await c.close();
    expect(bmc.sessionCount).toBe(0);
  });

  it('per-BMC concurrency: no more than maxConcurrency requests in flight at once', async () => {
    const ids = [
      'AmbientTemp',
      'CPU1Temp',
      'DIMM1Temp',
      'DIMM2Temp',
      'DIMM3Temp',
      'ExhaustTemp',
      'TotalPower',
      'CPU1Power',
    ];
    const points = ids.map((id) => sourcePoint(id, `1U/Sensors/${id}#Reading`));
    const c = open({ maxConcurrency: 2 }, points);
    await gatherOnce(c);
    // answers delayed by earlier tests (a timeout's) are still counted until they are sent
    for (let i = 0; bmc.inflight > 0 && i < 300; i++) await new Promise((r) => setTimeout(r, 10));
    bmc.delayMs = 60;
    bmc.peakInflight = 0;
    const t0 = Date.now();
    const { by } = await gatherOnce(c);
    expect([...by.values()].every((s) => s.quality === 'good')).toBe(true);
    expect(bmc.peakInflight).toBe(2);
    expect(c.clients.get('bmc')?.peakConcurrency).toBe(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(4 * 60 - 5); // 8 sensors, 2 at a time
    const wide = open({ maxConcurrency: 8 }, points);
    await gatherOnce(wide);
    bmc.peakInflight = 0;
    await gatherOnce(wide);
    expect(bmc.peakInflight).toBeGreaterThan(2);
  });

  it('TLS: a CA file verifies the name; the system CAs and a wrong pin refuse the certificate before any request', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-redfish-ca-'));
    try {
      const caFile = path.join(dir, 'ca.pem');
      fs.writeFileSync(caFile, cert.cert);
      const viaCa = await gatherOnce(open({ tls: { ca: caFile } }, [sourcePoint('power', '1U:power')]));
      expect(viaCa.by.get('power')?.value).toBe(374);
      // the certificate is for 127.0.0.1 and localhost, not for bmc7
      const wrongName = await gatherOnce(
        open({ tls: { ca: caFile, serverName: 'bmc7' } }, [sourcePoint('power', '1U:power')]),
      );
      expect(wrongName.by.get('power')).toMatchObject({ quality: 'bad', rawStatus: REDFISH_STATUS.certificate });
      expect(wrongName.error).toMatch(/certificate refused: .*bmc7/);

      bmc.requests.length = 0;
      const system = await gatherOnce(open({ tls: {} }, [sourcePoint('power', '1U:power')]));
      expect(system.by.get('power')).toMatchObject({ quality: 'bad', rawStatus: REDFISH_STATUS.certificate });
      expect(system.error).toMatch(
        /GET https:\/\/127\.0\.0\.1:\d+\/redfish\/v1\/: certificate refused: self.signed certificate/,
      );

      const other = makeCert('another-bmc');
      const pinned = await gatherOnce(
        open({ tls: { fingerprint: other.fingerprint } }, [sourcePoint('power', '1U:power')]),
      );
      expect(pinned.by.get('power')).toMatchObject({ quality: 'bad', rawStatus: REDFISH_STATUS.certificate });
      expect(pinned.error).toContain(`is not the pinned tls.fingerprint ${other.fingerprint.slice(0, 2)}:`);
      expect(bmc.requests).toEqual([]); // nothing reached the server: no password sent to the wrong host

      const missing = await gatherOnce(
        open({ tls: { ca: path.join(dir, 'nope.pem') } }, [sourcePoint('power', '1U:power')]),
      );
      expect(missing.error).toMatch(/tls\.ca: cannot read .*nope\.pem: no such file/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
