import { setpointPoint } from '../testkit';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SourcePoint } from '../../connectors/types';
import { AutomationSchema } from '../config';
import { AutomationStore } from '../store';
import { Guard, type GuardDeps, type PlantWriter } from './guard';
import type { InputSample } from './verdict';

const SP = 's/h/-/-/crah1/supply_setpoint';
const HB = 's/h/-/-/bms/supervisor_heartbeat';

const point = (id: string): SourcePoint => setpointPoint(id, id === SP ? {} : { min: undefined, max: undefined });

/**
 * A restart finds a lease the killed run left while its connector has no session yet (OPC UA opens it at its
 * first start, after the guard's start): the hand-back fails at first. It must not be lost — the BMS would keep
 * Plenum's value, leased again by the next heartbeat — but kept and tried again, and the heartbeat waits for it.
 */
describe('guard start with a connector not ready yet', () => {
  it('keeps a lease whose hand-back failed, tries again, and starts the heartbeat once it is handed back', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-guard-restart-'));
    const store = new AutomationStore(dir);
    const device = new Map<string, number | null>([[SP, 20]]);
    const log: string[] = [];
    let sessionOpen = true;
    const writer: PlantWriter = {
      async write(p, value) {
        log.push(`${p.id.split('/').pop()}=${String(value)}${sessionOpen ? '' : ' (failed)'}`);
        if (!sessionOpen) throw new Error('no session yet (it opens at the first start or poll); nothing was sent');
        device.set(p.id, value);
        return { readBack: value, rawStatus: 0, at: Date.now() };
      },
    };
    const deps: GuardDeps = {
      config: AutomationSchema.parse({ heartbeat: { point: HB, lease: '30s' }, points: [{ ids: [SP] }] }),
      points: new Map([SP, HB].map((id) => [id, point(id)])),
      writer,
      latest: (id): InputSample => ({ pointId: id, value: device.get(id) ?? null, quality: 'good', ts: Date.now() }),
      store,
      addEvent: () => undefined,
      now: () => Date.now(),
      toWallMs: (ms) => ms,
      log: () => undefined,
    };
    const first = new Guard(deps);
    const next = { guard: undefined as Guard | undefined };
    try {
      await first.write({
        pointId: SP,
        value: 18,
        actor: { kind: 'operator', id: 'op' },
        priority: 1,
        reason: 'test',
        inputs: [],
      });
      expect(device.get(SP)).toBe(18);
      // killed here (no close); the next run starts before its connector has a session
      log.length = 0;
      sessionOpen = false;
      next.guard = new Guard(deps);
      await next.guard.start();
      expect(log).toEqual(['supply_setpoint=20 (failed)']);
      // still held, durably (another crash now would find it again)
      expect(next.guard.leaseViews()).toEqual([expect.objectContaining({ pointId: SP, saved: 20 })]);
      expect(store.leases().map((l) => l.pointId)).toEqual([SP]);
      // no heartbeat yet: it would renew the BMS's lease on Plenum's old value
      await new Promise((r) => setTimeout(r, 500));
      expect(log).toEqual(['supply_setpoint=20 (failed)']);
      sessionOpen = true;
      await new Promise((r) => setTimeout(r, 1000));
      expect(log).toEqual(['supply_setpoint=20 (failed)', 'supply_setpoint=20', 'supervisor_heartbeat=1']);
      expect(device.get(SP)).toBe(20);
      expect(next.guard.leaseViews()).toEqual([]);
      expect(store.leases()).toEqual([]);
    } finally {
      await next.guard?.close();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the heartbeat on a sped-up clock', () => {
  it('asks the device for a lease of at least 5 s of wall time, three beats, and the configured lease', async () => {
    const LEASE = 's/h/-/-/bms/supervisor_lease';
    const leaseAsked = async (speed: number) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-guard-hb-'));
      const store = new AutomationStore(dir);
      const written: Array<[string, number | null]> = [];
      const guard = new Guard({
        config: AutomationSchema.parse({ heartbeat: { point: HB, leasePoint: LEASE, lease: '30s' } }),
        points: new Map([HB, LEASE].map((id) => [id, point(id)])),
        writer: {
          async write(p, value) {
            written.push([p.id, value]);
            return { readBack: value, rawStatus: 0, at: Date.now() };
          },
        },
        latest: (id): InputSample => ({ pointId: id, value: 0, quality: 'good', ts: Date.now() }),
        store,
        addEvent: () => undefined,
        now: () => Date.now(),
        toWallMs: (ms) => ms / speed,
        log: () => undefined,
      });
      try {
        await guard.start();
        for (let i = 0; i < 100 && !written.some(([id]) => id === LEASE); i++)
          await new Promise((r) => setTimeout(r, 10));
        return written.find(([id]) => id === LEASE)?.[1];
      } finally {
        await guard.close();
        store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    };
    // the device's own unit here is the canonical one: seconds of the run's clock
    expect(await leaseAsked(1)).toBe(30);
    // ×30: three beats of 333 ms would be 30 s of run time, one wall second; 5 wall seconds are 150 s
    expect(await leaseAsked(30)).toBe(150);
  });
});
