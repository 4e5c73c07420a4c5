/**
 * `tsx backend/src/sim/main.ts [options]`: runs the simulated AI data hall until SIGINT/SIGTERM. `--help` lists
 * the options; README.md explains them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../common/errors';
import { Clock, CLOCK_ENV, parseClock } from '../common/clock';
import { configPath } from '../config/config-path';
import { loadScenario } from '../scenario/load';
import { twinReport } from './scenario/twin-report';
import { loadConfig } from '../config/load';
import type { SimOperationLimits } from './opcua/opcua-server';
import { MAX_SPEED, startSimulation, type SimRunnerOptions } from './runner';

const USAGE = `usage: sim [options]
  --config <file>          site config (topology of the hall), @default plenum.yaml (or PLENUM_CONFIG)
  --hall <id>              hall to simulate, @default the first
  --seed <n|text>          @default 1
  --speed <x>              simulated seconds per wall second, (0, ${MAX_SPEED}], @default 1
  --start <ISO time>       simulated time at start, @default now
                           (or PLENUM_CLOCK, the run's clock shared with the backend: npm start --speed sets it)
  --host <address>         @default 127.0.0.1 (SIM_HOST)
  --modbus-port <port>     Modbus TCP PDUs, 0 = any free port, "off", @default 5020 (SIM_MODBUS_PORT)
  --dcgm-port <port>       DCGM-style /metrics, @default 9400 (SIM_DCGM_PORT)
  --control-port <port>    control API, @default 4900 (SIM_CONTROL_PORT)
  --opcua-port <port>      OPC UA server (CRAH, CDU, rack air), @default 4840 (SIM_OPCUA_PORT); users from
                           SIM_OPCUA_USERS="name:password,…", @default operator:operator
  --opcua-limits <limits>  the OPC UA server's OperationLimits, as small controllers have: one number for all,
                           or read=n,write=n,browse=n,translate=n,monitored=n (SIM_OPCUA_LIMITS)
  --bacnet-port <port>     the hall BMS as a BACnet/IP device (CRAHs, chilled-water plant), 0 = any free port,
                           @default off (SIM_BACNET_PORT; npm start -- --cooling bacnet serves 47808)
  --snmp-port <port>       the PDUs also as SNMP v2c agents (APC rPDU2-shaped), unit n on port + n - 1, 0 = free
                           ports, @default off (SIM_SNMP_PORT; community SIM_SNMP_COMMUNITY, @default public;
                           npm start -- --pdus snmp serves 16101…)
  --data-dir <dir>         simulator files (OPC UA PKI in <dir>/pki/opcua), @default data/sim (SIM_DATA_DIR)
  --webhook-url <url>      job events are POSTed here (SIM_WEBHOOK_URL)
  --webhook-token <token>  bearer token for it; prefer the variable SIM_WEBHOOK_TOKEN (not in ps output)
  --webhook-format <f>     slurm | plenum-event, @default slurm
  --ground-truth <file>    append fault starts and ends and accepted writes as JSON lines (SIM_GROUND_TRUTH)
  --faults-per-day <n>     seeded random faults, @default 0
  --no-jobs                no generated job schedule (jobs only through POST /jobs)
  --scenario <file>        play a scenario (scenarios/*.yaml): its site, hall, seed, start, jobs, faults, writes
                           and outdoor temperatures; not with --hall, --seed, --start, --no-jobs, --faults-per-day
  --scenario-out <dir>     where the scenario's ground truth goes (twin.json) when it ends, @default .`;

function port(name: string, v: string | undefined, fallback: number): number | null {
  if (v === undefined || v === '') return fallback;
  if (v === 'off') return null;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 65535)
    throw new Error(`${name}: expected a port 0–65535 or "off"; got ${JSON.stringify(v)}`);
  return n;
}

function number(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`${name}: expected a number; got ${JSON.stringify(v)}`);
  return n;
}

/** `name:password,name2:password2` → users; the password may contain ':' (split at the first). */
function parseUsers(text: string): Record<string, string> {
  const users: Record<string, string> = {};
  for (const part of text.split(',')) {
    const i = part.indexOf(':');
    if (i <= 0) throw new Error('SIM_OPCUA_USERS: expected name:password[,name:password…]');
    users[part.slice(0, i).trim()] = part.slice(i + 1);
  }
  return users;
}

