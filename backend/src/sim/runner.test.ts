import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import ModbusRTU from 'modbus-serial';
import { parseSimArgs } from './main';
import { SimRunner, startSimulation } from './runner';

const t0 = Date.UTC(2025, 0, 1);

describe('SimRunner', () => {
  let wall = 1_000_000;
  let runner: SimRunner;
  let api: string;
  const hooks: unknown[] = [];
  let hookServer: http.Server;
  const logs: string[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sim-runner-'));
  const truthFile = path.join(dir, 'ground-truth.jsonl');

  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${api}${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: res.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text,
    };
  };
  /** moves the fake wall clock and ticks, as the interval would */
  const wallAdvance = (ms: number) => {
    wall += ms;
    runner.tick();
  };

  beforeAll(async () => {
    let first = true;
    hookServer = http.createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        if (first) {
          first = false; // the receiver is down once: the event must come again
          res.writeHead(502).end();
          return;
        }
        hooks.push(JSON.parse(text));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', r));
    runner = await startSimulation({
      startMs: t0,
      speed: 60,
      seed: 3,
      jobSchedule: 'none',
      modbusPort: 0,
      dcgmPort: 0,
      controlPort: 0,
      tickMs: 3_600_000, // the test ticks by hand
      wallClock: () => wall,
      webhook: { url: `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`, token: 't', retryMs: 20 },
      groundTruthFile: truthFile,
      log: (m) => logs.push(m),
    });
    api = `http://127.0.0.1:${runner.ports().control}`;
  });

  afterAll(async () => {
    const t = Date.now();
    await runner.stop();
    expect(Date.now() - t).toBeLessThan(3000);
    await new Promise<void>((r) => {
      hookServer.close(() => r());
      hookServer.closeAllConnections();
    });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs simulated time at wall time × speed', async () => {
    wallAdvance(10_000); // 10 s of wall time at ×60
    expect(runner.model.now()).toBe(t0 + 600_000);
    const h = await call('GET', '/health');
    expect(h.body).toMatchObject({ ok: true, simTimeMs: t0 + 600_000, speed: 60, seed: 3 });
  });

  it('serves the model over Modbus and DCGM on the ports it reports', async () => {
    const client = new ModbusRTU();
    await client.connectTCP('127.0.0.1', { port: runner.ports().modbus as number });
    client.setID(1);
    const regs = await client.readHoldingRegisters(0, 2);
    await new Promise<void>((r) => client.close(() => r()));
    const b = Buffer.alloc(4);
    b.writeUInt16BE(regs.data[0] as number, 0);
    b.writeUInt16BE(regs.data[1] as number, 2);
    expect(b.readFloatBE(0)).toBeCloseTo(runner.model.pdus()[0]?.powerKw as number, 3);
    const metrics = await (await fetch(`http://127.0.0.1:${runner.ports().dcgm}/metrics`)).text();
    expect(metrics).toContain('DCGM_FI_DEV_POWER_USAGE{gpu="0"');
  });

  it('adds a job through POST /jobs, lists it, and posts its submit, start and end to the webhook (retrying)', async () => {
    const res = await call('POST', '/jobs', {
      id: 'ci-1',
      user: 'ci',
      racks: ['B01', 'B02'],
      expectedKwPerRack: 90,
      durationS: 120,
    });
    expect(res.status).toBe(201);
    expect(res.body.job).toMatchObject({
      id: 'ci-1',
      start: t0 + 600_000,
      durationMs: 120_000,
      gpus: 160,
      state: 'running',
    });
    wallAdvance(1_000);
    expect((await call('GET', '/jobs?state=running')).body.jobs.map((j: { id: string }) => j.id)).toEqual(['ci-1']);
    wallAdvance(2_000); // past the end
    const deadline = Date.now() + 5000;
    while (hooks.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(hooks).toEqual([
      // a job that starts at once is announced as it is added
      expect.objectContaining({ event: 'job_submit', job_id: 'ci-1', time: new Date(t0 + 600_000).toISOString() }),
      expect.objectContaining({
        event: 'job_start',
        job_id: 'ci-1',
        user: 'ci',
        racks: ['B01', 'B02'],
        gpus: 160,
        expected_kw: 180,
        time: new Date(t0 + 600_000).toISOString(),
      }),
      expect.objectContaining({ event: 'job_end', job_id: 'ci-1', time: new Date(t0 + 720_000).toISOString() }),
    ]);
    expect(logs.join('\n')).toMatch(/job webhook: POST .*\/hook failed \(HTTP 502\)/);
  });

  it('injects and clears faults, logs them to the ground truth and its JSONL file', async () => {
    const bad = await call('POST', '/faults', {
      type: 'filter_clog',
      target: 'crah1',
      params: { airflowLossPct: 200 },
    });
    expect(bad).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/params.airflowLossPct: 200 is out of range; expected a number 1–90 %/) },
    });
    expect((await call('POST', '/faults', { type: 'fan_degradation' })).body.error).toMatch(/body.target: /);
    expect((await call('POST', '/faults', '{nope')).status).toBe(400);

    const now = runner.model.now();
    const made = await call('POST', '/faults', {
      type: 'fan_degradation',
      target: 'crah2',
      params: { maxSpeedPct: 30 },
      durationS: 60,
    });
    expect(made.status).toBe(201);
    expect(made.body.fault).toMatchObject({
      id: 'f-1',
      state: 'active',
      target: 'sim/hall1/-/-/crah2',
      start: now,
      end: now + 60_000,
    });
    const drift = await call('POST', '/faults', { type: 'sensor_drift', target: 'D10/env/exhaust_temp' });
    expect((await call('GET', '/faults')).body.faults.map((f: { state: string }) => f.state)).toEqual([
      'active',
      'active',
    ]);
    wallAdvance(2_000); // 120 s: the first ends by itself
    expect((await call('DELETE', `/faults/${drift.body.fault.id}`)).body.fault.state).toBe('ended');
    expect((await call('DELETE', '/faults/f-404')).status).toBe(404);
    runner.tick();

    const gt = (await call('GET', '/ground-truth')).body.entries;
    expect(gt.map((e: { faultId: string; phase: string; time: number }) => [e.faultId, e.phase, e.time - now])).toEqual(
      [
        ['f-1', 'start', 0],
        ['f-2', 'start', 0],
        ['f-1', 'end', 60_000],
        ['f-2', 'end', 120_000],
      ],
    );
    const lines = fs
      .readFileSync(truthFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => [e.faultId, e.phase, e.type, e.target])).toEqual([
      ['f-1', 'start', 'fan_degradation', 'sim/hall1/-/-/crah2'],
      ['f-2', 'start', 'sensor_drift', 'sim/hall1/D/D10/env/exhaust_temp'],
      ['f-1', 'end', 'fan_degradation', 'sim/hall1/-/-/crah2'],
      ['f-2', 'end', 'sensor_drift', 'sim/hall1/D/D10/env/exhaust_temp'],
    ]);
    expect(lines[0].isoTime).toBe(new Date(now).toISOString());
    const jsonl = await call('GET', '/ground-truth?format=jsonl');
    expect(jsonl.body.trim().split('\n')).toHaveLength(4);
  });

  it('writes setpoints with range checks and refuses writes to an offline device', async () => {
    const id = 'sim/hall1/-/-/crah3/supply_setpoint';
    expect(await call('POST', '/write', { pointId: id, value: 22 })).toMatchObject({
      status: 200,
      body: { reading: { value: 22, quality: 'good' } },
    });
    const out = await call('POST', '/write', { pointId: id, value: 40 });
    expect(out).toEqual({ status: 400, body: { error: `point "${id}": 40 °C is out of range; allowed 14–27 °C` } });
    const off = await call('POST', '/faults', { type: 'device_offline', target: 'crah3' });
    expect((await call('POST', '/write', { pointId: id, value: 21 })).status).toBe(409);
    await call('DELETE', `/faults/${off.body.fault.id}`);
    const r = await call('GET', '/readings?prefix=sim/hall1/-/-/crah3/');
    expect(Object.keys(r.body.readings)).toContain(id);
    expect((await call('GET', '/signals')).body.signals.length).toBe(runner.model.signals().length);
    expect((await call('GET', '/nowhere')).status).toBe(404);
    expect((await call('PUT', '/jobs')).status).toBe(405);
  });
});

