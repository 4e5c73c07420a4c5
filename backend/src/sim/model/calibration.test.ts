/**
 * The figures the twin is calibrated to (README.md "Calibration"), checked against the model with the default
 * parameters and the BMS alone in charge. Each test names the published figure it checks; params.ts cites them.
 */
import { HallModel } from './hall-model';
import { DEFAULT_PARAMS } from './params';

const P = 'sim/hall1/';
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

/** Seconds until `series` first covers 63.2 % of the way from `base` to `final`. */
function t63(series: number[], base: number, final: number): number {
  const level = base + 0.632 * (final - base);
  return series.findIndex((v) => (final > base ? v >= level : v <= level)) + 1;
}

describe('calibration: thermal mass', () => {
  it('rack inlets answer a supply-air change in minutes (t63 3–8 min after a setpoint step)', () => {
    const m = new HallModel({ startMs: Date.UTC(2025, 0, 1), jobSchedule: 'none' });
    for (const c of m.layout.crahs) m.write(`${P}-/-/${c}/supply_setpoint`, 24);
    const inlets: number[] = [];
    for (let s = 1; s <= 2400; s++) {
      m.advanceTo(m.now() + 1000);
      inlets.push(mean(m.truth().racks.map((r) => r.inletC)));
    }
    const t = t63(inlets, inlets[0] as number, inlets[2399] as number);
    expect(t).toBeGreaterThanOrEqual(180);
    expect(t).toBeLessThanOrEqual(480);
  });

  it('server exhaust answers a load step with the servers’ thermal mass (t63 3–5 min) [Erden]', () => {
    const t0 = Date.UTC(2025, 0, 1);
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    m.addJob({ racks: ['C04'], expectedKwPerRack: 110, durationMs: 3_600_000, start: t0 + 60_000, rampMs: 10_000 });
    const ex: number[] = [];
    for (let s = 1; s <= 1800; s++) {
      m.advanceTo(t0 + s * 1000);
      ex.push(m.truth().racks.find((r) => r.rack === 'C04')?.exhaustC as number);
    }
    const t = t63(ex.slice(60), ex[58] as number, ex[1799] as number);
    expect(t).toBeGreaterThanOrEqual(180);
    expect(t).toBeLessThanOrEqual(300);
  });
});

describe('calibration: total loss of cooling [DCK2008: ≈ 2 °C/min; Khankari; WP179]', () => {
  /** A hall at a normal day's load (40 racks × 80 kW = 3.2 MW), settled for an hour. */
  const busy = () => {
    const t0 = Date.UTC(2025, 6, 1, 10);
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    m.addJob({ racks: m.layout.racks.map((r) => r.id), expectedKwPerRack: 80, durationMs: 86_400_000 });
    m.advanceTo(t0 + 3_600_000);
    return m;
  };
  const meanInlet = (m: HallModel) => mean(m.truth().racks.map((r) => r.inletC));
  /** Mean inlet rise rate over `minutes`, K/min, and the rate in the first five minutes. */
  const riseRate = (m: HallModel, minutes: number) => {
    const before = meanInlet(m);
    m.advanceTo(m.now() + 300_000);
    const early = (meanInlet(m) - before) / 5;
    m.advanceTo(m.now() + (minutes - 5) * 60_000);
    return { rate: (meanInlet(m) - before) / minutes, early };
  };

  it('chilled water lost (chillers and pumps stop, CRAH fans on UPS): inlets rise 1–3 °C/min over 15 min', () => {
    const m = busy();
    m.injectFault({ type: 'chw_loss', target: 'plant1' });
    const { rate, early } = riseRate(m, 15);
    expect(rate).toBeGreaterThan(1);
    expect(rate).toBeLessThan(3);
    expect(early).toBeGreaterThan(1);
    expect(early).toBeLessThan(3);
    // the liquid loop loses its facility water too: GPUs reach their limit and throttle
    expect(m.lostGpuHours().thermalGpuH).toBeGreaterThan(0);
  });

  it('every CRAH and every chiller off: inlets rise 1–3 °C/min over 15 min, faster than with the fans running', () => {
    const fansOn = busy();
    fansOn.injectFault({ type: 'chw_loss', target: 'plant1' });
    const withFans = riseRate(fansOn, 15).rate;
    const m = busy();
    for (const c of [1, 2, 3]) m.injectFault({ type: 'chiller_trip', target: 'plant1', params: { chiller: c } });
    for (const c of m.layout.crahs) m.injectFault({ type: 'crah_trip', target: c });
    const { rate } = riseRate(m, 15);
    expect(rate).toBeGreaterThan(1);
    expect(rate).toBeLessThan(3);
    expect(rate).toBeGreaterThan(withFans);
  });
});