const LIMIT_KEYS: Record<string, keyof SimOperationLimits> = {
  read: 'maxNodesPerRead',
  write: 'maxNodesPerWrite',
  browse: 'maxNodesPerBrowse',
  translate: 'maxNodesPerTranslateBrowsePathsToNodeIds',
  monitored: 'maxMonitoredItemsPerCall',
};

/** `5` (every limit) or `read=5,monitored=10` → OperationLimits. */
export function parseOpcUaLimits(text: string): SimOperationLimits {
  const limit = (v: string, what: string): number => {
    if (!/^\d+$/.test(v.trim()) || Number(v) < 1)
      throw new Error(`--opcua-limits: ${what}: expected a whole number ≥ 1; got ${JSON.stringify(v)}`);
    return Number(v);
  };
  if (/^\s*\d+\s*$/.test(text)) {
    const n = limit(text, 'the limit');
    return Object.fromEntries(Object.values(LIMIT_KEYS).map((k) => [k, n]));
  }
  const out: SimOperationLimits = {};
  for (const part of text.split(',')) {
    const [key, value] = part.split('=');
    const k = LIMIT_KEYS[(key ?? '').trim()];
    if (!k || value === undefined)
      throw new Error(
        `--opcua-limits: unknown part ${JSON.stringify(part)}; expected a number, or ${Object.keys(LIMIT_KEYS)
          .map((x) => `${x}=n`)
          .join(',')}`,
      );
    out[k] = limit(value, key as string);
  }
  return out;
}

function opcuaOptions(users: string | undefined, limits: string | undefined): SimRunnerOptions['opcua'] {
  if (!users && !limits) return undefined;
  return {
    ...(users && { users: parseUsers(users) }),
    ...(limits && { operationLimits: parseOpcUaLimits(limits) }),
  };
}

export interface SimArgs extends SimRunnerOptions {
  configFile: string;
  /** --scenario, and where its ground truth goes */
  scenarioFile?: string;
  scenarioOut?: string;
}

