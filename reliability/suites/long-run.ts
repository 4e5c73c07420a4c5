/**
 * Long run (issue 17): a simulated month at speed — retention, rollups, head compaction and event store growth —
 * with disk and memory sampled every simulated hour; the figure is the slope over the second half, once every
 * resolution's retention applies.
 *
 * Why the historian and event store in-process on a simulated clock rather than the backend under PLENUM_CLOCK:
 * the fastest clock is ×3600, and a point sampled every 10 simulated seconds then needs 360 samples per wall
 * second through POST /api/samples — a hall's worth of points is beyond what HTTP ingest on these two cores
 * carries (the load suite measures that path). The store code is the backend's own (`openHistorian`,
 * `EventStore`), driven by the same calls the backend makes: `ingest` per batch, `runMaintenance()` (the
 * backend's 60 s timer; here once per simulated 10 minutes) with the event store's `applyRetention` after it
 * (`afterMaintenance`, as plenum.ts wires it), `events.add` for alarms, connector changes and notes,
 * `events.recordJob` for jobs (started, ended 2 h later; one left open all run, which must survive).
 *
 * Each simulated day the log prints historian.db's PRAGMA page_count / freelist_count and WAL size and
 * events.db's pages: growth shows there as pages in use rising, a page-reuse problem as free pages piling up.
 *
 * Tolerance "flat": |slope| over the second half ≤ 1 % of the second half's mean per simulated day. In steady
 * state each hour written replaces an hour dropped, so the store does not grow; SQLite reuses freed pages
 * without shrinking the file, and a day holds 24 hour-boundary flushes, so page fill and GC move the samples by
 * a few per cent within a day but not from day to day. 1 %/day would still be 30 % a month, which is the most a
 * "flat" store could be allowed to drift.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventStore } from '../../backend/src/events/event-store';
import { openHistorian } from '../../backend/src/historian/historian';
import type { Retention } from '../../backend/src/historian/types';
import { dirBytes } from '../load/backend';
import { figure, fullGc, rssMiB, type Suite, type SuiteOptions, type SuiteResult } from '../suite';

export interface LongRunParams {
  days: number;
  points: number;
  /** simulated ms between samples of a point */
  intervalMs: number;
  /** the historian's retention (its own keys, m1 / h1: it refuses the file's "1m" / "1h"), ms */
  retention: Retention;
  /** the event store's retention (historian.retention.events), ms */
  eventRetention: number;
  /** events per simulated hour */
  eventsPerHour: number;
}

const H = 3_600_000;
const D = 24 * H;

export const FULL: LongRunParams = {
  days: 30,
  points: 200,
  intervalMs: 20_000,
  retention: { raw: 2 * D, m1: 7 * D, h1: 14 * D },
  eventRetention: 7 * D,
  eventsPerHour: 20,
};
export const SHORT: LongRunParams = {
  days: 4,
  points: 100,
  intervalMs: 20_000,
  retention: { raw: 3 * H, m1: 12 * H, h1: D },
  eventRetention: D,
  eventsPerHour: 20,
};

/** tolerance for "flat": growth ≤ this fraction of the mean per simulated day (shrinking is never a leak) */
const FLAT_PER_DAY = 0.01;

/** least-squares slope of y over x */
export function slope(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (x[i]! - mx) * (y[i]! - my);
    den += (x[i]! - mx) ** 2;
  }
  return den ? num / den : 0;
}

const PRAGMA_KEY =
  'historian.db pages / free pages / WAL MiB, events.db pages / free pages, 64 KiB and 4 KiB pages, PRAGMA page_count / freelist_count';
const pragmaLine = (r: Row) =>
  `${r.day.toFixed(0)}: ${r.pages}/${r.freePages}/${(r.wal / 2 ** 20).toFixed(1)}, ${r.eventPages}/${r.eventFree}`;

interface Row {
  day: number;
  disk: number;
  historian: number;
  events: number;
  rss: number;
  /** V8 heap in use after a full collection, MiB */
  heap: number;
  /** historian.db alone (no WAL) */
  main: number;
  /** historian.db pages (PRAGMA page_count, WAL included) and free ones (freelist_count), and its WAL's bytes */
  pages: number;
  freePages: number;
  wal: number;
  /** events.db pages and free ones */
  eventPages: number;
  eventFree: number;
}

