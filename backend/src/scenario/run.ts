/**
 * Runs a scenario end to end: the twin (sim/main.ts --scenario) and the backend (main.ts with the scenario's site
 * config) as two processes on free loopback ports, on one clock (PLENUM_CLOCK, held at the scenario's start
 * until both are up), the backend reading the twin over OPC UA, Modbus TCP, Prometheus and job webhooks as it
 * would a site. When the twin reaches the end it writes its ground truth; the runner asks the backend what it
 * measured, stops both and writes the report (report.ts). No in-process shortcuts between twin and backend.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { QueryResponse } from '@plenum/model';
import { Clock, CLOCK_ENV } from '../common/clock';
import { errorMessage } from '../common/errors';
import { freePort } from '../common/free-port';
import type { ScenarioProgress } from '../sim/scenario/driver';
import type { TwinReport } from '../sim/scenario/twin-report';
import { loadScenario, type LoadedScenario } from './load';
import { CONTROLLERS, resolvePlugins, type PluginReport } from './plugins';
import type { Scenario } from './schema';
import { buildReport, writeReport, type PlenumView, type ScenarioReport } from './report/report';

const REPO = path.resolve(__dirname, '../../..');

export interface RunOptions {
  file: string;
  /** simulated seconds per wall second, @default the scenario's */
  speed?: number;
  /** reports go to `<outDir>/<name>/`, @default <repository>/reports */
  outDir?: string;
  /** wall time both processes get to start before the clock runs, ms, @default 15000 */
  leadMs?: number;
  /** a progress line, about once a second */
  progress?: (line: string, p: { done: number }) => void;
  log?: (line: string) => void;
  /** instead of the scenario's `controllers:` (a bench comparing strategies on one scenario) */
  controllers?: Scenario['controllers'];
  /** the report folder's name, @default the scenario's */
  name?: string;
}

export interface RunResult {
  dir: string;
  report: ScenarioReport;
}

interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

function start(name: string, script: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Proc {
  // node itself with tsx's loader: a signal reaches the process that holds the sockets
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, script), ...args], {
    cwd: REPO,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = fs.createWriteStream(logFile);
  const output: string[] = [];
  let rest = '';
  const onData = (d: Buffer) => {
    log.write(d);
    const lines = (rest + d.toString()).split('\n');
    rest = lines.pop() ?? '';
    output.push(...lines);
    if (output.length > 2000) output.splice(0, output.length - 1000);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((r) =>
    child.once('exit', (code) => {
      log.end();
      r(code);
    }),
  );
  return { name, child, output, exited };
}

async function stopProc(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
  await p.exited;
  clearTimeout(t);
}

function tail(p: Proc, n = 30): string {
  return p.output.slice(-n).join('\n');
}

/** Resolves when a line matches, rejects naming the process when it exits first or `ms` pass. */
function waitForLine(p: Proc, re: RegExp, ms: number, from = 0): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = from;
    const timer = setInterval(check, 50);
    const deadline = Date.now() + ms;
    function check() {
      for (; seen < p.output.length; seen++) {
        const m = re.exec(p.output[seen] as string);
        if (m) return done(() => resolve(m));
      }
      if (p.child.exitCode !== null || p.child.signalCode !== null)
        return done(() =>
          reject(new Error(`the ${p.name} exited (${p.child.exitCode ?? p.child.signalCode}):\n${tail(p)}`)),
        );
      if (Date.now() > deadline)
        done(() => reject(new Error(`the ${p.name} did not say ${re} within ${ms} ms:\n${tail(p)}`)));
    }
    function done(f: () => void) {
      clearInterval(timer);
      f();
    }
  });
}

