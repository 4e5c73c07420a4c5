import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../backend/src/config/load';
import { CONNECTOR_NAMES } from '../backend/src/connectors/all';
import { VICTORIA_METRICS_BIN } from '../backend/src/remote-write/peers';
import { MOSQUITTO } from '../backend/src/sparkplug/mosquitto.testkit';
import { freePort } from '../backend/src/testing/handles';
import { waitFor } from '../backend/src/testing/stack';
import { bindSource, readCompose, REPO } from './compose-services';
import { scaleConfigs } from './scale/write-configs';

/**
 * docker-compose.scale.yml without a Docker engine (none on these machines): every command, mount and config it
 * names exists and passes the project's config validation, the configs are what deploy/scale/write-configs.ts
 * makes from plenum.yaml, and one hall (hall2, the renamed copy) runs as the compose file runs it — its twin and
 * edge, VictoriaMetrics and mosquitto from Debian with the compose file's own arguments, and the hub — until the
 * hub answers that hall's inlets from the store.
 */
const TOKEN = 'compose-scale-test-token';
const FILE = 'docker-compose.scale.yml';
const compose = readCompose({ PLENUM_API_TOKEN: TOKEN }, FILE);
const PLENUM_SERVICES = ['edge-hall1', 'edge-hall2', 'hub'];

/** the `--config` argument of a service's command */
const configOf = (service: string) => {
  const cmd = compose.services[service]!.command!;
  return path.join(REPO, cmd[cmd.indexOf('--config') + 1]!);
};

