/**
 * Traps and informs → events, sent by Debian's snmptrap / snmpinform (package snmp, the Net-SNMP tools: an
 * independent implementation) to the connector's listener on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { activeHandles } from '../../testing/handles';
import { snmpOptions, type SnmpOptionsInput } from './config';
import { snmp } from './index';
import type { SnmpConnector } from './snmp';
import { expectNoUdpLeaks, freePort, snmpPoint } from './testkit';

const HINT =
  'the trap tests need Debian snmp (snmptrap, snmpinform): apt-get install -y snmp; CI installs it in .ci/run';

/** Runs snmptrap / snmpinform without blocking the event loop (the listener must answer the inform meanwhile). */
function net(cmd: 'snmptrap' | 'snmpinform', args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', (e) => reject(new Error(`${HINT}\n${e.message}`)));
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${stderr}`)),
    );
  });
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function connector(options: SnmpOptionsInput, events: unknown[]): SnmpConnector {
  return snmp.init({
    name: 'power-snmp',
    intervalMs: 1000,
    options: snmpOptions.parse(options),
    points: [],
    events: (e: unknown) => events.push(e),
  } as never) as SnmpConnector;
}

describe('snmp traps and informs', () => {
  it('v2c trap and inform become events named by the profiles; a wrong community and garbage are dropped', async () => {
    const before = activeHandles();
    const port = await freePort();
    const events: Array<Record<string, unknown>> = [];
    const c = connector(
      {
        agents: [{ name: 'ups1', host: '127.0.0.1', community: 'ups-traps' }],
        traps: { port, host: '127.0.0.1' },
      },
      events,
    );
    expect(c.traps?.port).toBe(0); // not bound before the first gather: init does no I/O
    await c.gather(async () => undefined);
    expect(c.traps?.port).toBe(port);
    try {
      // UPS-MIB upsTrapOnBattery with upsSecondsOnBattery = 42
      await net('snmptrap', [
        '-v',
        '2c',
        '-c',
        'ups-traps',
        `127.0.0.1:${port}`,
        '',
        '1.3.6.1.2.1.33.2.0.1',
        '1.3.6.1.2.1.33.1.2.2.0',
        'i',
        '42',
      ]);
      await until(() => events.length === 1);
      expect(events[0]).toMatchObject({
        type: 'alarm',
        severity: 'critical',
        title: 'agent "ups1": ups-mib:upsTrapOnBattery',
        tags: ['snmp', 'trap'],
        source: 'power-snmp',
        data: {
          notification: '1.3.6.1.2.1.33.2.0.1',
          agent: 'ups1',
          kind: 'trap',
          varbinds: { '1.3.6.1.2.1.33.1.2.2.0': 42 },
        },
      });

      // an inform is answered (snmpinform exits 0 only when it gets the Response) and becomes an event
      await net('snmpinform', [
        '-v',
        '2c',
        '-c',
        'ups-traps',
        '-t',
        '2',
        '-r',
        '0',
        `127.0.0.1:${port}`,
        '',
        '1.3.6.1.6.3.1.1.5.3',
        '1.3.6.1.2.1.2.2.1.1.2',
        'i',
        '2',
      ]);
      await until(() => events.length === 2);
      expect(events[1]).toMatchObject({
        severity: 'warning',
        title: 'agent "ups1": mib2:linkDown',
        tags: ['snmp', 'inform'],
      });

      // a wrong community, an unknown notification, garbage: no event for the first and the last, never a crash
      await net('snmptrap', ['-v', '2c', '-c', 'wrong', `127.0.0.1:${port}`, '', '1.3.6.1.2.1.33.2.0.1']);
      const sock = dgram.createSocket('udp4');
      await new Promise<void>((r) => sock.send(Buffer.from('garbage'), port, '127.0.0.1', () => r()));
      sock.close();
      await net('snmptrap', [
        '-v',
        '2c',
        '-c',
        'ups-traps',
        `127.0.0.1:${port}`,
        '',
        '1.3.6.1.4.1.99999.0.7',
        '1.3.6.1.4.1.99999.1',
        's',
        'door open',
      ]);
      await until(() => events.length === 3);
      expect(events[2]).toMatchObject({
        severity: 'warning',
        title: 'agent "ups1": 1.3.6.1.4.1.99999.0.7',
        data: { varbinds: { '1.3.6.1.4.1.99999.1': 'door open' } },
      });
      await until(() => (c.traps?.stats.rejected ?? 0) >= 2);
      expect(c.traps?.stats).toEqual({ traps: 2, informs: 1, rejected: 2 });
      expect(c.recentEvents).toHaveLength(3);

      // a v1 trap (linkUp, generic 3) maps to the v2 notification OID (RFC 3584)
      await net('snmptrap', [
        '-v',
        '1',
        '-c',
        'ups-traps',
        `127.0.0.1:${port}`,
        '1.3.6.1.4.1.318',
        '127.0.0.1',
        '3',
        '0',
        '',
      ]);
      await until(() => events.length === 4);
      expect(events[3]).toMatchObject({ severity: 'info', title: 'agent "ups1": mib2:linkUp' });
    } finally {
      await c.close();
    }
    await expectNoUdpLeaks(before);
  }, 30_000);

  it('SNMPv3 traps and informs from a USM user (SHA-256, AES) become events; wrong keys or users are dropped', async () => {
    const before = activeHandles();
    const port = await freePort();
    const events: Array<Record<string, unknown>> = [];
    const user = {
      name: 'ups-notify',
      authProtocol: 'sha256' as const,
      authKey: 'auth-pass-1',
      privKey: 'priv-pass-1',
    };
    // no traps.users: the v3 agent's user is the default
    const c = connector(
      { agents: [{ name: 'ups1', host: '127.0.0.1', version: '3', user }], traps: { port, host: '127.0.0.1' } },
      events,
    );
    await c.gather(async () => undefined).catch(() => undefined); // no agent answers on 161: only the listener matters
    const v3 = (u: string, a: string, x: string, level = 'authPriv') => [
      '-v',
      '3',
      '-u',
      u,
      '-l',
      level,
      '-a',
      'SHA-256',
      '-A',
      a,
      '-x',
      'AES',
      '-X',
      x,
    ];
    const onBattery = [`127.0.0.1:${port}`, '', '1.3.6.1.2.1.33.2.0.1', '1.3.6.1.2.1.33.1.2.2.0', 'i', '7'];
    try {
      // a trap: the sender is the authoritative engine (its own engine id, -e)
      await net('snmptrap', [
        ...v3('ups-notify', 'auth-pass-1', 'priv-pass-1'),
        '-e',
        '0x80001f8880aabbccdd',
        ...onBattery,
      ]);
      await until(() => events.length === 1);
      expect(events[0]).toMatchObject({
        severity: 'critical',
        title: 'agent "ups1": ups-mib:upsTrapOnBattery',
        tags: ['snmp', 'trap'],
        data: { kind: 'trap', varbinds: { '1.3.6.1.2.1.33.1.2.2.0': 7 } },
      });
      // an inform: the listener is authoritative (snmpinform discovers its engine id first) and must answer
      await net('snmpinform', [...v3('ups-notify', 'auth-pass-1', 'priv-pass-1'), '-t', '2', '-r', '0', ...onBattery]);
      await until(() => events.length === 2);
      expect(events[1]).toMatchObject({ tags: ['snmp', 'inform'], data: { kind: 'inform' } });

      // wrong auth key, wrong priv key, unknown user, authNoPriv for an authPriv user: no event, each counted
      const e = ['-e', '0x80001f8880aabbccdd'];
      await net('snmptrap', [...v3('ups-notify', 'not-the-auth', 'priv-pass-1'), ...e, ...onBattery]);
      await net('snmptrap', [...v3('ups-notify', 'auth-pass-1', 'not-the-priv'), ...e, ...onBattery]);
      await net('snmptrap', [...v3('intruder', 'auth-pass-1', 'priv-pass-1'), ...e, ...onBattery]);
      await net('snmptrap', [...v3('ups-notify', 'auth-pass-1', 'priv-pass-1', 'authNoPriv'), ...e, ...onBattery]);
      await until(() => (c.traps?.stats.rejected ?? 0) >= 4);
      await new Promise((r) => setTimeout(r, 200));
      expect(events).toHaveLength(2);
      expect(c.traps?.stats).toEqual({ traps: 1, informs: 1, rejected: 4 });
    } finally {
      await c.close();
    }
    await expectNoUdpLeaks(before);
  }, 30_000);

  it('two v3 agents with one user name and other keys need traps.users (a named init error)', () => {
    const agent = (name: string, authKey: string) => ({
      name,
      host: '127.0.0.1',
      version: '3' as const,
      user: { name: 'notify', authKey, privKey: 'priv-pass-1' },
    });
    const options = { agents: [agent('a', 'auth-pass-1'), agent('b', 'auth-pass-2')], traps: { port: 1162 } };
    expect(() => connector(options, [])).toThrow(
      'source "power-snmp": traps: agents "a" and "b" have user "notify" with other settings; the trap listener keeps one per name: set traps.users',
    );
    expect(() =>
      connector({ ...options, traps: { port: 1162, users: [agent('a', 'auth-pass-1').user] } }, []),
    ).not.toThrow();
    const dup = snmpOptions.safeParse({
      ...options,
      traps: { users: [agent('a', 'auth-pass-1').user, agent('b', 'auth-pass-2').user] },
    });
    expect(dup.error?.issues.map((x) => [x.path.join('.'), x.message])).toEqual([
      ['traps.users.1.name', 'duplicate user name "notify" (first at traps.users[0]); expected unique names'],
    ]);
  });

  it('a trap port in use is a named gather error, not a crash', async () => {
    const port = await freePort();
    const holder = dgram.createSocket('udp4');
    await new Promise<void>((r) => holder.bind(port, '127.0.0.1', () => r()));
    const c = connector(
      {
        agents: [{ name: 'a', host: '127.0.0.1', port: 9, timeoutMs: 100, retries: 0 }],
        traps: { port, host: '127.0.0.1' },
      },
      [],
    );
    await expect(c.gather(async () => undefined)).rejects.toThrow(
      `cannot listen for SNMP traps on udp 127.0.0.1:${port}`,
    );
    await c.close();
    await new Promise<void>((r) => holder.close(() => r()));
  });

  it('without traps configured nothing listens', async () => {
    const c = snmp.init({
      name: 'x',
      intervalMs: 1000,
      options: snmpOptions.parse({ agents: [{ name: 'a', host: '127.0.0.1' }] }),
      points: [snmpPoint('p', 'object=mib2:sysName', 'string')],
    }) as SnmpConnector;
    expect(c.traps).toBeUndefined();
    await c.close();
  });
});
