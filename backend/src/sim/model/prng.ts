/**
 * Seeded pseudo-random numbers for the simulation: sfc32 (small, fast, passes PractRand) seeded through
 * splitmix32. The model never calls Math.random, so one seed gives one series, on every machine.
 */

// module-local copies: under Jest's sandbox every global lookup (Math.*) in a hot loop is several times slower
const { exp, floor, imul, log } = Math;

/** 32-bit FNV-1a of a string; turns seeds and stream labels into integers. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Stateless mixing of integers to a uniform number in [0, 1): noise that depends only on its inputs. */
export function hashUniform(a: number, b: number, c: number): number {
  let x = (a ^ imul(b, 0x9e3779b1) ^ imul(c, 0x85ebca77)) >>> 0;
  x = imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

/** Approximately normal noise (mean 0, standard deviation 1) from the same inputs as `hashUniform`. */
export function hashNormal(a: number, b: number, c: number): number {
  // the sum of three uniforms has variance 1/4; scaled to 1 it is close enough to a normal for sensor noise
  return (hashUniform(a, b, c) + hashUniform(a ^ 0x5bd1e995, b, c) + hashUniform(a ^ 0x27d4eb2f, b, c) - 1.5) * 2;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed` is any number or string; `stream` names an independent sequence from the same seed. */
  constructor(seed: number | string, stream = '') {
    let s = hashString(`${String(seed)}\u0000${stream}`);
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** uniform in [0, 1) */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 2 ** 32;
  }

  /** uniform in [min, max) */
  uniform(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** integer uniform in [min, max], both inclusive */
  int(min: number, max: number): number {
    return min + floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: empty list');
    return items[floor(this.next() * items.length)] as T;
  }

  /** exponentially distributed with the given mean (inter-arrival times of a Poisson process) */
  exponential(mean: number): number {
    return -mean * log(1 - this.next());
  }

  /** log-uniform in [min, max): as many short as long durations per decade */
  logUniform(min: number, max: number): number {
    return exp(this.uniform(log(min), log(max)));
  }

  /** hexadecimal string of `n` digits */
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += floor(this.next() * 16).toString(16);
    return s;
  }
}
