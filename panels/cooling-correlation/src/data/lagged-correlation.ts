/**
 * Pearson correlation of `x[i]` with `y[i + lag]` for every lag in [-maxLag, maxLag] (in grid samples), over the
 * pairs where both are finite (NaN marks a gap). A positive lag means `y` follows `x`.
 *
 * Two implementations with identical results: `laggedCorrelation` computes the six lagged sums Pearson needs (pair
 * count, Σx, Σy, Σx², Σy², Σxy) as cross-correlations through the FFT — O(n log n) whatever the lag range — and
 * `laggedCorrelationDirect` sums them lag by lag, O(n · lags): the baseline the benchmark compares against.
 */
import { fft, nextPow2 } from './fft';

export interface LaggedCorrelation {
  /** lag of `lags[k]`, in grid samples: -maxLag … maxLag */
  lags: Int32Array;
  /** Pearson r per lag; NaN where fewer than `minPairs` pairs or a constant side */
  r: Float64Array;
  /** pairs that entered each r */
  pairs: Int32Array;
}

/** Fewer pairs than this and a lag's r is NaN: two points always correlate perfectly. @default 8 */
export const MIN_PAIRS = 8;

/** Values minus the mean of the finite ones, 0 where missing, and the mask (1 present / 0 missing). */
function centred(v: Float64Array): { values: Float64Array; mask: Float64Array; constant: boolean } {
  let sum = 0;
  let count = 0;
  let first = NaN;
  let constant = true;
  for (let i = 0; i < v.length; i++) {
    if (Number.isFinite(v[i])) {
      sum += v[i];
      count++;
      if (count === 1) {
        first = v[i];
      } else if (v[i] !== first) {
        constant = false;
      }
    }
  }
  // centring first keeps Σx² − (Σx)²/n from cancelling catastrophically in the FFT's rounding
  const mean = count > 0 ? sum / count : 0;
  const values = new Float64Array(v.length);
  const mask = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    if (Number.isFinite(v[i])) {
      values[i] = v[i] - mean;
      mask[i] = 1;
    }
  }
  return { values, mask, constant };
}

function pearson(n: number, sx: number, sy: number, sxx: number, syy: number, sxy: number): number {
  const vx = n * sxx - sx * sx;
  const vy = n * syy - sy * sy;
  // relative thresholds: a constant series leaves only rounding noise in its variance
  if (vx <= 1e-12 * n * sxx || vy <= 1e-12 * n * syy || vx <= 0 || vy <= 0) {
    return NaN;
  }
  const r = (n * sxy - sx * sy) / Math.sqrt(vx * vy);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

function output(maxLag: number): LaggedCorrelation {
  const count = 2 * maxLag + 1;
  const lags = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    lags[k] = k - maxLag;
  }
  return { lags, r: new Float64Array(count), pairs: new Int32Array(count) };
}

/** Spectra of two real signals from one complex FFT: Z = FFT(a + ib), A = (Z + conj Z₋)/2, B = (Z − conj Z₋)/2i. */
function spectra(a: Float64Array, b: Float64Array, size: number) {
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  re.set(a);
  im.set(b);
  fft(re, im);
  const aRe = new Float64Array(size);
  const aIm = new Float64Array(size);
  const bRe = new Float64Array(size);
  const bIm = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    const j = (size - k) % size;
    aRe[k] = (re[k] + re[j]) / 2;
    aIm[k] = (im[k] - im[j]) / 2;
    bRe[k] = (im[k] + im[j]) / 2;
    bIm[k] = (re[j] - re[k]) / 2;
  }
  return { aRe, aIm, bRe, bIm };
}

/**
 * Two cross-correlations c[L] = Σ p[i]·q[i+L] at once (both results are real, so one inverse FFT carries both):
 * conj(P₁)Q₁ + i·conj(P₂)Q₂ transforms back to c₁ + i·c₂.
 */