describe(FILE, () => {
  it('has the configs write-configs.ts makes from plenum.yaml (else: npx tsx deploy/scale/write-configs.ts)', () => {
    for (const [name, text] of Object.entries(scaleConfigs()))
      expect([name, fs.readFileSync(path.join(REPO, 'deploy/scale', name), 'utf8') === text]).toEqual([name, true]);
  });

  it('names commands, mounts and services that exist, and configs that pass validation', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['edge-hall1', 'edge-hall2', 'grafana', 'hub', 'mosquitto', 'sim-hall1', 'sim-hall2', 'victoriametrics'].sort(),
    );
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.build) {
        // the image's working directory is the repository's root (Dockerfile: WORKDIR /app)
        const [bin, script] = s.command!;
        expect([name, fs.existsSync(path.join(REPO, bin!)), fs.existsSync(path.join(REPO, script!))]).toEqual([
          name,
          true,
          true,
        ]);
      } else expect([name, s.image]).toEqual([name, expect.stringMatching(/^[\w./-]+:v?\d+\.\d+\.\d+$/)]);
      for (const v of s.volumes ?? []) {
        const src = bindSource(v);
        if (src) expect([name, v, fs.existsSync(src)]).toEqual([name, v, true]);
        else expect([name, v, v.split(':')[0]! in compose.volumes]).toEqual([name, v, true]);
      }
      for (const dep of Object.keys(s.depends_on ?? {})) expect([name, dep in compose.services]).toEqual([name, true]);
    }
    for (const name of [...PLENUM_SERVICES, 'sim-hall1', 'sim-hall2']) {
      const env = compose.services[name]!.environment ?? {};
      // throws a ConfigError naming file and field when the file is wrong
      const config = loadConfig(configOf(name), { connectors: CONNECTOR_NAMES, env });
      if (name.startsWith('edge-')) {
        const hall = name.slice('edge-'.length);
        expect(config.site.halls.map((h) => h.id)).toEqual([hall]);
        expect(config.remoteWrite?.url).toBe('http://victoriametrics:8428/api/v1/write');
        expect(config.sparkplug?.broker.url).toBe('mqtt://mosquitto:1883');
        expect(config.points.every((p) => p.id.startsWith(`sim/${hall}/`))).toBe(true);
      }
      if (name === 'hub') {
        expect(config.hub?.store.url).toBe('http://victoriametrics:8428');
        expect(config.hub?.broker?.url).toBe('mqtt://mosquitto:1883');
        expect(config.site.halls.map((h) => h.id)).toEqual(['hall1', 'hall2']);
      }
    }
    // the edges do not wait for the IT zone: they start and run their hall without store or broker
    for (const e of ['edge-hall1', 'edge-hall2'])
      expect(Object.keys(compose.services[e]!.depends_on ?? {})).toEqual([`sim-${e.slice(5)}`]);
    expect(compose.services.grafana!.environment!.PLENUM_URL).toBe('http://hub:8080');
    const ds = parse(fs.readFileSync(path.join(REPO, 'deploy/scale/grafana-store.yaml'), 'utf8')) as {
      datasources: Array<{ url: string; type: string }>;
    };
    expect(ds.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://victoriametrics:8428' }),
    ]);
  });

  it('runs hall2’s twin and edge, VictoriaMetrics, mosquitto and the hub as it names them: the hub answers hall2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-compose-scale-'));
    const ports = {
      opcua: await freePort(),
      modbus: await freePort(),
      dcgm: await freePort(),
      control: await freePort(),
      edge: await freePort(),
      hub: await freePort(),
      vm: await freePort(),
      mqtt: await freePort(),
    };
    const children: ChildProcess[] = [];
    let out = '';
    const run = (bin: string, args: string[], env: Record<string, string>, tag: string) => {
      const c = spawn(bin, args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout!.on('data', (d) => (out = (out + `[${tag}] ${d}`).slice(-20_000)));
      c.stderr!.on('data', (d) => (out = (out + `[${tag}] ${d}`).slice(-20_000)));
      children.push(c);
      return c;
    };
    /** what differs from the containers: loopback, free ports, a temp data folder per service */
    const local = (service: string, port: number) => {
      const out: Record<string, string> = { PATH: process.env.PATH!, HOME: os.tmpdir() };
      for (const [k, v] of Object.entries(compose.services[service]!.environment ?? {}))
        out[k] = v
          .replace(/^0\.0\.0\.0$/, '127.0.0.1')
          .replace(/^(sim-hall\d|victoriametrics|mosquitto)$/, '127.0.0.1')
          .replace(/^http:\/\/edge-hall2:8080/, `http://127.0.0.1:${ports.edge}`)
          .replace(/^\/data/, path.join(dir, service));
      return {
        ...out,
        SIM_OPCUA_PORT: String(ports.opcua),
        SIM_MODBUS_PORT: String(ports.modbus),
        SIM_DCGM_PORT: String(ports.dcgm),
        SIM_CONTROL_PORT: String(ports.control),
        PLENUM_STORE_PORT: String(ports.vm),
        PLENUM_BROKER_PORT: String(ports.mqtt),
        ...(out.PLENUM_PORT && { PLENUM_PORT: String(port) }),
      };
    };
    const service = (name: string, port = 0) => {
      const [bin, ...args] = compose.services[name]!.command!;
      return run(path.join(REPO, bin!), args, local(name, port), name);
    };
    const get = async (url: string) => {
      const r = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
      return r.ok ? r : undefined;
    };
    try {
      // the store and the broker: Debian's binaries with the compose file's arguments and config
      const vmArgs = compose.services.victoriametrics!.command!.map((a) =>
        a
          .replace(/^-storageDataPath=.*/, `-storageDataPath=${path.join(dir, 'vm')}`)
          .replace(/^-httpListenAddr=.*/, `-httpListenAddr=127.0.0.1:${ports.vm}`),
      );
      run(VICTORIA_METRICS_BIN, vmArgs, { PATH: process.env.PATH! }, 'vm');
      // mosquitto run as root drops to its own user: the database folder must be reachable and writable by it
      const mqttData = path.join(dir, 'mosquitto-data');
      fs.mkdirSync(mqttData);
      fs.chmodSync(dir, 0o755);
      fs.chmodSync(mqttData, 0o777);
      const conf = fs
        .readFileSync(path.join(REPO, 'deploy/scale/mosquitto.conf'), 'utf8')
        .replace(/^listener 1883 0\.0\.0\.0$/m, `listener ${ports.mqtt} 127.0.0.1`)
        .replace(/^persistence_location \/mosquitto\/data\/$/m, `persistence_location ${mqttData}/`);
      expect(conf).toContain(`listener ${ports.mqtt} 127.0.0.1`);
      expect(conf).toContain(`persistence_location ${mqttData}/`);
      fs.writeFileSync(path.join(dir, 'mosquitto.conf'), conf);
      run(MOSQUITTO, ['-c', path.join(dir, 'mosquitto.conf')], { PATH: process.env.PATH! }, 'mosquitto');
      await waitFor(
        'VictoriaMetrics',
        async () =>
          (await fetch(`http://127.0.0.1:${ports.vm}/health`).catch(() => undefined))?.ok ? true : undefined,
        30_000,
      );
      await waitFor(
        'mosquitto',
        () =>
          new Promise<true | undefined>((resolve) => {
            const s = net.connect(ports.mqtt, '127.0.0.1');
            s.once('connect', () => (s.destroy(), resolve(true)));
            s.once('error', () => resolve(undefined));
          }),
        30_000,
      );
      service('sim-hall2');
      await waitFor(
        'the hall2 twin',
        async () => ((await get(`http://127.0.0.1:${ports.control}/health`).catch(() => undefined)) ? true : undefined),
        60_000,
      );
      service('edge-hall2', ports.edge);
      service('hub', ports.hub);
      const edge = `http://127.0.0.1:${ports.edge}`;
      const health = await waitFor(
        'the hall2 edge to read its twin, remote-write and publish',
        async () => {
          const h = (await (await get(`${edge}/api/health`).catch(() => undefined))?.json()) as
            | { connectors: Array<{ state: string }>; remoteWrite: { queue: { counters: { sent: number } } } }
            | undefined;
          const metrics = await (await get(`${edge}/metrics`).catch(() => undefined))?.text();
          return h &&
            h.connectors.length > 0 &&
            h.connectors.every((c) => c.state === 'up') &&
            h.remoteWrite.queue.counters.sent > 0 &&
            /^plenum_sparkplug_edge_born 1$/m.test(metrics ?? '')
            ? h
            : undefined;
        },
        90_000,
      );
      expect(health.remoteWrite.queue.counters.sent).toBeGreaterThan(0);
      // the hub lists hall2's points from the store and answers its inlets (catalogRefresh 30 s)
      const hub = `http://127.0.0.1:${ports.hub}`;
      const inlets = await waitFor(
        'the hub to answer hall2’s inlets',
        async () => {
          const now = Date.now();
          const r = await fetch(`${hub}/api/query`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({
              range: { from: now - 300_000, to: now },
              queries: [{ refId: 'A', queryType: 'latest', selector: { hall: ['hall2'], tags: ['inlet'] } }],
            }),
          }).catch(() => undefined);
          const body = (await r?.json()) as
            { results: { A: { frames: Array<{ data: { values: unknown[][] } }> } } } | undefined;
          const rows = body?.results.A.frames?.reduce((n, f) => n + (f.data.values[0]?.length ?? 0), 0) ?? 0;
          return rows > 0 ? rows : undefined;
        },
        90_000,
      );
      expect(inlets).toBeGreaterThan(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- output ---\n${out.slice(-4000)}`);
    } finally {
      for (const c of children) c.kill('SIGTERM');
      // SIGKILL what has not exited 15 s later (the timer cleared, so nothing outlives the test)
      const hard = setTimeout(() => children.forEach((c) => c.kill('SIGKILL')), 15_000);
      await Promise.all(
        children.map((c) =>
          c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : null,
        ),
      );
      clearTimeout(hard);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
