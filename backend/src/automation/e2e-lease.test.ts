import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { bearer, json, latestSample, pointTrace, twinReadings, twinWrites } from '../testing/e2e-http';
import { waitFor } from '../testing/stack';
import { startBackend, startTwin, type Proc } from '../testing/processes';

/**
 * Issue 12, end to end: "when Plenum stops, crashes or stops renewing, the plant returns to BMS control within
 * 30 s". The twin and the backend run as two processes (as `npm start` runs them, but separately, so only the
 * backend is killed) with plenum.yaml as shipped: the guard heartbeats the twin's BMS watchdog over OPC UA with
 * `automation.heartbeat.lease` (30 s). An operator writes a CRAH supply setpoint through the guard; the backend is
 * killed with SIGKILL (no shutdown hand-back runs); the BMS's own watchdog must take the point back within the
 * lease, seen from the twin's side (its readings and ground truth). A restarted backend on the same data folder
 * then hands back the lease the killed run left (guard.start()).
 */

const ROOT = path.resolve(__dirname, '../../..');
const CONFIG = path.join(ROOT, 'plenum.yaml');
const POINT = 'sim/hall1/-/-/crah1/supply_setpoint';
const BMS = 'sim/hall1/-/-/bms/';
const READ = 'e2e-read-token';
const OPERATE = 'e2e-operate-token';

