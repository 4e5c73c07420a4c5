import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `npm start`: runs the simulated AI data hall and the backend as two processes, as docker-compose runs them as
 * two services, and — once `npm run build` has built the plugins — the harness preview at /preview, which loads
 * the built plugins as Grafana does and reaches the backend through its data source proxy. The backend reads the simulator only through its connectors over real sockets (OPC UA, Modbus
 * TCP, Prometheus exposition) and the simulator posts job webhooks to the backend's `POST /api/events`.
 * Output of both is prefixed; SIGINT/SIGTERM stop both; if one dies, the other is stopped and the exit code is
 * non-zero, so a supervisor notices.
 */
const TSX = path.resolve(__dirname, '../../node_modules/.bin/tsx');

const REPO = path.resolve(__dirname, '../..');

/** Runs a TypeScript entry point (`script` relative to the repository) with tsx, its output prefixed by `name`. */
function run(name: string, script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(TSX, [path.join(REPO, script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (stream: NodeJS.ReadableStream, out: NodeJS.WritableStream) => {
    let rest = '';
    stream.on('data', (d: Buffer) => {
      const lines = (rest + d.toString()).split('\n');
      rest = lines.pop()!;
      for (const l of lines) out.write(`[${name}] ${l}\n`);
    });
  };
  prefix(child.stdout!, process.stdout);
  prefix(child.stderr!, process.stderr);
  return child;
}

function main(): void {
  const { values } = parseArgs({
    options: { config: { type: 'string', short: 'c' }, speed: { type: 'string' }, 'no-sim': { type: 'boolean' } },
  });
  const config = path.resolve(values.config ?? process.env.PLENUM_CONFIG ?? 'plenum.yaml');
  const port = process.env.PLENUM_PORT || '8080';
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // the simulator's own files (OPC UA PKI) beside the backend's data, not in whatever folder npm started in
    SIM_DATA_DIR:
      process.env.SIM_DATA_DIR ?? path.join(process.env.PLENUM_DATA ?? path.join(path.dirname(config), 'data'), 'sim'),
    // the simulator's job events go to the backend's webhook, authenticated when the API is
    SIM_WEBHOOK_URL: process.env.SIM_WEBHOOK_URL ?? `http://127.0.0.1:${port}/api/events`,
    ...((process.env.PLENUM_JOBS_TOKEN || process.env.PLENUM_API_TOKEN) && {
      SIM_WEBHOOK_TOKEN: process.env.PLENUM_JOBS_TOKEN || process.env.PLENUM_API_TOKEN,
    }),
  };
  const children: Array<[string, ChildProcess]> = [];
  if (!values['no-sim']) {
    children.push([
      'sim',
      run(
        'sim',
        'backend/src/sim/main.ts',
        ['--config', config, ...(values.speed ? ['--speed', values.speed] : [])],
        env,
      ),
    ]);
  }
  children.push(['backend', run('backend', 'backend/src/main.ts', ['--config', config], env)]);
  const built = ['harness/dist/host.js', 'datasource/dist/plugin.json'].every((f) => fs.existsSync(path.join(REPO, f)));
  if (built) {
    // PLENUM_PREVIEW_PORT=0 picks a free port (tests); the harness prints the URL it serves
    const previewPort = process.env.PLENUM_PREVIEW_PORT ?? '3001';
    const previewEnv = { ...env, PLENUM_URL: process.env.PLENUM_URL ?? `http://127.0.0.1:${port}` };
    const args = ['--port', previewPort, '--base-path', '/preview'];
    children.push(['preview', run('preview', 'harness/src/server/main.ts', args, previewEnv)]);
  } else {
    console.log('[launch] the /preview of the Grafana plugins needs them built first: npm run build');
  }

  let stopping = false;
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const [, c] of children) if (c.exitCode === null) c.kill(signal);
  };
  let exitCode = 0;
  let alive = children.length;
  for (const [name, c] of children) {
    c.on('exit', (code, signal) => {
      alive--;
      if (!stopping) {
        console.error(`[launch] ${name} exited (${signal ?? code}); stopping the rest`);
        exitCode = 1;
        stopAll('SIGTERM');
      } else if (code !== 0 && code !== null) exitCode = code;
      if (alive === 0) process.exit(exitCode);
    });
  }
  process.on('SIGINT', () => stopAll('SIGINT'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));
}

main();
