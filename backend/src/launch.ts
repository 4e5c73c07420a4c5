import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Clock, CLOCK_ENV } from './common/clock';
import { configPath } from './config/config-path';
import { coolingOverBacnet } from './sim/bacnet/cooling-config';
import { pdusOverSnmp } from './sim/snmp/pdus-config';

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

/** what `npm run build` makes and the preview serves */
const PREVIEW_NEEDS = ['harness/dist/host.js', 'datasource/dist/plugin.json'];

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

/** What a first-time user needs: where things are, and how to put the plugins into a Grafana they already run. */
function printWelcome(port: string, previewPort: string): void {
  const ids = 'plenum-itot-datasource,plenum-rackheatmap-panel,plenum-coolingcorrelation-panel,plenum-automation-panel';
  console.log(
    [
      `[launch] Plenum backend:   http://127.0.0.1:${port}  (API document: /api/openapi.json)`,
      `[launch] preview:          http://127.0.0.1:${previewPort}/preview/  — every provisioned dashboard with the built`,
      '[launch]                   plugins and live simulator data, once the preview process says it is serving',
      '[launch] existing Grafana: copy datasource/dist and panels/*/dist to <grafana plugins>/<plugin id>',
      `[launch]                   (or unzip the archives of \`npm run package\`), set allow_loading_unsigned_plugins = ${ids},`,
      '[launch]                   copy provisioning/ into /etc/grafana/provisioning and dashboards/*.json to',
      '[launch]                   /var/lib/grafana/dashboards/plenum, set PLENUM_URL and PLENUM_API_TOKEN for Grafana',
    ].join('\n'),
  );
}

/** PLENUM_CLOCK for the children: from --speed/--start (starting now), or as given in the environment. */
function runClock(speed: string | undefined, start: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (speed === undefined && start === undefined) return env[CLOCK_ENV] || undefined;
  if (env[CLOCK_ENV]) throw new Error(`--speed/--start: ${CLOCK_ENV} is set already (${env[CLOCK_ENV]}); use one`);
  const startMs = start === undefined ? undefined : Date.parse(start);
  if (startMs !== undefined && Number.isNaN(startMs))
    throw new Error(`--start: expected an ISO 8601 time; got ${start}`);
  return Clock.startingNow(speed === undefined ? 1 : Number(speed), startMs).toString();
}

/**
 * The site config with cooling over BACnet and/or the PDUs over SNMP, written beside the backend's data; its path
 * (`plenum.cooling-bacnet.yaml`, `plenum.pdus-snmp.yaml` or `plenum.cooling-bacnet.pdus-snmp.yaml`).
 */
