import { Clock, clockFromEnv, parseClock } from './clock';

describe('Clock', () => {
  it('runs simulated time from a start at a speed, the same in every process given the same spec', () => {
    let wall = 1_000_000;
    const a = Clock.startingNow(60, Date.UTC(2026, 0, 1), () => wall);
    const b = new Clock(parseClock(a.toString()), () => wall);
    wall += 1000;
    expect(a.now()).toBe(Date.UTC(2026, 0, 1) + 60_000);
    expect(b.now()).toBe(a.now());
    expect(a.simulated).toBe(true);
    expect(a.toWallMs(60_000)).toBe(1000);
    expect(a.describe()).toMatch(/^simulated ×60, 2026-01-01T00:00:00.000Z at wall /);
  });

  it('is the wall clock without PLENUM_CLOCK', () => {
    const c = clockFromEnv({}, () => 1234);
    expect(c.now()).toBe(1234);
    expect(c.simulated).toBe(false);
    expect(c.describe()).toBe('wall clock');
  });

  it('names what is wrong in PLENUM_CLOCK', () => {
    expect(() => parseClock('speed=60')).toThrow(
      'PLENUM_CLOCK: start= is missing; expected speed=<x>;start=<ISO time>;epoch=<Unix ms>',
    );
    expect(() => parseClock('speed=0;start=2026-01-01T00:00:00Z;epoch=1')).toThrow(
      'PLENUM_CLOCK: speed 0 is out of range; expected a number in (0, 3600]',
    );
    expect(() => parseClock('speed=2;start=yesterday;epoch=1')).toThrow(
      'PLENUM_CLOCK: start=yesterday is not an ISO 8601 time',
    );
    expect(() => parseClock('speed=2;start=2026-01-01T00:00:00Z;epoch=1.5')).toThrow('epoch=1.5 is not a whole number');
    expect(() => parseClock('pace=2')).toThrow('PLENUM_CLOCK: unknown part "pace=2"');
  });
});

describe('Clock.startingAt', () => {
  it('holds simulated time at its start until the epoch, then runs', () => {
    let wall = 1000;
    const c = Clock.startingAt(5000, 10, Date.UTC(2026, 6, 15, 8), () => wall);
    expect(c.now()).toBe(Date.UTC(2026, 6, 15, 8));
    wall = 5000;
    expect(c.now()).toBe(Date.UTC(2026, 6, 15, 8));
    wall = 6000;
    expect(c.now()).toBe(Date.UTC(2026, 6, 15, 8) + 10_000);
  });
});
