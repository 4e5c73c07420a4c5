import type { Point, Sample, Selector } from '@plenum/model';
import path from 'node:path';
import type { Historian } from '../historian/types';
import { MAX_AHEAD_MS } from '../ingest/pipeline';
import type { RemoteWriteConfig } from './config';
import { DurableQueue, type QueueStats } from './queue';
import { Sender, type SenderStatus } from './sender';
import { exportedPoints, wireSamples, type ExportPoint, type QueuedSample } from './series';
import type { Label } from './write-request';

export type { RemoteWriteConfig } from './config';

/**
 * The edge's remote write: samples the historian acknowledged → durable queue → receiver (README.md).
 *
 * Nothing the historian acknowledged is lost, even to `kill -9`: stored samples are queued within
 * COMMIT_DELAY_MS (one transaction, fsync'd), and at start the queue catches up from the historian with whatever
 * it stored after each series' newest queued sample — the samples acknowledged in the last moments before a
 * crash. The catch-up looks back at most CATCH_UP_MS before the queue's last commit (a sample arriving later
 * than that, out of order, in the crash window is the one case not sent).
 */

/** ms stored samples wait in memory to be queued together (one transaction, one fsync per turn) */
export const COMMIT_DELAY_MS = 100;
/** how far before the queue's last commit (run clock) the catch-up at start reads the historian, ms (1 h) */
export const CATCH_UP_MS = 60 * 60_000;
/** samples per append at most (bounds one transaction's time) */
const APPEND_MAX = 50_000;

export interface RemoteWriteDeps {
  config: RemoteWriteConfig;
  /** the data folder; the queue is `<dataDir>/remote-write/queue.db` */
  dataDir: string;
  /** the catalog's selector search */
  select: (sel: Selector) => Point[];
  historian: Pick<Historian, 'readRaw'>;
  /** the run's clock (samples are stamped on it), Unix ms */
  now: () => number;
  log: (msg: string) => void;
}

export interface RemoteWriteStatus {
  url: string;
  points: number;
  series: number;
  queue: QueueStats;
  sender: SenderStatus;
  /** samples caught up from the historian at start */
  caughtUp: number;
}

export interface RemoteWrite {
  /** hand it every batch the historian acknowledged (IngestPipeline.onStoredSamples) */
  offer(samples: readonly Sample[]): void;
  status(): RemoteWriteStatus;
  /** queues what is buffered, stops the sender (its in-flight request's samples stay queued), closes the queue */
  close(): Promise<void>;
}

function headersOf(c: RemoteWriteConfig): Record<string, string> {
  const h: Record<string, string> = { ...c.headers };
  if (c.basicAuth)
    h.Authorization = `Basic ${Buffer.from(`${c.basicAuth.username}:${c.basicAuth.password}`).toString('base64')}`;
  if (c.bearerToken) h.Authorization = `Bearer ${c.bearerToken}`;
  return h;
}

/**
 * The historian as the ingest pipeline sees it, with `ingest` reporting every batch it acknowledged (fsync'd),
 * without the samples it refused, to `onStored`. Everything that stores samples (connectors, POST /api/samples,
 * jobs, anomaly scores) goes through the pipeline to this one call, so this is where "acknowledged" is decided.
 */
