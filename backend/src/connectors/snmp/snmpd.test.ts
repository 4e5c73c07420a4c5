/**
 * SNMPv3 against Debian's snmpd (Net-SNMP): a second, independent USM implementation beside snmpsim's pysnmp —
 * key localisation and HMAC-SHA-1/-256/-512 with AES-128/-256 — and a value that changes between polls.
 */
import { activeHandles } from '../../testing/handles';
import { snmpOptions, type SnmpOptionsInput } from './config';
import { SNMP_STATUS } from './decode';
import { snmp } from './index';
import type { SnmpConnector } from './snmp';
import { expectNoUdpLeaks, PASS_OID, snmpPoint, startSnmpd, V3_USER, type Snmpd } from './testkit';
import { gatherAll } from '../../testing/gather';

let agent: Snmpd;
beforeAll(async () => {
  agent = await startSnmpd();
}, 30_000);
afterAll(async () => {
  await agent?.stop();
});

type User = NonNullable<SnmpOptionsInput['agents'][number]['user']>;

function connector(user: User, points = [NAME, LOCATION]): SnmpConnector {
  return snmp.init({
    name: 'v3',
    intervalMs: 1000,
    options: snmpOptions.parse({
      agents: [{ name: 'a', host: '127.0.0.1', port: agent.port, version: '3', user, timeoutMs: 1000, retries: 0 }],
    }),
    points,
  }) as SnmpConnector;
}

const gather = gatherAll;

const NAME = snmpPoint('name', 'object=mib2:sysName', 'string', '', 'state');
const LOCATION = snmpPoint('location', 'object=mib2:sysLocation', 'string', '', 'state');

describe('snmp v3 against Debian snmpd', () => {
  it.each([
    ['plenum-sha256', 'sha256', 'aes'],
    ['plenum-sha512', 'sha512', 'aes256b'],
    ['plenum-sha1', 'sha', 'aes'],
  ] as const)('%s: authPriv %s + %s', async (name, authProtocol, privProtocol) => {
    const before = activeHandles();
    const c = connector({ name, authProtocol, privProtocol, authKey: V3_USER.authKey, privKey: V3_USER.privKey });
    const r = await gather(c);
    await c.close();
    expect(r.error).toBeUndefined();
    expect(r.samples.map((s) => [s.pointId, s.value, s.quality])).toEqual([
      ['name', 'plenum-snmpd', 'good'],
      ['location', 'hall1/A/A01', 'good'],
    ]);
    await expectNoUdpLeaks(before);
  });

  it('follows a value that changes between polls (scaled tenths)', async () => {
    const c = connector({ name: 'plenum-sha256', authKey: V3_USER.authKey, privKey: V3_USER.privKey }, [
      snmpPoint('t', `oid=${PASS_OID};scale=0.1`, 'number', '°C', 'temperature'),
    ]);
    const seen: unknown[] = [];
    for (const raw of [215, 230, -45]) {
      agent.setValue(raw);
      const r = await gather(c);
      expect(r.error).toBeUndefined();
      seen.push(r.samples[0]?.value);
    }
    await c.close();
    expect(seen).toEqual([21.5, 23, -4.5]);
  });

  it('a wrong privacy passphrase, a wrong auth passphrase, an unknown user: bad, named, no secret in the message', async () => {
    // snmpd drops what it cannot decrypt (no answer), and reports a wrong digest and an unknown user (usmStats)
    const cases: Array<[User, RegExp, number]> = [
      [
        { name: 'plenum-sha256', authKey: V3_USER.authKey, privKey: 'not-the-priv-key' },
        /no answer to GET of 2 OIDs .* a wrong privacy passphrase/,
        SNMP_STATUS.timeout,
      ],
      [
        { name: 'plenum-sha256', authKey: 'not-the-auth-key', privKey: V3_USER.privKey },
        /SNMPv3 USM refused GET of 2 OIDs .*: Wrong Digest/,
        SNMP_STATUS.security,
      ],
      [
        { name: 'nobody-here', authKey: V3_USER.authKey, privKey: V3_USER.privKey },
        /SNMPv3 USM refused GET of 2 OIDs .*: Unknown User Name/,
        SNMP_STATUS.security,
      ],
    ];
    for (const [user, why, status] of cases) {
      const c = connector(user);
      const r = await gather(c);
      await c.close();
      expect(r.samples.every((s) => s.quality === 'bad')).toBe(true);
      expect(r.samples.map((s) => s.rawStatus)).toEqual([status, status]);
      expect(r.error).toContain(`agent "a" (127.0.0.1:${agent.port} v3 user ${user.name})`);
      expect(r.error).toMatch(why);
      expect(r.error).not.toContain('not-the-');
      expect(r.error).not.toContain(V3_USER.privKey);
    }
  });
});
