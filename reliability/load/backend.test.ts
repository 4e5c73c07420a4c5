import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { terminate } from './backend';

const TSX = path.resolve(__dirname, '../../node_modules/.bin/tsx');

/** A script under tsx that blocks its event loop for 1.5 s once it has said "ready", as a busy backend does. */
async function busyUnderTsx(dir: string) {
  const script = path.join(dir, 'busy.ts');
  fs.writeFileSync(
    script,
    `process.on('SIGTERM', () => { console.log('graceful'); process.exit(0); });
setInterval(() => {}, 1000);
console.log('ready');
const end = Date.now() + 1500;
while (Date.now() < end);
`,
  );
  const child = spawn(TSX, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready')) resolve();
    }),
  );
  return { child, exited, output: () => out };
}

describe('stopping a backend run by tsx', () => {
  let dir: string;
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-tsx-stop-'))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('terminate() signals the process under the launcher, which closes once its loop is free', async () => {
    const p = await busyUnderTsx(dir);
    terminate(p.child.pid!);
    expect(await p.exited).toBe(0);
    expect(p.output()).toContain('graceful');
  }, 30_000);

  it('a SIGTERM to the launcher gets a busy child SIGKILLed (why terminate() does not send it there)', async () => {
    const p = await busyUnderTsx(dir);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(143);
    expect(p.output()).not.toContain('graceful');
  }, 30_000);
});
