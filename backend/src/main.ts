import path from 'node:path';
import { parseArgs } from 'node:util';
import { clockFromEnv } from './common/clock';
import { configPath } from './config/config-path';
import { CONNECTOR_NAMES } from './connectors/all';
import { loadConfig } from './config/load';
import { errorMessage } from './common/errors';
import { startPlenum, VERSION } from './plenum';
import { startHub } from './hub/hub';

/**
 * `plenum [--config plenum.yaml]`: loads the site config (`--config`, else PLENUM_CONFIG, else ./plenum.yaml),
 * starts the backend and prints where it listens. Exits 2 on a config error, with every error named.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(
      'usage: plenum [--config plenum.yaml]\nenv: PLENUM_CONFIG, PLENUM_DATA, PLENUM_HOST, PLENUM_PORT, PLENUM_API_TOKEN, PLENUM_OPERATE_TOKEN, PLENUM_ADMIN_TOKEN, PLENUM_JOBS_TOKEN, PLENUM_CLOCK',
    );
    return;
  }
  const file = configPath(values.config, process.env);
  let config;
  try {
    config = loadConfig(file, { connectors: CONNECTOR_NAMES, env: process.env });
  } catch (err) {
    console.error(errorMessage(err));
    process.exitCode = 2;
    return;
  }
  // relative paths in connector options (an OPC UA PKI folder, a token file) are relative to the config file
  process.chdir(path.dirname(file));
  // A stray rejection must never take the backend (and with it a site's data flow) down: log it and go on.
  process.on('unhandledRejection', (reason) =>
    console.error(`unhandled rejection (kept running): ${(reason as Error)?.stack ?? String(reason)}`),
  );
  let clock;
  try {
    clock = clockFromEnv(process.env);
  } catch (err) {
    console.error(errorMessage(err));
    process.exitCode = 2;
    return;
  }
  if (config.hub) {
    // the hub role: no sources, no historian; queries read the shared store (hub/README.md)
    const hub = await startHub(
      { ...config, hub: config.hub },
      { token: process.env.PLENUM_API_TOKEN || undefined, jobsToken: process.env.PLENUM_JOBS_TOKEN || undefined },
    );
    console.log(
      `Plenum ${VERSION} hub — site "${config.site.id}", store ${config.hub.store.url.replace(/\/\/[^@/]*@/, '//')}`,
    );
    console.log(`API listening on ${hub.url}  (health: ${hub.url}/api/health)`);
    const stop = (signal: string) => {
      console.log(`${signal}: stopping…`);
      hub.stop().then(
        () => process.exit(0),
        (err) => {
          console.error(`stop failed: ${errorMessage(err)}`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    return;
  }
  const plenum = await startPlenum(config, {
    clock,
    token: process.env.PLENUM_API_TOKEN || undefined,
    operateToken: process.env.PLENUM_OPERATE_TOKEN || undefined,
    adminToken: process.env.PLENUM_ADMIN_TOKEN || undefined,
    jobsToken: process.env.PLENUM_JOBS_TOKEN || undefined,
  });
  const generated = config.sources.filter((s) => s.connector === 'generator').map((s) => s.name);
  console.log(
    `Plenum ${VERSION} — site "${config.site.id}", ${config.points.length} points, data in ${config.historian.dataDir}, ${clock.describe()}`,
  );
  if (generated.length)
    console.log(`NOTE: source(s) ${generated.join(', ')} use the built-in synthetic generator, not real devices`);
  console.log(
    `API listening on ${plenum.url}  (health: ${plenum.url}/api/health, docs: ${plenum.url}/api/openapi.json)`,
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping…`);
    plenum.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(`stop failed: ${errorMessage(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(`plenum failed to start: ${errorMessage(err)}`);
  process.exit(1);
});
