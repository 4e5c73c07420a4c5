import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { HealthResponse } from '@plenum/model';
import { DEFAULT_PARAMS, HallModel } from '../../../backend/src/sim/model';
import { postSamples } from '../../../backend/src/testing/backfill';
import { waitFor, type Stack } from '../../../backend/src/testing/stack';
import type { HarnessFrameInput, MountPanelOptions } from '../host/api';
import { REPO_DIR } from '../server/paths';
import { openPlenumBed, type PlenumBed } from './plenum-bed';
import { pageErrors, screenshot } from '../testing/browser';

/**
 * The built cooling correlation panel in the harness: deterministic frames (both themes, the catalogue
 * screenshots, the too-little-data message), then the simulator's physics through the real backend and the Plenum
 * datasource — the lag the panel reports against the lag the simulator is configured with.
 */
const PANEL_ID = 'plenum-coolingcorrelation-panel';
const README_SHOTS = path.join(REPO_DIR, 'panels', 'cooling-correlation', 'src', 'img', 'screenshots');
const TOKEN = 'cooling-correlation-token-5d2e';

// ── deterministic frames: two hours at 5 s, a job stepping the hall up and down ──
const T0 = Date.UTC(2025, 5, 2, 8, 0, 0);
const STEP_S = 5;
const N = 1440;
/** hall IT power in kW at t s: three jobs ramping over 60 s on an 800 kW base */
const itKw = (t: number) =>
  800 +
  [
    { at: 900, kw: 900 },
    { at: 2700, kw: -500 },
    { at: 4500, kw: 700 },
  ].reduce((kw, j) => kw + j.kw * Math.min(1, Math.max(0, (t - j.at) / 60)), 0) +
  30 * Math.sin(t / 200);
/** deterministic "noise" so screenshots do not change between runs */
const wiggle = (i: number, scale: number) => scale * Math.sin(i * 12.9898) * Math.cos(i * 4.1414);
const times = Array.from({ length: N }, (_, i) => T0 + i * STEP_S * 1000);

function plenumFrame(name: string, quantity: string, unit: string, values: number[]): HarnessFrameInput {
  return {
    name,
    fields: [
      { name: 'time', type: 'time', values: times },
      { name: 'value', type: 'number', values, labels: { quantity }, config: { unit, displayNameFromDS: name } },
    ],
  };
}

const FRAMES = [
  plenumFrame(
    'Hall IT power',
    'power',
    'kwatt',
    times.map((_, i) => itKw(i * STEP_S) + wiggle(i, 8)),
  ),
  // 90 s behind the load (18 samples), 4 mK per kW
  plenumFrame(
    'CRAH1 return air',
    'temperature',
    'celsius',
    times.map((_, i) => 22 + 0.004 * itKw(i * STEP_S - 90) + wiggle(i + 7, 0.05)),
  ),
  // 20 s behind, 0.03 % per kW
  plenumFrame(
    'CRAH1 fan speed',
    'speed',
    'percent',
    times.map((_, i) => 15 + 0.03 * itKw(i * STEP_S - 20) + wiggle(i + 3, 0.4)),
  ),
];
const JOB_EVENTS: HarnessFrameInput = {
  name: 'annotations',
  fields: [
    { name: 'time', type: 'time', values: [900, 4500].map((s) => T0 + s * 1000) },
    { name: 'title', type: 'string', values: ['Job llm-pretrain-7 started', 'Job vision-ft-2 started'] },
    { name: 'text', type: 'string', values: ['20 racks, 900 kW', '16 racks, 700 kW'] },
    { name: 'tags', type: 'other', values: [['job'], ['job']] },
  ],
};
const RANGE = { from: new Date(T0).toISOString(), to: new Date(times[N - 1]!).toISOString() };

