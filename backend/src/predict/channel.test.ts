import fc from 'fast-check';
import { ResidualChannel } from './channel';

/** deterministic noise in [-1, 1] */
const noise = (i: number) => Math.sin(i * 12.9898) * 0.5 + Math.sin(i * 78.233) * 0.5;

function feed(
  ch: ResidualChannel,
  n: number,
  from: number,
  y: (i: number) => number | undefined,
  x: (i: number) => number = () => 0,
) {
  const states: string[] = [];
  for (let i = from; i < from + n; i++) states.push(ch.push(i * 10_000, y(i), x(i)));
  return states;
}

describe('ResidualChannel', () => {
  const spec = {
    model: 'proportional' as const,
    ratio: true,
    minEffect: 0.08,
    direction: 'low' as const,
    learnSamples: 100,
    onCount: 6,
    offCount: 6,
  };

  it('says learning until it has its samples, then normal on the healthy unit', () => {
    const ch = new ResidualChannel(spec);
    const airflow = (i: number) => 300 * (50 + 10 * Math.sin(i / 20)) * (1 + 0.005 * noise(i));
    const fan = (i: number) => 50 + 10 * Math.sin(i / 20);
    const first = feed(ch, 99, 0, airflow, fan);
    expect(new Set(first)).toEqual(new Set(['learning']));
    expect(ch.learningLeft).toBe(1);
    const after = feed(ch, 2000, 99, airflow, fan);
    expect(after.slice(1).every((s) => s === 'normal')).toBe(true);
    expect(ch.score).toBeLessThan(1);
  });

  it('raises on a 20 % airflow loss after its on-delay, beyond the learned fan range, and clears with hysteresis', () => {
    const ch = new ResidualChannel(spec);
    const fan = (i: number) => (i < 500 ? 50 + 5 * Math.sin(i / 20) : 80); // the BMS drives the fan harder
    const loss = (i: number) => (i >= 500 && i < 900 ? 0.2 : 0);
    const airflow = (i: number) => 300 * fan(i) * (1 - loss(i)) * (1 + 0.005 * noise(i));
    const states = feed(ch, 1400, 0, airflow, fan);
    const raised = states.indexOf('alarm');
    expect(raised).toBeGreaterThan(500);
    expect(raised).toBeLessThan(560);
    expect(ch.deviation).toBeGreaterThan(-0.08);
    expect(states.slice(1000).every((s) => s === 'normal')).toBe(true);
    // no chattering: once raised it held until the fault ended
    const segment = states.slice(raised, 900);
    expect(segment.every((s) => s === 'alarm')).toBe(true);
  });

  it('goes degraded on missing input and on a flat-lined sensor, never alarm, and settles before judging again', () => {
    const ch = new ResidualChannel({ ...spec, missingCount: 5, flatCount: 20 });
    const fan = () => 50;
    feed(ch, 150, 0, (i) => 15000 * (1 + 0.005 * noise(i)), fan);
    const gone = feed(ch, 10, 150, () => undefined, fan);
    expect(gone.at(-1)).toBe('degraded');
    const flat = feed(ch, 30, 160, () => 12345, fan);
    expect(flat).not.toContain('alarm');
    expect(flat.at(-1)).toBe('degraded');
    expect(ch.reason).toMatch(/unchanged/);
    // back with a value 30 % low: the unit coming back from "unavailable" does not fire at once
    const back = feed(ch, 10, 190, (i) => 10500 * (1 + 0.005 * noise(i)), fan);
    expect(back).not.toContain('alarm');
  });

  it('never alarms on NaN, infinities, out-of-order times or garbage x (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: -5, max: 400 }), fc.oneof(fc.double(), fc.constant(undefined)), fc.double()),
          { maxLength: 400 },
        ),
        (rows) => {
          const ch = new ResidualChannel({ ...spec, learnSamples: 50 });
          // learn healthy first, then anything
          for (let i = 0; i < 60; i++) ch.push(i * 1000, 100 + noise(i), 10);
          for (const [t, y, x] of rows) {
            const s = ch.push(60_000 + t * 1000, y === undefined || Number.isFinite(y) ? undefined : y, x);
            if (s === 'alarm') return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  describe('saturating, lagged, judged where it learned', () => {
    // y = x / (0.6 + 0.05 x): 8 K at 8 kW, 18 K at 120 kW; learned on idle (8 kW) and 60–120 kW only
    const rise = (x: number) => x / (0.6 + 0.05 * x);
    // an hour idle, an hour of a job at 60, 80, 100 or 120 kW, in turn
    const load = (i: number) => (Math.floor(i / 360) % 2 === 0 ? 8 : 60 + 60 * ((Math.floor(i / 720) % 4) / 3));
    // 8 h: every job level once
    const L = 2880;
    const spec2 = { model: 'saturating' as const, minEffect: 1, learnSamples: L, onCount: 6, offCount: 6 };

    it('fits the curve between idle and full load it was learned on, and judges a load beyond the straight line', () => {
      const ch = new ResidualChannel(spec2);
      feed(ch, L, 0, (i) => rise(load(i)) + 0.05 * noise(i), load);
      // 90 kW was learned: the curve there is right to a tenth of a kelvin (a straight line through 8 and 120
      // kW would be 2.6 K off)
      expect(ch.expected(90)).toBeCloseTo(rise(90), 1);
      expect(
        feed(
          ch,
          200,
          L,
          (i) => rise(90) + 0.05 * noise(i),
          () => 90,
        ).every((x) => x === 'normal'),
      ).toBe(true);
      // a sensor 3 K off at a learned load: alarm
      expect(
        feed(
          ch,
          100,
          L + 200,
          (i) => rise(90) - 3 + 0.05 * noise(i),
          () => 90,
        ),
      ).toContain('alarm');
    });

    it('with coverageBins, a load between idle and the jobs it never saw is not judged', () => {
      const ch = new ResidualChannel({ ...spec2, coverageBins: 20 });
      feed(ch, L, 0, (i) => rise(load(i)) + 0.05 * noise(i), load);
      // 30 kW, never run while learning, 3 K off the curve: neither alarm nor judged
      const s = feed(
        ch,
        200,
        L,
        (i) => rise(30) + 3 + 0.05 * noise(i),
        () => 30,
      );
      expect(s.every((x) => x === 'normal')).toBe(true);
      expect(ch.judgedAt).toBeLessThan(L * 10_000);
      // a learned load is judged again
      feed(
        ch,
        1,
        L + 200,
        () => rise(120),
        () => 120,
      );
      expect(ch.judgedAt).toBe((L + 200) * 10_000);
    });

    it('with lagS, steps of the load are followed through the lag (no alarm) and a 5 K offset is seen through them', () => {
      const ch = new ResidualChannel({ ...spec2, lagS: 180 });
      // the reading: the curve at the load through a 180 s first-order lag (10 s steps)
      let r = rise(8);
      const a = 1 - Math.exp(-10 / 180);
      const reading = (i: number) => (r += a * (rise(load(i)) - r));
      const states = feed(ch, 2 * L, 0, (i) => reading(i) + 0.05 * noise(i), load);
      expect(ch.learningLeft).toBe(0);
      expect(states.slice(-L)).not.toContain('alarm');
      expect(ch.expected(8)).toBeCloseTo(8, 0);
      expect(ch.expected(120)).toBeCloseTo(rise(120), 0);
      // a sensor reading 5 K low from now on: seen through the steps (the threshold covers what the lag leaves
      // of each step while learning, 1.25 × the widest, here about 4 K)
      const low = feed(ch, L, 2 * L, (i) => reading(i) - 5 + 0.05 * noise(i), load);
      expect(low).toContain('alarm');
    });
  });
});
