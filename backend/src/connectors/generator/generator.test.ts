import { TEST_POINTS } from '../../testing/site';
import { generatorOptions } from './config';
import { createGenerator, syntheticValue } from './generator';
import type { SourceSample } from '../types';

const options = generatorOptions.parse({});

describe('built-in generator', () => {
  it('is deterministic and rounds to sensor resolution', () => {
    const p = TEST_POINTS.find((x) => x.quantity === 'power')!;
    const t = Date.UTC(2026, 0, 1);
    expect(syntheticValue(p, t, options)).toBe(syntheticValue(p, t, options));
    const v = syntheticValue(p, t, options) as number;
    expect(Math.round(v * 1000) / 1000).toBe(v);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(options.peakKw * 1.1 + 3);
  });

  it('emits one sample per point at the interval-aligned time, in each point’s source unit', async () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 1, 234);
    const gen = createGenerator({ name: 'gen', intervalMs: 1000, options, points: TEST_POINTS }, () => now);
    const got: SourceSample[] = [];
    await gen.gather(async (s) => void got.push(...s));
    expect(got).toHaveLength(TEST_POINTS.length);
    expect(new Set(got.map((s) => s.ts))).toEqual(new Set([Date.UTC(2026, 0, 1, 0, 0, 1)]));
    const inlet = TEST_POINTS.find((p) => p.sourceUnit === '°F')!;
    const fahrenheit = got.find((s) => s.pointId === inlet.id)!.value as number;
    const celsius = syntheticValue(inlet, got[0]!.ts, options) as number;
    expect((fahrenheit - 32) * (5 / 9)).toBeCloseTo(celsius, 9);
    expect(typeof got.find((s) => s.pointId.endsWith('breaker'))!.value).toBe('boolean');
  });

  it('aligns timestamps to stepMs of the clock when set (a fast clock polled every 50 ms wall)', async () => {
    const opts = generatorOptions.parse({ stepMs: 1000 });
    let now = Date.UTC(2026, 0, 1, 0, 0, 7, 980);
    const gen = createGenerator({ name: 'gen', intervalMs: 50, options: opts, points: TEST_POINTS }, () => now);
    const got: SourceSample[] = [];
    await gen.gather(async (s) => void got.push(...s));
    now += 20 * 50; // one 50 ms wall tick at ×20
    await gen.gather(async (s) => void got.push(...s));
    expect([...new Set(got.map((s) => s.ts))]).toEqual([Date.UTC(2026, 0, 1, 0, 0, 7), Date.UTC(2026, 0, 1, 0, 0, 8)]);
    expect(() => generatorOptions.parse({ stepMs: 0 })).toThrow();
  });

  it('delivers a hall-sized source in slices of one gather, every point once at one time', async () => {
    const base = TEST_POINTS[0]!;
    const points = Array.from({ length: 5000 }, (_, i) => ({ ...base, id: `${base.id}-${i}` }));
    const gen = createGenerator({ name: 'gen', intervalMs: 1000, options, points }, () =>
      Date.UTC(2026, 0, 1, 0, 0, 3),
    );
    const calls: SourceSample[][] = [];
    await gen.gather(async (s) => void calls.push(s));
    // each slice is made when the previous one was handed over: none is larger than the slice size
    expect(calls.map((c) => c.length)).toEqual([2048, 2048, 904]);
    const ids = calls.flat().map((s) => s.pointId);
    expect(new Set(ids).size).toBe(5000);
    expect(new Set(calls.flat().map((s) => s.ts))).toEqual(new Set([Date.UTC(2026, 0, 1, 0, 0, 3)]));
  });

  it('fails the gather when one slice is refused', async () => {
    const base = TEST_POINTS[0]!;
    const points = Array.from({ length: 3000 }, (_, i) => ({ ...base, id: `${base.id}-${i}` }));
    const gen = createGenerator({ name: 'gen', intervalMs: 1000, options, points }, () => Date.UTC(2026, 0, 1));
    let n = 0;
    await expect(
      gen.gather(async () => {
        if (n++ === 1) throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
  });
});