export function parseSimArgs(argv: string[], env: NodeJS.ProcessEnv): SimArgs {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      hall: { type: 'string' },
      seed: { type: 'string' },
      speed: { type: 'string' },
      start: { type: 'string' },
      host: { type: 'string' },
      'modbus-port': { type: 'string' },
      'dcgm-port': { type: 'string' },
      'control-port': { type: 'string' },
      'opcua-port': { type: 'string' },
      'opcua-limits': { type: 'string' },
      'bacnet-port': { type: 'string' },
      'snmp-port': { type: 'string' },
      'data-dir': { type: 'string' },
      'webhook-url': { type: 'string' },
      'webhook-token': { type: 'string' },
      'webhook-format': { type: 'string' },
      'ground-truth': { type: 'string' },
      'faults-per-day': { type: 'string' },
      'no-jobs': { type: 'boolean' },
      scenario: { type: 'string' },
      'scenario-out': { type: 'string' },
    },
  });
  if (v.scenario !== undefined) {
    const clash = (['hall', 'seed', 'start', 'no-jobs', 'faults-per-day'] as const).filter((k) => v[k] !== undefined);
    if (clash.length)
      throw new Error(`--scenario: the scenario sets ${clash.map((k) => `--${k}`).join(', ')}; leave them out`);
  }
  const startMs = v.start === undefined ? undefined : Date.parse(v.start);
  if (startMs !== undefined && Number.isNaN(startMs))
    throw new Error(`--start: expected an ISO 8601 time; got ${JSON.stringify(v.start)}`);
  // one clock for the run: PLENUM_CLOCK, shared with the backend, or --speed/--start for the simulator alone
  const shared = env[CLOCK_ENV] ? new Clock(parseClock(env[CLOCK_ENV])) : undefined;
  if (shared && (v.speed !== undefined || v.start !== undefined))
    throw new Error(
      `--speed/--start: the clock comes from ${CLOCK_ENV} (${env[CLOCK_ENV]}); give one or the other, not both`,
    );
  const format = v['webhook-format'] ?? 'slurm';
  if (format !== 'slurm' && format !== 'plenum-event')
    throw new Error(`--webhook-format: expected slurm or plenum-event; got ${JSON.stringify(format)}`);
  const url = v['webhook-url'] ?? env.SIM_WEBHOOK_URL;
  const seed = v.seed === undefined ? 1 : /^-?\d+$/.test(v.seed) ? Number(v.seed) : v.seed;
  return {
    configFile: configPath(v.config, env),
    hall: v.hall,
    seed,
    ...(shared
      ? { clock: shared }
      : {
          speed: v.scenario !== undefined && v.speed === undefined ? undefined : number('--speed', v.speed, 1),
          startMs,
        }),
    host: v.host ?? env.SIM_HOST ?? '127.0.0.1',
    modbusPort: port('--modbus-port', v['modbus-port'] ?? env.SIM_MODBUS_PORT, 5020),
    dcgmPort: port('--dcgm-port', v['dcgm-port'] ?? env.SIM_DCGM_PORT, 9400),
    controlPort: port('--control-port', v['control-port'] ?? env.SIM_CONTROL_PORT, 4900),
    opcuaPort: port('--opcua-port', v['opcua-port'] ?? env.SIM_OPCUA_PORT, 4840),
    // off unless asked for: BACnet/IP's 47808 is one port per host, and most runs read cooling over OPC UA
    ...((v['bacnet-port'] ?? env.SIM_BACNET_PORT) && {
      bacnetPort: port('--bacnet-port', v['bacnet-port'] ?? env.SIM_BACNET_PORT, 47808),
    }),
    // off unless asked for, like BACnet: one UDP port per PDU, and the backend reads the PDUs over Modbus by default
    ...((v['snmp-port'] ?? env.SIM_SNMP_PORT) && {
      snmpPort: port('--snmp-port', v['snmp-port'] ?? env.SIM_SNMP_PORT, 16101),
      ...(env.SIM_SNMP_COMMUNITY && { snmpCommunity: env.SIM_SNMP_COMMUNITY }),
    }),
    dataDir: path.resolve(v['data-dir'] || env.SIM_DATA_DIR || path.join('data', 'sim')),
    opcua: opcuaOptions(env.SIM_OPCUA_USERS, v['opcua-limits'] ?? env.SIM_OPCUA_LIMITS),
    webhook: url ? { url, token: v['webhook-token'] ?? env.SIM_WEBHOOK_TOKEN ?? undefined, format } : undefined,
    groundTruthFile: v['ground-truth'] ?? env.SIM_GROUND_TRUTH ?? undefined,
    randomFaultsPerDay: number('--faults-per-day', v['faults-per-day'], 0),
    jobSchedule: v['no-jobs'] ? 'none' : 'generated',
    ...(v.scenario !== undefined && { scenarioFile: v.scenario, scenarioOut: path.resolve(v['scenario-out'] ?? '.') }),
  };
}

