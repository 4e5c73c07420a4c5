/**
 * Test helpers of the snmp connector (not shipped code): Debian's snmpsim serving the recorded real devices of
 * fixtures/devices/snmp (copied into a temp data dir: the recordings are read-only), points, handle counts.
 *
 * snmpsim selects a recording by v2c community (the file's name without `.snmprec`) or by v3 context name.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ValueType } from '@plenum/model';
import type { SourcePoint } from '../types';
import { activeHandles } from '../../testing/handles';
import { freePort } from '../../testing/handles';

export { freePort };

export const DEVICES_DIR = path.resolve(__dirname, '../../../../fixtures/devices/snmp');
export const INSTALL_HINT =
  'the snmp tests need Debian snmpsim (apt-get install -y snmpsim; its command is snmpsimd) and snmp; CI installs them in .ci/run';

/** The USM user every snmpsim of these tests accepts (SHA-256 + AES-128), and its passphrases. */
export const V3_USER = { name: 'plenum', authKey: 'plenum-auth-key', privKey: 'plenum-priv-key' };

/** A minimal configured point reading `address`. */
export function snmpPoint(
  id: string,
  address: string,
  valueType: ValueType = 'number',
  sourceUnit = '',
  quantity: SourcePoint['quantity'] = 'count',
): SourcePoint {
  return {
    id,
    domain: 'OT',
    quantity,
    unit: sourceUnit,
    grafanaUnit: 'none',
    valueType,
    kind: 'measurement',
    writable: false,
    location: { site: 's' },
    tags: [],
    source: { connector: 'snmp', source: 'test', address },
    sourceUnit,
    conversion: { scale: 1, offset: 0 },
  };
}

