/**
 * The figures of `npm run bench:scale` (bench/scale.bench.ts) from what one case measured, and their ratios to the
 * reference case and to issue 14's targets. Pure: the bench samples /proc and the API, this file does the sums.
 */

/** issue 14: resident memory per active 1 Hz point beyond a fixed base, bytes */
export const TARGET_RSS_PER_POINT_B = 1024;
/** issue 14: bytes per sample on disk */
export const TARGET_DISK_PER_SAMPLE_B = 1.5;

/** One sample of the backend while a case runs, taken by the bench once a wall second. */
export interface Tick {
  /** Unix ms, wall */
  wallMs: number;
  /** Unix ms on the run's clock */
  simMs: number;
  rssMiB: number;
  /** CPU seconds of the backend's process tree since it started */
  cpuS: number;
  /** /proc/<pid>/io write_bytes of the tree since it started (every file, counted when the page is dirtied) */
  writeBytes: number;
  /** bytes of the data folder */
  dataBytes: number;
  /** bytes of staging.db and its WAL */
  stagingBytes: number;
  /** samples the historian accepted since start (GET /api/health), when the answer came in time */
  stored?: number;
  /** samples in the historian's heads, likewise */
  headSamples?: number;
  /** the backend's V8 heap and ArrayBuffer memory (GET /metrics, prom-client's nodejs_* gauges), when it answered */
  heap?: HeapTick;
}

/** MiB, as the backend's own /metrics reports them */
export interface HeapTick {
  /** live objects and garbage not yet collected */
  usedMiB: number;
  /** what V8 holds for its heap */
  totalMiB: number;
  /** ArrayBuffers and other memory V8 accounts outside its heap (the historian's heads are ArrayBuffers) */
  externalMiB: number;
}

export interface CaseRaw {
  points: number;
  /** simulated seconds per wall second */
  speed: number;
  /** from the backend's first answer to the end of the simulated time, in order */
  ticks: Tick[];
  /** wall ms of each answer, per NOC query name */
  queries: Record<string, number[]>;
  /** simulated now minus the newest stored inlet sample at each answer of the latest query, s */
  lagS: number[];
  /** simulated time from which heads are flushed to chunks (the first hour boundary + late grace), Unix ms */
  flushFromMs: number;
  /** after the backend closed */
  after: { dataBytes: number; historianBytes: number };
}

