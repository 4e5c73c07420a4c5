import fs from 'node:fs';

/**
 * CPU time and block-device writes of a process tree from Linux /proc, for the benches that run the backend as a
 * child process (`startBackend`: tsx's launcher and the backend below it). RSS and the data folder's size are
 * `treeRssMiB` and `dirBytes` in backend.ts.
 */

/** clock ticks per second of /proc/<pid>/stat (`getconf CLK_TCK`: 100 on every Linux this runs on) */
export const CLK_TCK = 100;

/** utime + stime of one `/proc/<pid>/stat` line, in clock ticks (fields 14 and 15; the name may hold spaces). */
export function parseStatTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime field 15
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`not a /proc/<pid>/stat line: ${stat}`);
  return utime + stime;
}

export interface ProcIo {
  /** bytes the process caused to be written to storage (page cache writes, counted when dirtied) */
  writeBytes: number;
  /** bytes passed to write-like system calls, sockets and pipes included */
  wchar: number;
}

/** `/proc/<pid>/io` as numbers. */
export function parseIo(text: string): ProcIo {
  const get = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return { writeBytes: get('write_bytes'), wchar: get('wchar') };
}

/**
 * A process and its live descendants, depth first (from /proc/<pid>/task/<pid>/children): for `startBackend`,
 * tsx's launcher, then the backend, then the backend's own children (esbuild).
 */
export function treePids(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number) => {
    out.push(p);
    try {
      const kids = fs.readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      for (const k of kids ? kids.split(/\s+/) : []) visit(Number(k));
    } catch {
      // gone
    }
  };
  visit(pid);
  return out;
}

/** CPU seconds (user + system) the live processes of the tree have used so far. */
export function treeCpuSeconds(pid: number): number {
  let ticks = 0;
  for (const p of treePids(pid))
    try {
      ticks += parseStatTicks(fs.readFileSync(`/proc/${p}/stat`, 'utf8'));
    } catch {
      // gone
    }
  return ticks / CLK_TCK;
}

/** /proc/<pid>/io summed over the live processes of the tree. */
export function treeIo(pid: number): ProcIo {
  const sum: ProcIo = { writeBytes: 0, wchar: 0 };
  for (const p of treePids(pid))
    try {
      const io = parseIo(fs.readFileSync(`/proc/${p}/io`, 'utf8'));
      sum.writeBytes += io.writeBytes;
      sum.wchar += io.wchar;
    } catch {
      // gone, or not ours to read
    }
  return sum;
}

export interface CpuTotals {
  /** ticks spent not idle (user, nice, system, irq, softirq, steal), summed over every core */
  busy: number;
  /** all ticks, idle and iowait included */
  total: number;
}

/** The machine-wide `cpu` line of /proc/stat. */
export function parseCpuTotals(stat: string): CpuTotals {
  const line = /^cpu\s+(.+)$/m.exec(stat)?.[1];
  if (!line) throw new Error('no cpu line in /proc/stat');
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + (steal ?? 0);
  return { busy, total: busy + idle! + iowait! };
}

/** /proc/stat now. */
export function machineCpu(): CpuTotals {
  return parseCpuTotals(fs.readFileSync('/proc/stat', 'utf8'));
}