function facesConfig(siteConfig: string, bacnetPort: number | undefined, snmpPort: number | undefined): string {
  const dir = process.env.PLENUM_DATA ?? path.join(path.dirname(siteConfig), 'data');
  fs.mkdirSync(dir, { recursive: true });
  let text = fs.readFileSync(siteConfig, 'utf8');
  const parts: string[] = [];
  if (bacnetPort !== undefined) {
    text = coolingOverBacnet(text, siteConfig, { port: bacnetPort });
    parts.push('cooling-bacnet');
    console.log(`[launch] cooling over BACnet/IP: the twin's BMS on udp ${bacnetPort}`);
  }
  if (snmpPort !== undefined) {
    text = pdusOverSnmp(text, siteConfig, { port: snmpPort, community: process.env.SIM_SNMP_COMMUNITY || undefined });
    parts.push('pdus-snmp');
    console.log(`[launch] PDUs over SNMP v2c (rPDU2): the twin's agents on udp ${snmpPort}…, one per PDU`);
  }
  const file = path.join(dir, `plenum.${parts.join('.')}.yaml`);
  fs.writeFileSync(
    file,
    text.startsWith('# generated') ? text : `# generated by npm start from ${siteConfig}\n${text}`,
  );
  console.log(`[launch] the backend reads ${file}`);
  return file;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', short: 'c' },
      speed: { type: 'string' },
      start: { type: 'string' },
      'no-sim': { type: 'boolean' },
      cooling: { type: 'string' },
      pdus: { type: 'string' },
    },
  });
  const siteConfig = configPath(values.config, process.env);
  const cooling = values.cooling ?? 'opcua';
  if (cooling !== 'opcua' && cooling !== 'bacnet')
    throw new Error(`--cooling: expected opcua (the default) or bacnet; got ${JSON.stringify(cooling)}`);
  const pdus = values.pdus ?? 'modbus';
  if (pdus !== 'modbus' && pdus !== 'snmp')
    throw new Error(`--pdus: expected modbus (the default) or snmp; got ${JSON.stringify(pdus)}`);
  const bacnetPort = process.env.SIM_BACNET_PORT || '47808';
  // unit n's agent on 16101 + n − 1 (161 is privileged): A01 → 16101 … D10 → 16140
  const snmpPort = process.env.SIM_SNMP_PORT || '16101';
  // --cooling bacnet: the twin also serves its BMS over BACnet/IP and the backend reads the CRAHs and the plant there
  // (sim/bacnet/cooling-config.ts); --pdus snmp: the twin's PDUs also answer SNMP and the backend reads them there
  // (sim/snmp/pdus-config.ts); the site config itself is left as it is
  const config =
    cooling === 'bacnet' || pdus === 'snmp'
      ? facesConfig(
          siteConfig,
          cooling === 'bacnet' ? Number(bacnetPort) : undefined,
          pdus === 'snmp' ? Number(snmpPort) : undefined,
        )
      : siteConfig;
  const port = process.env.PLENUM_PORT || '8080';
  const clock = runClock(values.speed, values.start, process.env);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // one clock for the simulator and the backend: the same simulated time from the same wall clock
    ...(clock && { [CLOCK_ENV]: clock }),
    // the simulator's own files (OPC UA PKI) beside the backend's data, not in whatever folder npm started in
    SIM_DATA_DIR:
      process.env.SIM_DATA_DIR ??
      path.join(process.env.PLENUM_DATA ?? path.join(path.dirname(siteConfig), 'data'), 'sim'),
    // the simulator's job events go to the backend's webhook, authenticated when the API is
    SIM_WEBHOOK_URL: process.env.SIM_WEBHOOK_URL ?? `http://127.0.0.1:${port}/api/events`,
    ...((process.env.PLENUM_JOBS_TOKEN || process.env.PLENUM_API_TOKEN) && {
      SIM_WEBHOOK_TOKEN: process.env.PLENUM_JOBS_TOKEN || process.env.PLENUM_API_TOKEN,
    }),
  };
  const children: Array<[string, ChildProcess]> = [];
  let stopping = false;
  let exitCode = 0;
  const stopAll = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const [, c] of children) if (c.exitCode === null) c.kill(signal);
  };
  /** Supervises a child: if one dies unasked, the rest are stopped and the launcher exits non-zero. */
  const supervise = (name: string, c: ChildProcess) => {
    children.push([name, c]);
    c.on('exit', (code, signal) => {
      if (!stopping) {
        console.error(`[launch] ${name} exited (${signal ?? code}); stopping the rest`);
        exitCode = 1;
        stopAll('SIGTERM');
      } else if (code !== 0 && code !== null) exitCode = code;
      if (children.every(([, x]) => x.exitCode !== null || x.signalCode !== null)) process.exit(exitCode);
    });
  };
  process.on('SIGINT', () => stopAll('SIGINT'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));

  if (!values['no-sim']) {
    const simArgs = [
      '--config',
      siteConfig,
      ...(cooling === 'bacnet' ? ['--bacnet-port', bacnetPort] : []),
      ...(pdus === 'snmp' ? ['--snmp-port', snmpPort] : []),
    ];
    supervise('sim', run('sim', 'backend/src/sim/main.ts', simArgs, env));
  }
  supervise('backend', run('backend', 'backend/src/main.ts', ['--config', config], env));
  printWelcome(port, process.env.PLENUM_PREVIEW_PORT ?? '3001');

  // the preview: the built plugins in the harness, reaching the backend through its data source proxy
  const startPreview = () => {
    if (stopping) return;
    // PLENUM_PREVIEW_PORT=0 picks a free port (tests); the harness prints the URL it serves
    const args = ['--port', process.env.PLENUM_PREVIEW_PORT ?? '3001', '--base-path', '/preview'];
    const previewEnv = { ...env, PLENUM_URL: process.env.PLENUM_URL ?? `http://127.0.0.1:${port}` };
    supervise('preview', run('preview', 'harness/src/server/main.ts', args, previewEnv));
  };
  const missing = PREVIEW_NEEDS.filter((f) => !fs.existsSync(path.join(REPO, f)));
  if (missing.length === 0) {
    startPreview();
    return;
  }
  // the sim and the backend do not wait for this; a failed build leaves them running without /preview
  console.log(`[launch] building the Grafana plugins for /preview (missing ${missing.join(', ')}) …`);
  const build = spawn('npm', ['run', 'build'], { cwd: REPO, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  build.stdout!.on('data', (d: Buffer) => (log += d));
  build.stderr!.on('data', (d: Buffer) => (log += d));
  build.on('exit', (code) => {
    if (code === 0) startPreview();
    else console.error(`[launch] npm run build failed (${code}); no /preview:\n${log.slice(-3000)}`);
  });
}

try {
  main();
} catch (err) {
  console.error(`[launch] ${(err as Error).message}`);
  process.exit(2);
}
