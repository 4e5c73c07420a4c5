/**
 * SNMP SET (README "Writes"), always as the plant sees it: the automation guard judges and records the intent, then
 * writes through the running source (SourceRunner.write → the connector's SET on the agent's request queue), reads
 * back and leases; release restores the value the agent had before. The peer is Debian snmpsim serving the Tripp
 * Lite PDUMH20ATNET recording, whose `writecache` OIDs take a SET (tlpAtsInputSourceAvailability.1, an integer) and
 * whose static OIDs are refused (tlpAtsOutletCommand.1.1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { guardedSource, type GuardedSource } from '../../testing/guard-over-runner';
import type { WriteIntent } from '../../automation/guard/verdict';
import { activeHandles } from '../../testing/handles';
import type { SourceInstance, SourcePoint, SourceSample } from '../types';
import { snmpOptions, type SnmpOptionsInput } from './config';
import { TYPE } from './decode';
import { snmp } from './index';
import { encodeWrite, type SnmpConnector } from './snmp';
import { UdpFaultProxy } from '../../testing/udp-fault-proxy';
import { gatherAll } from '../../testing/gather';
import { parseAddress } from './address';
import { loadProfiles } from './profiles';
import {
  expectNoUdpLeaks,
  PASS_GAUGE_OID,
  PASS_OID,
  snmpPoint,
  SNMPD_COMMUNITIES,
  startSnmpd,
  startSnmpsim,
  type Snmpd,
  type Snmpsim,
} from './testkit';

jest.setTimeout(60_000);

const RULE = { kind: 'rule' as const, id: 'ats-test', version: 1 };
const intent = (pointId: string, value: number | null): WriteIntent => ({
  pointId,
  value,
  actor: RULE,
  priority: 5,
  reason: 'test',
  inputs: [],
});

/** tlpAtsInputSourceAvailability.1: `2:writecache|value=3` in the recording */
const AVAIL_OID = '1.3.6.1.4.1.850.1.1.3.4.3.1.1.1.12.1';
/** tlpAtsOutletCommand.1.1: `2|0`, static */
const COMMAND_OID = '1.3.6.1.4.1.850.1.1.3.4.3.3.1.1.6.1.1';

const AVAIL = 's/ats/avail';
const HALVES = 's/ats/halves';
const COMMAND = 's/ats/outlet1-command';

function writable(p: SourcePoint, writeAddress?: string): SourcePoint {
  return { ...p, writable: true, source: { ...p.source, ...(writeAddress !== undefined ? { writeAddress } : {}) } };
}

/** a site profile: the same integer read as a value in halves (scale 0.5), to write a scaled object */
function siteProfile(dir: string): string {
  const file = path.join(dir, 'site.yaml');
  fs.writeFileSync(
    file,
    [
      'name: site-test',
      'mib: test',
      'description: a scaled view of tlpAtsInputSourceAvailability.1',
      'scalars:',
      `  halves: { oid: ${AVAIL_OID}, scale: 0.5 }`,
      '',
    ].join('\n'),
  );
  return file;
}

interface Plant extends GuardedSource {
  /** the next good sample of `pointId`: two polls on (the one in flight may have read before the write) */
  nextGood(pointId: string): Promise<SourceSample>;
}

async function plant(source: SourceInstance<unknown>, automation: unknown): Promise<Plant> {
  const g = guardedSource(snmp as never, source as never, automation);
  return { ...g, nextGood: (id) => g.good(id, { afterPolls: 2 }) };
}

