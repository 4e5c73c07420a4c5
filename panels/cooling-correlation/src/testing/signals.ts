/** Synthetic load/response pairs with a known lag and slope, for the analysis tests and the benchmark. */

/** mulberry32: a small seeded PRNG, so every test run sees the same noise. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal from two uniforms (Box–Muller). */
export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * IT load in kW at time `t` (s): job ramps up and down (steps of 50–400 kW every few minutes, ramped over 60 s)
 * on a 500 kW base, with a slow daily-ish swell. Deterministic in `seed`.
 */
export function loadProfile(seed: number, durationS: number): (t: number) => number {
  const rand = prng(seed);
  const changes: Array<{ at: number; to: number }> = [];
  let level = 500;
  for (let at = 120; at < durationS; at += 180 + rand() * 480) {
    level = 500 + rand() * 1500;
    changes.push({ at, to: level });
  }
  return (t) => {
    let value = 500;
    let prev = 500;
    for (const c of changes) {
      if (t < c.at) {
        break;
      }
      value = prev + (c.to - prev) * Math.min(1, (t - c.at) / 60);
      prev = c.to;
    }
    return value + 40 * Math.sin((2 * Math.PI * t) / 3600);
  };
}

export interface SampledSeries {
  times: number[];
  values: Array<number | null>;
}

/** `f` sampled every `stepS` from `t0` (ms) for `durationS`, with Gaussian noise of `noise` (1 σ). */
export function sample(
  f: (t: number) => number,
  t0: number,
  durationS: number,
  stepS: number,
  noise = 0,
  seed = 1
): SampledSeries {
  const rand = prng(seed);
  const times: number[] = [];
  const values: Array<number | null> = [];
  for (let t = 0; t <= durationS; t += stepS) {
    times.push(t0 + t * 1000);
    values.push(f(t) + noise * gaussian(rand));
  }
  return { times, values };
}

/** The same series with the samples in [fromS, toS) of the run removed (a sensor or collector outage). */
export function withGap(s: SampledSeries, t0: number, fromS: number, toS: number): SampledSeries {
  const keep = s.times.map((t) => t < t0 + fromS * 1000 || t >= t0 + toS * 1000);
  return { times: s.times.filter((_, i) => keep[i]), values: s.values.filter((_, i) => keep[i]) };
}
