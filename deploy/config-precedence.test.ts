import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './compose-services';

/**
 * Which site config each way of starting Plenum reads: `--config`, else PLENUM_CONFIG, else ./plenum.yaml — for
 * `npm run backend`, `npm start` and the Dockerfile's command (run as a process with the image's environment,
 * since no Docker engine runs here). Each run prints the site id of the config it loaded.
 */

/** Runs `cmd` until its output names a loaded site (or it exits), then stops it; resolves with the output. */
function siteLoaded(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd = REPO): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let out = '';
    const timer = setTimeout(() => finish(new Error(`no site line within 60 s:\n${out}`)), 60_000);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      const settle = () => (err ? reject(err) : resolve(out));
      child.once('exit', settle);
      if (child.exitCode !== null || child.signalCode !== null) settle();
    };
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/site "[^"]+"/.test(out)) finish();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}

const site = (out: string) => /site "([^"]+)"/.exec(out)?.[1];

describe('--config, PLENUM_CONFIG, ./plenum.yaml', () => {
  let dir: string;
  let elsewhere: string;
  let other: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-config-'));
    const write = (name: string, id: string) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, `site:\n  id: ${id}\n  halls:\n    - id: h1\n`);
      return file;
    };
    elsewhere = write('elsewhere.yaml', 'from-env');
    other = write('other.yaml', 'from-flag');
    env = {
      PATH: process.env.PATH,
      HOME: dir,
      PLENUM_PORT: '0',
      PLENUM_DATA: path.join(dir, 'data'),
      PLENUM_PREVIEW_PORT: '0',
    };
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('npm run backend reads PLENUM_CONFIG, and ./plenum.yaml without it', async () => {
    expect(site(await siteLoaded('npm', ['run', 'backend'], { ...env, PLENUM_CONFIG: elsewhere }))).toBe('from-env');
    expect(site(await siteLoaded('npm', ['run', 'backend'], env))).toBe('sim');
  }, 90_000);

  it('npm start hands PLENUM_CONFIG to the backend it launches', async () => {
    const out = await siteLoaded('npm', ['start', '--', '--no-sim'], { ...env, PLENUM_CONFIG: elsewhere });
    expect(out).toMatch(/\[backend\] Plenum .* site "from-env"/);
  }, 90_000);

  it('--config wins over PLENUM_CONFIG', async () => {
    const out = await siteLoaded('npm', ['run', 'backend', '--', '--config', other], {
      ...env,
      PLENUM_CONFIG: elsewhere,
    });
    expect(site(out)).toBe('from-flag');
  }, 90_000);

  it("the Dockerfile's command reads the image's PLENUM_CONFIG, which docker run -e replaces", async () => {
    const dockerfile = fs.readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');
    const image: NodeJS.ProcessEnv = {};
    for (const m of dockerfile.matchAll(/^ENV (\w+)=(\S+)$/gm)) image[m[1]!] = m[2]!.replace(/^\/app\b/, REPO);
    expect(image.PLENUM_CONFIG).toBe(path.join(REPO, 'plenum.yaml'));
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]!) as string[];
    expect(cmd).not.toContain('--config');
    const [bin, ...args] = cmd;
    const run = (extra: NodeJS.ProcessEnv) =>
      siteLoaded(path.join(REPO, bin!), args, { ...env, ...image, PLENUM_DATA: path.join(dir, 'data'), ...extra });
    expect(site(await run({}))).toBe('sim');
    expect(site(await run({ PLENUM_CONFIG: elsewhere }))).toBe('from-env');
  }, 90_000);
});