describe('calibration: a day and a full-hall start under BMS control only', () => {
  it('a normal day under the seeded job schedule keeps every inlet in ASHRAE’s recommended 18–27 °C', () => {
    const t0 = Date.UTC(2025, 6, 1);
    const m = new HallModel({ startMs: t0, seed: 1 });
    let lo = Infinity;
    let hi = -Infinity;
    let peakItKw = 0;
    let maxRunning = 0;
    for (let s = 60; s <= 86_400; s += 60) {
      m.advanceTo(t0 + s * 1000);
      const truth = m.truth();
      for (const r of truth.racks) {
        lo = Math.min(lo, r.inletC);
        hi = Math.max(hi, r.inletC);
      }
      peakItKw = Math.max(
        peakItKw,
        truth.racks.reduce((a, r) => a + r.powerKw, 0),
      );
      maxRunning = Math.max(maxRunning, truth.plant.chillers.filter((c) => c.status === 2).length);
    }
    expect(lo).toBeGreaterThanOrEqual(18);
    expect(hi).toBeLessThanOrEqual(27);
    // a busy AI hall: 3–4 MW at peak, carried by two chillers with the third called in at peaks
    expect(peakItKw).toBeGreaterThan(3000);
    expect(maxRunning).toBeGreaterThanOrEqual(2);
  });

  it('a full-hall training start (40 racks 10 → 130 kW in 20 s) overshoots: inlets above 27 °C for minutes', () => {
    const t0 = Date.UTC(2025, 6, 1, 10);
    const m = new HallModel({ startMs: t0, jobSchedule: 'none' });
    const racks = m.layout.racks.map((r) => r.id);
    m.addJob({ racks, expectedKwPerRack: 130, durationMs: 6 * 3_600_000, start: t0 + 60_000, rampMs: 20_000 });
    let above = 0;
    let peak = 0;
    let firstAbove: number | undefined;
    let lastAbove = 0;
    for (let s = 1; s <= 3 * 3600; s++) {
      m.advanceTo(t0 + s * 1000);
      const hottest = Math.max(...m.truth().racks.map((r) => r.inletC));
      peak = Math.max(peak, hottest);
      if (hottest > 27) {
        above++;
        firstAbove ??= s;
        lastAbove = s;
      }
    }
    // the fans catch up in a minute or two; what takes long is the plant: one chiller was running for the idle
    // hall, the sequencer adds one at a time (stage-up delay, start, soft loading), the loop's water warms
    expect(above).toBeGreaterThan(180);
    expect(firstAbove).toBeGreaterThan(5 * 60);
    expect(peak).toBeGreaterThan(27.5);
    expect(peak).toBeLessThan(35);
    // … and it recovers once three chillers are loaded
    expect(lastAbove).toBeLessThan(60 * 60);
    expect(m.truth().plant.chillers.every((c) => c.status === 2)).toBe(true);
    expect(Math.max(...m.truth().racks.map((r) => r.inletC))).toBeLessThan(24);
    expect(DEFAULT_PARAMS.chillers).toBe(3);
  });
});
