import type { Sample, ValueType } from '@plenum/model';

/**
 * A deterministic, realistic data-centre data set for the historian benchmark.
 *
 * - rack inlet temperatures: slow drift (hours) + small noise, 0.1 °C resolution, every 10 s; half come from a
 *   BMS with exact source timestamps, half from polled devices with receive-time jitter (0–40 ms)
 * - rack power: noisy kW with 1 W resolution (3 decimals) and job-driven load steps, every 1, 2 or 5 s, polled
 *   (jitter)
 * - states: numeric operating modes, booleans and string modes, mostly constant, every 10 s
 *
 * Points are grouped into sources the way connectors deliver them: one batch per source per poll (1 s for
 * power sources, 10 s for the others), a few dozen to a few hundred samples each.
 */

export interface DatasetOptions {
  /** numeric measurement points (temperatures, power, numeric modes) @default 1000 */
  numericPoints: number;
  /** boolean and string state points on top @default 50 */
  extraStatePoints: number;
  seed: number;
}

export interface BenchPoint {
  id: string;
  valueType: ValueType;
  /** InfluxDB measurement (one per value type: a field keeps one type) */
  measurement: 'num' | 'bool' | 'str';
}

interface PointGen {
  point: BenchPoint;
  /** ms between samples */
  periodMs: number;
  /** phase within the period */
  offsetMs: number;
  jitterMs: number;
  next: (t: number) => number | boolean | string;
}

interface Source {
  pollMs: number;
  points: PointGen[];
}

/** mulberry32: small, fast, deterministic */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(r: () => number): number {
  let u = 0;
  while (u === 0) u = r();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
}

const round = (v: number, decimals: number) => {
  const p = 10 ** decimals;
  return Math.round(v * p) / p;
};

export class Dataset {
  readonly points: BenchPoint[] = [];
  private readonly sources: Source[] = [];

  constructor(opts: DatasetOptions) {
    const r = rng(opts.seed);
    const nTemp = Math.round(opts.numericPoints * 0.5);
    const nPower = Math.round(opts.numericPoints * 0.4);
    const nMode = opts.numericPoints - nTemp - nPower;
    const nBool = Math.round(opts.extraStatePoints * 0.8);
    const nStr = opts.extraStatePoints - nBool;
    const rackId = (i: number) => `dc1/hall${1 + (i % 2)}/row${1 + Math.floor(i / 40)}/rack${1 + (i % 40)}`;

    const temps: PointGen[] = [];
    for (let i = 0; i < nTemp; i++) {
      const base = 21 + r() * 6;
      const amp = 0.3 + r() * 1.2;
      const period = (2 + r() * 6) * 3_600_000;
      const phase = r() * period;
      temps.push({
        point: { id: `${rackId(i)}/inlet/temp`, valueType: 'number', measurement: 'num' },
        periodMs: 10_000,
        offsetMs: Math.floor(r() * 10) * 1000,
        jitterMs: i % 2 === 0 ? 0 : 40,
        next: (t) => round(base + amp * Math.sin(((t + phase) / period) * 2 * Math.PI) + 0.05 * gaussian(r), 1),
      });
    }
    const power: PointGen[] = [];
    const periods = [1000, 2000, 5000, 5000];
    for (let i = 0; i < nPower; i++) {
      const idle = 4 + r() * 6;
      const peak = idle + 10 + r() * 25;
      let load = r() < 0.5 ? 1 : 0;
      power.push({
        point: { id: `${rackId(i)}/pdu/power`, valueType: 'number', measurement: 'num' },
        periodMs: periods[i % periods.length] as number,
        offsetMs: 0,
        jitterMs: 20,
        next: (t) => {
          // a job starts or ends every ~40 min on average
          if (r() < 1 / 1200) load = load > 0 ? 0 : 0.6 + r() * 0.4;
          const kw = idle + (peak - idle) * load + 0.03 * gaussian(r) + 0.01 * Math.sin(t / 60_000);
          return round(Math.max(0, kw), 3);
        },
      });
    }
    const states: PointGen[] = [];
    for (let i = 0; i < nMode; i++) {
      let mode = Math.floor(r() * 3);
      states.push({
        point: { id: `dc1/hall${1 + (i % 2)}/-/-/crah${i + 1}/mode`, valueType: 'number', measurement: 'num' },
        periodMs: 10_000,
        offsetMs: 0,
        jitterMs: 0,
        next: () => {
          if (r() < 1 / 2000) mode = Math.floor(r() * 4);
          return mode;
        },
      });
    }
    for (let i = 0; i < nBool; i++) {
      let on = r() < 0.8;
      states.push({
        point: { id: `dc1/hall${1 + (i % 2)}/-/-/pump${i + 1}/running`, valueType: 'boolean', measurement: 'bool' },
        periodMs: 10_000,
        offsetMs: 0,
        jitterMs: 0,
        next: () => {
          if (r() < 1 / 3000) on = !on;
          return on;
        },
      });
    }
    const modes = ['auto', 'manual', 'standby', 'fault'];
    for (let i = 0; i < nStr; i++) {
      let m = 'auto';
      states.push({
        point: { id: `dc1/hall${1 + (i % 2)}/-/-/chiller${i + 1}/state`, valueType: 'string', measurement: 'str' },
        periodMs: 10_000,
        offsetMs: 0,
        jitterMs: 0,
        next: () => {
          if (r() < 1 / 5000) m = modes[Math.floor(r() * modes.length)] as string;
          return m;
        },
      });
    }
    const group = (gens: PointGen[], size: number, pollMs: number) => {
      for (let i = 0; i < gens.length; i += size) this.sources.push({ pollMs, points: gens.slice(i, i + size) });
    };
    group(temps, 125, 10_000);
    group(power, 100, 1_000);
    group(states, 150, 10_000);
    for (const s of this.sources) for (const g of s.points) this.points.push(g.point);
    this.jitter = rng(opts.seed + 1);
  }

  private readonly jitter: () => number;

  /** samples per simulated hour */
  samplesPerHour(): number {
    let n = 0;
    for (const s of this.sources) for (const g of s.points) n += 3_600_000 / g.periodMs;
    return n;
  }

  /**
   * The batches of [from, from + durationMs) in delivery order: for each poll instant, one batch per source
   * that polls then. Call with consecutive windows; generators keep their state.
   */
  batches(from: number, durationMs: number): Sample[][] {
    const out: Sample[][] = [];
    for (let t = from; t < from + durationMs; t += 1000) {
      for (const s of this.sources) {
        if (t % s.pollMs !== 0) continue;
        const batch: Sample[] = [];
        for (const g of s.points) {
          // due when a sample instant of this point falls within this poll's interval
          const k = Math.floor((t - g.offsetMs) / g.periodMs);
          for (let ts = k * g.periodMs + g.offsetMs; ts > t - s.pollMs; ts -= g.periodMs) {
            if (ts < from || ts > t) continue;
            const jitter = g.jitterMs > 0 ? Math.floor(this.jitter() * g.jitterMs) : 0;
            const sample: Sample = { pointId: g.point.id, ts: ts + jitter, value: g.next(ts), quality: 'good' };
            // polled devices time out now and then (Modbus exception 11: gateway target failed to respond)
            if (g.jitterMs > 0 && this.jitter() < 0.0005) {
              sample.quality = 'bad';
              sample.rawStatus = 11;
            }
            batch.push(sample);
          }
        }
        if (batch.length > 0) out.push(batch);
      }
    }
    return out;
  }
}