describe('cooling correlation panel in the harness', () => {
  let bed: PlenumBed;
  let stack: Stack;
  let page: Page;

  beforeAll(async () => {
    bed = await openPlenumBed({ token: TOKEN, panels: [PANEL_ID] });
    ({ stack, page } = bed);
  }, 60_000);

  afterAll(() => bed?.close());

  const mount = (options: MountPanelOptions) =>
    page.evaluate(([id, o]) => window.harness.mountPanel(id, o), [PANEL_ID, options] as const);

  /** What the summary shows per response, read from its data attributes. */
  const stats = () =>
    page.getByTestId('cooling-correlation-stat').evaluateAll((els) =>
      els.map((el) => ({
        response: el.getAttribute('data-response'),
        lagMs: Number(el.getAttribute('data-lag-ms')),
        ci: (el.getAttribute('data-ci-ms') ?? '').split(',').map(Number),
        r: Number(el.getAttribute('data-r')),
        slope: Number(el.getAttribute('data-slope')),
      })),
    );

  it.each(['dark', 'light'] as const)('shows lag, r and effort, charts and job events (%s theme)', async (theme) => {
    await mount({
      frames: FRAMES,
      annotations: [JOB_EVENTS],
      options: { summarySize: 'large', layout: 'stacked' },
      theme,
      width: 1000,
      height: 640,
      title: 'Does cooling follow the workload?',
      timeRange: RANGE,
    });
    await page.getByTestId('cooling-correlation-summary').waitFor();
    const shown = await stats();
    const step = Number(await page.getByTestId('cooling-correlation').getAttribute('data-grid-step-ms'));
    expect(step).toBe(STEP_S * 1000);
    // the strongest correlation first; each lag within one sample of what the frames were built with
    expect(shown.map((s) => s.response).sort()).toEqual(['CRAH1 fan speed', 'CRAH1 return air']);
    const byName = Object.fromEntries(shown.map((s) => [s.response, s]));
    expect(Math.abs(byName['CRAH1 return air']!.lagMs - 90_000)).toBeLessThanOrEqual(step);
    expect(Math.abs(byName['CRAH1 fan speed']!.lagMs - 20_000)).toBeLessThanOrEqual(step);
    expect(byName['CRAH1 return air']!.slope).toBeCloseTo(0.004, 4);
    for (const chart of ['time', 'scatter', 'lag']) {
      await expect(page.getByTestId(`cooling-correlation-${chart}`).locator('canvas').count()).resolves.toBe(1);
    }
    await expect(page.getByTestId('cooling-correlation-notes').textContent()).resolves.toContain('2 events marked');
    // hovering the time chart shows Grafana-formatted values
    const box = (await page.getByTestId('cooling-correlation-time').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await expect(page.getByTestId('cooling-correlation-time').textContent()).resolves.toMatch(
      /Hall IT power: [\d.]+ [kM]W.*CRAH1 return air: [\d.]+ °C/,
    );
    await page.mouse.move(0, 0);
    const file = await screenshot(page, `cooling-correlation-${theme}`, '[data-testid="harness-panel"]');
    fs.copyFileSync(file, path.join(README_SHOTS, `cooling-correlation-${theme}.png`));
    expect(pageErrors(page)).toEqual([]);
  });

  it('says why when there is too little data, and when a response does not move', async () => {
    await mount({ frames: FRAMES.map((f) => sliceFrame(f, 6)), width: 600, height: 300 });
    await expect(page.getByTestId('cooling-correlation-message').textContent()).resolves.toMatch(
      /Too little data: the series overlap for 6 samples of 5 s; at least 20 are needed/,
    );
    const stuck = plenumFrame(
      'CRAH2 valve',
      'position',
      'percent',
      times.map(() => 40),
    );
    await mount({ frames: [FRAMES[0]!, stuck], width: 600, height: 300 });
    await expect(page.getByTestId('cooling-correlation-message').textContent()).resolves.toBe(
      'CRAH2 valve is constant over the range: it does not follow the load.',
    );
  });

  it('follows a job ramp from the simulator through the backend: the CDU return lags by the model’s τ', async () => {
    /*
     * Why this pair. In the model (backend/src/sim/model/hall-step.ts) the CDU return coolant is
     *   return = lag(supply + liquidHeat / (flow · 69.5 W/K per l/min), tauCduReturnS)
     * with the supply held at its setpoint (the heat stays below cduCapacityKwPerRack), the flow constant, and the
     * liquid heat a fixed share of GPU power, which, like the rack's PDU power, is linear in the job's load level.
     * So the return is one first-order lag of an affine function of IT power, and for a ramp a first-order lag's
     * steady-state delay is its time constant: expected lag = tauCduReturnS.
     * A CRAH's return air is not such a pair: exhaust ΔT = heat / (ρc · airflow) with the racks' airflow growing
     * with heat, so it saturates, and a linear correlation of a saturating response reports a shorter lag than the
     * 60 s + 30 s chain (logged below, not asserted).
     *
     * Why backfilled. At --speed N the OPC UA samples carry the simulator's (fast) source time while Modbus and
     * Prometheus samples carry the backend's wall clock, so live load and response series only line up at speed 1,
     * where a 2-minute ramp takes minutes of wall time. Instead the simulator's own model (seeded, the code the
     * simulator runs) is stepped here, and its readings are written to the real backend at the protocols' rates —
     * PDU power every 2 s (the Modbus poll), the CDU and CRAH temperatures every 1 s with the 0.05 K deadband of
     * the OPC UA subscription — plus the job's webhook; the panel then queries them through the Plenum datasource.
     */
    const expectedLagMs = DEFAULT_PARAMS.tauCduReturnS * 1000;
    const auth = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    await waitFor('the backend', async () => {
      const res = await fetch(`${stack.url}/api/health`, { headers: auth });
      return res.ok ? ((await res.json()) as HealthResponse) : undefined;
    });
    const start = Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000;
    const jobStart = start + 600_000;
    const racks = ['A', 'B'].flatMap((row) =>
      Array.from({ length: 10 }, (_, i) => `${row}${String(i + 1).padStart(2, '0')}`),
    );
    const model = new HallModel({
      startMs: start,
      jobSchedule: 'none',
      jobs: [{ id: 'ramp-1', racks, expectedKwPerRack: 110, start: jobStart, durationMs: 3600_000, rampMs: 120_000 }],
    });
    const rackPower = racks.map((r) => `sim/hall1/${r[0]}/${r}/pdu/power`);
    const temps = ['sim/hall1/-/-/cdu1/return_temp', 'sim/hall1/-/-/crah1/return_temp'];
    const samples: Array<{ pointId: string; ts: number; value: number }> = [];
    const lastSent = new Map<string, number>();
    const end = jobStart + 30 * 60_000;
    for (let t = start; t <= end; t += 1000) {
      model.advanceTo(t);
      if ((t - start) % 2000 === 0) {
        for (const id of rackPower) {
          samples.push({ pointId: id, ts: t, value: model.reading(id)!.value as number });
        }
      }
      for (const id of temps) {
        const value = model.reading(id)!.value as number;
        if (Math.abs(value - (lastSent.get(id) ?? -Infinity)) >= 0.05) {
          samples.push({ pointId: id, ts: t, value });
          lastSent.set(id, value);
        }
      }
    }
    await postSamples(stack.url, TOKEN, samples);
    const job = await fetch(`${stack.url}/api/events`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        event: 'job_start',
        job_id: 'ramp-1',
        user: 'e2e',
        racks,
        gpus: racks.length * 80,
        expected_kw: 110 * racks.length,
        expected_kw_per_rack: 110,
        start_time: new Date(jobStart).toISOString(),
        site: 'sim',
        hall: 'hall1',
      }),
    });
    expect(job.status).toBe(201);

    const range = { from: new Date(start).toISOString(), to: new Date(end).toISOString() };
    const events = await page.evaluate(
      (r) =>
        window.harness.runAnnotations(
          'plenum',
          {
            name: 'Jobs',
            enable: true,
            iconColor: 'purple',
            target: { refId: 'Anno', queryType: 'events', types: ['job'] },
          },
          r,
        ),
      range,
    );
    expect(events.map((e) => e.time)).toEqual([jobStart]);
    await mount({
      datasourceUid: 'plenum',
      targets: [
        { refId: 'L', queryType: 'timeseries', selector: { row: ['A', 'B'], tags: ['pdu'], quantity: ['power'] } },
        { refId: 'R', queryType: 'timeseries', selector: { ids: temps } },
      ],
      annotations: [
        {
          name: 'Jobs',
          fields: [
            { name: 'time', type: 'time', values: events.map((e) => e.time) },
            { name: 'title', type: 'string', values: events.map((e) => e.title) },
            { name: 'text', type: 'string', values: events.map((e) => e.text) },
            { name: 'tags', type: 'other', values: events.map((e) => e.tags ?? []) },
            { name: 'color', type: 'string', values: events.map((e) => e.color) },
          ],
        },
      ],
      options: { maxLagS: 300, summarySize: 'large' },
      timeRange: range,
      width: 1200,
      height: 560,
      title: 'Simulated hall: job ramp on rows A–B',
    });
    await page.getByTestId('cooling-correlation-summary').waitFor();
    const step = Number(await page.getByTestId('cooling-correlation').getAttribute('data-grid-step-ms'));
    const shown = await stats();
    const cdu = shown.find((s) => /CDU return/i.test(s.response ?? ''))!;
    const crah = shown.find((s) => /crah1 return/i.test(s.response ?? ''));
    console.log(
      `cooling correlation from the simulator: CDU return lag ${cdu.lagMs} ms (95 % ${cdu.ci.join('–')} ms, r ${cdu.r.toFixed(3)}), ` +
        `expected ${expectedLagMs} ms (tauCduReturnS), grid ${step} ms; CRAH1 return air lag ${crah?.lagMs} ms ` +
        `(60 s + 30 s chain, saturating)`,
    );
    expect(Math.abs(cdu.lagMs - expectedLagMs)).toBeLessThanOrEqual(step);
    expect(cdu.ci[0]).toBeLessThanOrEqual(expectedLagMs + step);
    expect(cdu.ci[1]).toBeGreaterThanOrEqual(expectedLagMs - step);
    expect(cdu.r).toBeGreaterThan(0.95);
    await expect(page.getByTestId('cooling-correlation-notes').textContent()).resolves.toContain('1 event marked');
    await screenshot(page, 'cooling-correlation-simulator', '[data-testid="harness-panel"]');
    expect(pageErrors(page)).toEqual([]);
  }, 60_000);
});

/** The first `n` rows of a simple frame. */
function sliceFrame(frame: HarnessFrameInput, n: number): HarnessFrameInput {
  const fields = (frame.fields as Array<Record<string, unknown> & { values: unknown[] }>).map((f) => ({
    ...f,
    values: f.values.slice(0, n),
  }));
  return { ...frame, fields };
}
