import { setpointPoint } from './testkit';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NewEvent, Site } from '@plenum/model';
import { Catalog } from '../catalog/catalog';
import { AutomationSchema, type Mode } from './config';
import { AutomationEngine } from './engine';
import { Guard, type PlantWriter } from './guard/guard';
import { actorName, type Actor, type InputSample } from './guard/verdict';
import { Notifier } from './notify';
import { AutomationStore } from './store';

const SP = 's/h/-/-/crah1/supply_setpoint';
const INLET = 's/h/A/A01/env/inlet_temp';
const OPERATOR: Actor = { kind: 'operator', id: 'alice' };
const MIN = 60_000;

const point = setpointPoint;

/**
 * The engine with its real dependencies — a guard over a fake plant, a store in a temp folder, a notifier — and
 * one rule `cool`: while the inlet is above 27 °C the supply setpoint goes to `to` (°C). The device starts at 20.
 * The clock moves only when the test moves it; `tick()` is one evaluation.
 */
function bed(mode: Mode, opts: { to?: number; approvalExpiry?: string } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-engine-'));
  const store = new AutomationStore(dir);
  const config = AutomationSchema.parse({
    guard: { ...(opts.approvalExpiry && { approvalExpiry: opts.approvalExpiry }) },
    points: [{ ids: ['s/h/-/-/crah*/supply_setpoint'], min: 16, max: 24, maxStep: 5 }],
    rules: [
      {
        id: 'cool',
        mode,
        when: { threshold: { ids: [INLET], above: 27 } },
        then: [{ write: { ids: [SP], value: opts.to ?? 18 } }],
      },
    ],
  });
  const clock = { t: Date.UTC(2026, 6, 15, 10) };
  const points = new Map([
    [SP, point(SP)],
    [
      INLET,
      point(INLET, {
        kind: 'measurement',
        writable: false,
        location: { site: 's', hall: 'h', row: 'A', rack: 'A01', asset: 'env' },
      }),
    ],
  ]);
  const device = new Map<string, number | null>([
    [SP, 20],
    [INLET, 25],
  ]);
  const writes: Array<{ id: string; value: number | null }> = [];
  const events: Array<Omit<NewEvent, 'time'>> = [];
  const logs: string[] = [];
  const writer: PlantWriter = {
    async write(p, value) {
      writes.push({ id: p.id, value });
      device.set(p.id, value);
      return { readBack: value, rawStatus: 0, at: clock.t };
    },
  };
  const latest = (id: string): InputSample => {
    const v = device.get(id);
    return v === undefined || v === null
      ? { pointId: id, value: null, quality: 'missing' }
      : { pointId: id, value: v, quality: 'good', ts: clock.t };
  };
  const addEvent = (e: Omit<NewEvent, 'time'>) => void events.push(e);
  const now = () => clock.t;
  const log = (m: string) => void logs.push(m);
  const guard = new Guard({ config, points, writer, latest, store, addEvent, now, toWallMs: (ms) => ms, log });
  const notifier = new Notifier({ config, addEvent, now, log });
  const site = { id: 's', name: 's', halls: [] } as unknown as Site;
  const engine = new AutomationEngine({
    config,
    site: { id: 's', hall: 'h', racks: () => [] },
    catalog: new Catalog(site, [...points.values()]),
    guard,
    store,
    notifier,
    latest,
    sources: () => [],
    addEvent,
    now,
    log,
    points: () => [...points.values()],
  });
  const actor: Actor = { kind: 'rule', id: 'cool', version: 1 };
  return {
    engine,
    guard,
    store,
    device,
    writes,
    events,
    logs,
    clock,
    actor,
    /** moves the clock by `ms`, then evaluates once */
    async tick(ms = 1000) {
      clock.t += ms;
      await engine.tick();
    },
    titles: (tag: string) => events.filter((e) => e.tags?.includes(tag)).map((e) => e.title),
    async close() {
      await engine.close();
      await guard.close();
      await notifier.close();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Bed = ReturnType<typeof bed>;

async function withBed(mode: Mode, fn: (b: Bed) => Promise<void>, opts?: Parameters<typeof bed>[1]) {
  const b = bed(mode, opts);
  try {
    await fn(b);
  } finally {
    await b.close();
  }
}

describe('AutomationEngine modes', () => {
  it('observe: computes and traces the decision, writes nothing and proposes nothing', () =>
    withBed('observe', async (b) => {
      b.device.set(INLET, 29);
      await b.tick();
      const st = b.engine.status().rules[0];
      expect(st).toMatchObject({ id: 'cool', mode: 'observe', active: true, holds: [] });
      expect(st?.summary).toContain('crah1/supply_setpoint=18');
      const evals = b.store.traces({ kind: 'evaluation' });
      expect(evals).toHaveLength(1);
      expect(evals[0]).toMatchObject({
        actor: actorName(b.actor),
        data: { mode: 'observe', active: true, writes: [{ pointId: SP, value: 18 }] },
      });
      expect(b.writes).toEqual([]);
      expect(b.store.traces({ kind: 'verdict' })).toEqual([]);
      expect(b.store.proposals()).toEqual([]);
      expect(b.events).toEqual([]);
      expect(b.device.get(SP)).toBe(20);
    }));

  it('dry-run: a "would write" event with the guard\'s verdict, once per change; nothing written or held', () =>
    withBed('dry-run', async (b) => {
      await b.tick(); // inlet 25: nothing wanted
      expect(b.titles('dry-run')).toEqual([]);
      b.device.set(INLET, 29);
      await b.tick();
      await b.tick(); // unchanged: no second event
      const dry = b.events.filter((e) => e.tags?.includes('dry-run'));
      expect(dry.map((e) => e.title)).toEqual([`dry-run ${actorName(b.actor)} would write crah1/supply_setpoint = 18`]);
      expect(dry[0]).toMatchObject({
        pointId: SP,
        data: { verdict: { allow: true }, intent: { pointId: SP, value: 18 } },
      });
      expect(b.writes).toEqual([]);
      expect(b.guard.held(b.actor)).toEqual([]);
      expect(b.store.proposals()).toEqual([]);
      expect(b.device.get(SP)).toBe(20);
    }));

  it('dry-run: says when the guard would refuse, and why', () =>
    withBed(
      'dry-run',
      async (b) => {
        b.device.set(INLET, 29);
        await b.tick();
        const [title] = b.titles('dry-run');
        expect(title).toMatch(
          new RegExp(
            `^dry-run ${actorName(b.actor)} would write crah1/supply_setpoint = 15 \\(the guard would refuse: .+\\)$`,
          ),
        );
        expect(b.events[0]?.data).toMatchObject({ verdict: { allow: false, code: 'bounds' } });
        expect(b.writes).toEqual([]);
      },
      { to: 15 },
    ));

  it('approve: a proposal waits (nothing written); approved, it is written through the guard and leased', () =>
    withBed('approve', async (b) => {
      b.device.set(INLET, 29);
      await b.tick();
      await b.tick(); // one proposal per point at a time
      const pending = b.store.proposals({ status: 'pending' });
      expect(pending).toHaveLength(1);
      const p = pending[0] as (typeof pending)[number];
      expect(p).toMatchObject({ rule: 'cool', version: 1, pointId: SP, value: 18, from: 20 });
      // guard.approvalExpiry, 15 min by default, from when it was proposed
      expect(p.expiresAt - p.createdAt).toBe(15 * MIN);
      expect(b.titles('proposal')).toEqual([`proposal #${p.id} pending: rule cool → crah1/supply_setpoint 20 → 18`]);
      expect(b.writes).toEqual([]);
      expect(b.store.traces({ kind: 'verdict' })).toEqual([]);

      b.clock.t += 5 * MIN;
      const res = await b.engine.approve(p.id, OPERATOR);
      expect(res).toMatchObject({ verdict: { allow: true }, verified: true });
      expect(b.writes).toEqual([{ id: SP, value: 18 }]);
      // the guard judged and recorded it, as the rule (the operator approved it)
      const verdicts = b.store.traces({ kind: 'verdict' });
      expect(verdicts).toHaveLength(1);
      expect(verdicts[0]).toMatchObject({ actor: actorName(b.actor), pointId: SP, data: { verdict: { allow: true } } });
      expect(JSON.stringify(verdicts[0]?.data)).toContain('approved by operator:alice');
      expect(b.guard.held(b.actor)).toEqual([SP]);
      expect(b.store.proposal(p.id)).toMatchObject({ status: 'approved', decidedBy: actorName(OPERATOR) });
      // held at the wanted value: no new proposal
      await b.tick();
      expect(b.store.proposals({ status: 'pending' })).toEqual([]);
      await expect(b.engine.approve(p.id, OPERATOR)).rejects.toThrow(/is approved; only a pending proposal/);
    }));

  it('approve: the guard judges again at approval, and a refusal is recorded as failed (nothing written)', () =>
    withBed('approve', async (b) => {
      b.device.set(INLET, 29);
      await b.tick();
      const [p] = b.store.proposals({ status: 'pending' });
      // the emergency stop comes between the proposal and its approval
      b.engine.stop(OPERATOR);
      const res = await b.engine.approve((p as { id: number }).id, OPERATOR);
      expect(res.verdict).toMatchObject({ allow: false, code: 'stopped' });
      expect(b.writes).toEqual([]);
      expect(b.store.proposal((p as { id: number }).id)).toMatchObject({ status: 'failed' });
      expect(b.store.proposal((p as { id: number }).id)?.result).toBe((res.verdict as { reason: string }).reason);
    }));

  it("approve: the rule's inputs are judged again at approval — a sensor lost since the proposal stops the write", () =>
    withBed('approve', async (b) => {
      b.device.set(INLET, 29);
      await b.tick();
      const [p] = b.store.proposals({ status: 'pending' });
      b.device.delete(INLET); // the inlet sensor stops reporting
      const res = await b.engine.approve((p as { id: number }).id, OPERATOR);
      expect(res.verdict).toMatchObject({ allow: false, code: 'interlock' });
      expect((res.verdict as { reason: string }).reason).toContain(INLET);
      expect(b.writes).toEqual([]);
    }));

  it('approve: a proposal not approved within its expiry expires and is never written', () =>
    withBed(
      'approve',
      async (b) => {
        b.device.set(INLET, 29);
        await b.tick();
        const [p] = b.store.proposals({ status: 'pending' });
        const id = (p as { id: number }).id;
        await b.tick(5 * MIN - 1);
        expect(b.store.proposal(id)?.status).toBe('pending');
        await b.tick(1);
        expect(b.store.proposal(id)).toMatchObject({ status: 'expired', decidedBy: 'system:engine' });
        expect(b.titles('expired')).toEqual([`proposal #${id} expired: rule cool → crah1/supply_setpoint 20 → 18`]);
        await expect(b.engine.approve(id, OPERATOR)).rejects.toThrow(`proposal #${id} is expired`);
        expect(b.writes).toEqual([]);
      },
      { approvalExpiry: '5m' },
    ));

  it('approve: approving after the expiry but before the engine noticed is refused too', () =>
    withBed('approve', async (b) => {
      b.device.set(INLET, 29);
      await b.tick();
      const [p] = b.store.proposals({ status: 'pending' });
      const id = (p as { id: number }).id;
      b.clock.t += 15 * MIN; // no evaluation in between
      await expect(b.engine.approve(id, OPERATOR)).rejects.toThrow(`proposal #${id} expired at `);
      expect(b.store.proposal(id)?.status).toBe('expired');
      expect(b.writes).toEqual([]);
      expect(b.store.traces({ kind: 'verdict' })).toEqual([]);
    }));

  it('approve: a rejected proposal is not written and cannot be approved afterwards', () =>
    withBed('approve', async (b) => {
      b.device.set(INLET, 29);
      await b.tick();
      const [p] = b.store.proposals({ status: 'pending' });
      const id = (p as { id: number }).id;
      b.engine.reject(id, OPERATOR, 'chiller maintenance');
      expect(b.store.proposal(id)).toMatchObject({
        status: 'rejected',
        decidedBy: actorName(OPERATOR),
        result: 'chiller maintenance',
      });
      expect(b.titles('rejected')).toEqual([`proposal #${id} rejected: rule cool → crah1/supply_setpoint 20 → 18`]);
      await expect(b.engine.approve(id, OPERATOR)).rejects.toThrow(`proposal #${id} is rejected`);
      expect(() => b.engine.reject(id, OPERATOR)).toThrow(`proposal #${id} is rejected`);
      expect(b.writes).toEqual([]);
      // not proposed again while the rule still wants the same: a rejection holds until the condition clears
      b.clock.t += 1000;
      await b.tick();
      expect(b.store.proposals({ status: 'pending' })).toEqual([]);
      b.device.set(INLET, 22);
      b.clock.t += 10 * MIN;
      await b.tick();
      b.device.set(INLET, 29);
      b.clock.t += 10 * MIN;
      await b.tick();
      expect(b.store.proposals({ status: 'pending' })).toEqual([
        expect.objectContaining({ pointId: SP, value: 18, status: 'pending' }),
      ]);
    }));

  it('auto: written through the guard (verdict traced first), leased, renewed, handed back when the trigger clears', () =>
    withBed('auto', async (b) => {
      b.device.set(INLET, 29);
      await b.tick();
      expect(b.writes).toEqual([{ id: SP, value: 18 }]);
      const kinds = b.store
        .traces()
        .sort((x, y) => (x.id as number) - (y.id as number))
        .map((t) => t.kind);
      expect(kinds.indexOf('verdict')).toBeGreaterThanOrEqual(0);
      expect(kinds.indexOf('verdict')).toBeLessThan(kinds.indexOf('write'));
      expect(b.guard.held(b.actor)).toEqual([SP]);
      expect(b.guard.ownerOf(SP)).toMatchObject({ actor: { id: 'cool' }, priority: 5 });
      // held at the wanted value: renewed, not written again
      await b.tick(60_000);
      await b.tick(60_000);
      expect(b.writes).toHaveLength(1);
      expect(b.guard.ownerOf(SP)).toBeDefined(); // 2 min after the write, past the 90 s lease: renewed
      // the inlet is back: the rule hands the point back, restoring the BMS's 20 °C
      b.device.set(INLET, 25);
      await b.tick();
      expect(b.writes).toEqual([
        { id: SP, value: 18 },
        { id: SP, value: 20 },
      ]);
      expect(b.guard.held(b.actor)).toEqual([]);
      expect(b.store.traces({ kind: 'release' })).toHaveLength(1);
    }));

  it('auto: the guard refuses what is outside the bounds; the refusal is recorded and nothing is written', () =>
    withBed(
      'auto',
      async (b) => {
        b.device.set(INLET, 29);
        await b.tick();
        expect(b.writes).toEqual([]);
        const [v] = b.store.traces({ kind: 'verdict' });
        expect(v).toMatchObject({ pointId: SP, data: { verdict: { allow: false, code: 'bounds' } } });
        expect(b.events.find((e) => e.tags?.includes('automation') && e.pointId === SP)).toBeDefined();
        expect(b.device.get(SP)).toBe(20);
      },
      { to: 15 },
    ));

  it('auto → observe hands back what the rule holds; observe then writes nothing', () =>
    withBed('auto', async (b) => {
      b.device.set(INLET, 29);
      await b.tick();
      await b.engine.setMode('cool', 'observe', OPERATOR);
      expect(b.writes).toEqual([
        { id: SP, value: 18 },
        { id: SP, value: 20 },
      ]);
      expect(b.engine.status().rules[0]?.mode).toBe('observe');
      await b.tick();
      expect(b.writes).toHaveLength(2);
      expect(b.titles('mode')).toEqual([`rule cool: auto → observe by ${actorName(OPERATOR)}`]);
    }));
});

describe('AutomationEngine.putRule', () => {
  it('refuses a rule naming an unknown point, naming the rule and the field; nothing is applied', () =>
    withBed('auto', async (b) => {
      const before = b.engine.status();
      await expect(
        b.engine.putRule(
          {
            id: 'cool',
            mode: 'auto',
            when: { threshold: { ids: ['s/h/A/A99/env/inlet_temp'], above: 26 } },
            then: [{ write: { ids: [SP], value: 17 } }],
          },
          OPERATOR,
        ),
      ).rejects.toThrow('rule "cool" when.threshold.ids: no point matches "s/h/A/A99/env/inlet_temp"');
      expect(b.store.ruleVersions()).toEqual([]);
      expect(b.engine.status()).toEqual(before);
      // the running version still acts on the old trigger
      b.device.set(INLET, 29);
      await b.tick();
      expect(b.writes).toEqual([{ id: SP, value: 18 }]);
    }));

  it('refuses a schema error with the field', () =>
    withBed('observe', async (b) => {
      await expect(
        b.engine.putRule({ id: 'cool', when: { thresold: { ids: [INLET], above: 27 } }, then: [] }, OPERATOR),
      ).rejects.toThrow(/^rule\.when: expected one of threshold/);
      expect(b.store.ruleVersions()).toEqual([]);
    }));

  it('installs a valid version, handing back what the old one held', () =>
    withBed('auto', async (b) => {
      b.device.set(INLET, 29);
      await b.tick();
      const st = await b.engine.putRule(
        {
          id: 'cool',
          mode: 'auto',
          when: { threshold: { ids: [INLET], above: 28 } },
          then: [{ write: { ids: [SP], value: 17 } }],
        },
        OPERATOR,
      );
      expect(st).toMatchObject({ id: 'cool', version: 2, origin: 'api' });
      expect(b.writes.at(-1)).toEqual({ id: SP, value: 20 });
      await b.tick();
      expect(b.writes.at(-1)).toEqual({ id: SP, value: 17 });
      expect(b.guard.held({ kind: 'rule', id: 'cool', version: 2 })).toEqual([SP]);
    }));
});