describe('sim command line', () => {
  it('reads flags before the environment, with the documented defaults', () => {
    const o = parseSimArgs(['--seed', '7', '--speed', '10', '--modbus-port', 'off', '--no-jobs'], {
      SIM_DCGM_PORT: '9500',
      SIM_WEBHOOK_URL: 'http://127.0.0.1:8080/api/events',
      SIM_WEBHOOK_TOKEN: 'tok',
    });
    expect(o).toMatchObject({
      seed: 7,
      speed: 10,
      modbusPort: null,
      dcgmPort: 9500,
      controlPort: 4900,
      host: '127.0.0.1',
      jobSchedule: 'none',
      randomFaultsPerDay: 0,
      webhook: { url: 'http://127.0.0.1:8080/api/events', token: 'tok', format: 'slurm' },
    });
    expect(o.configFile).toBe(path.resolve('plenum.yaml'));
    expect(() => parseSimArgs(['--modbus-port', 'x'], {})).toThrow(/--modbus-port: expected a port 0–65535 or "off"/);
    expect(() => new SimRunner({ speed: 1e6, startMs: t0 })).toThrow(/speed: expected a number in \(0, 3600\]/);
  });

  it('fails to start with a message naming a port in use, and leaves nothing running', async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    await expect(
      startSimulation({
        startMs: t0,
        jobSchedule: 'none',
        modbusPort: 0,
        dcgmPort: port,
        controlPort: 0,
        log: () => {},
      }),
    ).rejects.toThrow(`dcgm exporter: cannot listen on 127.0.0.1:${port}`);
    await new Promise<void>((r) => blocker.close(() => r()));
  });
});

describe('control API and the seeded fault schedule', () => {
  it('hides upcoming scheduled faults (the answers being scored) unless ?upcoming=true', async () => {
    const runner = await startSimulation({
      startMs: t0,
      randomFaultsPerDay: 48,
      modbusPort: null,
      dcgmPort: null,
      controlPort: 0,
      tickMs: 3_600_000,
      log: () => {},
    });
    try {
      const url = `http://127.0.0.1:${runner.ports().control}/faults`;
      const shown = (await (await fetch(url)).json()) as { faults: { state: string }[] };
      const all = (await (await fetch(`${url}?upcoming=true`)).json()) as { faults: { state: string }[] };
      expect(shown.faults.filter((f) => f.state === 'scheduled')).toEqual([]);
      expect(all.faults.filter((f) => f.state === 'scheduled').length).toBeGreaterThan(10);
    } finally {
      await runner.stop();
    }
  });
});
