import type { Point, Sample } from '@plenum/model';
import type { Catalog } from '../../catalog/catalog';
import { pointLabels, qualityLabels } from '../series-model';
import { labelsObject } from '../labels';
import type { WriteSeries } from '../../remote-write/write-request';

/**
 * The differential test's data: a few dozen real points of plenum.yaml with two hours of samples that exercise
 * the edges (a gap longer than the lookback delta, bad-quality stretches, a late start and an early end, jittered
 * and slow intervals, counter resets, booleans). The same samples go to Plenum (as `Sample`s through its ingest
 * API) and to Prometheus (as remote-write series: bad quality → stale marker, plus the `plenum_quality` series).
 */

export const SPAN_MS = 2 * 3_600_000;

/** mulberry32: a small deterministic PRNG, so that every run writes the same values */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export interface Dataset {
  samples: Sample[];
  series: WriteSeries[];
  points: Point[];
}

interface Shape {
  interval?: number;
  jitter?: boolean;
  start?: number;
  end?: number;
  gap?: [number, number];
  bad?: [number, number];
  resets?: number[];
}

const MIN = 60_000;

export function buildDataset(catalog: Catalog, base: number): Dataset {
  const random = rng(42);
  const all = catalog.all();
  const pick = (f: (p: Point) => boolean, n: number) => all.filter(f).slice(0, n);
  const inlets = pick((p) => p.id.endsWith('/inlet_temp'), 8);
  const power = pick((p) => p.quantity === 'power' && p.location.rack !== undefined, 6);
  const energy = pick((p) => p.quantity === 'energy', 5);
  const booleans = pick((p) => p.valueType === 'boolean', 2);
  const fans = pick((p) => p.quantity === 'power' && p.location.rack === undefined, 2);
  const util = pick((p) => p.quantity === 'utilization', 4);
  const shapes = new Map<Point, Shape>();
  const inletShapes: Shape[] = [
    {},
    {},
    { gap: [50 * MIN, 70 * MIN] },
    { bad: [80 * MIN, 90 * MIN] },
    { start: 30 * MIN },
    { end: 90 * MIN },
    { jitter: true },
    { interval: MIN },
  ];
  inlets.forEach((p, i) => shapes.set(p, inletShapes[i]!));
  power.forEach((p, i) => shapes.set(p, i === 5 ? { bad: [100 * MIN, 101 * MIN] } : {}));
  energy.forEach((p, i) => shapes.set(p, { resets: i === 1 ? [60 * MIN] : i === 2 ? [40 * MIN, 41 * MIN] : [] }));
  booleans.forEach((p) => shapes.set(p, { interval: 30_000 }));
  fans.forEach((p) => shapes.set(p, { jitter: true }));
  util.forEach((p, i) => shapes.set(p, i === 3 ? { gap: [20 * MIN, 26 * MIN] } : {}));

  const samples: Sample[] = [];
  const series: WriteSeries[] = [];
  let k = 0;
  for (const [p, shape] of shapes) {
    k++;
    const interval = shape.interval ?? 15_000;
    const t: number[] = [];
    const v: Array<number | null> = [];
    const q: number[] = [];
    let counter = 100 * k;
    let level = random();
    for (let off = shape.start ?? 0; off <= (shape.end ?? SPAN_MS); off += interval) {
      if (shape.gap && off >= shape.gap[0] && off < shape.gap[1]) continue;
      const ts = base + off + (shape.jitter && off > 0 ? Math.round((random() - 0.5) * 6000) : 0);
      level = Math.min(1, Math.max(0, level + (random() - 0.5) * 0.1));
      let value: number;
      if (p.valueType === 'boolean') value = random() < 0.1 ? 1 - (v.at(-1) ?? 0)! : ((v.at(-1) ?? 0) as number);
      else if (p.quantity === 'temperature') value = round(20 + 8 * level + k * 0.001, 3);
      else if (p.quantity === 'energy') {
        if (shape.resets?.some((r) => off >= r && off < r + interval)) counter = 0;
        counter = round(counter + (10 + 30 * level) * (interval / 3_600_000), 4);
        value = counter;
      } else if (p.quantity === 'utilization') value = round(100 * level, 1);
      else value = round(5 + 35 * level + k * 0.0001, 4);
      const bad = shape.bad && off >= shape.bad[0] && off < shape.bad[1];
      t.push(ts);
      v.push(bad ? null : value);
      q.push(bad ? 2 : 0);
      samples.push(
        p.valueType === 'boolean'
          ? { pointId: p.id, ts, value: value === 1, quality: bad ? 'bad' : 'good' }
          : { pointId: p.id, ts, value: bad ? 0 : value, quality: bad ? 'bad' : 'good' },
      );
    }
    const labels = pointLabels(p);
    series.push({ labels: labelsObject(labels), t, v });
    series.push({ labels: labelsObject(qualityLabels(p, labels)), t, v: q });
  }
  return { samples, series, points: [...shapes.keys()] };
}