export async function runLongRun(p: LongRunParams, log: (l: string) => void): Promise<SuiteResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-longrun-'));
  const start = Date.UTC(2026, 10, 1);
  let now = start;
  const failures: string[] = [];
  const rows: Row[] = [];
  const daily: string[] = [];
  const pendingJobEnds: Array<{ jobId: string; at: number; title: string }> = [];
  const ids = Array.from({ length: p.points }, (_, i) => `sim/hall1/r${Math.floor(i / 10)}/p${i}/env/inlet_temp`);
  // wired as backend/src/plenum.ts wires them: the event store's retention runs after each historian maintenance
  const events = new EventStore(dir, { now: () => now, retentionMs: p.eventRetention });
  const h = openHistorian({
    dir,
    now: () => now,
    retention: p.retention,
    tuning: { maintenanceIntervalMs: 3_600_000 },
    afterMaintenance: (t) => events.applyRetention(t),
  });
  h.ensurePoints(ids.map((id) => ({ id, valueType: 'number' })));
  // a job that runs the whole month: an open span, which retention must never delete
  const longJob = events.recordJob('long-run-open', {
    time: start,
    type: 'job',
    title: 'job running all run',
    data: { jobId: 'long-run-open' },
  });
  const fileBytes = (f: string) => (fs.existsSync(path.join(dir, f)) ? fs.statSync(path.join(dir, f)).size : 0);
  const eventBytes = () =>
    fs
      .readdirSync(dir)
      .filter((f) => f.startsWith('events.db'))
      .reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  let ingested = 0;
  let rejected = 0;
  let nEvents = 0;
  const t0 = performance.now();
  try {
    const end = start + p.days * D;
    const stepMs = 60_000; // one ingest call per simulated minute, as a poller's batches would be
    let nextEvent = start;
    while (now < end) {
      const batch = [];
      for (let ts = now; ts < now + stepMs; ts += p.intervalMs)
        for (let i = 0; i < p.points; i++) {
          // a daily cycle plus per-point offset, 0.1 °C resolution as real sensors report
          const v =
            Math.round((22 + 4 * Math.sin((2 * Math.PI * ts) / D + i) + ((ts / p.intervalMs + i) % 7) / 10) * 10) / 10;
          batch.push({ pointId: ids[i]!, ts, value: v, quality: 'good' as const });
        }
      now += stepMs;
      const r = await h.ingest(batch);
      ingested += r.accepted;
      rejected += r.rejected.length;
      while (nextEvent < now) {
        const k = nEvents++;
        // every 60th event a job starts, and ends 2 h later: spans closed by a later write, as the jobs source does
        if (k % 60 === 0) {
          const jobId = `long-run-${k}`;
          events.recordJob(jobId, { time: nextEvent, type: 'job', title: `job ${k}`, data: { jobId } });
          pendingJobEnds.push({ jobId, at: nextEvent + 2 * H, title: `job ${k}` });
        }
        events.add({
          time: nextEvent,
          type: k % 3 === 0 ? 'alarm' : k % 3 === 1 ? 'connector' : 'note',
          severity: k % 3 === 0 ? 'warning' : 'info',
          title: `long-run event ${k}`,
          text: `simulated ${new Date(nextEvent).toISOString()}`,
          tags: ['reliability', 'long-run'],
          source: 'reliability',
        });
        nextEvent += H / p.eventsPerHour;
      }
      while (pendingJobEnds.length && pendingJobEnds[0]!.at <= now) {
        const j = pendingJobEnds.shift()!;
        events.recordJob(j.jobId, {
          time: j.at - 2 * H,
          timeEnd: j.at,
          type: 'job',
          title: j.title,
          data: { jobId: j.jobId },
        });
      }
      if ((now - start) % (10 * 60_000) === 0) h.runMaintenance();
      if ((now - start) % H === 0) {
        const ev = eventBytes();
        const disk = dirBytes(dir);
        const main = fs.statSync(path.join(dir, 'historian.db')).size;
        const mf = h.stats().mainFile!;
        const ef = events.fileStats();
        fullGc();
        const heap = process.memoryUsage().heapUsed / 2 ** 20;
        const row: Row = {
          day: (now - start) / D,
          disk,
          events: ev,
          historian: disk - ev,
          rss: rssMiB(),
          heap,
          main,
          pages: mf.pages,
          freePages: mf.freePages,
          wal: fileBytes('historian.db-wal'),
          eventPages: ef.pages,
          eventFree: ef.freePages,
        };
        rows.push(row);
        if ((now - start) % D === 0) {
          const line = pragmaLine(row);
          daily.push(line);
          log(
            `day ${line}; disk ${(disk / 2 ** 20).toFixed(1)} MiB, RSS ${rssMiB().toFixed(0)} MiB, ${ingested} samples, ${((performance.now() - t0) / 1000).toFixed(0)} s`,
          );
        }
      }
    }
    const files = fs
      .readdirSync(dir)
      .map((f) => `${f} ${(fs.statSync(path.join(dir, f)).size / 2 ** 20).toFixed(2)} MiB`)
      .join(', ');
    const stats = h.stats();
    const eventsLeft = events.find({ from: 0, to: end + D, limit: 1_000_000 });
    await h.close();
    events.close();
    if (rejected) failures.push(`the historian refused ${rejected} samples`);
    // retention kept what it must: the open job, and every event inside the retention window
    if (!eventsLeft.some((e) => e.id === longJob.id)) failures.push('event retention deleted a job that is still open');
    const oldest = Math.min(...eventsLeft.filter((e) => e.id !== longJob.id).map((e) => e.timeEnd ?? e.time));
    const expected = Math.min(p.days * D, p.eventRetention) / (H / p.eventsPerHour);
    if (eventsLeft.length < expected * 0.98)
      failures.push(
        `event retention kept ${eventsLeft.length} events, expected about ${expected.toFixed(0)} (the last ${p.eventRetention / H} h)`,
      );
    // 10 min: retention runs after each maintenance, and an event's write lags its time by up to a minute
    if (oldest < end - p.eventRetention - 10 * 60_000)
      failures.push(
        `an event ended ${new Date(oldest).toISOString()} outlived the retention (run ended ${new Date(end).toISOString()})`,
      );
    const half = rows.filter((r) => r.day > p.days / 2);
    const x = half.map((r) => r.day);
    const rel = (key: keyof Row) => {
      const y = half.map((r) => r[key]);
      const mean = y.reduce((a, b) => a + b, 0) / y.length;
      return { perDay: slope(x, y), mean, rel: slope(x, y) / mean };
    };
    const disk = rel('historian');
    const ev = rel('events');
    const total = rel('disk');
    const rss = rel('rss');
    const heap = rel('heap');
    const pct = (v: number) => `${(v * 100).toFixed(2)} %/day`;
    const mib = (v: number) => `${(v / 2 ** 20).toFixed(2)} MiB`;
    const target = `growth ≤ ${FLAT_PER_DAY * 100} % of mean per simulated day`;
    return {
      suite: 'long-run',
      figures: [
        figure(
          'Long run: historian disk slope, second half',
          target,
          `${pct(disk.rel)} (${mib(disk.perDay)}/day, mean ${mib(disk.mean)})`,
          disk.rel <= FLAT_PER_DAY,
        ),
        figure(
          'Long run: event store disk slope, second half',
          target,
          `${pct(ev.rel)} (${mib(ev.perDay)}/day, mean ${mib(ev.mean)}, ${nEvents} events)`,
          ev.rel <= FLAT_PER_DAY,
        ),
        figure(
          'Long run: data folder disk slope, second half',
          target,
          `${pct(total.rel)} (${mib(total.perDay)}/day, mean ${mib(total.mean)})`,
          total.rel <= FLAT_PER_DAY,
        ),
        figure(
          'Long run: RSS slope, second half',
          target,
          `${pct(rss.rel)} (${rss.perDay.toFixed(1)} MiB/day, mean ${rss.mean.toFixed(0)} MiB)`,
          rss.rel <= FLAT_PER_DAY,
        ),
        figure(
          'Long run: heap slope after GC, second half',
          target,
          `${pct(heap.rel)} (${heap.perDay.toFixed(2)} MiB/day, mean ${heap.mean.toFixed(0)} MiB)`,
          heap.rel <= FLAT_PER_DAY,
        ),
      ],
      failures,
      notes: [
        `${p.days} simulated days in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${p.points} points every ${p.intervalMs / 1000} s (${ingested} samples), ${nEvents} events (a job started every 60th, ended 2 h later, one open all run), retention raw ${p.retention.raw / H} h / 1m ${p.retention.m1 / H} h / 1h ${p.retention.h1 / H} h / events ${p.eventRetention / H} h (${eventsLeft.length} events left); historian and event store in this process on a simulated clock, maintenance every simulated 10 min, the event store's retention after it; RSS is this process's (the test runner's base included)`,
        `per simulated day (${PRAGMA_KEY}): ${daily.join(' | ')}`,
        `historian at the end: ${JSON.stringify(stats)}; files before close: ${files}`,
        `samples every 6 simulated hours (day: data folder / events / historian.db MiB / RSS MiB): ${rows
          .filter((_, i) => i % 6 === 5)
          .map(
            (r) =>
              `${r.day.toFixed(2)}:${(r.disk / 2 ** 20).toFixed(1)}/${(r.events / 2 ** 20).toFixed(2)}/${(r.main / 2 ** 20).toFixed(2)}/${r.rss.toFixed(0)}`,
          )
          .join(' ')}`,
      ],
      output: '',
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const longRun: Suite = (opts: SuiteOptions) => runLongRun(opts.short ? SHORT : FULL, opts.log);
export default longRun;
