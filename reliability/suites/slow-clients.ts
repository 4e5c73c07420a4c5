/**
 * Slow clients: the real backend (plenum.yaml, no connectors) with slowloris connections, bodies trickled a byte a
 * second and bodies cut short (reliability/fuzz/slow-clients.ts). Ordinary requests must still be answered and the
 * server must close every slow connection within its own limits (api.headersTimeout, api.requestTimeout).
 *
 *   full: the shipped limits (20 s headers, 60 s request), 100 connections of each kind
 *   short (CI): limits of 3 s and 6 s, 40 of each
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../backend/src/config/load';
import { CONNECTOR_NAMES } from '../../backend/src/connectors/all';
import { startPlenum } from '../../backend/src/plenum';
import { slowClients } from '../fuzz/slow-clients';
import { SUITE_TOKENS, type Suite } from '../suite';

const ROOT = path.resolve(__dirname, '../..');
/** node checks the limits once a second (plenum.ts, connectionsCheckingInterval), plus half a second of scheduling */
const CHECK_MS = 1500;

const suite: Suite = async ({ short, log }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-slow-'));
  const config = loadConfig(path.join(ROOT, 'plenum.yaml'), {
    connectors: CONNECTOR_NAMES,
    env: { PLENUM_DATA: dir, PLENUM_PORT: '0', PLENUM_HOST: '127.0.0.1' },
  });
  if (short) config.api = { ...config.api, headersTimeoutMs: 3000, requestTimeoutMs: 6000 };
  const output: string[] = [];
  const plenum = await startPlenum(config, {
    noSources: true,
    token: SUITE_TOKENS.read,
    log: (m) => output.push(m),
  });
  try {
    const { headersTimeoutMs, requestTimeoutMs } = config.api;
    log(`limits: headers ${headersTimeoutMs} ms, request ${requestTimeoutMs} ms`);
    const figures = await slowClients({
      url: plenum.url,
      token: SUITE_TOKENS.read,
      perKind: short ? 40 : 100,
      closeWithinMs: { headers: headersTimeoutMs + CHECK_MS, request: requestTimeoutMs + CHECK_MS },
    });
    return { suite: 'slow-clients', figures, failures: [], output: output.join('\n') };
  } finally {
    await plenum.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

export default suite;