describe('snmp SET through the guard, to snmpsim', () => {
  let sim: Snmpsim;
  let before: Record<string, number>;
  let dir: string;

  beforeAll(async () => {
    before = activeHandles();
    sim = await startSnmpsim(['tripplite-pdumh20atnet']);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-snmp-write-'));
  }, 90_000);
  afterAll(async () => {
    await sim?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    await expectNoUdpLeaks(before, 2000);
  });

  const source = (points: SourcePoint[], agent: Partial<SnmpOptionsInput['agents'][number]> = {}) => ({
    name: 'ats',
    intervalMs: 200,
    options: snmpOptions.parse({
      agents: [
        {
          name: 'ats',
          host: '127.0.0.1',
          port: sim.port,
          community: 'tripplite-pdumh20atnet',
          timeoutMs: 1000,
          retries: 0,
          ...agent,
        },
      ],
      profileFiles: [siteProfile(dir)],
    }),
    points,
  });

  it('SETs an enum code (via writeAddress) and a scaled value, reads them back, a later poll sees them; release restores', async () => {
    const points = [
      // read as a raw OID, written through the profile's enum column (its codes are checked before the SET)
      writable(
        snmpPoint(AVAIL, `oid=${AVAIL_OID}`, 'number', '', 'state'),
        'object=tripplite-ats:input.sourceAvailability;index=1',
      ),
      writable(snmpPoint(HALVES, 'object=site-test:halves', 'number', '', 'count')),
    ];
    const p = await plant(source(points), {
      points: [
        { ids: [AVAIL], min: 0, max: 10 },
        { ids: [HALVES], min: 0, max: 10 },
      ],
    });
    try {
      expect((await p.nextGood(AVAIL)).value).toBe(3); // the recording's inputSourceAB
      const sets = () => (p.runner.connector as SnmpConnector).stats.sets;
      const r = await p.guard.write(intent(AVAIL, 1));
      expect(r).toMatchObject({ verdict: { allow: true }, verified: true, readBack: 1, from: 3 });
      expect((await p.nextGood(AVAIL)).value).toBe(1);
      expect(p.guard.leaseViews()).toEqual([expect.objectContaining({ pointId: AVAIL, value: 1, saved: 3 })]);

      // the scaled object: 1.5 is raw 3 (÷ 0.5); a poll reads both views of the one integer
      const h = await p.guard.write(intent(HALVES, 1.5));
      expect(h).toMatchObject({ verified: true, readBack: 1.5 });
      const polled = await p.nextGood(HALVES);
      expect(polled.value).toBe(1.5);
      expect(p.latest.get(AVAIL)?.value).toBe(3);

      // 1.25 ÷ 0.5 is no whole raw integer: refused, naming the point and the value, nothing sent
      const n = sets();
      const frac = await p.guard.write(intent(HALVES, 1.25));
      expect(frac.verdict).toMatchObject({ allow: true });
      expect(frac.error).toBe(
        `source "ats": cannot write 1.25 to point "${HALVES}" (site-test:halves at agent "ats" (127.0.0.1:${sim.port} v2c)): 1.25 is 2.5 in the agent's raw integer (value ÷ scale 0.5), not a whole number; expected a multiple of 0.5; nothing was sent`,
      );
      // a code the enum lacks: refused, naming the codes it has
      const code = await p.guard.write(intent(AVAIL, 7));
      expect(code.error).toBe(
        `source "ats": cannot write 7 to point "${AVAIL}" (tripplite-ats:input.sourceAvailability index 1 at agent "ats" (127.0.0.1:${sim.port} v2c)): 7 is not a code of tripplite-ats:input.sourceAvailability's enum; expected one of 0 (none), 1 (inputSourceA), 2 (inputSourceB), 3 (inputSourceAB); nothing was sent`,
      );
      expect(sets()).toBe(n);

      // release: the value the agent had before Plenum is SET back
      await p.guard.release(AVAIL, RULE, 'test done');
      expect((await p.nextGood(AVAIL)).value).toBe(3);
      expect(p.guard.leaseViews().map((l) => l.pointId)).toEqual([HALVES]);
      await p.guard.release(HALVES, RULE, 'test done');
      expect(p.guard.leaseViews()).toEqual([]);
    } finally {
      await p.close();
    }
  });
  it('a SET to a static OID: snmpsim answers success but keeps its value; the read-back shows it (not verified)', async () => {
    const points = [
      writable(snmpPoint(COMMAND, 'object=tripplite-ats:outlet.command;index=1.1', 'number', '', 'state')),
    ];
    const p = await plant(source(points), { points: [{ ids: [COMMAND], min: 0, max: 3 }] });
    try {
      expect((await p.nextGood(COMMAND)).value).toBe(0);
      const r = await p.guard.write(intent(COMMAND, 2));
      // snmpsim 0.4.5 answers a SET of a recorded (non-writecache) OID with noError and changes nothing
      expect(r).toMatchObject({ verdict: { allow: true }, readBack: 0, verified: false });
      expect(r.error).toBeUndefined();
      // the SET, then a GET of the OID (the read-back; a poll's GET of it may come before or after that one), as
      // snmpsim logs them (its log lines reach this process a little after its answers)
      const SET = `Request var-binds: ${COMMAND_OID}=<2>, flags: EXACT, SET`;
      const afterSet = () => {
        const lines = sim.log.filter((l) => l.includes(COMMAND_OID));
        return lines.indexOf(SET) < 0 ? [] : lines.slice(lines.indexOf(SET) + 1);
      };
      for (const end = Date.now() + 3000; afterSet().length === 0 && Date.now() < end;)
        await new Promise((r) => setTimeout(r, 50));
      expect(afterSet()[0]).toBe(`Request var-binds: ${COMMAND_OID}=<>, flags: EXACT, GET`);
      expect((await p.nextGood(COMMAND)).value).toBe(0);
    } finally {
      await p.close();
    }
  });

  it('no answer to a SET: device error, sent once (not retried), and it may have been applied', async () => {
    const proxy = await new UdpFaultProxy(sim.port).start();
    const points = [
      writable(snmpPoint(AVAIL, 'object=tripplite-ats:input.sourceAvailability;index=1', 'number', '', 'state')),
    ];
    // one poll at start, the next a minute later: the proxy counts only the write's datagrams
    const src = { ...source(points, { port: proxy.port, retries: 2, timeoutMs: 300 }), intervalMs: 60_000 };
    const p = await plant(src, { points: [{ ids: [AVAIL], min: 0, max: 10 }] });
    try {
      for (const end = Date.now() + 5000; p.latest.get(AVAIL)?.quality !== 'good';) {
        if (Date.now() > end) throw new Error('no first poll');
        await new Promise((r) => setTimeout(r, 20));
      }
      proxy.fault = 'half-open'; // the agent gets the SET, its answer is lost
      const sent = proxy.requests;
      const r = await p.guard.write(intent(AVAIL, 2));
      expect(proxy.requests - sent).toBe(1);
      expect(r.error).toBe(
        `source "ats": SET of 2 to point "${AVAIL}" (tripplite-ats:input.sourceAvailability index 1 at agent "ats" (127.0.0.1:${proxy.port} v2c)): no answer to SET of ${AVAIL_OID} within 300 ms (a SET is not retried: it may or may not have been applied)`,
      );
      // here it was: a read (not a write) straight from the agent shows it
      const check = snmp.init(source([snmpPoint('check', `oid=${AVAIL_OID}`)]) as never) as SnmpConnector;
      const g = await gatherAll(check);
      await check.close();
      expect(g.samples.map((x) => x.value)).toEqual([2]);
    } finally {
      await p.close();
      await proxy.stop();
    }
  });

  it('relinquish: refused with the named error, the lease is kept, the agent keeps the last value', async () => {
    const points = [
      writable(snmpPoint(AVAIL, 'object=tripplite-ats:input.sourceAvailability;index=1', 'number', '', 'state')),
    ];
    const p = await plant(source(points), { points: [{ ids: [AVAIL], min: 0, max: 10, release: 'relinquish' }] });
    try {
      await p.nextGood(AVAIL);
      expect(await p.guard.write(intent(AVAIL, 2))).toMatchObject({ verified: true, readBack: 2 });
      const r = await p.guard.release(AVAIL, RULE, 'test done');
      expect(r?.error).toBe(
        `source "ats": cannot relinquish point "${AVAIL}" (tripplite-ats:input.sourceAvailability index 1 at agent "ats" (127.0.0.1:${sim.port} v2c)): SNMP has no relinquish (no priority array): the agent keeps the last value written; write the value it should hold (release: restore), and leave the rest to the device's own watchdog or power-on default`,
      );
      // the guard keeps the lease to hand it back later; the agent holds Plenum's value meanwhile
      expect(p.guard.leaseViews().map((l) => l.pointId)).toEqual([AVAIL]);
      expect((await p.nextGood(AVAIL)).value).toBe(2);
    } finally {
      await p.close();
    }
  });

  it("v3: SETs as the agent's USM user (SHA-256 + AES-128, context = the recording)", async () => {
    const points = [
      writable(snmpPoint(AVAIL, 'object=tripplite-ats:input.sourceAvailability;index=1', 'number', '', 'state')),
    ];
    const v3 = source(points, {
      version: '3',
      community: undefined,
      user: { name: 'plenum', authKey: 'plenum-auth-key', privKey: 'plenum-priv-key' },
      context: 'tripplite-pdumh20atnet',
    });
    const p = await plant(v3, { points: [{ ids: [AVAIL], min: 0, max: 10 }] });
    try {
      // earlier tests left their value (snmpsim's writecache is shared by v2c and v3): write another one
      const was = (await p.nextGood(AVAIL)).value as number;
      const other = was === 1 ? 2 : 1;
      expect(await p.guard.write(intent(AVAIL, other))).toMatchObject({ verified: true, readBack: other });
      expect((await p.nextGood(AVAIL)).value).toBe(other);
      await p.guard.release(AVAIL, RULE, 'test done'); // restore: the value before
      expect((await p.nextGood(AVAIL)).value).toBe(was);
    } finally {
      await p.close();
    }
  });
});

