import { fft, nextPow2 } from './fft';

/** The textbook O(n²) DFT, to check the fast one against. */
function dft(re: number[], im: number[]): [number[], number[]] {
  const n = re.length;
  const outRe: number[] = [];
  const outIm: number[] = [];
  for (let k = 0; k < n; k++) {
    let sRe = 0;
    let sIm = 0;
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      sRe += re[t] * Math.cos(a) - im[t] * Math.sin(a);
      sIm += re[t] * Math.sin(a) + im[t] * Math.cos(a);
    }
    outRe.push(sRe);
    outIm.push(sIm);
  }
  return [outRe, outIm];
}

describe('fft', () => {
  it('rounds sizes up to a power of two', () => {
    expect([1, 2, 3, 1000, 1024, 1025].map(nextPow2)).toEqual([1, 2, 4, 1024, 1024, 2048]);
  });

  it('matches the direct DFT and inverts back', () => {
    const re = Array.from({ length: 16 }, (_, i) => Math.sin(i * 0.7) + (i % 3));
    const im = Array.from({ length: 16 }, (_, i) => Math.cos(i * 1.3));
    const [eRe, eIm] = dft(re, im);
    const fRe = Float64Array.from(re);
    const fIm = Float64Array.from(im);
    fft(fRe, fIm);
    fRe.forEach((v, i) => expect(v).toBeCloseTo(eRe[i], 9));
    fIm.forEach((v, i) => expect(v).toBeCloseTo(eIm[i], 9));
    fft(fRe, fIm, true);
    fRe.forEach((v, i) => expect(v).toBeCloseTo(re[i], 12));
    fIm.forEach((v, i) => expect(v).toBeCloseTo(im[i], 12));
  });

  it('refuses a length that is not a power of two', () => {
    expect(() => fft(new Float64Array(6), new Float64Array(6))).toThrow(/power-of-two/);
  });
});