async function getJson<T>(url: string, body?: unknown): Promise<T> {
  const r = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}: ${(await r.text()).slice(0, 300)}`);
  return (await r.json()) as T;
}

interface Health {
  connectors: Array<{ source: string; connector: string; state: string; samples: number; lastError?: string }>;
}

/** What the backend measured over the run: per rack the highest inlet it stored, per source its samples. */
async function plenumView(url: string, loaded: LoadedScenario, startMs: number, endMs: number): Promise<PlenumView> {
  const hall = loaded.scenario.hall ?? loaded.site.site.halls[0]?.id;
  const res = await getJson<QueryResponse>(`${url}/api/query`, {
    range: { from: startMs, to: endMs },
    maxDataPoints: 200,
    queries: [
      {
        refId: 'inlet',
        queryType: 'timeseries',
        selector: { hall: [hall], quantity: ['temperature'], tags: ['inlet'] },
        aggregate: 'max',
        groupBy: 'rack',
      },
    ],
  });
  const maxInletC: Record<string, number> = {};
  for (const f of res.results.inlet?.frames ?? []) {
    const rack = f.schema.fields[1]?.labels?.rack;
    const values = (f.data.values[1] ?? []) as Array<number | null>;
    const good = values.filter((v): v is number => typeof v === 'number');
    if (rack && good.length) maxInletC[rack] = Math.max(...good);
  }
  const health = await getJson<Health>(`${url}/api/health`);
  return {
    maxInletC,
    sources: health.connectors.map((c) => ({
      source: c.source,
      connector: c.connector,
      state: c.state,
      samples: c.samples,
      ...(c.lastError && { lastError: c.lastError }),
    })),
  };
}

/** The twin and the backend on fresh free loopback ports, logging into the report folder. */
async function launch(loaded: LoadedScenario, dir: string, clock: Clock) {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, [CLOCK_ENV]: clock.toString() };
  // nothing a start that failed wrote is kept
  for (const d of ['sim', 'data']) fs.rmSync(path.join(dir, d), { recursive: true, force: true });
  const ports = {
    api: await freePort(),
    opcua: await freePort(),
    modbus: await freePort(),
    dcgm: await freePort(),
    control: await freePort(),
  };
  const sim = start(
    'twin',
    'backend/src/sim/main.ts',
    [
      ...['--scenario', loaded.file, '--scenario-out', dir, '--data-dir', path.join(dir, 'sim')],
      ...['--host', '127.0.0.1', '--opcua-port', String(ports.opcua), '--modbus-port', String(ports.modbus)],
      ...['--dcgm-port', String(ports.dcgm), '--control-port', String(ports.control)],
      ...['--webhook-url', `http://127.0.0.1:${ports.api}/api/events`],
    ],
    base,
    path.join(dir, 'twin.log'),
  );
  const backend = start(
    'backend',
    'backend/src/main.ts',
    ['--config', loaded.configFile],
    {
      ...base,
      PLENUM_DATA: path.join(dir, 'data'),
      PLENUM_HOST: '127.0.0.1',
      PLENUM_PORT: String(ports.api),
      SIM_HOST: '127.0.0.1',
      SIM_OPCUA_PORT: String(ports.opcua),
      SIM_MODBUS_PORT: String(ports.modbus),
      SIM_DCGM_PORT: String(ports.dcgm),
      SIM_CONTROL_PORT: String(ports.control),
    },
    path.join(dir, 'backend.log'),
  );
  return { sim, backend, ports };
}

