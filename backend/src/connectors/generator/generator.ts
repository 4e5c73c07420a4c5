import type { Point } from '@plenum/model';
import type { PolledConnector, SampleSink, SourceInstance, SourcePoint, SourceSample } from '../types';
import type { GeneratorOptions } from './config';

/** 32-bit FNV-1a: a stable per-point phase so racks differ but each run is the same. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Deterministic noise in [-1, 1) from a seed and a time step. */
function noise(seed: number, step: number): number {
  let x = (seed ^ Math.imul(step, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 31 - 1;
}

const round = (v: number, decimals: number) => Math.round(v * 10 ** decimals) / 10 ** decimals;

/**
 * A synthetic value for a point at time `ts`, in the point's canonical unit: a job-like load pattern (a 20-min
 * cycle per rack with a ramp, a plateau with training-step ripple and an idle gap) drives power and
 * utilisation; temperatures follow the load; setpoints and states stay constant. Values are rounded to what a
 * real sensor resolves (0.1 °C, 1 W), which is also what makes the historian's compression realistic.
 */
export function syntheticValue(p: Point, ts: number, o: GeneratorOptions): number | boolean | string {
  const h = hash(p.id) ^ o.seed;
  const cycleMs = 20 * 60_000;
  const phase = (((ts + (h % cycleMs)) % cycleMs) + cycleMs) % cycleMs;
  const load = phase < 60_000 ? phase / 60_000 : phase < 15 * 60_000 ? 1 : 0.08; // ramp, train, idle
  const ripple = 0.06 * Math.sin((2 * Math.PI * ts) / 7_000);
  const n = noise(h, Math.floor(ts / 1000));
  if (p.valueType === 'boolean') return load > 0.5;
  if (p.valueType === 'string') return load > 0.5 ? 'running' : 'idle';
  switch (p.quantity) {
    case 'power':
      return round(o.peakKw * Math.max(0, load + (load > 0.5 ? ripple : 0)) + 2 + n * 0.5, 3);
    case 'utilization':
      return round(Math.min(100, 100 * load + n * 2 * load), 1);
    case 'temperature':
      if (p.kind === 'setpoint') return 18;
      return round(
        (p.tags.includes('exhaust') ? 30 + 12 * load : p.tags.includes('return') ? 32 + 6 * load : 21 + 3 * load) +
          n * 0.2,
        1,
      );
    case 'speed':
      return round(40 + 45 * load + n, 1);
    case 'position':
      return round(30 + 50 * load + n, 1);
    case 'flow':
      return round(800 + 600 * load + n * 5, 1);
    case 'humidity':
      return round(45 + n, 1);
    default:
      return p.kind === 'setpoint' ? 0 : round(load, 2);
  }
}

/** The generator thinks in canonical units; a point declared in another unit gets its source-unit value. */
function inSourceUnit(p: SourcePoint, v: number | boolean | string): number | boolean | string {
  return typeof v === 'number' && (p.conversion.scale !== 1 || p.conversion.offset !== 0)
    ? (v - p.conversion.offset) / p.conversion.scale
    : v;
}

/**
 * BUILT-IN GENERATOR — a placeholder data source, not a device. It exists so `npm start` shows data before the
 * simulated hall (OPC UA, Modbus, Prometheus) lands; every sample it makes is synthetic and says so in the
 * connector name. Each gather emits one sample per point stamped with the interval-aligned (or `stepMs`-aligned)
 * time of the run's clock.
 */
/** points per sink call of one gather */
const SLICE_POINTS = 2048;

export function createGenerator(
  source: SourceInstance<GeneratorOptions>,
  now: () => number = Date.now,
): PolledConnector {
  return {
    mode: 'poll',
    // Delivered in slices, each made just before its sink call (they all join one group commit): the historian
    // copies a slice before the next is made, so at hall scale (50 000 points in one source) the samples die young
    // instead of a whole poll outliving two scavenges and being promoted (issue 14). Not async, so that no slice is
    // held while the sink waits for its fsync (SourceRunner.counted).
    gather(sink: SampleSink) {
      const step = source.options.stepMs ?? source.intervalMs;
      const ts = Math.floor(now() / step) * step;
      const points = source.points;
      const slice = (from: number): SourceSample[] =>
        points.slice(from, from + SLICE_POINTS).map((p) => ({
          pointId: p.id,
          ts,
          value: inSourceUnit(p, syntheticValue(p, ts, source.options)),
          quality: 'good',
        }));
      if (points.length <= SLICE_POINTS) return sink(slice(0));
      const delivered: Promise<void>[] = [];
      for (let from = 0; from < points.length; from += SLICE_POINTS) delivered.push(sink(slice(from)));
      return Promise.all(delivered).then(() => undefined);
    },
    async close() {},
  };
}
