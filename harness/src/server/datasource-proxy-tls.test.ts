import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { FIXTURE_PLUGINS, fixtureDatasource } from '../testing/fixtures';
import { HARNESS_DIR } from './paths';
import { startHarnessServer, type HarnessServer } from './server';

const TLS_DIR = path.join(HARNESS_DIR, 'fixtures', 'tls');
const pem = (name: string) => fs.readFileSync(path.join(TLS_DIR, name), 'utf8');
const TOKEN = 'tls-token';

describe('data source proxy to an https upstream', () => {
  let upstream: https.Server;
  let server: HarnessServer;

  beforeAll(async () => {
    // a server certificate from the test CA; client certificates are asked for but not required
    upstream = https.createServer(
      {
        key: pem('server.key'),
        cert: pem('server.crt'),
        ca: pem('ca.crt'),
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        const socket = req.socket as TLSSocket;
        const client = socket.authorized ? String(socket.getPeerCertificate().subject?.CN) : 'none';
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ client, authorization: req.headers.authorization }));
      },
    );
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    const ds = (uid: string, jsonData: Record<string, unknown>, secrets: Record<string, string> = {}) => {
      const base = fixtureDatasource(url, TOKEN, uid);
      return {
        ...base,
        isDefault: false,
        jsonData: { ...base.jsonData, ...jsonData },
        secureJsonData: { apiToken: TOKEN, ...secrets },
      };
    };
    server = await startHarnessServer({
      plugins: FIXTURE_PLUGINS,
      datasources: [
        ds('plain', {}),
        ds('skip', { tlsSkipVerify: true }),
        ds('ca', { tlsAuthWithCACert: true }, { tlsCACert: pem('ca.crt') }),
        ds(
          'mtls',
          { tlsAuthWithCACert: true, tlsAuth: true },
          {
            tlsCACert: pem('ca.crt'),
            tlsClientCert: pem('client.crt'),
            tlsClientKey: pem('client.key'),
          },
        ),
        ds('broken', { tlsAuth: true }, { tlsClientCert: 'not a certificate', tlsClientKey: 'not a key' }),
      ],
    });
  });

  afterAll(async () => {
    await server.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  });

  const call = (uid: string) => fetch(new URL(`api/datasources/proxy/uid/${uid}/api/x`, server.url));

  it('refuses an upstream certificate from an unknown CA (502, as Grafana)', async () => {
    expect((await call('plain')).status).toBe(502);
  });

  it('accepts it with tlsSkipVerify', async () => {
    const res = await call('skip');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ client: 'none', authorization: `Bearer ${TOKEN}` });
  });

  it('accepts it with tlsAuthWithCACert and the CA as the secret tlsCACert', async () => {
    expect((await call('ca')).status).toBe(200);
  });

  it('presents the client certificate with tlsAuth', async () => {
    expect(await (await call('mtls')).json()).toMatchObject({ client: 'harness client' });
  });

  it('answers 400 "Unable to load TLS certificate" when the PEM does not load', async () => {
    const res = await call('broken');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'Unable to load TLS certificate' });
  });
});
