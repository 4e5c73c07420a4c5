/**
 * Control benchmark: the twin's scenarios, each run with four cooling strategies on the same seed, scored on the
 * twin's ground truth (scenario/metrics.ts) — never on what Plenum measured.
 *
 *   (a) bms          BMS only: every Plenum rule in observe
 *   (b) overcooled   a fixed over-cooled plant: a rule holding supply air 17 °C, fan minimum 50 %, CDU 27 °C,
 *                    chilled water 9 °C (what sites do when they do not trust their cooling)
 *   (c) feedback     a feedback-only Plenum rule: ASHRAE Guideline 36 trim & respond of the CRAH supply
 *                    setpoints on rack inlets above 25 °C
 *   (d) feedforward  the job-aware feed-forward controller, and the cooling-fault controller, in auto
 *
 * Every write of (b)–(d) goes through the backend's guard over OPC UA, as on a site.
 *
 *   npm run bench:control                                  full-hall-ramp, normal-day, crah-trip-under-load
 *   npm run bench:control -- --only full-hall-ramp         one scenario (repeatable: --only a --only b)
 *   npm run bench:control -- --strategies bms,feedforward  some strategies
 *
 * About 50 minutes for everything (each run is the scenario at its own speed). Prints figures and ratios, and
 * whether the issue's targets hold; asserts nothing. Reports land in reports/bench-control/<scenario>-<strategy>/.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Figures } from '../backend/src/scenario/metrics';
import { runScenario } from '../backend/src/scenario/run';
import type { Scenario } from '../backend/src/scenario/schema';

const REPO = path.resolve(__dirname, '..');
const HALL = 'sim/hall1/-/-';
const SCENARIOS = ['full-hall-ramp', 'normal-day', 'crah-trip-under-load'] as const;

const STRATEGIES: Record<string, { label: string; controllers: Scenario['controllers'] }> = {
  bms: { label: '(a) BMS only', controllers: [{ name: 'automation', options: {} }] },
  overcooled: {
    label: '(b) over-cooled',
    controllers: [
      {
        name: 'automation',
        options: {
          rules: [
            {
              id: 'overcooled',
              description: 'a fixed over-cooled plant',
              mode: 'auto',
              when: { always: {} },
              then: [
                { write: { ids: [`${HALL}/crah*/supply_setpoint`], value: 17 } },
                { write: { ids: [`${HALL}/crah*/fan_min`], value: 50 } },
                { write: { ids: [`${HALL}/cdu1/supply_setpoint`], value: 27 } },
                { write: { ids: [`${HALL}/plant1/chw_setpoint`], value: 9 } },
              ],
            },
          ],
        },
      },
    ],
  },
  feedback: {
    label: '(c) feedback',
    controllers: [
      {
        name: 'automation',
        options: {
          rules: [
            {
              id: 'feedback',
              description: 'Guideline 36 trim & respond of the supply air on hot inlets',
              mode: 'auto',
              when: { always: {} },
              then: [
                {
                  trimRespond: {
                    ids: [`${HALL}/crah*/supply_setpoint`],
                    requests: { ids: ['sim/hall1/*/*/env/inlet_temp'], above: 25 },
                    ignore: 1,
                    trim: 0.2,
                    respond: -0.5,
                    maxRespond: 1,
                    period: '1m',
                    max: 20,
                  },
                },
              ],
            },
          ],
        },
      },
    ],
  },
  feedforward: {
    label: '(d) feed-forward',
    controllers: [{ name: 'automation', options: { modes: { 'feed-forward': 'auto', 'cooling-fault': 'auto' } } }],
  },
};

const COLUMNS: Array<[keyof Figures, string, number]> = [
  ['maxInletC', 'max inlet °C', 1],
  ['minutesAbove27C', 'min >27 °C', 0],
  ['minutesAbove32C', 'min >32 °C', 0],
  ['rateOfChangeViolations', 'ROC rack·min', 0],
  ['coolingEnergyKwh', 'cooling kWh', 0],
  ['cappedGpuHours', 'capped GPU·h', 1],
  ['thermalGpuHours', 'thermal GPU·h', 1],
];

function table(rows: Array<{ label: string; f: Figures; writes: number; refused: number }>): string {
  const head = [
    'strategy'.padEnd(18),
    ...COLUMNS.map(([, h]) => h.padStart(14)),
    'writes'.padStart(8),
    'refused'.padStart(8),
  ];
  const lines = rows.map((r) =>
    [
      r.label.padEnd(18),
      ...COLUMNS.map(([k, , d]) => r.f[k].toFixed(d).padStart(14)),
      String(r.writes).padStart(8),
      String(r.refused).padStart(8),
    ].join(''),
  );
  return [head.join(''), ...lines].join('\n');
}

const ratio = (a: number, b: number) => (b === 0 ? (a === 0 ? '1.00' : '∞') : (a / b).toFixed(2));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { only: { type: 'string', multiple: true }, strategies: { type: 'string' } },
  });
  const scenarios = values.only?.length ? values.only : [...SCENARIOS];
  const strategies = values.strategies ? values.strategies.split(',') : Object.keys(STRATEGIES);
  for (const s of strategies)
    if (!STRATEGIES[s]) throw new Error(`--strategies: unknown "${s}"; expected ${Object.keys(STRATEGIES).join(', ')}`);
  const results = new Map<string, Map<string, { f: Figures; writes: number; refused: number }>>();
  for (const name of scenarios) {
    const byStrategy = new Map<string, { f: Figures; writes: number; refused: number }>();
    results.set(name, byStrategy);
    for (const s of strategies) {
      const st = STRATEGIES[s]!;
      const t0 = Date.now();
      const { report } = await runScenario({
        file: path.join(REPO, 'scenarios', `${name}.yaml`),
        outDir: path.join(REPO, 'reports', 'bench-control'),
        name: `${name}-${s}`,
        controllers: st.controllers,
        log: () => undefined,
      });
      const plugin = report.plugins['controller:automation'];
      byStrategy.set(s, {
        f: report.figures,
        writes: plugin?.figures.writes ?? 0,
        refused: plugin?.figures.refused ?? 0,
      });
      console.log(
        `${name} ${st.label}: max inlet ${report.figures.maxInletC.toFixed(1)} °C, cooling ${report.figures.coolingEnergyKwh.toFixed(0)} kWh (${((Date.now() - t0) / 1000).toFixed(0)} s)${plugin?.notes.length ? `; ${plugin.notes.join('; ')}` : ''}`,
      );
    }
    console.log(
      `\n${name}\n${table(strategies.map((s) => ({ label: STRATEGIES[s]!.label, ...byStrategy.get(s)! })))}\n`,
    );
    const a = byStrategy.get('bms')?.f;
    const b = byStrategy.get('overcooled')?.f;
    for (const s of strategies.filter((x) => x !== 'bms')) {
      const f = byStrategy.get(s)!.f;
      console.log(
        `  ${STRATEGIES[s]!.label}: max inlet − (a) ${(f.maxInletC - (a?.maxInletC ?? NaN)).toFixed(1)} K; cooling energy ÷ (a) ${a ? ratio(f.coolingEnergyKwh, a.coolingEnergyKwh) : '–'}, ÷ (b) ${b ? ratio(f.coolingEnergyKwh, b.coolingEnergyKwh) : '–'}`,
      );
    }
    console.log('');
  }
  // the issue's targets
  const get = (sc: string, st: string) => results.get(sc)?.get(st)?.f;
  const verdict = (ok: boolean | undefined) => (ok === undefined ? 'not run' : ok ? 'met' : 'MISSED');
  const ramp = {
    a: get('full-hall-ramp', 'bms'),
    b: get('full-hall-ramp', 'overcooled'),
    d: get('full-hall-ramp', 'feedforward'),
  };
  const day = { a: get('normal-day', 'bms'), d: get('normal-day', 'feedforward') };
  const trip = get('crah-trip-under-load', 'feedforward');
  const tripOthers = ['bms', 'overcooled', 'feedback']
    .map((s) => get('crah-trip-under-load', s))
    .filter((f): f is Figures => !!f && f.maxInletC <= 32);
  console.log('targets');
  console.log(
    `  full-hall-ramp: (d) every inlet ≤ 27 °C where (a) overshoots: ${verdict(ramp.d && ramp.a && ramp.d.maxInletC <= 27 && ramp.a.maxInletC > 27)}` +
      (ramp.d && ramp.a ? ` — (d) ${ramp.d.maxInletC.toFixed(1)} °C, (a) ${ramp.a.maxInletC.toFixed(1)} °C` : ''),
  );
  console.log(
    `  full-hall-ramp: (d) ≥ 10 % less cooling energy than (b): ${verdict(ramp.d && ramp.b && ramp.d.coolingEnergyKwh <= 0.9 * ramp.b.coolingEnergyKwh)}` +
      (ramp.d && ramp.b ? ` — (d) ÷ (b) = ${ratio(ramp.d.coolingEnergyKwh, ramp.b.coolingEnergyKwh)}` : ''),
  );
  console.log(
    `  normal-day: (d) no more cooling energy than (a): ${verdict(day.d && day.a && day.d.coolingEnergyKwh <= day.a.coolingEnergyKwh)}` +
      (day.d && day.a ? ` — (d) ÷ (a) = ${ratio(day.d.coolingEnergyKwh, day.a.coolingEnergyKwh)}` : ''),
  );
  console.log(
    `  crah-trip-under-load: (d) inlets ≤ 32 °C with the fewest capped GPU-hours: ${verdict(trip && trip.maxInletC <= 32 && tripOthers.every((f) => trip.cappedGpuHours <= f.cappedGpuHours))}` +
      (trip
        ? ` — (d) ${trip.maxInletC.toFixed(1)} °C, ${trip.cappedGpuHours.toFixed(1)} capped GPU·h; ${tripOthers.length} other strategies stayed ≤ 32 °C`
        : ''),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