/** The scenario's site, hall, seed, schedule and clock in place of the command line's; its ground truth at its end. */
function withScenario(opts: SimArgs, env: NodeJS.ProcessEnv): SimArgs {
  if (opts.scenarioFile === undefined) return opts;
  const { scenario, site, configFile } = loadScenario(opts.scenarioFile, env);
  const startMs = Date.parse(scenario.start);
  if (opts.clock && opts.clock.spec.startMs !== startMs)
    throw new Error(
      `${CLOCK_ENV} starts at ${new Date(opts.clock.spec.startMs).toISOString()}, the scenario at ${scenario.start}; they must agree`,
    );
  const clock = opts.clock ?? Clock.startingNow(opts.speed ?? scenario.speed, startMs);
  const out = opts.scenarioOut as string;
  let lastProgress = 0;
  return {
    ...opts,
    speed: undefined,
    startMs: undefined,
    clock,
    configFile,
    site: site.site,
    hall: scenario.hall,
    seed: scenario.seed,
    jobSchedule: scenario.schedule,
    randomFaultsPerDay: 0,
    scenario,
    onScenario(driver, finished) {
      const now = Date.now();
      if (finished || now - lastProgress >= 1000) {
        lastProgress = now;
        console.log(`sim: scenario-progress ${JSON.stringify(driver.progress())}`);
      }
      if (!finished) return;
      fs.mkdirSync(out, { recursive: true });
      const file = path.join(out, 'twin.json');
      fs.writeFileSync(file, JSON.stringify(twinReport(driver)));
      console.log(`sim: scenario finished; ground truth in ${file}`);
    },
  };
}

async function main(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  let opts: SimArgs;
  try {
    opts = parseSimArgs(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`${errorMessage(err)}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  let site;
  try {
    opts = withScenario(opts, process.env);
    site = opts.site ?? loadConfig(opts.configFile, { env: process.env }).site;
  } catch (err) {
    console.error(errorMessage(err));
    process.exitCode = 2;
    return;
  }
  process.on('unhandledRejection', (reason) =>
    console.error(`sim: unhandled rejection (kept running): ${(reason as Error)?.stack ?? String(reason)}`),
  );
  const runner = await startSimulation({ ...opts, site });
  const { modbus, dcgm, control, opcua, snmp, bacnet } = runner.ports();
  const host = opts.host ?? '127.0.0.1';
  const m = runner.model;
  console.log(
    `sim: hall ${m.layout.site}/${m.layout.hall}, ${m.layout.racks.length} racks, ${m.layout.crahs.length} CRAHs, seed ${String(m.seed)}, speed ×${runner.speed}, simulated time ${new Date(m.now()).toISOString()}`,
  );
  if (modbus !== undefined) console.log(`sim: Modbus TCP PDUs  ${host}:${modbus} (unit 1…${m.pdus().length})`);
  if (dcgm !== undefined) console.log(`sim: DCGM metrics     http://${host}:${dcgm}/metrics`);
  if (control !== undefined) console.log(`sim: control API      http://${host}:${control}/health`);
  if (opcua !== undefined) console.log(`sim: OPC UA           opc.tcp://${host}:${opcua} (nsu=urn:plenum:sim)`);
  if (bacnet !== undefined) console.log(`sim: BACnet/IP BMS    udp ${host}:${bacnet} (device 1001)`);
  if (snmp !== undefined) {
    const ports = Object.entries(runner.snmpPorts());
    const contiguous = ports.every(([, p], i) => p === snmp + i);
    const where = contiguous
      ? `${host}:${snmp}…${snmp + ports.length - 1}, unit n on the n-th port`
      : `${host}: ${ports.map(([rack, p]) => `${rack} ${p}`).join(', ')}`;
    console.log(`sim: SNMP v2c PDUs    udp ${where} (APC rPDU2)`);
  }
  if (opts.webhook) console.log(`sim: job events →     ${new URL(opts.webhook.url).origin} (${opts.webhook.format})`);
  if (runner.clock.simulated && !process.env[CLOCK_ENV])
    console.log(
      `sim: NOTE: simulated time on the simulator's own clock; start a backend that reads it with ${CLOCK_ENV}='${runner.clock.toString()}' (or use npm start --speed)`,
    );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`sim: ${signal}, stopping…`);
    void runner.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`sim failed to start: ${errorMessage(err)}`);
    process.exit(1);
  });
}
