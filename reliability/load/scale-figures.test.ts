import {
  caseFigures,
  marginalRssPerPointB,
  percentile,
  ratios,
  spread,
  type CaseRaw,
  type Tick,
} from './scale-figures';

const MiB = 2 ** 20;

/** A case of `points` at ×20 that stores `perTick` samples each wall second for `n` seconds. */
function raw(points: number, perTick: number, n = 11): CaseRaw {
  const ticks: Tick[] = Array.from({ length: n }, (_, i) => ({
    wallMs: 1_000_000 + i * 1000,
    simMs: 2_000_000 + i * 20_000,
    rssMiB: 200 + i * 10,
    cpuS: 5 + i * 0.5,
    writeBytes: 1000 + i * perTick * 50,
    dataBytes: (i + 1) * perTick * 30,
    stagingBytes: i * perTick * 25,
    stored: (i + 1) * perTick,
    // the heads are flushed at tick 8: RSS stays
    headSamples: i < 8 ? (i + 1) * perTick : perTick,
  }));
  return {
    points,
    speed: 20,
    ticks,
    queries: { latest: [5, 1, 3, 2, 4], power: [10, 30, 20] },
    lagS: [1, 2, 3],
    flushFromMs: 2_000_000 + 5 * 20_000 + 1,
    after: { dataBytes: n * perTick * 2, historianBytes: n * perTick * 1.5 },
  };
}

describe('scale bench figures', () => {
  it('nearest-rank percentiles', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3], 95)).toBe(5);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
    expect(percentile([], 95)).toBeNaN();
  });

  it('rates, CPU, memory per point and bytes per sample of one case', () => {
    const f = caseFigures(raw(1000, 20_000), 150);
    expect(f.wallS).toBe(10);
    expect(f.simS).toBe(200);
    expect(f.offeredPerS).toBe(20_000);
    expect(f.stored).toBe(200_000);
    expect(f.achievedPerS).toBe(20_000);
    expect(f.keptUp).toBe(1);
    expect(f.cpuS).toBe(5);
    expect(f.cores).toBe(0.5);
    expect(f.samplesPerCpuS).toBe(40_000);
    expect(f.rssPeakMiB).toBe(300);
    expect(f.rssPerPointB).toBe((150 * MiB) / 1000);
    // where the heads held most (tick 7: RSS 270 MiB, 160 000 samples), not at the RSS peak after the flush
    expect(f.rssPerHeadSampleB).toBe((120 * MiB) / 160_000);
    expect(f.diskPerSampleB).toBe(2);
    expect(f.chunkFilePerSampleB).toBe(1.5);
    expect(f.peakDataPerSampleB).toBe(30);
    // ticks 0–5 are before the flush: 5 s of 20 000 samples, 50 B each
    expect(f.stagingWritePerSampleB).toBe(50);
    expect(f.writePerSampleB).toBe(50);
    expect(f.queries.latest).toEqual({ n: 5, p50: 3, p95: 5, max: 5 });
    expect(f.lagS.max).toBe(3);
  });

  it('a case that falls behind: kept-up share and ratios to the reference case and the targets', () => {
    const ref = caseFigures(raw(1000, 20_000), 150);
    const big = caseFigures(raw(10_000, 50_000), 150);
    expect(big.keptUp).toBe(0.25);
    const r = ratios(big, ref);
    expect(r.keptUp).toBe(0.25);
    expect(r.samplesPerCpuS).toBe(2.5);
    expect(r.rssPerPoint).toBeCloseTo(0.1, 9);
    expect(r.diskPerSample).toBe(1);
    expect(r.diskPerSampleToTarget).toBeCloseTo(2 / 1.5, 9);
    expect(r.rssPerPointToTarget).toBeCloseTo((150 * MiB) / 10_000 / 1024, 9);
    expect(r.queryP95).toEqual({ latest: 1, power: 1 });
  });

  it('splits the RSS peak by the /metrics answer nearest it, and the marginal cost of a point between cases', () => {
    const r = raw(1000, 20_000);
    // the peak is the last tick (300 MiB); the answer 2 s before it is nearer than the one 6 s before
    r.ticks[4]!.heap = { usedMiB: 1, totalMiB: 2, externalMiB: 3 };
    r.ticks[8]!.heap = { usedMiB: 100, totalMiB: 120, externalMiB: 30 };
    const f = caseFigures(r, 150);
    expect(f.peakHeap).toEqual({ usedMiB: 100, totalMiB: 120, externalMiB: 30, restMiB: 280 - 120 - 30 });
    // no answer within 5 s of the peak: no split
    const far = raw(1000, 20_000);
    far.ticks[2]!.heap = { usedMiB: 1, totalMiB: 2, externalMiB: 3 };
    expect(caseFigures(far, 150).peakHeap).toBeUndefined();
    const big = raw(5000, 20_000);
    for (const t of big.ticks) t.rssMiB += 100;
    expect(marginalRssPerPointB(f, caseFigures(big, 150))).toBe((100 * MiB) / 4000);
  });

  it('spreads n items over a series, ends included', () => {
    expect(spread([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 3)).toEqual([1, 6, 11]);
    expect(spread([1, 2], 5)).toEqual([1, 2]);
  });
});
