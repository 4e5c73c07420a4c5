import { Ewma, TrendWindow, median, robustLinearFit } from './stats';

describe('robustLinearFit', () => {
  it('recovers a line and ignores a few gross outliers', () => {
    const xs = Array.from({ length: 200 }, (_, i) => i / 10);
    const ys = xs.map((x, i) => 3 + 2 * x + (i % 2 ? 0.05 : -0.05) + (i % 50 === 7 ? 40 : 0));
    const f = robustLinearFit(xs, ys)!;
    expect(f.a).toBeCloseTo(3, 1);
    expect(f.b).toBeCloseTo(2, 2);
    expect(f.sd).toBeLessThan(0.1);
  });
  it('gives the mean when x does not vary, and nothing for fewer than three points', () => {
    expect(robustLinearFit([1, 1, 1, 1], [2, 4, 2, 4])).toMatchObject({ a: 3, b: 0 });
    expect(robustLinearFit([1, 2], [1, 2])).toBeUndefined();
  });
});

describe('Ewma', () => {
  it('starts at the first value and moves by lambda', () => {
    const e = new Ewma(0.5);
    expect(e.push(10)).toBe(10);
    expect(e.push(0)).toBe(5);
  });
});

describe('TrendWindow.timeTo', () => {
  const minute = 60_000;
  it('forecasts a rising line to its limit with an interval around the true time', () => {
    const w = new TrendWindow(200, 30 * minute);
    // 22 °C rising 0.1 K/min with ±0.05 noise: 27 °C in 50 min from the last sample
    for (let i = 0; i <= 180; i++)
      w.push(i * 10_000, 22 - 3 + (i * 10_000 * 0.1) / minute + (i % 3 === 0 ? 0.05 : -0.025));
    const t = w.timeTo(27, 360)!;
    expect(t.mid).toBeGreaterThan(45);
    expect(t.mid).toBeLessThan(55);
    expect(t.lo).toBeLessThanOrEqual(t.mid);
    expect(t.hi).toBeGreaterThanOrEqual(t.mid);
    expect(t.slopePerMin).toBeCloseTo(0.1, 2);
  });
  it('says nothing for a flat or falling trend, beyond the horizon, or with too little history', () => {
    const flat = new TrendWindow(200, 30 * minute);
    for (let i = 0; i <= 180; i++) flat.push(i * 10_000, 22 + (i % 2 ? 0.1 : -0.1));
    expect(flat.timeTo(27, 360)).toBeUndefined();
    const slow = new TrendWindow(200, 30 * minute);
    for (let i = 0; i <= 180; i++) slow.push(i * 10_000, 20 + i * 0.0001);
    expect(slow.timeTo(27, 60)).toBeUndefined();
    const short = new TrendWindow(200, 30 * minute);
    for (let i = 0; i < 5; i++) short.push(i * 10_000, 20 + i);
    expect(short.timeTo(27, 360)).toBeUndefined();
  });
  it('reports zero when the limit is already passed, and ignores out-of-order and non-finite samples', () => {
    const w = new TrendWindow(50, 30 * minute);
    for (let i = 0; i <= 40; i++) w.push(i * 60_000, 28 + i * 0.01);
    w.push(10, 0);
    w.push(41 * 60_000, NaN);
    expect(w.last()).toBeCloseTo(28.4);
    expect(w.timeTo(27, 360)).toMatchObject({ mid: 0, lo: 0, hi: 0 });
  });
  it('fits only the recent part with lastMs: a step long past reads flat there, a ramp agrees', () => {
    const step = new TrendWindow(200, 30 * minute);
    // 100 until 10 min, 125 after (a job started): the 30-min line still rises, the last 10 min are flat
    for (let i = 0; i <= 180; i++) step.push(i * 10_000, (i < 60 ? 100 : 125) + (i % 2 ? 0.3 : -0.3));
    expect(step.timeTo(140, 360)?.mid).toBeGreaterThan(0);
    expect(step.timeTo(140, 360, { lastMs: 10 * minute })).toBeUndefined();
    const ramp = new TrendWindow(200, 30 * minute);
    for (let i = 0; i <= 180; i++) ramp.push(i * 10_000, 100 + (i / 6) * 0.5);
    const all = ramp.timeTo(130, 360)!;
    const recent = ramp.timeTo(130, 360, { lastMs: 10 * minute })!;
    expect(all.mid).toBeCloseTo(30, 0);
    expect(recent.mid).toBeCloseTo(30, 0);
    // too little recent history
    expect(ramp.timeTo(130, 360, { lastMs: 30_000 })).toBeUndefined();
  });
  it('keeps only the span (ring buffer)', () => {
    const w = new TrendWindow(10, 5 * minute);
    for (let i = 0; i < 100; i++) w.push(i * minute, i);
    expect(w.length).toBe(6);
  });
});

describe('median', () => {
  it('of odd and even counts, undefined for none', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});