describe('snmp SET through the guard, to Debian snmpd (Net-SNMP, a second agent implementation)', () => {
  let agent: Snmpd;
  let before: Record<string, number>;
  const TEMP = 's/h1/-/-/crah1/supply_setpoint';
  const UPTIME = 's/h1/-/-/snmpd/uptime';
  // one Gauge32 object seen through two addresses: with its syntax, and without (then sent as Integer32)
  const FAN = 's/h1/-/-/crah1/fan_speed_limit';
  const FAN_UNTYPED = 's/h1/-/-/crah1/fan_speed_limit_untyped';

  beforeAll(async () => {
    before = activeHandles();
    agent = await startSnmpd();
  }, 30_000);
  afterAll(async () => {
    await agent?.stop();
    await expectNoUdpLeaks(before, 2000);
  });

  const points = [
    writable(snmpPoint(TEMP, `oid=${PASS_OID};scale=0.1`, 'number', '°C', 'temperature')),
    // a raw oid= has no profile to say it is read-only: the agent says so
    writable(snmpPoint(UPTIME, 'oid=1.3.6.1.2.1.1.3.0', 'number', '', 'count')),
    writable(snmpPoint(FAN, `oid=${PASS_GAUGE_OID};syntax=Gauge32`, 'number', 'rpm', 'rotation')),
    writable(snmpPoint(FAN_UNTYPED, `oid=${PASS_GAUGE_OID}`, 'number', 'rpm', 'rotation')),
  ];
  const source = (writeCommunity?: string) => ({
    name: 'crah',
    intervalMs: 200,
    options: snmpOptions.parse({
      agents: [
        {
          name: 'crah1',
          host: '127.0.0.1',
          port: agent.port,
          community: SNMPD_COMMUNITIES.ro,
          ...(writeCommunity !== undefined ? { writeCommunity } : {}),
          timeoutMs: 1000,
          retries: 0,
        },
      ],
    }),
    points,
  });
  const automation = {
    points: [
      { ids: [TEMP], min: 16, max: 27 },
      { ids: [UPTIME], min: 0, max: 1e9 },
      { ids: [FAN, FAN_UNTYPED], min: 0, max: 3000 },
    ],
  };

  it('SETs a scaled setpoint with the writeCommunity, reads it back; a read-only object is refused as notWritable', async () => {
    agent.setValue(215);
    const p = await plant(source(SNMPD_COMMUNITIES.rw), automation);
    try {
      expect((await p.nextGood(TEMP)).value).toBe(21.5);
      const r = await p.guard.write(intent(TEMP, 22.5));
      expect(r).toMatchObject({ verdict: { allow: true }, verified: true, readBack: 22.5, from: 21.5 });
      expect((await p.nextGood(TEMP)).value).toBe(22.5);

      const u = await p.guard.write(intent(UPTIME, 5));
      expect(u.error).toBe(
        `source "crah": SET of 5 to point "${UPTIME}" (1.3.6.1.2.1.1.3.0 at agent "crah1" (127.0.0.1:${agent.port} v2c)): the agent answered SET of 1.3.6.1.2.1.1.3.0 with notWritable (17): NotWritable: 1.3.6.1.2.1.1.3.0`,
      );
      await p.guard.release(TEMP, RULE, 'test done'); // restore: 21.5
      expect((await p.nextGood(TEMP)).value).toBe(21.5);
    } finally {
      await p.close();
    }
  });

  it('SETs a Gauge32 object as a Gauge32 when its syntax says so; as the default Integer32 snmpd answers wrongType', async () => {
    const p = await plant(source(SNMPD_COMMUNITIES.rw), automation);
    try {
      expect((await p.nextGood(FAN)).value).toBe(0);
      const r = await p.guard.write(intent(FAN, 2400));
      expect(r).toMatchObject({ verdict: { allow: true }, verified: true, readBack: 2400 });
      expect((await p.nextGood(FAN_UNTYPED)).value).toBe(2400);

      const u = await p.guard.write(intent(FAN_UNTYPED, 1800));
      expect(u.error).toBe(
        `source "crah": SET of 1800 to point "${FAN_UNTYPED}" (${PASS_GAUGE_OID} at agent "crah1" (127.0.0.1:${agent.port} v2c)): the agent answered SET of ${PASS_GAUGE_OID} with wrongType (7): WrongType: ${PASS_GAUGE_OID}`,
      );
      expect((await p.nextGood(FAN)).value).toBe(2400);
      await p.guard.release(FAN, RULE, 'test done'); // restore: 0
      expect((await p.nextGood(FAN)).value).toBe(0);
    } finally {
      await p.close();
    }
  });

  it('without a writeCommunity the SET goes with the read-only community: refused, no community in the message', async () => {
    const p = await plant(source(), automation);
    try {
      await p.nextGood(TEMP);
      const r = await p.guard.write(intent(TEMP, 23));
      expect(r.error).toBe(
        `source "crah": SET of 23 to point "${TEMP}" (${PASS_OID} at agent "crah1" (127.0.0.1:${agent.port} v2c)): the agent answered SET of ${PASS_OID} with noAccess (6): NoAccess: ${PASS_OID}`,
      );
      expect(r.error).not.toContain(SNMPD_COMMUNITIES.ro);
      expect(r.error).not.toContain(SNMPD_COMMUNITIES.rw);
      expect((await p.nextGood(TEMP)).value).toBe(21.5);
    } finally {
      await p.close();
    }
  });
});

