import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SparkplugEdge } from './edge-node';
import { startMosquitto, type Mosquitto } from './mosquitto.testkit';
import { brokerConfig, edgeConfig, edgePoint, tmpDir, until } from './testkit';

/**
 * mqtts:// to Debian mosquitto with a certificate from a CA made here with openssl: the edge connects with
 * `tls.ca`, and refuses the broker (named in the log) without it.
 */

let broker: Mosquitto;
let dir: string;
const edges: SparkplugEdge[] = [];

beforeAll(async () => {
  dir = tmpDir();
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=plenum test CA',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
  );
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr');
  fs.writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    'san.ext',
    '-out',
    'server.pem',
  );
  // mosquitto started as root reads its certificates as the mosquitto user: a folder and key it may read
  // (throwaway keys of this test)
  fs.chmodSync(dir, 0o755);
  fs.chmodSync(f('server.key'), 0o644);
  broker = await startMosquitto(
    [`cafile ${f('ca.pem')}`, `certfile ${f('server.pem')}`, `keyfile ${f('server.key')}`],
    'mqtts',
  );
});
afterAll(async () => {
  await Promise.all(edges.map((e) => e.stop()));
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function edge(tls: { ca?: Buffer; rejectUnauthorized: boolean }, log: string[]) {
  const data = path.join(dir, `edge-${edges.length}`);
  fs.mkdirSync(data);
  const e = new SparkplugEdge({
    broker: brokerConfig(broker.url, { tls }),
    edge: edgeConfig(),
    site: 'sim',
    points: [edgePoint('sim/hall1/A/A01/pdu/power')],
    dataDir: data,
    log: (m) => log.push(m),
  });
  edges.push(e);
  e.start();
  return e;
}

describe('sparkplug over TLS', () => {
  it('connects with the CA and refuses a broker it cannot verify', async () => {
    const okLog: string[] = [];
    const ok = edge({ ca: fs.readFileSync(path.join(dir, 'ca.pem')), rejectUnauthorized: true }, okLog);
    await until('born over mqtts', () => ok.status().born);
    const badLog: string[] = [];
    const bad = edge({ rejectUnauthorized: true }, badLog);
    await until('a refusal', () => badLog.some((l) => /certificate/i.test(l)));
    expect(bad.status().connected).toBe(false);
    expect(badLog.find((l) => /certificate/i.test(l))).toMatch(/^sparkplug: mqtts:\/\/127\.0\.0\.1:\d+: .*certificate/);
  });
});
