/**
 * The schema of a twin scenario file (`scenarios/<name>.yaml`): what happens to the simulated hall, when, and
 * which checks the run must pass. One source of truth for validation (zod), the types and the published JSON
 * Schema (`schema/scenario.schema.json`, written by config/write-json-schema.ts). Times in a scenario are offsets
 * from its `start`; durations are the site config's (`90s`, `10m`, `2h`, `7d`).
 */
import { z } from 'zod';
import { FAULT_TYPE_NAMES } from '../sim/model/faults';
import { MAX_CLOCK_SPEED } from '../common/clock';
import { duration, slug, strict } from '../config/schema-parts';
import { METRIC_NAMES } from './metrics';

const offset = () =>
  z
    .union([z.literal(0), duration()], { error: 'expected an offset from the start such as "0", "90s", "10m", "2h"' })
    .describe('offset from the scenario start: 0, "90s", "10m", "2h", "3d"');

const RACKS_EXPECTED =
  'expected "all", a row ("row A"), rack ids ("A01") or globs ("A*", "?0[1-5]" is not supported: * and ? only)';

export const ScenarioJobSchema = strict({
  at: offset(),
  id: z.string().min(1).optional().describe('job id in events and the ground truth, @default scenario-job-<n>'),
  user: z.string().min(1).optional().describe('@default scenario'),
  racks: z
    .union([
      z.literal('all'),
      z.array(z.string().regex(/^[A-Za-z0-9_.*?-]+$|^row [A-Za-z0-9_.-]+$/, RACKS_EXPECTED)).min(1),
    ])
    .describe('"all", or a list of rack ids, globs (A*) or rows ("row A")'),
  kw: z.number().positive().max(1000).describe('power per rack the job asks for, kW (a GPU rack: 8 idle … 132.7 full)'),
  ramp: duration().prefault('10s').describe('idle → kw, @default 10s (a full-hall start: 20s)'),
  duration: duration().describe('how long the job runs'),
  ripple: z
    .number()
    .min(0)
    .max(0.5)
    .default(0.1)
    .describe('± share of the power at the training-step period, @default 0.1'),
});

export const ScenarioFaultSchema = strict({
  at: offset(),
  type: z.enum(FAULT_TYPE_NAMES).describe('a fault of the twin (backend/src/sim/README.md, "Faults")'),
  target: z
    .string()
    .min(1)
    .describe('the asset (crah2, cdu1, plant1, A01/pdu) or, for sensor_drift, the point (A01/env/inlet_temp)'),
  params: z.record(z.string(), z.number()).default({}).describe("the fault's parameters, @default each one's default"),
  duration: duration().optional().describe('ends by itself after this long, @default until the end of the run'),
});

export const ScenarioSetpointSchema = strict({
  at: offset(),
  point: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/, 'expected a point below the hall, e.g. "-/-/crah1/supply_setpoint"')
    .describe('a writable point of the twin below the hall: "-/-/crah1/supply_setpoint", "A/A01/gpu/power_limit"'),
  value: z.number().nullable().describe('the new value in the point unit; null relinquishes an override or a limit'),
});

export const ScenarioOutdoorSchema = strict({
  at: offset(),
  temperature: z.number().min(-40).max(55).nullable().describe('outdoor air, °C; null returns to the daily cycle'),
});

export const ScenarioCheckSchema = strict({
  metric: z.enum(METRIC_NAMES).describe('a figure of the report (scenario/metrics.ts)'),
  max: z.number().optional().describe('the figure must be at most this'),
  min: z.number().optional().describe('the figure must be at least this'),
}).refine((c) => c.max !== undefined || c.min !== undefined, { message: 'expected max, min or both', path: ['max'] });

/** A controller or detector of a later issue, switched on per run (the seam; none are registered yet). */
export const ScenarioPluginSchema = strict({
  name: slug().describe('a registered controller or detector (scenario/plugins.ts)'),
  options: z.record(z.string(), z.unknown()).default({}).describe('its options, @default {}'),
});

export const ScenarioSchema = strict({
  name: slug().describe('the report folder: reports/<name>/'),
  description: z.string().min(1).describe('what the scenario rehearses, for the report'),
  config: z
    .string()
    .min(1)
    .default('../plenum.yaml')
    .describe('the site config, relative to this file, @default ../plenum.yaml'),
  hall: slug().optional().describe('@default the first hall of the site config'),
  seed: z
    .union([z.number().int(), z.string().min(1)])
    .default(1)
    .describe('the twin seed, @default 1'),
  start: z.iso
    .datetime({ offset: true, error: 'expected an ISO 8601 time such as 2026-07-15T08:00:00Z' })
    .describe('simulated time at the start (the outdoor cycle follows the hour of day)'),
  duration: duration().describe('simulated time the run covers'),
  speed: z
    .number()
    .positive()
    .max(MAX_CLOCK_SPEED, `expected a speed of at most ${MAX_CLOCK_SPEED} simulated seconds per second`)
    .describe('simulated seconds per wall second, the default of `npm run scenario` for this file'),
  schedule: z
    .enum(['none', 'generated'])
    .default('none')
    .describe('the background job schedule besides `jobs`: none, or the seeded one, @default none'),
  jobs: z.array(ScenarioJobSchema).default([]).describe('@default []'),
  faults: z.array(ScenarioFaultSchema).default([]).describe('@default []'),
  setpoints: z.array(ScenarioSetpointSchema).default([]).describe('writes to the twin (by "scenario"), @default []'),
  outdoor: z.array(ScenarioOutdoorSchema).default([]).describe('outdoor temperature changes, @default []'),
  checks: z.array(ScenarioCheckSchema).default([]).describe('the run passes when every one holds, @default []'),
  controllers: z
    .array(ScenarioPluginSchema)
    .default([])
    .describe(
      'automation switched on for this run, @default [] — none: the BMS alone, every rule of the site config observes',
    ),
  detectors: z.array(ScenarioPluginSchema).default([]).describe('prediction switched on for this run, @default []'),
});

export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ScenarioJob = z.output<typeof ScenarioJobSchema>;
export type ScenarioCheck = z.output<typeof ScenarioCheckSchema>;