describe('snmp writable points: init and encoding (no SET sent)', () => {
  const profiles = loadProfiles();
  const init = (points: SourcePoint[]) =>
    snmp.init({
      name: 'pdus',
      intervalMs: 1000,
      options: snmpOptions.parse({ agents: [{ name: 'a', host: '127.0.0.1' }] }),
      points,
    });

  it('names every writable point that cannot be written', () => {
    let message = '';
    try {
      init([
        writable(
          snmpPoint('w1', 'object=tripplite-ats:input.sourceAvailability;index=1'),
          'object=tripplite-ats:input.nope;index=1',
        ),
        writable(
          snmpPoint('w2', 'object=tripplite-ats:outlet.state;index=1.1'),
          'object=tripplite-ats:outlet.name;index=1.1',
        ),
        writable(snmpPoint('w3', 'object=mib2:sysUpTime', 'number', 's', 'duration')),
        writable(snmpPoint('w4', 'object=raritan-pdu2:inlet.current;index=1.1', 'number', 'A', 'current')),
        writable(snmpPoint('w5', 'object=mib2:sysContact', 'string', '', 'state'), 'agent=b;oid=1.3.6.1.2.1.1.4.0'),
      ]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      'bad writeAddress "object=tripplite-ats:input.nope;index=1" of point "w1" in source "pdus": object "tripplite-ats:input.nope": table tripplite-ats:input has no column "nope"; expected one of nominalVoltage, nominalVoltagePhaseToPhase, nominalVoltagePhaseToNeutral, badTransferVoltage, badTransferVoltageLowerBound, badTransferVoltageUpperBound, highTransferVoltage, highTransferVoltageLowerBound, highTransferVoltageUpperBound, fairVoltageThreshold, badVoltageThreshold, sourceAvailability, sourceInUse, sourceTransitionCount, currentLimit',
      'writeAddress "object=tripplite-ats:outlet.name;index=1.1" of point "w2" in source "pdus": tripplite-ats:outlet.name is text; expected valueType: string',
      `point "w3" in source "pdus" is writable but its address "object=mib2:sysUpTime" is mib2:sysUpTime, which the profile marks read-only (its MIB's MAX-ACCESS); expected a writeAddress on a read-write object (or writable: false)`,
      'point "w4" in source "pdus" is writable but its address "object=raritan-pdu2:inlet.current;index=1.1" is raritan-pdu2:inlet.current, scaled by decimal digits the agent reports beside it, which a SET cannot carry; expected a writeAddress on a read-write object (or writable: false)',
      'bad writeAddress "agent=b;oid=1.3.6.1.2.1.1.4.0" of point "w5" in source "pdus": unknown agent "b"; expected one of a',
    ]);
  });

  it('encodes text as an OctetString, an enum state name as its code, numbers as whole Integer32 or their syntax', () => {
    const at = (text: string) => {
      const r = parseAddress(text, profiles, ['a']);
      if (!r.ok) throw new Error(r.error);
      return r.address;
    };
    expect(encodeWrite(at('object=tripplite-ats:outlet.description;index=1.3'), 'string', 'gpu-07 PSU 1')).toEqual({
      type: TYPE.OctetString,
      value: 'gpu-07 PSU 1',
    });
    expect(encodeWrite(at('object=tripplite-ats:outlet.state;index=1.3'), 'string', 'off')).toEqual({
      type: TYPE.Integer,
      value: 1,
    });
    expect(encodeWrite(at('object=tripplite-ats:outlet.state;index=1.3'), 'string', 'dim')).toBe(
      '"dim" is not a state of tripplite-ats:outlet.state; expected one of 0 (unknown), 1 (off), 2 (on)',
    );
    // the profile gives the transfer voltage's syntax: Unsigned32 goes as the 0x42 application type
    expect(encodeWrite(at('object=tripplite-ats:input.highTransferVoltage;index=1'), 'number', 139.5)).toEqual({
      type: TYPE.Gauge,
      value: 1395,
    });
    expect(encodeWrite(at('object=tripplite-ats:input.highTransferVoltage;index=1'), 'number', -1)).toBe(
      '-1 is -10 raw, outside Unsigned32 (0–4294967295)',
    );
    expect(encodeWrite(at('oid=1.3.6.1.4.1.99999.2.0;syntax=timeticks'), 'number', 2 ** 32 - 1)).toEqual({
      type: TYPE.TimeTicks,
      value: 4294967295,
    });
    expect(encodeWrite(at('oid=1.3.6.1.4.1.99999.2.0;syntax=Gauge32'), 'number', 2 ** 32)).toBe(
      '4294967296 is 4294967296 raw, outside Gauge32 (0–4294967295)',
    );
    expect(encodeWrite(at('oid=1.3.6.1.4.1.99999.1.0;scale=0.01'), 'number', -4.07)).toEqual({
      type: TYPE.Integer,
      value: -407,
    });
    expect(encodeWrite(at('oid=1.3.6.1.4.1.99999.1.0'), 'number', 2 ** 31)).toBe(
      '2147483648 is 2147483648 raw, outside Integer32',
    );
    expect(encodeWrite(at('oid=1.3.6.1.4.1.99999.1.0'), 'number', '7')).toBe(
      "expected a number (the point's valueType)",
    );
  });
});