describe('kill -9 of the backend during an operator override (twin and backend as processes)', () => {
  let dir: string;
  const procs: Proc[] = [];

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-e2e-lease-'))));
  afterEach(async () => {
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('hands the CRAH setpoint back to the BMS within the heartbeat lease, and a restart hands back the lease it left', async () => {
    const leaseMs = (() => {
      const hb = (parse(fs.readFileSync(CONFIG, 'utf8')) as { automation: { heartbeat: { lease: string } } }).automation
        .heartbeat.lease;
      const m = /^(\d+)s$/.exec(hb);
      if (!m) throw new Error(`plenum.yaml automation.heartbeat.lease: expected "<n>s"; got ${hb}`);
      return Number(m[1]) * 1000;
    })();
    // the bound; plenum.yaml must not configure a longer one
    expect(leaseMs).toBeLessThanOrEqual(30_000);

    const data = path.join(dir, 'data');
    // no generated jobs: nothing but the operator moves the setpoint (the feed-forward acts on jobs)
    const twin = await startTwin(CONFIG, path.join(dir, 'sim'), ['--no-jobs']);
    procs.push(twin);
    const { ports } = twin;
    const env = { PLENUM_API_TOKEN: READ, PLENUM_OPERATE_TOKEN: OPERATE };
    let backend = await startBackend(CONFIG, ports, data, env);
    procs.push(backend);
    const logs = () => `--- twin ---\n${twin.output().slice(-3000)}\n--- backend ---\n${backend.output().slice(-5000)}`;
    try {
      const control = twin.controlUrl;
      // the guard heartbeats the BMS and has written its lease length
      await waitFor('the twin to see a live supervisor heartbeat', async () => {
        const r = await twinReadings(control, BMS);
        return r[`${BMS}supervisor_status`]?.value === 1 ? r : undefined;
      });
      const bmsValue = (await twinReadings(control, POINT))[POINT]!.value as number;
      expect(bmsValue).toBe(20); // the twin's BMS default (params.ts)
      // a write before the backend has a good reading of the point would trip the settle interlock for 60 s
      await waitFor('a good reading of the setpoint in the backend', async () => {
        const l = await latestSample(backend.url, READ, POINT);
        return l?.quality === 'good' && l.value === bmsValue ? l : undefined;
      });

      // the read token may not write
      const denied = await fetch(`${backend.url}/api/automation/write`, {
        method: 'POST',
        headers: bearer(READ),
        body: JSON.stringify({ pointId: POINT, value: bmsValue - 1 }),
      });
      expect(denied.status).toBe(403);

      // the operator's override, through the guard (operate token), written over OPC UA and read back
      const w = await json<{ verdict: { allow: boolean }; readBack: number; verified: boolean; from: number }>(
        `${backend.url}/api/automation/write`,
        {
          method: 'POST',
          headers: bearer(OPERATE),
          body: JSON.stringify({ pointId: POINT, value: bmsValue - 1, reason: 'e2e: kill -9 during an override' }),
        },
      );
      expect(w.status).toBe(200);
      expect(w.body).toMatchObject({
        verdict: { allow: true },
        from: bmsValue,
        readBack: bmsValue - 1,
        verified: true,
      });

      // the twin: the point holds Plenum's value, written by an OPC UA supervisor and leased by the BMS watchdog
      expect((await twinReadings(control, POINT))[POINT]!.value).toBe(bmsValue - 1);
      const plenumWrites = await twinWrites(control, POINT);
      expect(plenumWrites).toEqual([
        expect.objectContaining({ by: expect.stringMatching(/^opcua:/), from: bmsValue, to: bmsValue - 1 }),
      ]);
      const bms = await twinReadings(control, BMS);
      expect(bms[`${BMS}leased_points`]!.value).toBe(1);
      expect(bms[`${BMS}supervisor_lease`]!.value).toBe(leaseMs / 1000);
      const leases = await json<{ leases: Array<{ pointId: string; saved: number }> }>(
        `${backend.url}/api/automation`,
        {
          headers: bearer(READ),
        },
      );
      expect(leases.body.leases).toEqual([expect.objectContaining({ pointId: POINT, saved: bmsValue })]);

      // kill -9: no shutdown, no hand-back by Plenum; only the BMS's own watchdog can take the point back
      const ageAtKill = (await twinReadings(control, BMS))[`${BMS}supervisor_age`]!.value as number;
      const before = (await json<{ simTimeMs: number }>(`${control}/health`)).body.simTimeMs;
      const killedAt = Date.now();
      backend.kill('SIGKILL');
      await backend.exited;
      expect(backend.child.signalCode).toBe('SIGKILL');

      const back = await waitFor(
        'the BMS watchdog to take the setpoint back',
        async () => {
          const r = (await twinReadings(control, POINT))[POINT];
          if (r?.value !== bmsValue) return undefined;
          return { wallMs: Date.now() - killedAt, entries: await twinWrites(control, POINT) };
        },
        leaseMs + 15_000,
      );
      const watchdog = back.entries.filter((e) => e.by === 'bms-watchdog');
      expect(watchdog).toEqual([expect.objectContaining({ from: bmsValue - 1, to: bmsValue })]);
      // the hand-back in the twin's own time (speed 1): from the kill to the watchdog's write
      const handBackMs = watchdog[0]!.time - before;
      console.log(
        `kill -9 → BMS has ${POINT} back: ${(handBackMs / 1000).toFixed(1)} s on the twin's clock ` +
          `(${(back.wallMs / 1000).toFixed(1)} s observed; last heartbeat ${ageAtKill} s before the kill; lease ${leaseMs / 1000} s)`,
      );
      // within the lease, plus one model step (the watchdog checks once per 1 s step)
      expect(handBackMs).toBeLessThanOrEqual(leaseMs + 1000);
      expect(back.wallMs).toBeLessThanOrEqual(leaseMs + 2000);
      // and not before the lease of the last heartbeat ran out: Plenum's heartbeat (every lease / 3) held it
      expect(handBackMs).toBeGreaterThanOrEqual(leaseMs - leaseMs / 3 - ageAtKill * 1000 - 2000);
      const after = await twinReadings(control, BMS);
      expect(after[`${BMS}supervisor_status`]!.value).toBe(0);
      expect(after[`${BMS}leased_points`]!.value).toBe(0);

      // a restart on the same data folder finds the killed run's lease and hands it back before anything else
      const writesBefore = (await twinWrites(control, POINT)).length;
      const restartAt = Date.now();
      backend = await startBackend(CONFIG, ports, data, env);
      procs.push(backend);
      // its OPC UA session may not be open yet at the first try: the hand-back is tried again until it lands
      const trace = await waitFor('the restarted guard to hand the lease back', async () => {
        const mine = await pointTrace(backend.url, READ, POINT, restartAt);
        return mine.some((e) => e.kind === 'write') ? mine : undefined;
      });
      const releases = trace.filter((e) => e.kind === 'release');
      expect(releases.length).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(releases[0]!.data)).toContain(
        'Plenum restarted; a lease of the previous run is handed back',
      );
      // a try that failed keeps the lease as the guard's, and the next says so
      for (const r of releases.slice(1))
        expect(JSON.stringify(r.data)).toContain('handed back again: the last hand-back failed');
      // restore: the saved (BMS) value written back and read back
      const restore = trace.filter((e) => e.kind === 'write');
      expect(restore).toEqual([
        expect.objectContaining({ data: expect.objectContaining({ value: bmsValue, verified: true }) }),
      ]);
      const failedFirst = trace.filter((e) => e.kind === 'write-failed').length;
      console.log(
        `restart: the lease left was handed back ${(restore[0]!.time - releases[0]!.time) / 1000} s after the first try (${failedFirst} failed tr${failedFirst === 1 ? 'y' : 'ies'} before)`,
      );
      const status = await json<{ leases: unknown[] }>(`${backend.url}/api/automation`, { headers: bearer(READ) });
      expect(status.body.leases).toEqual([]);
      // the twin: the restore arrived over OPC UA with the BMS's value; the point stays the BMS's, not leased
      const restored = (await twinWrites(control, POINT)).slice(writesBefore);
      expect(restored).toEqual([expect.objectContaining({ by: expect.stringMatching(/^opcua:/), to: bmsValue })]);
      expect((await twinReadings(control, POINT))[POINT]!.value).toBe(bmsValue);
      expect((await twinReadings(control, BMS))[`${BMS}leased_points`]!.value).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${logs()}`);
    }
  }, 110_000);
});
