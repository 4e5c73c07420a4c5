import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { batchMismatches, crashBatch, readCrashSamples } from './crash-workload';
import { openHistorian } from './historian';
import { seededRandom, tempDir } from './test-helpers';

/**
 * The crash-safety requirement: a sample whose ingest promise resolved survives kill -9 at any moment,
 * and the store opens afterwards and accepts more. A child process (crash-writer.ts) ingests and acknowledges
 * batch numbers on stdout; we SIGKILL it at random moments (and twice it kills itself inside a flush
 * transaction), then check every acknowledged sample, exactly.
 */

const REPO = resolve(__dirname, '../../..');
const WRITER = join(__dirname, 'crash-writer.ts');

interface Round {
  acked: number[];
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runWriter(dir: string, start: number, killAfterMs: number | null, crashIn?: string): Promise<Round> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(start)], {
      cwd: REPO,
      env: { ...process.env, ...(crashIn ? { CRASH_IN: crashIn } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: number[] = [];
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    // a safety net: no round may hang the suite
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'ready') {
          if (killAfterMs !== null) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
        } else if (line) acked.push(Number(line));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      done({ acked, signal, stderr });
    });
  });
}

describe('crash safety (kill -9)', () => {
  it('keeps every acknowledged sample and reopens after SIGKILL at random moments and mid-flush', async () => {
    const { dir, cleanup } = tempDir('crash');
    try {
      // kill moments vary per run; the seed is in any failure message to replay one
      const seed = Date.now() % 1e9;
      const r = seededRandom(seed);
      const acked = new Set<number>();
      let next = 0;
      const plan: Array<{ killAfterMs: number | null; crashIn?: string }> = [
        { killAfterMs: 200 + Math.floor(r() * 800) },
        { killAfterMs: null, crashIn: 'insertChunk' },
        { killAfterMs: 100 + Math.floor(r() * 1500) },
        { killAfterMs: null, crashIn: 'upsertRollup' },
        { killAfterMs: 50 + Math.floor(r() * 300) },
      ];
      for (const step of plan) {
        const round = await runWriter(dir, next, step.killAfterMs, step.crashIn);
        expect({ signal: round.signal, stderr: round.stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });
        for (const k of round.acked) acked.add(k);
        // the next round starts past every batch this one may have started (acknowledged or not)
        next = Math.max(next, ...round.acked) + 16;
      }
      expect(acked.size).toBeGreaterThan(50);

      const h = openHistorian({ dir });
      try {
        const stored = readCrashSamples(h, 0, 9e12);
        expect(stored.disorder).toEqual([]);
        const missing = [...acked].flatMap((k) => batchMismatches(k, stored));
        const checked = acked.size * crashBatch(0).length;
        expect({ seed, missing: missing.slice(0, 5) }).toEqual({ seed, missing: [] });
        expect(checked).toBeGreaterThan(1000);

        // the rollups agree with the raw data they summarise
        const raw = h.readRaw('crash/decimal', 0, 9e12, Infinity);
        const good = raw.values.filter((_, i) => raw.quality[i] !== 'bad').length;
        const hours = h.buckets('crash/decimal', { from: 0, to: 9e12, stepMs: 3_600_000 * 24 * 365, resolution: '1h' });
        expect(hours.count.reduce((a, b) => a + b, 0)).toBe(good);

        // and the store takes more
        const more = crashBatch(next + 100);
        expect((await h.ingest(more)).accepted).toBe(more.length);
        const latest = h.latest(['crash/float']).get('crash/float');
        expect(latest?.ts).toBe(Math.max(...more.filter((s) => s.pointId === 'crash/float').map((s) => s.ts)));
      } finally {
        await h.close();
      }
    } finally {
      cleanup();
    }
  }, 60_000);
});
