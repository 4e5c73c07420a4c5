// node-opcua requires hexy, an ES module Jest's CommonJS runtime cannot load (plain Node 20.20 can): a stand-in
// for its only use, hex dumps in debug output
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeCertificate } from './pki';

/**
 * Found by the file fuzz suite (reliability/suites/file-fuzz.ts): a certificate with one corrupt DER byte made
 * describeCertificate throw node-opcua's `TypeError: Cannot read properties of undefined (reading 'position')`,
 * which `opcua trust --file` printed as is. Corrupt input is a clear error saying what the file is not.
 */
describe('describeCertificate on corrupt certificates', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-pki-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=pki-test', '-days', '1'].concat([
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ]),
    { stdio: 'ignore' },
  );
  const pem = fs.readFileSync(path.join(dir, 'cert.pem'));
  fs.rmSync(dir, { recursive: true, force: true });
  const der = Buffer.from(pem.toString().replace(/-----[^-]+-----|\s/g, ''), 'base64');

  it('describes a sound certificate, PEM or DER', () => {
    expect(describeCertificate(pem)).toMatchObject({ subject: expect.stringContaining('pki-test') });
    expect(describeCertificate(der).thumbprint).toBe(describeCertificate(pem).thumbprint);
  });

  it('names a corrupt one as not a certificate, whatever byte is wrong', () => {
    // byte 481 → 38 is the fuzz suite's finding (seed 2); every other corruption must fail the same way
    const corrupt = [481, 4, 100, der.length - 20].map((i) => {
      const b = Buffer.from(der);
      b[i] = 38;
      return b;
    });
    for (const b of [...corrupt, der.subarray(0, 300), Buffer.from('garbage')]) {
      let thrown: unknown;
      try {
        describeCertificate(b);
      } catch (err) {
        thrown = err;
      }
      if (thrown === undefined) continue; // a corruption that still parses (e.g. inside the signature) is fine
      expect(thrown).not.toBeInstanceOf(TypeError);
      expect((thrown as Error).message).toMatch(/^not an X\.509 certificate in DER or PEM \(/);
    }
  });
});