export async function runScenario(opts: RunOptions): Promise<RunResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const loaded = loadScenario(opts.file);
  const s = opts.controllers ? { ...loaded.scenario, controllers: opts.controllers } : loaded.scenario;
  const plugins = resolvePlugins(s);
  const speed = opts.speed ?? s.speed;
  const dir = path.resolve(opts.outDir ?? path.join(REPO, 'reports'), opts.name ?? s.name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const startMs = Date.parse(s.start);
  // a clock per start: a second start gets the whole lead again
  const newClock = () => Clock.startingAt(Date.now() + (opts.leadMs ?? 15_000), speed, startMs);
  let clock = newClock();
  const wall0 = Date.now();
  log(`scenario ${s.name}: ${s.description}`);
  log(`  ${new Date(startMs).toISOString()} + ${s.duration / 3_600_000} h simulated at ×${speed}; report in ${dir}`);
  // the ports are free when picked but another process may bind one before the twin or backend does (an
  // ephemeral port of some test's outgoing connection): a start that fails on EADDRINUSE is tried again on new ones
  let { sim, backend, ports } = await launch(loaded, dir, clock);
  for (let attempt = 1; ; attempt++) {
    try {
      await Promise.all([waitForLine(sim, /^sim: OPC UA/, 60_000), waitForLine(backend, /^API listening on/, 60_000)]);
      break;
    } catch (err) {
      await Promise.all([stopProc(backend), stopProc(sim)]);
      const clash = [sim, backend].some((p) => p.output.some((l) => l.includes('EADDRINUSE')));
      if (!clash || attempt === 3) throw err;
      log(
        `  a port was taken before the ${sim.output.some((l) => l.includes('EADDRINUSE')) ? 'twin' : 'backend'} bound it: starting again on others`,
      );
      clock = newClock();
      ({ sim, backend, ports } = await launch(loaded, dir, clock));
    }
  }
  const backendUrl = `http://127.0.0.1:${ports.api}`;
  const controlUrl = `http://127.0.0.1:${ports.control}`;
  const started: Array<{ name: string; plugin: ReturnType<(typeof plugins)[number]['factory']> }> = [];
  const pluginReports: Record<string, PluginReport> = {};
  try {
    // every source up before the clock runs, or the run goes on with what is up (said in the report)
    let health: Health | undefined;
    while (Date.now() < clock.spec.epochMs) {
      health = await getJson<Health>(`${backendUrl}/api/health`).catch(() => undefined);
      if (health?.connectors.every((c) => c.state === 'up')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const notUp = health?.connectors.filter((c) => c.state !== 'up').map((c) => `${c.source} ${c.state}`) ?? ['?'];
    if (notUp.length) log(`  when the clock started, not up: ${notUp.join(', ')}`);
    // a run that names no automation controller is the BMS alone, whatever rules the site config runs in auto:
    // the automation plugin with no options puts every rule in observe (when the backend has automation at all)
    if (!plugins.some((p) => p.name === 'automation')) {
      const r = await fetch(`${backendUrl}/api/automation`, { signal: AbortSignal.timeout(15_000) });
      await r.body?.cancel();
      if (r.ok)
        plugins.unshift({ kind: 'controller', name: 'automation', factory: CONTROLLERS.automation!, options: {} });
    }
    for (const p of plugins) {
      const plugin = p.factory();
      await plugin.start({ scenario: s, backendUrl, controlUrl, clock, options: p.options, log });
      started.push({ name: `${p.kind}:${p.name}`, plugin });
    }
    // progress from the twin's lines until it says it finished
    let seen = 0;
    let sources = '';
    let lastHealth = 0;
    for (;;) {
      for (; seen < sim.output.length; seen++) {
        const line = sim.output[seen] as string;
        const m = /^sim: scenario-progress (.*)$/.exec(line);
        if (m) {
          const p = JSON.parse(m[1] as string) as ScenarioProgress;
          const t = new Date(p.simNow).toISOString().slice(0, 16).replace('T', ' ');
          opts.progress?.(
            `  ${(p.done * 100).toFixed(0).padStart(3)} %  ${t}  max inlet ${Number.isFinite(p.maxInletC) ? p.maxInletC.toFixed(1) : '–'} °C  ${sources}`,
            { done: p.done },
          );
        }
        if (/^sim: scenario finished/.test(line)) break;
      }
      if (seen < sim.output.length) break;
      if (sim.child.exitCode !== null) throw new Error(`the twin exited (${sim.child.exitCode}):\n${tail(sim)}`);
      if (backend.child.exitCode !== null)
        throw new Error(`the backend exited (${backend.child.exitCode}):\n${tail(backend)}`);
      if (Date.now() - lastHealth > 2000) {
        lastHealth = Date.now();
        const h = await getJson<Health>(`${backendUrl}/api/health`).catch(() => undefined);
        if (h) sources = h.connectors.map((c) => `${c.source} ${c.state}`).join(', ');
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    // the slowest poll (the DCGM exporter, 5 s) has the last values stored
    await new Promise((r) => setTimeout(r, 6000));
    const twin = JSON.parse(fs.readFileSync(path.join(dir, 'twin.json'), 'utf8')) as TwinReport;
    const plenum = await plenumView(backendUrl, loaded, twin.startMs, twin.endMs).catch((err: unknown) => ({
      maxInletC: {},
      sources: [],
      error: errorMessage(err),
    }));
    for (const p of started.splice(0)) pluginReports[p.name] = await p.plugin.stop();
    const report = buildReport({
      loaded,
      speed,
      clock: clock.toString(),
      wallSeconds: (Date.now() - wall0) / 1000,
      twin,
      plenum,
      plugins: pluginReports,
    });
    writeReport(dir, report, twin);
    return { dir, report };
  } finally {
    for (const p of started) await p.plugin.stop().catch(() => undefined);
    await Promise.all([stopProc(backend), stopProc(sim)]);
  }
}
