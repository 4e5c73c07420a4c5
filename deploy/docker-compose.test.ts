import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../backend/src/testing/handles';
import { waitFor } from '../backend/src/testing/stack';
import { bindSource, readCompose, REPO } from './compose-services';

/**
 * No Docker engine runs on these machines, so the compose file is checked by running what it names: the sim
 * and backend services' commands with their environment, as processes on loopback (each container's ports
 * become free ports here, host names become 127.0.0.1), and their health checks' own commands against them.
 */
const TOKEN = 'compose-test-token';

describe('docker-compose.yml', () => {
  const compose = readCompose({ PLENUM_API_TOKEN: TOKEN });

  it('names Grafana with the four plugins, provisioning, dashboards and anonymous viewers', () => {
    const g = compose.services.grafana!;
    expect(g.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    const mounts: Record<string, string> = Object.fromEntries(
      g.volumes!.map((v) => [v.split(':')[1], v.split(':')[0]]),
    );
    for (const id of [
      'plenum-itot-datasource',
      'plenum-rackheatmap-panel',
      'plenum-coolingcorrelation-panel',
      'plenum-automation-panel',
    ]) {
      expect((g.environment!.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS ?? '').split(',')).toContain(id);
      const src = mounts[`/var/lib/grafana/plugins/${id}`];
      expect([id, src]).toEqual([id, expect.stringMatching(/\/dist$/)]);
      const pluginJson = JSON.parse(fs.readFileSync(path.join(bindSource(src!)!, 'plugin.json'), 'utf8'));
      expect(pluginJson.id).toBe(id);
    }
    expect(g.environment).toMatchObject({ GF_AUTH_ANONYMOUS_ENABLED: 'true', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer' });
    const home = path.basename(g.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH ?? '');
    expect(fs.existsSync(path.join(REPO, 'dashboards', home))).toBe(true);
  });

  it('mounts only paths that exist after npm run build, and declares every named volume', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      for (const v of s.volumes ?? []) {
        const src = bindSource(v);
        if (src) expect([name, v, fs.existsSync(src)]).toEqual([name, v, true]);
        else expect([name, v, v.split(':')[0]! in compose.volumes]).toEqual([name, v, true]);
      }
    }
  });

  it('runs the sim and backend services’ commands with their environment, and their health checks pass', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-compose-'));
    const ports = {
      opcua: await freePort(),
      modbus: await freePort(),
      dcgm: await freePort(),
      control: await freePort(),
      api: await freePort(),
    };
    /** what differs from the containers: loopback, free ports, a temp data folder */
    const local = (env: Record<string, string>) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(env)) {
        out[k] = v
          .replace(/^0\.0\.0\.0$/, '127.0.0.1')
          .replace(/^sim$/, '127.0.0.1')
          .replace('http://backend:8080', `http://127.0.0.1:${ports.api}`)
          .replace(/^\/data/, dir);
      }
      return {
        ...out,
        SIM_OPCUA_PORT: String(ports.opcua),
        SIM_MODBUS_PORT: String(ports.modbus),
        SIM_DCGM_PORT: String(ports.dcgm),
        SIM_CONTROL_PORT: String(ports.control),
        ...(out.PLENUM_PORT && { PLENUM_PORT: String(ports.api) }),
      };
    };
    const localCheck = (cmd: string) =>
      cmd.replace('127.0.0.1:4900', `127.0.0.1:${ports.control}`).replace('127.0.0.1:8080', `127.0.0.1:${ports.api}`);
    const children: ChildProcess[] = [];
    let out = '';
    const start = (service: string) => {
      const s = compose.services[service]!;
      const [cmd, ...args] = s.command!;
      const env = { PATH: process.env.PATH!, HOME: os.tmpdir(), ...local(s.environment ?? {}) };
      const child = spawn(path.join(REPO, cmd!), args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      children.push(child);
      return { env, check: s.healthcheck!.test };
    };
    const healthy = (svc: { env: Record<string, string>; check: string[] }) =>
      new Promise<boolean>((resolve) => {
        const [kind, bin, ...rest] = svc.check;
        expect(kind).toBe('CMD');
        const c = spawn(bin!, rest.map(localCheck), { env: { ...process.env, ...svc.env }, stdio: 'ignore' });
        c.on('exit', (code) => resolve(code === 0));
      });
    try {
      const sim = start('sim');
      await waitFor('the sim health check', async () => ((await healthy(sim)) ? true : undefined), 30_000);
      const backend = start('backend');
      await waitFor('the backend health check', async () => ((await healthy(backend)) ? true : undefined), 30_000);
      // and the backend reads the simulator over the compose wiring (SIM_HOST=sim → here loopback)
      const health = await waitFor('every connector up', async () => {
        const r = await fetch(`http://127.0.0.1:${ports.api}/api/health`, {
          headers: { Authorization: `Bearer ${TOKEN}` },
        });
        const h = (await r.json()) as { connectors: Array<{ state: string }> };
        return h.connectors.length === 4 && h.connectors.every((c) => c.state === 'up') ? h : undefined;
      });
      expect(health.connectors).toHaveLength(4);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- output ---\n${out.slice(-3000)}`);
    } finally {
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