export function tapIngest(h: Historian, onStored: (samples: readonly Sample[]) => void): Historian {
  const ingest: Historian['ingest'] = async (samples) => {
    const r = await h.ingest(samples);
    if (r.accepted > 0) {
      const refused = r.rejected.length ? new Set(r.rejected.map((x) => x.index)) : undefined;
      try {
        onStored(refused ? samples.filter((_, i) => !refused.has(i)) : samples);
      } catch {
        // offer() does not throw; a defect there must not fail an ingest the historian has acknowledged
      }
    }
    return r;
  };
  return new Proxy(h, {
    get(target, prop) {
      if (prop === 'ingest') return ingest;
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** the URL without credentials, for logs and /api/health */
export function displayUrl(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  return u.toString();
}

export function startRemoteWrite(d: RemoteWriteDeps): RemoteWrite {
  const c = d.config;
  const points = exportedPoints(d.select, c.points, {
    externalLabels: c.externalLabels,
    qualitySeries: c.qualitySeries,
  });
  const labelsByKey = new Map<string, readonly Label[]>();
  for (const p of points.values()) {
    labelsByKey.set(p.value.key, p.value.labels);
    if (p.quality) labelsByKey.set(p.quality.key, p.quality.labels);
  }
  const labelsOf = (key: string) => {
    const l = labelsByKey.get(key);
    if (!l) throw new Error(`remote write: no labels for series ${key}`);
    return l;
  };
  const queue = new DurableQueue(path.join(d.dataDir, 'remote-write', 'queue.db'), c.queueMaxBytes, d.now);
  const append = (samples: QueuedSample[]): number => {
    let accepted = 0;
    for (let i = 0; i < samples.length; i += APPEND_MAX)
      accepted += queue.append(samples.slice(i, i + APPEND_MAX), labelsOf).accepted;
    return accepted;
  };

  let caughtUp = 0;
  try {
    caughtUp = catchUp(queue, points, d.historian, d.now(), append);
  } catch (err) {
    queue.close();
    throw err;
  }
  if (caughtUp) d.log(`remote write: ${caughtUp} stored samples not yet queued were caught up from the historian`);

  const sender = new Sender(queue, {
    url: c.url,
    headers: headersOf(c),
    timeoutMs: c.timeout,
    batchSamples: c.batchSamples,
    flushIntervalMs: c.flushInterval,
    backoff: c.backoff,
    log: d.log,
  });
  sender.start();

  let buffer: QueuedSample[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const commit = () => {
    timer = undefined;
    const b = buffer;
    buffer = [];
    try {
      append(b);
      sender.kick();
    } catch (err) {
      // already stored in the historian: the catch-up at the next start finds them (within CATCH_UP_MS)
      d.log(`remote write: ${b.length} samples not queued — ${String(err)}`);
    }
  };

  return {
    offer(samples) {
      if (closed) return;
      for (const s of samples) {
        const p = points.get(s.pointId);
        if (p) wireSamples(p, s.ts, s.value, s.quality, buffer);
      }
      if (buffer.length && !timer) timer = setTimeout(commit, COMMIT_DELAY_MS);
    },
    status: () => ({
      url: displayUrl(c.url),
      points: points.size,
      series: labelsByKey.size,
      queue: queue.stats(),
      sender: { ...sender.status },
      caughtUp,
    }),
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      if (buffer.length) commit();
      await sender.close();
      queue.close();
    },
  };
}

/**
 * Queues what the historian stored after each exported series' newest queued sample, looking back at most
 * CATCH_UP_MS before the queue's last commit (so a point newly selected gets at most that much history); nothing
 * when the queue is new. Returns the samples queued.
 */
function catchUp(
  queue: DurableQueue,
  points: ReadonlyMap<string, ExportPoint>,
  historian: Pick<Historian, 'readRaw'>,
  now: number,
  append: (s: QueuedSample[]) => number,
): number {
  // a new queue starts with what is stored from now on
  if (queue.fresh) return 0;
  const since = queue.lastCommitAt - CATCH_UP_MS;
  const to = now + MAX_AHEAD_MS + 1;
  let out: QueuedSample[] = [];
  let n = 0;
  for (const [id, p] of points) {
    // the value and quality series are queued together: the older watermark of the two
    const lasts = [queue.lastTs(p.value.key), p.quality && queue.lastTs(p.quality.key)];
    const last = Math.min(...lasts.map((t) => t ?? -Infinity));
    const from = Math.max(since, last + 1);
    if (from >= to) continue;
    const raw = historian.readRaw(id, from, to);
    const found: QueuedSample[] = [];
    for (let i = 0; i < raw.ts.length; i++) wireSamples(p, raw.ts[i]!, raw.values[i]!, raw.quality[i]!, found);
    // a series already queued up to its watermark (one of the pair): not a late sample, just not needed again
    for (const s of found) if (s.ts > (queue.lastTs(s.key) ?? -Infinity)) out.push(s);
    if (out.length >= APPEND_MAX) {
      n += append(out);
      out = [];
    }
  }
  return n + append(out);
}
