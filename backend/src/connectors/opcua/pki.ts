/**
 * The connector's PKI folder (node-opcua's layout: `own/`, `trusted/certs/`, `rejected/`, `issuers/`): server
 * certificates the connector does not know are written to `rejected/` and the connection is refused. Trusting one
 * is an explicit step: fetch it from the endpoint (or take a file), show its thumbprint, move it to trusted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crypto_utils, OPCUACertificateManager, OPCUAClient } from 'node-opcua';
import { errorMessage } from '../../common/errors';

export interface CertificateInfo {
  /** SHA-1 thumbprint, hex (what OPC UA tools show) */
  thumbprint: string;
  subject: string;
  applicationUri?: string;
  notBefore: string;
  notAfter: string;
  /** the file, for rejected certificates */
  file?: string;
}

/**
 * The client's application name, in every OPCUAClient of the connector and its CLI: node-opcua creates the
 * client certificate in `own/` for `urn:<hostname>:Plenum` and warns (W06) when a client uses another name.
 */
export const CLIENT_APPLICATION_NAME = 'Plenum';

/** The CLI command that trusts the server at `endpoint` (quoted in connection errors). */
export function trustCommand(pkiDir: string, endpoint: string): string {
  return `npx tsx backend/src/connectors/opcua/cli.ts trust --pki ${pkiDir} --endpoint ${endpoint}`;
}

function der(certificate: Buffer): Buffer {
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(certificate.toString('latin1'));
  return pem ? Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64') : certificate;
}

/** Subject, application URI, validity and thumbprint of a DER (or PEM) certificate. */
export function describeCertificate(certificate: Buffer): CertificateInfo {
  const d = der(certificate);
  try {
    const first = crypto_utils.split_der(d)[0] ?? d;
    const tbs = crypto_utils.exploreCertificate(first).tbsCertificate;
    const subject = Object.entries(tbs.subject ?? {})
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
    const uri = tbs.extensions?.subjectAltName?.uniformResourceIdentifier?.[0];
    return {
      thumbprint: crypto_utils.makeSHA1Thumbprint(first).toString('hex'),
      subject,
      applicationUri: uri,
      notBefore: tbs.validity.notBefore.toISOString(),
      notAfter: tbs.validity.notAfter.toISOString(),
    };
  } catch (err) {
    // node-opcua's DER reader fails on corrupt input with whatever it tripped over (a TypeError, an invalid date)
    throw new Error(`not an X.509 certificate in DER or PEM (${errorMessage(err)})`);
  }
}

async function withManager<T>(pkiDir: string, f: (m: OPCUACertificateManager) => Promise<T>): Promise<T> {
  fs.mkdirSync(pkiDir, { recursive: true });
  const m = new OPCUACertificateManager({
    rootFolder: pkiDir,
    automaticallyAcceptUnknownCertificate: false,
    disableFileWatchers: true,
  });
  try {
    await m.initialize();
    return await f(m);
  } finally {
    await m.dispose().catch(() => undefined);
  }
}

/**
 * Asks the server at `endpoint` for its certificate (GetEndpoints over an unsecured channel, which OPC UA allows
 * for discovery). Bounded by `timeoutMs`.
 */
export async function fetchServerCertificate(endpoint: string, pkiDir: string, timeoutMs = 10_000): Promise<Buffer> {
  return withManager(pkiDir, async (m) => {
    const client = OPCUAClient.create({
      applicationName: CLIENT_APPLICATION_NAME,
      endpointMustExist: false,
      clientCertificateManager: m,
      connectionStrategy: { maxRetry: 0 },
      defaultTransactionTimeout: timeoutMs,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = (async () => {
        await client.connect(endpoint);
        return client.getEndpoints();
      })();
      work.catch(() => undefined);
      const endpoints = await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      const cert = endpoints.find((e) => e.serverCertificate && e.serverCertificate.length > 0)?.serverCertificate;
      if (!cert) throw new Error('the server sent no certificate with its endpoints');
      return Buffer.from(cert);
    } catch (err) {
      throw new Error(`cannot fetch the server certificate from ${endpoint}: ${errorMessage(err)}`);
    } finally {
      clearTimeout(timer);
      await client.disconnect().catch(() => undefined);
    }
  });
}

/** Moves a certificate to `trusted/certs/` (and out of `rejected/`). */
export async function trustCertificate(pkiDir: string, certificate: Buffer): Promise<CertificateInfo> {
  const info = describeCertificate(certificate);
  await withManager(pkiDir, (m) => m.trustCertificate(der(certificate)));
  return info;
}

/** Fetches the certificate of the server at `endpoint` and trusts it. */
export async function trustServer(pkiDir: string, endpoint: string): Promise<CertificateInfo> {
  return trustCertificate(pkiDir, await fetchServerCertificate(endpoint, pkiDir));
}

/** Trusts a certificate file (DER or PEM), e.g. one copied from `rejected/` or handed over by the server's owner. */
export async function trustFile(pkiDir: string, file: string): Promise<CertificateInfo> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read certificate ${file}: ${errorMessage(err)}`);
  }
  return trustCertificate(pkiDir, bytes);
}

/** Certificates in `rejected/`: servers the connector refused since they were not trusted. */
export function listRejected(pkiDir: string): CertificateInfo[] {
  const dir = path.join(pkiDir, 'rejected');
  if (!fs.existsSync(dir)) return [];
  const out: CertificateInfo[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (!/\.(pem|der)$/i.test(name) || !fs.statSync(file).isFile()) continue;
    try {
      out.push({ ...describeCertificate(fs.readFileSync(file)), file });
    } catch {
      // not a certificate: ignored
    }
  }
  return out;
}
