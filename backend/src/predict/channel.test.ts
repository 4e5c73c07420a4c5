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
});
