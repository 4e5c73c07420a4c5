import fc from 'fast-check';
import { judge, nextStep, type EffectiveLimits, type PointGuardState, type WriteIntent } from './verdict';

const P = 's/h/-/-/crah1/supply_setpoint';
const T0 = 1_800_000_000_000;

const state = (value: number, lastWrite?: { value: number; at: number }, ts = T0): PointGuardState => ({
  current: { pointId: P, value, quality: 'good', ts },
  ...(lastWrite && { lastWrite }),
});

const intent = (value: number): WriteIntent => ({
  pointId: P,
  value,
  actor: { kind: 'rule', id: 'r', version: 1 },
  priority: 5,
  reason: 'test',
  inputs: [],
});

const ctx = (now: number, limits: EffectiveLimits) => ({
  now,
  stopped: false,
  limits,
  writable: true,
  staleAfterMs: 60_000,
  settleMs: 0,
  lastBadAt: () => undefined,
  breaker: { locked: false, writes: 0, max: 1000 },
});

describe('nextStep: the way to a wanted value, within step, slew and dwell', () => {
  const limits: EffectiveLimits = {
    maxStep: 1,
    slewPerMin: 2,
    minDwellMs: 20_000,
    release: 'restore',
    tolerance: 0.05,
  };

  it('moves 20 → 16 °C one maxStep at a time, waiting out the dwell between writes', () => {
    expect(nextStep(16, state(20), limits, T0)).toEqual({ value: 19 });
    expect(nextStep(16, state(19, { value: 19, at: T0 }), limits, T0 + 10_000)).toEqual({
      wait: expect.stringContaining('dwell'),
    });
    expect(nextStep(16, state(19, { value: 19, at: T0 }), limits, T0 + 30_000)).toEqual({ value: 18 });
  });

  it('is the wanted value itself when it is within reach, and when nothing limits the way', () => {
    expect(nextStep(19.5, state(20), limits, T0)).toEqual({ value: 19.5 });
    expect(nextStep(10, state(20), { release: 'restore', tolerance: 0.05 }, T0)).toEqual({ value: 10 });
  });

  it('waits while the slew allows less than the tolerance', () => {
    const l: EffectiveLimits = { slewPerMin: 0.06, release: 'restore', tolerance: 0.5 };
    expect(nextStep(16, state(20, { value: 20, at: T0 }), l, T0 + 60_000)).toEqual({
      wait: expect.stringContaining('slew'),
    });
  });

  it('every step it proposes passes judge, and repeated steps reach the wanted value', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 16, max: 24, noNaN: true }),
        fc.double({ min: 16, max: 24, noNaN: true }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        fc.double({ min: 0.5, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 60_000 }),
        (from, wanted, maxStep, slewPerMin, dwell) => {
          const l: EffectiveLimits = {
            min: 16,
            max: 24,
            maxStep,
            slewPerMin,
            minDwellMs: dwell,
            release: 'restore',
            tolerance: 0.01,
          };
          let now = T0;
          let last: { value: number; at: number } | undefined;
          let value = from;
          for (let i = 0; i < 2000 && Math.abs(value - wanted) > 1e-6; i++) {
            now += 5_000;
            const s = state(value, last, now);
            const n = nextStep(wanted, s, l, now);
            if ('wait' in n) continue;
            const v = judge(intent(n.value), s, ctx(now, l));
            if (!v.allow) throw new Error(`step ${value} → ${n.value} refused: ${v.reason}`);
            expect(Math.abs(n.value - value)).toBeLessThanOrEqual(maxStep + 1e-6);
            value = n.value;
            last = { value, at: now };
          }
          expect(value).toBeCloseTo(wanted, 5);
        },
      ),
      { numRuns: 200 },
    );
  });
});