function correlatePair(
  p1: [Float64Array, Float64Array],
  q1: [Float64Array, Float64Array],
  p2: [Float64Array, Float64Array],
  q2: [Float64Array, Float64Array]
): [Float64Array, Float64Array] {
  const size = p1[0].length;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    // conj(p)·q = (pr·qr + pi·qi) + i(pr·qi − pi·qr)
    const c1Re = p1[0][k] * q1[0][k] + p1[1][k] * q1[1][k];
    const c1Im = p1[0][k] * q1[1][k] - p1[1][k] * q1[0][k];
    const c2Re = p2[0][k] * q2[0][k] + p2[1][k] * q2[1][k];
    const c2Im = p2[0][k] * q2[1][k] - p2[1][k] * q2[0][k];
    re[k] = c1Re - c2Im;
    im[k] = c1Im + c2Re;
  }
  fft(re, im, true);
  return [re, im];
}

/** FFT-based; O(n log n). `x` and `y` must have the same length (one grid). */
export function laggedCorrelation(x: Float64Array, y: Float64Array, maxLag: number): LaggedCorrelation {
  checkArgs(x, y, maxLag);
  const n = x.length;
  const size = nextPow2(n + maxLag + 1);
  const cx = centred(x);
  const cy = centred(y);
  const out = output(maxLag);
  if (cx.constant || cy.constant) {
    // no variance, no correlation: say so exactly instead of dividing FFT rounding noise by itself
    out.r.fill(NaN);
    return out;
  }
  const xx = cx.values.map((v) => v * v);
  const yy = cy.values.map((v) => v * v);
  const s1 = spectra(cx.mask, cx.values, size); // A: mask x, B: x
  const s2 = spectra(xx, cy.mask, size); // A: x², B: mask y
  const s3 = spectra(cy.values, yy, size); // A: y, B: y²
  const mx: [Float64Array, Float64Array] = [s1.aRe, s1.aIm];
  const vx: [Float64Array, Float64Array] = [s1.bRe, s1.bIm];
  const vxx: [Float64Array, Float64Array] = [s2.aRe, s2.aIm];
  const my: [Float64Array, Float64Array] = [s2.bRe, s2.bIm];
  const vy: [Float64Array, Float64Array] = [s3.aRe, s3.aIm];
  const vyy: [Float64Array, Float64Array] = [s3.bRe, s3.bIm];
  const [count, sumX] = correlatePair(mx, my, vx, my);
  const [sumY, sumXX] = correlatePair(mx, vy, vxx, my);
  const [sumYY, sumXY] = correlatePair(mx, vyy, vx, vy);
  for (let k = 0; k < out.lags.length; k++) {
    const idx = (out.lags[k] + size) % size;
    const pairs = Math.round(count[idx]);
    out.pairs[k] = pairs;
    out.r[k] = pairs < MIN_PAIRS ? NaN : pearson(pairs, sumX[idx], sumY[idx], sumXX[idx], sumYY[idx], sumXY[idx]);
  }
  return out;
}

/** The straightforward version: every lag, every pair; O(n · lags). Same output as `laggedCorrelation`. */
export function laggedCorrelationDirect(x: Float64Array, y: Float64Array, maxLag: number): LaggedCorrelation {
  checkArgs(x, y, maxLag);
  const n = x.length;
  const cx = centred(x);
  const cy = centred(y);
  const out = output(maxLag);
  const constant = cx.constant || cy.constant;
  for (let k = 0; k < out.lags.length; k++) {
    const lag = out.lags[k];
    let pairs = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = Math.max(0, -lag); i < n && i + lag < n; i++) {
      if (cx.mask[i] === 0 || cy.mask[i + lag] === 0) {
        continue;
      }
      const a = cx.values[i];
      const b = cy.values[i + lag];
      pairs++;
      sx += a;
      sy += b;
      sxx += a * a;
      syy += b * b;
      sxy += a * b;
    }
    out.pairs[k] = pairs;
    out.r[k] = pairs < MIN_PAIRS || constant ? NaN : pearson(pairs, sx, sy, sxx, syy, sxy);
  }
  return out;
}

function checkArgs(x: Float64Array, y: Float64Array, maxLag: number): void {
  if (x.length !== y.length) {
    throw new RangeError(`lagged correlation: series on one grid have one length; got ${x.length} and ${y.length}`);
  }
  if (!Number.isInteger(maxLag) || maxLag < 0) {
    throw new RangeError(`lagged correlation: maxLag must be a whole number of samples ≥ 0; got ${maxLag}`);
  }
}
