import { setpointPoint } from '../testkit';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NewEvent } from '@plenum/model';
import { AutomationSchema, type AutomationConfig } from '../config';
import { AutomationStore } from '../store';
import type { SourcePoint } from '../../connectors/types';
import { Guard, type PlantWriter } from './guard';
import type { InputSample, WriteIntent } from './verdict';

const SP = 's/h/-/-/crah1/supply_setpoint';
const INLET = 's/h/A/A01/env/inlet_temp';

// the device speaks °F: canonical °C = (°F − 32) × 5/9
const point = (id: string, extra: Partial<SourcePoint> = {}): SourcePoint =>
  setpointPoint(id, { sourceUnit: '°F', conversion: { scale: 5 / 9, offset: -32 * (5 / 9) }, ...extra });

interface Bed {
  guard: Guard;
  store: AutomationStore;
  events: Array<Omit<NewEvent, 'time'>>;
  writes: Array<{ id: string; value: number | null }>;
  device: Map<string, number | null>;
  clock: { t: number };
  inputs: Map<string, InputSample>;
  close(): void;
}

function bed(
  automation: unknown,
  opts: { failWrites?: boolean | { now: boolean }; holdWrong?: boolean; speed?: number } = {},
): Bed {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-guard-'));
  const store = new AutomationStore(dir);
  const config: AutomationConfig = AutomationSchema.parse(automation);
  const clock = { t: Date.UTC(2026, 6, 15, 10) };
  const points = new Map(
    [SP, INLET].map((id) => [id, point(id, id === INLET ? { kind: 'measurement', writable: false } : {})]),
  );
  const device = new Map<string, number | null>([[SP, 68]]); // 20 °C in °F
  const writes: Bed['writes'] = [];
  const events: Bed['events'] = [];
  const inputs = new Map<string, InputSample>();
  const writer: PlantWriter = {
    async write(p, value) {
      writes.push({ id: p.id, value });
      if (typeof opts.failWrites === 'object' ? opts.failWrites.now : opts.failWrites)
        throw new Error('BadCommunicationError');
      device.set(p.id, value === null ? 68 : opts.holdWrong ? 70 : value);
      return { readBack: device.get(p.id) as number, rawStatus: 0, at: clock.t };
    },
  };
  const latest = (id: string): InputSample => {
    const i = inputs.get(id);
    if (i) return i;
    const v = device.get(id);
    return v === undefined
      ? { pointId: id, value: null, quality: 'missing' }
      : { pointId: id, value: ((v ?? 68) - 32) * (5 / 9), quality: 'good', ts: clock.t };
  };
  const guard = new Guard({
    config,
    points,
    writer,
    latest,
    store,
    addEvent: (e) => void events.push(e),
    now: () => clock.t,
    toWallMs: (ms) => ms / (opts.speed ?? 1),
    log: () => undefined,
  });
  return {
    guard,
    store,
    events,
    writes,
    device,
    clock,
    inputs,
    close() {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

const LIMITS = {
  points: [{ ids: ['s/h/-/-/crah*/supply_setpoint'], min: 16, max: 24, maxStep: 2, slewPerMin: 1, minDwell: '30s' }],
};
const intent = (value: number | null, extra: Partial<WriteIntent> = {}): WriteIntent => ({
  pointId: SP,
  value,
  actor: { kind: 'rule', id: 'r1', version: 1 },
  priority: 5,
  reason: 'test',
  inputs: [],
  ...extra,
});

describe('Guard', () => {
  it('writes within the limits in the source unit, reads back, holds a lease and hands it back restoring the saved value', async () => {
    const b = bed(LIMITS);
    try {
      const r = await b.guard.write(intent(19));
      expect(r).toMatchObject({ verdict: { allow: true }, verified: true });
      expect(r.from).toBeCloseTo(20, 6);
      // 19 °C is 66.2 °F at the device
      expect(b.writes[0]).toEqual({ id: SP, value: expect.closeTo(66.2, 6) });
      expect(b.guard.leaseViews()).toEqual([
        expect.objectContaining({ pointId: SP, owner: 'rule:r1@v1', value: 19, saved: expect.closeTo(20, 6) }),
      ]);
      // the verdict was an event before the write, and is in the durable trace
      expect(b.events[0]).toMatchObject({ type: 'automation', pointId: SP, tags: ['automation', 'write', 'rule'] });
      expect(b.store.traces({ kind: 'verdict' })).toHaveLength(1);
      // the lease runs out without renewal: the BMS's own 20 °C is written back
      b.clock.t += 91_000;
      await b.guard.expire();
      expect(b.writes.at(-1)).toEqual({ id: SP, value: expect.closeTo(68, 6) });
      expect(b.guard.leaseViews()).toEqual([]);
    } finally {
      b.close();
    }
  });

  it('names the bound a write breaks: bounds, step, dwell, slew', async () => {
    const b = bed(LIMITS);
    try {
      expect((await b.guard.write(intent(25))).verdict).toEqual({
        allow: false,
        code: 'bounds',
        reason: '25 is above the upper bound 24',
      });
      expect((await b.guard.write(intent(15))).verdict).toMatchObject({
        code: 'bounds',
        reason: '15 is below the lower bound 16',
      });
      expect((await b.guard.write(intent(17))).verdict).toMatchObject({
        code: 'step',
        reason: 'a step of -3 from 20 exceeds maxStep 2',
      });
      await b.guard.write(intent(19));
      b.clock.t += 10_000;
      expect((await b.guard.write(intent(18.9))).verdict).toMatchObject({
        code: 'dwell',
        reason: 'the last write was 10 s ago; minDwell 30 s',
      });
      b.clock.t += 30_000;
      expect((await b.guard.write(intent(18))).verdict).toMatchObject({
        code: 'slew',
        reason: '1 in 40 s exceeds the slew limit 1 per minute',
      });
      expect(b.writes).toHaveLength(1);
    } finally {
      b.close();
    }
  });

  it('writes nothing when an input is bad, uncertain, stale or just back from bad', async () => {
    const b = bed(LIMITS);
    try {
      const input = (quality: InputSample['quality'], age = 0): InputSample => ({
        pointId: INLET,
        value: 24,
        quality,
        ts: b.clock.t - age,
      });
      for (const [i, why] of [
        [input('bad'), 'is bad'],
        [input('uncertain'), 'is uncertain'],
        [input('good', 180_000), 'is stale (180 s old; staleAfter 120 s)'],
        [input('good'), 'came back from bad or missing 0 s ago (settle 60 s)'],
      ] as const) {
        expect((await b.guard.write(intent(19, { inputs: [i] }))).verdict).toMatchObject({
          code: 'interlock',
          reason: expect.stringContaining(why),
        });
      }
      b.clock.t += 61_000;
      expect((await b.guard.write(intent(19, { inputs: [input('good')] }))).verdict.allow).toBe(true);
    } finally {
      b.close();
    }
  });

  it('counts staleness in wall time on a sped-up clock, where every polled reading is minutes of run time old', async () => {
    // ×240: a connector polling every 5 wall seconds delivers readings 20 run-minutes apart
    const b = bed(LIMITS, { speed: 240 });
    try {
      b.clock.t += 61_000; // past the settle time of the inputs' first sight
      const input = (age: number): InputSample => ({ pointId: INLET, value: 24, quality: 'good', ts: b.clock.t - age });
      expect(b.guard.judge(intent(19, { inputs: [input(20 * 60_000)] })).allow).toBe(true);
      // 121 wall seconds of silence is stale at any speed
      expect(b.guard.judge(intent(19, { inputs: [input(121_000 * 240)] }))).toMatchObject({
        code: 'interlock',
        reason: expect.stringContaining('staleAfter 28800 s'),
      });
    } finally {
      b.close();
    }
  });

  it('keeps one owner per point; a higher priority takes it over', async () => {
    const b = bed({ points: [{ ids: [SP] }] });
    try {
      await b.guard.write(intent(19));
      expect(
        (await b.guard.write(intent(21, { actor: { kind: 'rule', id: 'r2' }, priority: 5 }))).verdict,
      ).toMatchObject({
        code: 'owner',
        reason: 'owned by rule:r1@v1 (priority 5); this request has priority 5',
      });
      expect(
        (await b.guard.write(intent(21, { actor: { kind: 'operator', id: 'ops' }, priority: 1 }))).verdict.allow,
      ).toBe(true);
      expect(b.guard.leaseViews()[0]).toMatchObject({ owner: 'operator:ops', saved: expect.closeTo(20, 6) });
    } finally {
      b.close();
    }
  });

  it('locks a rule that writes too often, raising an alarm and handing its points back', async () => {
    const b = bed({ points: [{ ids: [SP] }], guard: { breaker: { maxWrites: 3, window: '10m' } } });
    try {
      for (const v of [19, 20, 19]) {
        b.clock.t += 1000;
        expect((await b.guard.write(intent(v))).verdict.allow).toBe(true);
      }
      b.clock.t += 1000;
      expect((await b.guard.write(intent(20))).verdict).toMatchObject({ code: 'breaker' });
      expect(b.guard.isLocked({ kind: 'rule', id: 'r1', version: 1 })).toBe(true);
      expect(b.events.some((e) => e.type === 'alarm' && e.title === 'circuit breaker: rule:r1@v1 locked')).toBe(true);
      await new Promise((r) => setTimeout(r, 10));
      expect(b.guard.leaseViews()).toEqual([]);
    } finally {
      b.close();
    }
  });

  it('raises an alarm on a read-back mismatch and does not write again', async () => {
    const b = bed({ points: [{ ids: [SP] }] }, { holdWrong: true });
    try {
      const r = await b.guard.write(intent(19));
      expect(r).toMatchObject({ verified: false });
      expect(b.events.find((e) => e.type === 'alarm')?.title).toMatch(
        /^read-back mismatch on s\/h\/-\/-\/crah1\/supply_setpoint: wrote 19, device holds 21\.1/,
      );
      expect(b.writes).toHaveLength(1);
    } finally {
      b.close();
    }
  });

  it('stops on an emergency stop, hands every lease back, refuses writes until resumed, and stays stopped across a restart', async () => {
    const b = bed({ points: [{ ids: [SP] }] });
    try {
      await b.guard.write(intent(19));
      const stop = b.guard.emergencyStop({ kind: 'operator', id: 'ops' });
      expect(stop.leases).toBe(1);
      expect(await stop.released).toBe(1);
      expect(b.device.get(SP)).toBeCloseTo(68, 6);
      expect((await b.guard.write(intent(19))).verdict).toMatchObject({ code: 'stopped' });
      const again = new Guard({ ...(b.guard as unknown as { d: ConstructorParameters<typeof Guard>[0] }).d });
      expect(again.isStopped).toBe(true);
      again.resume({ kind: 'operator', id: 'ops' });
      expect((await again.write(intent(19))).verdict.allow).toBe(true);
    } finally {
      b.close();
    }
  });

  it('keeps a lease whose hand-back the device did not take, holds the point and tries again until it does', async () => {
    const failing = { now: false };
    const b = bed(LIMITS, { failWrites: failing });
    try {
      await b.guard.write(intent(19));
      failing.now = true;
      b.clock.t += 91_000;
      await b.guard.expire();
      // not forgotten: the device still holds 19, so the guard keeps the lease (durably) as its own
      expect(b.guard.leaseViews()).toEqual([
        expect.objectContaining({ pointId: SP, owner: 'system:guard', value: 19 }),
      ]);
      expect(b.store.leases().map((l) => l.pointId)).toEqual([SP]);
      // retried 1 s later (then 2 s, 4 s … up to 30 s), not before
      const sent = b.writes.length;
      b.clock.t += 500;
      await b.guard.expire();
      expect(b.writes).toHaveLength(sent);
      b.clock.t += 600;
      await b.guard.expire();
      expect(b.writes).toHaveLength(sent + 1);
      // the device back: handed back, the BMS's 20 °C restored
      failing.now = false;
      b.clock.t += 2_100;
      await b.guard.expire();
      expect(b.device.get(SP)).toBeCloseTo(68, 6);
      expect(b.guard.leaseViews()).toEqual([]);
      expect(b.store.leases()).toEqual([]);
      expect(b.store.traces({ kind: 'release' })[0]).toMatchObject({
        data: { intent: { reason: expect.stringContaining('handed back again: the last hand-back failed') } },
      });
    } finally {
      b.close();
    }
  });

  it('keeps in the store what it could not hand back when it stops, for the next start', async () => {
    const failing = { now: false };
    const b = bed(LIMITS, { failWrites: failing });
    try {
      await b.guard.write(intent(19));
      failing.now = true;
      await b.guard.close();
      expect(b.store.leases().map((l) => l.pointId)).toEqual([SP]);
    } finally {
      b.close();
    }
  });

  it('hands back on start what a crashed run left leased', async () => {
    const b = bed({ points: [{ ids: [SP] }] });
    try {
      await b.guard.write(intent(22));
      expect(b.device.get(SP)).toBeCloseTo(71.6, 6);
      // the process dies here; a new guard on the same store starts
      const next = new Guard({ ...(b.guard as unknown as { d: ConstructorParameters<typeof Guard>[0] }).d });
      await next.start();
      expect(b.device.get(SP)).toBeCloseTo(68, 6);
      expect(next.leaseViews()).toEqual([]);
      await next.close();
    } finally {
      b.close();
    }
  });

  it('never lets a sequence of requests through outside bounds, step, slew or dwell (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          min: fc.integer({ min: 10, max: 18 }),
          span: fc.integer({ min: 1, max: 10 }),
          maxStep: fc.double({ min: 0.1, max: 5, noNaN: true }),
          slewPerMin: fc.double({ min: 0.1, max: 5, noNaN: true }),
          dwellS: fc.integer({ min: 0, max: 120 }),
        }),
        fc.array(
          fc.record({ dtS: fc.integer({ min: 0, max: 300 }), value: fc.double({ min: 0, max: 40, noNaN: true }) }),
          { minLength: 1, maxLength: 25 },
        ),
        async (l, requests) => {
          const b = bed({
            points: [
              {
                ids: [SP],
                min: l.min,
                max: l.min + l.span,
                maxStep: l.maxStep,
                slewPerMin: l.slewPerMin,
                minDwell: l.dwellS * 1000 || 1,
              },
            ],
            guard: { breaker: { maxWrites: 1000 } },
          });
          try {
            let last: { v: number; at: number } | undefined;
            let current = 20;
            for (const r of requests) {
              b.clock.t += r.dtS * 1000;
              const res = await b.guard.write(intent(r.value));
              if (!res.verdict.allow) continue;
              expect(r.value).toBeGreaterThanOrEqual(l.min);
              expect(r.value).toBeLessThanOrEqual(l.min + l.span);
              expect(Math.abs(r.value - (last?.v ?? current))).toBeLessThanOrEqual(l.maxStep + 1e-6);
              if (last) {
                const min = (b.clock.t - last.at) / 60_000;
                expect(b.clock.t - last.at).toBeGreaterThanOrEqual(Math.max(1, l.dwellS * 1000));
                expect(Math.abs(r.value - last.v)).toBeLessThanOrEqual(l.slewPerMin * min + 1e-6);
              }
              last = { v: r.value, at: b.clock.t };
              current = r.value;
            }
          } finally {
            b.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  }, 60_000);
});
