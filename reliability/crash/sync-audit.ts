import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * kill -9 ends the process, not the machine, so the page cache still holds what a store wrote but never
 * synced: a store that acknowledged before its fsync would pass the kill loop and lose data on power loss.
 * This audit runs the crash writer under strace and checks, at every acknowledgement the writer prints, that
 * the write-ahead log of the store it names has no write that was not yet fsync'd / fdatasync'd.
 */

const ROOT = path.resolve(__dirname, '../..');
const WRITER = path.join(ROOT, 'reliability/crash/writer.ts');

/** the WAL whose sync an acknowledgement waits for, by the writer's line kind */
const WAL_OF: Record<string, string> = {
  s: 'staging.db-wal',
  e: 'events.db-wal',
  u: 'events.db-wal',
  v: 'automation.db-wal',
  w: 'automation.db-wal',
  l: 'automation.db-wal',
  r: 'automation.db-wal',
  p: 'automation.db-wal',
  d: 'automation.db-wal',
  k: 'automation.db-wal',
};

export interface SyncAudit {
  /** acknowledgements checked */
  acks: number;
  /** acknowledgements printed while their store's WAL held unsynced writes, e.g. `e 12: events.db-wal` */
  early: string[];
  /** syncs seen per WAL file */
  syncs: Record<string, number>;
}

export function straceAvailable(): boolean {
  return spawnSync('strace', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Parses `strace -f -y` output (see runSyncAudit). */
export function auditTrace(text: string): SyncAudit {
  const dirty = new Map<string, boolean>();
  const syncs: Record<string, number> = {};
  const early: string[] = [];
  let acks = 0;
  for (const line of text.split('\n')) {
    const m = /^(?:\[pid\s+)?\d*\]?\s*(\w+)\((\d+)<([^>]*)>(?:, "([^"]*)")?/.exec(line);
    if (!m) continue;
    const [, call, fd, file, data] = m as unknown as [string, string, string, string, string | undefined];
    const base = path.basename(file);
    if (call === 'fsync' || call === 'fdatasync') {
      if (base.endsWith('-wal')) {
        dirty.set(base, false);
        syncs[base] = (syncs[base] ?? 0) + 1;
      }
    } else if ((call === 'pwrite64' || call === 'write' || call === 'writev') && base.endsWith('-wal')) {
      dirty.set(base, true);
    } else if (call === 'write' && fd === '1' && data !== undefined) {
      for (const ack of data.split('\\n')) {
        const wal = WAL_OF[ack.split(' ')[0] ?? ''];
        if (!wal) continue;
        acks++;
        if (dirty.get(wal)) early.push(`${ack}: ${wal}`);
      }
    }
  }
  return { acks, early, syncs };
}

/** Runs the writer on a fresh folder under strace for `ms` of writing, then audits what it did. */
export async function runSyncAudit(ms: number): Promise<SyncAudit> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-crash-sync-'));
  const log = path.join(dir, 'strace.log');
  try {
    fs.mkdirSync(path.join(dir, 'data'));
    await new Promise<void>((done, fail) => {
      const child = spawn(
        'strace',
        [
          '-f',
          '-y',
          '-qq',
          '-s',
          '64',
          '-e',
          'trace=write,writev,pwrite64,fsync,fdatasync',
          '-o',
          log,
          process.execPath,
          '--import',
          'tsx',
          WRITER,
          path.join(dir, 'data'),
          '0',
          '0',
        ],
        { cwd: ROOT, env: { ...process.env, CRASH_AFTER_MS: String(ms) }, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const guard = setTimeout(() => child.kill('SIGKILL'), ms + 30_000);
      child.on('error', fail);
      child.on('close', () => {
        clearTimeout(guard);
        if (stderr.trim()) fail(new Error(`the writer under strace printed: ${stderr.slice(0, 500)}`));
        else done();
      });
    });
    return auditTrace(fs.readFileSync(log, 'utf8'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
