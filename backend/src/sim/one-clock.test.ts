import type { QueryResponse } from '@plenum/model';
import { Clock, CLOCK_ENV } from '../common/clock';
import { startStack, waitFor, type Stack } from '../testing/stack';

/**
 * One clock at --speed 60: the simulator and the backend started with the same PLENUM_CLOCK (as `npm start --speed
 * 60` does), every connector's samples carry simulated time — OPC UA its source timestamps, Modbus and the DCGM
 * exporter the backend's read time on the shared clock, jobs the webhook's time — so one instant of the hall
 * reads the same over every protocol, within one poll of each source.
 */
const SPEED = 60;

describe('one clock for simulator and backend at --speed 60', () => {
  let stack: Stack;
  let clock: Clock;

  beforeAll(async () => {
    clock = Clock.startingNow(SPEED);
    stack = await startStack({ [CLOCK_ENV]: clock.toString() });
    await waitFor(
      'every source up',
      async () => {
        const r = await fetch(`${stack.url}/api/health`);
        const h = (await r.json()) as { connectors: Array<{ state: string }> };
        return h.connectors.length > 0 && h.connectors.every((c) => c.state === 'up') ? h : undefined;
      },
      60_000,
    );
  }, 90_000);
  afterAll(() => stack?.stop());

  const query = async (body: unknown) => {
    const r = await fetch(`${stack.url}/api/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await r.json()) as QueryResponse;
  };

  it('says which clock it runs on, in the simulator and the backend', async () => {
    const sim = (await (await fetch(`${stack.controlUrl}/health`)).json()) as { clock: string; speed: number };
    const backend = (await (await fetch(`${stack.url}/api/health`)).json()) as {
      clock: { spec: string; speed: number };
    };
    expect(sim).toMatchObject({ clock: clock.toString(), speed: SPEED });
    expect(backend.clock).toMatchObject({ spec: clock.toString(), speed: SPEED });
  });

  it('stamps a job step at the same simulated instant over Modbus, Prometheus and the job webhook, and OPC UA is current', async () => {
    // a step on an idle rack three simulated minutes from now, once the seeded schedule has started jobs on half
    // of the racks (within its first 2 simulated minutes)
    while (clock.now() < clock.spec.startMs + 240_000) await new Promise((r) => setTimeout(r, 100));
    // the rack must carry no other job from half an hour before the step until the step is seen: generated jobs
    // (40–120 kW, ±12 % ripple, so up to 134 kW) cannot be told from the 130 kW step by power alone. The twin's job
    // book runs a day ahead of the simulated now, so it says which racks stay free (and is asked again once seen)
    const start = clock.now() + 180_000;
    const jobsOn = async (rack: string) => {
      const { jobs } = (await (await fetch(`${stack.controlUrl}/jobs`)).json()) as {
        jobs: Array<{ id: string; racks: string[]; start: number; end: number }>;
      };
      return jobs.filter((j) => j.id !== 'clock-step' && j.racks.includes(rack));
    };
    const { jobs } = (await (await fetch(`${stack.controlUrl}/jobs`)).json()) as {
      jobs: Array<{ racks: string[]; start: number; end: number }>;
    };
    const racks = [...new Set(jobs.flatMap((j) => j.racks))];
    const { signals } = (await (await fetch(`${stack.controlUrl}/signals`)).json()) as {
      signals: Array<{ id: string }>;
    };
    const allRacks = [
      ...new Set(signals.map((s) => /^sim\/hall1\/[^/]+\/([^/]+)\/pdu\/power$/.exec(s.id)?.[1]).filter(Boolean)),
    ] as string[];
    const busy = (rack: string) =>
      jobs.some((j) => j.racks.includes(rack) && j.end + 60_000 > start - 1_800_000 && j.start < start + 600_000);
    const idleRack = allRacks.find((rk) => !busy(rk));
    if (!idleRack) throw new Error(`no rack free of jobs to step; racks with jobs: ${racks.join(', ')}`);
    const row = idleRack[0];
    const r = await fetch(`${stack.controlUrl}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        id: 'clock-step',
        racks: [idleRack],
        expectedKwPerRack: 130,
        start: new Date(start).toISOString(),
        durationS: 3600,
        rampS: 1,
        ripple: 0,
      }),
    });
    expect(r.status).toBeLessThan(300);
    // PDUs are polled every 2 s and the DCGM exporter every 5 s of wall time: 120 s and 300 s simulated
    const step = { pdus: 2000 * SPEED, dcgm: 5000 * SPEED };
    const ids = { pdus: `sim/hall1/${row}/${idleRack}/pdu/power`, dcgm: `sim/hall1/${row}/${idleRack}/gpu/gpu_power` };
    // above what any generated job draws (40–120 kW a rack, ±12 % ripple), below the 130 kW step: 132 kW at the PDU,
    // 10.8 kW for one server's 8 GPUs (1371 W each at 130 kW a rack, 1263 W at 120)
    const threshold = { [ids.pdus]: 125, [ids.dcgm]: 10.6 };
    const firstAbove = async (id: string): Promise<number | undefined> => {
      const res = await query({
        range: { from: start - 1_800_000, to: clock.now() },
        queries: [{ refId: 'A', queryType: 'timeseries', selector: { ids: [id] }, resolution: 'raw' }],
      });
      const f = res.results.A?.frames[0];
      const [ts, vs] = (f?.data.values ?? [[], []]) as [number[], number[]];
      trace[id] = ts.map((t, k) => `${t - start}:${vs[k]}`).join(' ');
      const i = vs.findIndex((v) => v > (threshold[id] as number));
      return i < 0 ? undefined : ts[i];
    };
    const trace: Record<string, string> = {};
    const seen = await waitFor(
      'the step in the PDU and GPU power',
      async () => {
        const [pdus, dcgm] = [await firstAbove(ids.pdus), await firstAbove(ids.dcgm)];
        return pdus !== undefined && dcgm !== undefined ? { pdus, dcgm } : undefined;
      },
      30_000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}; rack ${idleRack}, times relative to the job start:value ${JSON.stringify(trace)}`,
      );
    });
    // no earlier than the job (wall-clock stamps would sit an hour before it at this speed) and within one poll
    const tick = 50 * SPEED; // at this speed the simulator advances its model every 50 ms of wall time
    const intruders = (await jobsOn(idleRack)).filter((j) => j.start <= Math.max(seen.pdus, seen.dcgm));
    expect(intruders).toEqual([]);
    expect(seen.pdus - start).toBeGreaterThanOrEqual(0);
    expect(seen.pdus - start).toBeLessThanOrEqual(step.pdus + tick);
    expect(seen.dcgm - start).toBeGreaterThanOrEqual(0);
    expect(seen.dcgm - start).toBeLessThanOrEqual(step.dcgm + tick);

    // the job webhook's event and the jobs connector's samples carry the job's simulated start
    const events = await query({
      range: { from: start - 60_000, to: clock.now() },
      queries: [{ refId: 'E', queryType: 'events', types: ['job'], rack: [idleRack] }],
    });
    const ev = events.results.E!.frames[0]!;
    const times = ev.data.values[0] as number[];
    expect(times.some((t) => Math.abs(t - start) <= 1000)).toBe(true);

    // OPC UA stamps its source timestamps with the simulated time: the newest rack air reading is current (values
    // within the deadband are not reported, so the newest of the 80 sensors, not one of them)
    const latest = await query({
      range: { from: clock.now() - 3_600_000, to: clock.now() },
      queries: [{ refId: 'L', queryType: 'latest', selector: { ids: ['sim/hall1/*/*/env/*'] } }],
    });
    const l = latest.results.L!.frames[0]!;
    const timeCol = l.schema.fields.findIndex((f) => f.name === 'time');
    const t = Math.max(...(l.data.values[timeCol] as number[]));
    const now = clock.now();
    expect(now - t).toBeLessThanOrEqual(step.pdus);
    expect(t - now).toBeLessThanOrEqual(tick);
  }, 60_000);
});
