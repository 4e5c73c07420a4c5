import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { QueryResponse } from '@plenum/model';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const MAIN = path.join(__dirname, 'main.ts');

/** Starts the backend as `npm start` does (tsx main.ts), on a free port, with data in a temp folder. */
function startBackend(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; output: () => string; url: Promise<string> } {
  const child = spawn(TSX, [MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, PLENUM_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /API listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`backend exited with ${code}:\n${out}`)));
  });
  return { child, output: () => out, url };
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => child.once('exit', (code) => r(code)));

describe('npm start (backend main)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-main-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs a site, says where it listens, serves health and live generator data, and stops cleanly', async () => {
    // the sample site's topology with the built-in generator as its only source (the simulator is launch.test's)
    const sample = fs.readFileSync(path.join(ROOT, 'plenum.yaml'), 'utf8');
    const config = path.join(dir, 'plenum.yaml');
    fs.writeFileSync(
      config,
      `${sample.slice(0, sample.indexOf('\nsources:'))}
sources:
  - name: gen
    connector: generator
    interval: 1s
    points:
      - { asset: 'hall1/*/*/pdu', signal: power, quantity: power, unit: W }
`,
    );
    const b = startBackend(['--config', config], { PLENUM_DATA: dir });
    try {
      const url = await b.url;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(b.output()).toContain('built-in synthetic generator');
      const health = await (await fetch(`${url}/api/health`)).json();
      expect(health).toMatchObject({ status: 'ok', store: { state: 'open' } });
      let frames: Array<{ data: { values: unknown[][] } }> = [];
      for (let i = 0; i < 50 && !frames.length; i++) {
        await new Promise((r) => setTimeout(r, 200));
        const res = await fetch(`${url}/api/query`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            range: { from: 'now-5m', to: 'now+1m' },
            queries: [
              {
                refId: 'A',
                queryType: 'timeseries',
                selector: { quantity: ['power'] },
                groupBy: 'hall',
                aggregate: 'sum',
              },
            ],
          }),
        });
        frames = ((await res.json()) as QueryResponse).results.A!.frames as typeof frames;
      }
      expect(frames).toHaveLength(1);
      expect(frames[0]!.data.values[1]!.length).toBeGreaterThan(0);
      b.child.kill('SIGTERM');
      expect(await exited(b.child)).toBe(0);
    } finally {
      b.child.kill('SIGKILL');
    }
  }, 60_000);

  it('exits 2 and names file and field when the config is wrong', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(
      bad,
      fs.readFileSync(path.join(ROOT, 'plenum.yaml'), 'utf8').replace(/interval: 1s/, 'interval: often'),
    );
    const b = startBackend(['--config', bad], { PLENUM_DATA: dir });
    b.url.catch(() => undefined);
    expect(await exited(b.child)).toBe(2);
    expect(b.output()).toMatch(/bad\.yaml: sources\[0\]\.interval: /);
  }, 30_000);

  it('refuses to listen beyond loopback without a token', async () => {
    const b = startBackend(['--config', path.join(ROOT, 'plenum.yaml')], {
      PLENUM_DATA: dir,
      PLENUM_HOST: '0.0.0.0',
      PLENUM_API_TOKEN: '',
    });
    b.url.catch(() => undefined);
    expect(await exited(b.child)).toBe(1);
    expect(b.output()).toContain('PLENUM_HOST=0.0.0.0 would expose the API without authentication');
  }, 30_000);
});
