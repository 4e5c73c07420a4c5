import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../config/load';
import { startPlenum } from '../plenum';
import { tokenSha256 } from './auth';

const SITE = 'site: { id: s, halls: [{ id: h }] }';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in a temp folder. */
function makePki(dir: string): void {
  const ossl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ossl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=test-ca',
  );
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const who of ['server', 'client']) {
    ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who}`);
    ossl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${who}.pem`,
      '-days',
      '2',
      ...(who === 'server' ? ['-extfile', 'san.ext'] : []),
    );
  }
  fs.writeFileSync(path.join(dir, 'not-pem.pem'), 'hello');
}

function get(
  url: string,
  opts: https.RequestOptions,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, opts, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
}

describe('API over TLS and mTLS', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-tls-'));
  const file = path.join(dir, 'plenum.yaml');
  beforeAll(() => makePki(dir));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const load = (api: string) =>
    parseConfig(`${SITE}\nhistorian: { dataDir: ./data }\napi: ${api}\n`, file, { env: { PLENUM_PORT: '0' } });

  it('names the field of a missing, non-PEM or mismatched file, and requestCert without ca', () => {
    const msg = (api: string) => {
      try {
        load(api);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(msg('{ tls: { cert: nope.pem, key: server.key } }')).toContain(
      `api.tls.cert: cannot read ${path.join(dir, 'nope.pem')} (ENOENT)`,
    );
    expect(msg('{ tls: { cert: not-pem.pem, key: server.key } }')).toContain('api.tls.cert: ');
    expect(msg('{ tls: { cert: not-pem.pem, key: server.key } }')).toContain('is not a PEM file');
    expect(msg('{ tls: { cert: server.pem, key: client.key } }')).toContain(
      'api.tls.key: cert and key do not make a TLS context',
    );
    expect(msg('{ tls: { cert: server.pem, key: server.key, requestCert: true } }')).toContain(
      'api.tls.ca: requestCert needs ca',
    );
    expect(msg('{ tokens: [{ name: a, scope: read, sha256: abc }] }')).toContain(
      'api.tokens[0].sha256: expected the SHA-256 of the token as 64 hex digits',
    );
    expect(msg('{ tokens: [{ name: a, scope: root, sha256: abc }] }')).toContain('api.tokens[0].scope');
  });

  it('serves HTTPS with HSTS and hashed tokens, and with mTLS refuses a client without a certificate', async () => {
    const sha = tokenSha256('tls-token-1');
    const config = load(
      `{ tokens: [{ name: noc, scope: read, sha256: ${sha} }], tls: { cert: server.pem, key: server.key, ca: ca.pem, requestCert: true } }`,
    );
    const logs: string[] = [];
    const p = await startPlenum(config, { noSources: true, log: (m) => logs.push(m) });
    try {
      expect(p.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = fs.readFileSync(path.join(dir, 'ca.pem'));
      const client = {
        cert: fs.readFileSync(path.join(dir, 'client.pem')),
        key: fs.readFileSync(path.join(dir, 'client.key')),
      };
      const ok = await get(`${p.url}/api/health`, { ca, ...client, headers: { Authorization: 'Bearer tls-token-1' } });
      expect(ok.status).toBe(200);
      expect(ok.headers['strict-transport-security']).toBe('max-age=31536000');
      const noToken = await get(`${p.url}/api/health`, { ca, ...client });
      expect(noToken.status).toBe(401);
      await expect(
        get(`${p.url}/api/health`, { ca, headers: { Authorization: 'Bearer tls-token-1' } }),
      ).rejects.toThrow();
      // an unknown server certificate is refused by a client that does not know the CA
      await expect(get(`${p.url}/api/health`, client)).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
      expect(logs.join('\n')).not.toContain('tls-token-1');
    } finally {
      await p.stop();
    }
  });
});
