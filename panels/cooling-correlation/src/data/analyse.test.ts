import { loadProfile, sample, withGap } from '../testing/signals';
import { analyse, type AnalysisSettings, type NamedSeries } from './analyse';

const T0 = Date.UTC(2025, 0, 1);
const HOURS = 3 * 3600;
const SETTINGS: AnalysisSettings = {
  maxLagS: 600,
  resolutionS: 0,
  maxGapS: 0,
  lagThresholdS: 0,
  windowS: 0,
  loadCombine: 'sum',
};
const load = loadProfile(21, HOURS);
/** IT power in W, sampled every 2 s (a Modbus poll) with 0.5 % noise */
const itPowerSamples = sample((t) => 1000 * load(t), T0, HOURS, 2, 5000, 1);
const itPower: NamedSeries = { name: 'Hall IT power', unit: 'watt', ...itPowerSamples };
/** return air: 22 °C + 0.004 K per kW, 90 s behind, every 5 s, 0.05 K noise */
const returnAirSamples = (lagS: number, stepS = 5) =>
  sample((t) => 22 + 0.004 * load(t - lagS), T0, HOURS, stepS, 0.05, 2);
const returnAir = (lagS: number, stepS = 5): NamedSeries => ({
  name: 'CRAH return air',
  unit: 'celsius',
  ...returnAirSamples(lagS, stepS),
});

describe('analyse', () => {
  it('recovers lag, slope and effort per kW across mismatched rates, noise and gaps', () => {
    const gappy = { ...returnAir(90), ...withGap(returnAirSamples(90), T0, 3000, 3900) };
    const result = analyse([itPower], [gappy], SETTINGS);
    if (!result.ok) {
      throw new Error(result.message);
    }
    const { grid, responses, notes } = result.analysis;
    expect(grid.step).toBe(5000); // the coarsest rate
    expect(notes.join(' ')).toMatch(/Sampling rates differ \(2 s–5 s\): resampled to 5 s/);
    const r = responses[0];
    expect(Math.abs(r.lagMs! - 90_000)).toBeLessThanOrEqual(grid.step); // within one sample
    expect(r.ciMs![0]).toBeLessThanOrEqual(90_000);
    expect(r.ciMs![1]).toBeGreaterThanOrEqual(90_000);
    expect(r.effortPerKw).toBeCloseTo(0.004, 4); // K per kW, although the load came in W
    expect(r.estimate!.fit.r2).toBeGreaterThan(0.95);
    expect(r.message).toBeUndefined();
  });

  it('sums several loads, analyses each response on its own, and marks lagging periods', () => {
    const half = (f: number): NamedSeries => ({
      name: `rack ${f}`,
      unit: 'kwatt',
      ...sample((t) => (f * load(t)) / 3, T0, HOURS, 1, 0, f),
    });
    const fast = { ...returnAir(30, 1), name: 'CDU return' };
    const result = analyse([half(1), half(2)], [fast, returnAir(240)], { ...SETTINGS, lagThresholdS: 120 });
    if (!result.ok) {
      throw new Error(result.message);
    }
    const { load: combined, responses } = result.analysis;
    expect(combined.name).toBe('sum of 2 load series');
    expect(combined.values[100]).toBeCloseTo(load(100 * 5), 1); // the mean of the 1 s samples around 500 s
    expect(responses.map((r) => Math.round(r.lagMs! / 1000))).toEqual([
      expect.closeTo(30, -1),
      expect.closeTo(240, -1),
    ]);
    expect(responses[0].laggingPeriods).toEqual([]);
    expect(responses[1].laggingPeriods.length).toBeGreaterThan(0);
    expect(responses[1].effortPerKw).toBeCloseTo(0.004, 4);
  });

  it('explains what is missing instead of estimating nonsense', () => {
    const msg = (loads: NamedSeries[], responses: NamedSeries[], s = SETTINGS) => {
      const r = analyse(loads, responses, s);
      return r.ok ? r.analysis.responses.map((x) => x.message).join() : r.message;
    };
    expect(msg([], [returnAir(0)])).toMatch(/No load series/);
    expect(msg([itPower], [])).toMatch(/No response series/);
    const few = { name: 'few', ...sample(() => 1, T0, 10, 1) };
    expect(msg([itPower], [{ ...few, values: few.values.map((v, i) => (i ? v : 2)) }])).toMatch(
      /Too little data: the series overlap for 6 samples of 2 s/
    );
    expect(msg([itPower], [{ name: 'one', times: [T0], values: [1] }])).toMatch(/one has fewer than two samples/);
    expect(msg([itPower], [{ name: 'later', ...sample(() => 1, T0 + 2 * HOURS * 1000, 100, 1) }])).toMatch(
      /do not overlap/
    );
    expect(msg([{ ...itPower, values: itPowerSamples.values.map(() => 7) }], [returnAir(0)])).toMatch(/is constant/);
    expect(msg([itPower], [{ name: 'stuck valve', ...sample(() => 40, T0, HOURS, 5) }])).toMatch(
      /stuck valve is constant/
    );
    expect(msg([itPower], [returnAir(500)], { ...SETTINGS, maxLagS: 120 })).toMatch(/edge of the ±120 s searched/);
  });
});