/** UDP sockets are not in the shared leak list: the snmp tests check them too. */
export async function expectNoUdpLeaks(before: Record<string, number>, ms = 1000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const now = activeHandles();
    const kinds = ['UDPWRAP', 'UDPWrap', 'Timeout'];
    const extra = kinds.filter((k) => (now[k] ?? 0) > (before[k] ?? 0));
    if (extra.length === 0) return;
    if (Date.now() > end)
      throw new Error(`leaked handles: ${extra.map((k) => `${k} ${before[k] ?? 0} → ${now[k]}`).join(', ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Snmpsim {
  port: number;
  /** requests snmpsim logged (`Request var-binds: …` lines) */
  log: string[];
  stop(): Promise<void>;
}

/** Throws (fails the test, never skips) when snmpsim is missing. */
export function requireSnmpsim(): void {
  // --version prints the version and exits 1: only a missing command is a failure
  const r = spawnSync('snmpsimd', ['--version'], { encoding: 'utf8' });
  if (r.error) throw new Error(`${INSTALL_HINT}\n${r.error.message}`);
}

/**
 * Starts snmpsimd on 127.0.0.1 and a free port over a temp copy of the recordings (`only`: these recordings, by
 * name without `.snmprec`, so it indexes less at start when other suites run beside it); resolves once it answers.
 */
export async function startSnmpsim(only?: readonly string[]): Promise<Snmpsim> {
  requireSnmpsim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-snmpsim-'));
  const data = path.join(dir, 'data');
  const cache = path.join(dir, 'cache');
  fs.mkdirSync(data);
  fs.mkdirSync(cache);
  const wanted = (f: string) => f.endsWith('.snmprec') && (only === undefined || only.includes(f.slice(0, -8)));
  for (const f of fs.readdirSync(DEVICES_DIR).filter(wanted)) {
    fs.copyFileSync(path.join(DEVICES_DIR, f), path.join(data, f));
    fs.chmodSync(path.join(data, f), 0o644);
  }
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(data, 0o755);
  const args = [
    `--data-dir=${data}`,
    `--cache-dir=${cache}`,
    '--logging-method=stdout',
    `--v3-user=${V3_USER.name}`,
    `--v3-auth-key=${V3_USER.authKey}`,
    '--v3-auth-proto=SHA256',
    `--v3-priv-key=${V3_USER.privKey}`,
    '--v3-priv-proto=AES',
  ];
  // snmpsimd refuses to run as root; it drops to nobody, which must be able to write the index cache
  if (process.getuid?.() === 0) {
    args.push('--process-user=nobody', '--process-group=nogroup');
    fs.chownSync(cache, 65534, 65534);
  }
  const port = await freePort();
  args.push(`--agent-udpv4-endpoint=127.0.0.1:${port}`);
  const child: ChildProcess = spawn('snmpsimd', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  let out = '';
  let buffer = '';
  const onData = (d: Buffer) => {
    out += d.toString();
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith('Request var-binds:')) log.push(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const end = Date.now() + 60_000;
  while (!out.includes('Listening at UDP/IPv4 endpoint')) {
    if (child.exitCode !== null || Date.now() > end) {
      await stop();
      throw new Error(`snmpsimd did not start within 60 s:\n${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, log, stop };
}

export interface Snmpd {
  port: number;
  /** sets the value the `pass_persist` script serves at PASS_OID (an integer) */
  setValue(n: number): void;
  stop(): Promise<void>;
}

/** The object the snmpd fixture serves through a `pass_persist` script, so tests can change it between polls; it
 * takes a SET of an integer (anything else: wrongType). */
export const PASS_OID = '1.3.6.1.4.1.99999.1.0';
/** A Gauge32 beside it (starts at 0): takes a SET of a gauge only, as an agent strict about SYNTAX does. */
export const PASS_GAUGE_OID = '1.3.6.1.4.1.99999.2.0';

/** v2c communities of the snmpd fixture: read-only, and read-write (SETs). */
export const SNMPD_COMMUNITIES = { ro: 'plenum-ro', rw: 'plenum-rw' } as const;

/** USM users of the snmpd fixture: name → [auth protocol (snmpd.conf), priv protocol], passphrases V3_USER's. */
export const SNMPD_USERS = {
  'plenum-sha256': ['SHA-256', 'AES'],
  'plenum-sha512': ['SHA-512', 'AES-256'],
  'plenum-sha1': ['SHA', 'AES'],
} as const;

/**
 * Starts Debian's snmpd (Net-SNMP, an independent USM implementation) on 127.0.0.1 and a free port with a temp
 * config and persistent dir: the SNMPD_USERS as authPriv read-only users, the SNMPD_COMMUNITIES (v2c, read-only and
 * read-write), sysName/sysLocation, and PASS_OID served by a `pass_persist` script from a file the test rewrites
 * (and a SET writes). Resolves once it answers.
 */
export async function startSnmpd(): Promise<Snmpd> {
  if (!fs.existsSync('/usr/sbin/snmpd')) throw new Error('the snmpd tests need Debian snmpd: apt-get install -y snmpd');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-snmpd-'));
  const port = await freePort();
  const valueFile = path.join(dir, 'value');
  fs.writeFileSync(valueFile, '0\n');
  const gaugeFile = path.join(dir, 'gauge');
  fs.writeFileSync(gaugeFile, '0\n');
  const script = path.join(dir, 'pass.sh');
  fs.writeFileSync(
    script,
    [
      '#!/bin/sh',
      `# snmpd pass_persist protocol (pass caches a script's answer for 30 s): get <oid> → oid, type, value`,
      `OID=.${PASS_OID}`,
      `GAUGE=.${PASS_GAUGE_OID}`,
      'while read cmd; do',
      '  case "$cmd" in',
      '    PING) echo PONG ;;',
      `    get) read oid; if [ "$oid" = "$OID" ]; then echo "$OID"; echo integer; cat "${valueFile}"; elif [ "$oid" = "$GAUGE" ]; then echo "$GAUGE"; echo gauge; cat "${gaugeFile}"; else echo NONE; fi ;;`,
      '    getnext) read oid; echo NONE ;;',
      // a SET arrives as `set`, the OID, then `<type> <value>`; DONE takes it
      `    set) read oid; read val; if [ "$oid" = "$OID" ] && [ "\${val%% *}" = integer ]; then echo "\${val#* }" > "${valueFile}"; echo DONE; elif [ "$oid" = "$GAUGE" ] && [ "\${val%% *}" = gauge ]; then echo "\${val#* }" > "${gaugeFile}"; echo DONE; elif [ "$oid" = "$OID" ] || [ "$oid" = "$GAUGE" ]; then echo wrong-type; else echo not-writable; fi ;;`,
      // snmpd follows a set's value with an empty line: answering it would put every later answer one behind
      "    '') ;;",
      '    *) echo NONE ;;',
      '  esac',
      'done',
      '',
    ].join('\n'),
  );
  fs.chmodSync(script, 0o755);
  const conf = path.join(dir, 'snmpd.conf');
  fs.writeFileSync(
    conf,
    [
      `agentAddress udp:127.0.0.1:${port}`,
      ...Object.entries(SNMPD_USERS).map(
        ([name, [auth, priv]]) => `createUser ${name} ${auth} ${V3_USER.authKey} ${priv} ${V3_USER.privKey}`,
      ),
      ...Object.keys(SNMPD_USERS).map((name) => `rouser ${name} priv`),
      `rocommunity ${SNMPD_COMMUNITIES.ro} 127.0.0.1`,
      `rwcommunity ${SNMPD_COMMUNITIES.rw} 127.0.0.1`,
      'sysName plenum-snmpd',
      'sysLocation hall1/A/A01',
      `pass_persist .1.3.6.1.4.1.99999 /bin/sh ${script}`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(
    '/usr/sbin/snmpd',
    ['-f', '-Lo', '-C', '-c', conf, '-p', path.join(dir, 'pid'), `--persistentDir=${dir}`, '-M', '/nonexistent'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SNMP_PERSISTENT_DIR: dir, MIBS: '' } },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const end = Date.now() + 15_000;
  while (!/NET-SNMP version/.test(out)) {
    if (child.exitCode !== null || Date.now() > end) {
      await stop();
      throw new Error(`snmpd did not start within 15 s:\n${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, setValue: (n) => fs.writeFileSync(valueFile, `${n}\n`), stop };
}