export interface Percentiles {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export interface CaseFigures {
  points: number;
  wallS: number;
  simS: number;
  /** samples per wall second the sources would deliver at 1 Hz simulated */
  offeredPerS: number;
  achievedPerS: number;
  /** achieved ÷ offered */
  keptUp: number;
  stored: number;
  cpuS: number;
  /** CPU seconds of the backend per wall second */
  cores: number;
  samplesPerCpuS: number;
  rssStartMiB: number;
  rssPeakMiB: number;
  rssEndMiB: number;
  /** (peak RSS − base) / points, bytes */
  rssPerPointB: number;
  /** the /metrics answer nearest the RSS peak: how the peak splits into V8 heap, external and the rest */
  peakHeap?: HeapTick & { restMiB: number };
  /** (RSS − base) / samples held in the heads, where they held most, bytes; absent without a health answer */
  rssPerHeadSampleB?: number;
  /** data folder after close ÷ stored samples */
  diskPerSampleB: number;
  /** historian.db after close ÷ stored samples */
  chunkFilePerSampleB: number;
  /** the data folder at its largest during the run ÷ samples stored by then */
  peakDataPerSampleB: number;
  /** write_bytes per stored sample while only the staging log was written (before the first flush) */
  stagingWritePerSampleB?: number;
  /** write_bytes per stored sample over the whole run (flushes included, close excluded) */
  writePerSampleB: number;
  queries: Record<string, Percentiles>;
  lagS: Percentiles;
}

/** Nearest-rank percentile (p in 0–100); NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function percentiles(values: readonly number[]): Percentiles {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: values.length ? Math.max(...values) : NaN,
  };
}

/** The last tick at or before `i` that has a health answer (stored count). */
function withStored(ticks: readonly Tick[], i: number): Tick | undefined {
  for (let k = i; k >= 0; k--) if (ticks[k]!.stored !== undefined) return ticks[k];
  return undefined;
}

export function caseFigures(raw: CaseRaw, baseRssMiB: number): CaseFigures {
  const t = raw.ticks;
  if (t.length < 2) throw new Error(`case ${raw.points}: fewer than two ticks`);
  const first = withStored(t, 0) ?? t[0]!;
  const lastI = t.length - 1;
  const last = withStored(t, lastI) ?? t[lastI]!;
  const wallS = (last.wallMs - first.wallMs) / 1000;
  const simS = (last.simMs - first.simMs) / 1000;
  const stored = (last.stored ?? 0) - (first.stored ?? 0);
  const cpuS = last.cpuS - first.cpuS;
  const offeredPerS = raw.points * raw.speed;
  const achievedPerS = stored / wallS;
  let peak = t[0]!;
  for (const x of t) if (x.rssMiB > peak.rssMiB) peak = x;
  const MiB = 2 ** 20;
  const rssOver = (peak.rssMiB - baseRssMiB) * MiB;
  // memory per held sample where the heads held most (just before an hour's flush), not at the RSS peak: the
  // allocator keeps what a flush freed, so after one the RSS stays high while the heads are nearly empty
  let mostHeads: Tick | undefined;
  for (const x of t) if (x.headSamples && (!mostHeads || x.headSamples > mostHeads.headSamples!)) mostHeads = x;
  let peakData: Tick | undefined;
  for (const x of t) if (x.stored && (!peakData || x.dataBytes > peakData.dataBytes)) peakData = x;
  const peakDataPerSampleB = peakData ? peakData.dataBytes / peakData.stored! : NaN;
  // staging-only phase: the ticks before the first flush could start
  const before = t.filter((x) => x.simMs < raw.flushFromMs && x.stored !== undefined);
  const lastBefore = before.at(-1);
  const stagingWritePerSampleB =
    lastBefore && lastBefore !== first && lastBefore.stored! > first.stored!
      ? (lastBefore.writeBytes - first.writeBytes) / (lastBefore.stored! - first.stored!)
      : undefined;
  const totalStored = last.stored ?? stored;
  return {
    points: raw.points,
    wallS,
    simS,
    offeredPerS,
    achievedPerS,
    keptUp: achievedPerS / offeredPerS,
    stored,
    cpuS,
    cores: cpuS / wallS,
    samplesPerCpuS: stored / cpuS,
    rssStartMiB: t[0]!.rssMiB,
    rssPeakMiB: peak.rssMiB,
    rssEndMiB: t[lastI]!.rssMiB,
    rssPerPointB: rssOver / raw.points,
    ...peakHeapOf(t, peak),
    ...(mostHeads && {
      rssPerHeadSampleB: ((mostHeads.rssMiB - baseRssMiB) * MiB) / mostHeads.headSamples!,
    }),
    diskPerSampleB: raw.after.dataBytes / totalStored,
    chunkFilePerSampleB: raw.after.historianBytes / totalStored,
    peakDataPerSampleB,
    ...(stagingWritePerSampleB !== undefined && { stagingWritePerSampleB }),
    writePerSampleB: (last.writeBytes - first.writeBytes) / stored,
    queries: Object.fromEntries(Object.entries(raw.queries).map(([k, v]) => [k, percentiles(v)])),
    lagS: percentiles(raw.lagS),
  };
}

/** The heap split of the tick with /metrics nearest the RSS peak (within 5 wall s), rest = RSS − heap − external. */
function peakHeapOf(t: readonly Tick[], peak: Tick): { peakHeap?: HeapTick & { restMiB: number } } {
  let near: Tick | undefined;
  for (const x of t)
    if (x.heap && Math.abs(x.wallMs - peak.wallMs) <= 5000)
      if (!near || Math.abs(x.wallMs - peak.wallMs) < Math.abs(near.wallMs - peak.wallMs)) near = x;
  if (!near?.heap) return {};
  return { peakHeap: { ...near.heap, restMiB: near.rssMiB - near.heap.totalMiB - near.heap.externalMiB } };
}

/**
 * RSS per point added between two cases (peak minus peak over points minus points), bytes: what one more point
 * costs once the fixed parts — code, SQLite's page caches (40 MiB at most), V8's young generation — are full,
 * which a base run with 50 points does not fill.
 */
export function marginalRssPerPointB(a: CaseFigures, b: CaseFigures): number {
  return ((b.rssPeakMiB - a.rssPeakMiB) * 2 ** 20) / (b.points - a.points);
}

/** Ratios of a case to the reference case (the smallest) and to the targets; > 1 is worse for all but
 * `samplesPerCpuS` and `keptUp`. */
export function ratios(c: CaseFigures, ref: CaseFigures) {
  return {
    rssPerPoint: c.rssPerPointB / ref.rssPerPointB,
    samplesPerCpuS: c.samplesPerCpuS / ref.samplesPerCpuS,
    keptUp: c.keptUp / ref.keptUp,
    diskPerSample: c.diskPerSampleB / ref.diskPerSampleB,
    queryP95: Object.fromEntries(
      Object.entries(c.queries).map(([k, q]) => [k, q.p95 / (ref.queries[k]?.p95 ?? NaN)]),
    ) as Record<string, number>,
    rssPerPointToTarget: c.rssPerPointB / TARGET_RSS_PER_POINT_B,
    diskPerSampleToTarget: c.diskPerSampleB / TARGET_DISK_PER_SAMPLE_B,
  };
}

/** `n` items spread evenly over `xs`, first and last included (all of them when there are fewer). */
export function spread<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  return Array.from({ length: n }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (n - 1))]!);
}
