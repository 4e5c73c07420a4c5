/**
 * The `automation:` section of plenum.yaml (and the body of the rules API): guard limits per point, the device
 * watchdog heartbeat, notification targets, rack power caps and the rules with their triggers, actions and
 * modes. One schema (zod) validates the file, the API and the published JSON Schema; what a schema cannot say
 * (points that exist, bounds inside the point's limits, cycles) is checked in validate.ts. README.md explains it.
 */
import { z } from 'zod';
import { duration, slug, strict } from '../config/schema-parts';

export const MODES = ['observe', 'dry-run', 'approve', 'auto'] as const;
export type Mode = (typeof MODES)[number];

/** Point ids with `*` (one segment) and `**` (any) globs, as in query selectors. */
// bounded like a query selector's: a 100 kB glob once compiled into a RegExp too large for V8 (a 500)
const ids = () =>
  z
    .array(z.string().min(1).max(500))
    .min(1)
    .max(1000)
    .describe('point ids; `*` globs within a segment, `**` across segments');

export const GUARD_DEFAULTS = {
  staleAfter: '2m',
  settle: '60s',
  lease: '90s',
  breaker: { maxWrites: 30, window: '10m' },
  approvalExpiry: '15m',
} as const;

export const PointLimitsSchema = strict({
  ids: ids(),
  min: z
    .number()
    .optional()
    .describe("lowest value Plenum may write, canonical unit; intersected with the point's own min"),
  max: z
    .number()
    .optional()
    .describe("highest value Plenum may write, canonical unit; intersected with the point's own max"),
  maxStep: z.number().positive().optional().describe('largest change in one write, canonical unit, @default none'),
  slewPerMin: z
    .number()
    .positive()
    .optional()
    .describe('largest change per minute between writes, canonical unit, @default none'),
  minDwell: duration().optional().describe('shortest time between two writes to the point, @default none'),
  release: z
    .enum(['restore', 'relinquish'])
    .default('restore')
    .describe(
      'how a lease ends: write back the value the device had before Plenum (restore), or hand control back with a null write (relinquish: OPC UA overrides), @default restore',
    ),
  tolerance: z
    .number()
    .min(0)
    .default(0.01)
    .describe('read-back may differ by this much (canonical unit), @default 0.01'),
}).refine((p) => p.min === undefined || p.max === undefined || p.min <= p.max, {
  message: 'min is above max; expected min ≤ max',
  path: ['min'],
});

export const GuardSchema = strict({
  staleAfter: duration()
    .prefault(GUARD_DEFAULTS.staleAfter)
    .describe(`an input older than this is stale: no write, @default ${GUARD_DEFAULTS.staleAfter}`),
  settle: duration()
    .prefault(GUARD_DEFAULTS.settle)
    .describe(
      `an input that was bad or missing must be good this long before it may fire, @default ${GUARD_DEFAULTS.settle}`,
    ),
  lease: duration()
    .prefault(GUARD_DEFAULTS.lease)
    .describe(
      `how long a write holds without renewal before the point is released to the BMS, @default ${GUARD_DEFAULTS.lease}`,
    ),
  breaker: strict({
    maxWrites: z
      .number()
      .int()
      .min(1)
      .default(GUARD_DEFAULTS.breaker.maxWrites)
      .describe('writes of one rule to one point per window before the rule is locked, @default 30'),
    window: duration().prefault(GUARD_DEFAULTS.breaker.window).describe(`@default ${GUARD_DEFAULTS.breaker.window}`),
  })
    .prefault({})
    .describe(
      'a rule that writes one point this often is locked and raises an alarm, @default {maxWrites: 30, window: 10m}',
    ),
  approvalExpiry: duration()
    .prefault(GUARD_DEFAULTS.approvalExpiry)
    .describe(`a proposal not approved within this expires, @default ${GUARD_DEFAULTS.approvalExpiry}`),
}).describe('the guard every write passes, @default {} (every field at its default)');

export const HeartbeatSchema = strict({
  point: z.string().min(1).describe("the device watchdog's heartbeat point (writable); any value renews"),
  leasePoint: z
    .string()
    .min(1)
    .optional()
    .describe('where the lease length is written (seconds), when the device takes one'),
  lease: duration()
    .prefault('30s')
    .describe(
      'how long a heartbeat holds at the device: the plant is back under BMS control within this after Plenum stops, @default 30s',
    ),
}).describe('a heartbeat to the device watchdog, so the BMS takes its plant back when Plenum crashes');

export const WebhookSchema = strict({
  url: z.url().describe('POST target'),
  secret: z
    .string()
    .min(16)
    .optional()
    .describe('HMAC-SHA256 key: the body is signed in `X-Plenum-Signature: sha256=<hex>`'),
  timeout: duration().prefault('5s').describe('@default 5s'),
  retries: z.number().int().min(0).max(20).default(5).describe('retries with backoff 1 s → 60 s, @default 5'),
});

export const PowerCapsSchema = strict({
  redfish: z.url().describe("Redfish service root of the racks' BMCs, e.g. http://10.0.0.5/redfish/v1"),
  chassis: z.string().default('{rack}').describe('chassis id per rack; placeholder {rack}, @default {rack}'),
  minKw: z.number().positive().default(20).describe('the lowest cap Plenum sets on a rack, kW, @default 20'),
  token: z.string().optional().describe('X-Auth-Token for the BMCs'),
});

// ── triggers ──
const Threshold = strict({
  threshold: strict({
    ids: ids(),
    above: z.number().optional().describe('fires while a value is above this'),
    below: z.number().optional().describe('fires while a value is below this'),
    onDelay: duration().optional().describe('must hold this long before firing, @default 0'),
    offDelay: duration().optional().describe('must clear this long before the rule resets, @default 0'),
    deadband: z.number().min(0).default(0).describe('clears only this far back inside the threshold, @default 0'),
  }).refine((t) => (t.above === undefined) !== (t.below === undefined), {
    message: 'expected above or below (one of them)',
    path: ['above'],
  }),
});
const Rate = strict({
  rate: strict({
    ids: ids(),
    perMinuteAbove: z
      .number()
      .describe('fires while a value rises faster than this per minute (negative: falls faster)'),
    over: duration().prefault('5m').describe('window the rate is measured over, @default 5m'),
  }),
});
const Job = strict({
  job: strict({
    phase: z.enum(['submit', 'start', 'end']).describe('job_submit, job_start or job_end'),
    minKw: z.number().min(0).default(0).describe('only jobs expecting at least this per rack, kW, @default 0'),
  }),
});
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const clockTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day HH:MM (00:00–23:59)')
  .describe('HH:MM');
const Schedule = strict({
  schedule: strict({
    every: duration().optional().describe('fires once every this long (on the clock, aligned)'),
    between: z
      .tuple([clockTime, clockTime])
      .optional()
      .describe("active from the first time of day until the second (['22:00', '06:00'] spans midnight)"),
    days: z.array(z.enum(DAYS)).min(1).optional().describe('the days a window starts on, @default every day'),
    timeZone: z
      .string()
      .refine(
        (tz) => {
          try {
            new Intl.DateTimeFormat('en', { timeZone: tz });
            return true;
          } catch {
            return false;
          }
        },
        { message: 'expected an IANA time zone such as Europe/Amsterdam or UTC' },
      )
      .default('UTC')
      .describe('the site clock the window is read in, @default UTC'),
  }).superRefine((s, ctx) => {
    if ((s.every === undefined) === (s.between === undefined))
      ctx.addIssue({ code: 'custom', message: 'expected one of every (a period) or between (a window of the day)' });
    if (s.every !== undefined && s.days !== undefined)
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'days go with between, not every' });
  }),
});
const ConnectorState = strict({
  connector: strict({
    sources: z.array(slug()).min(1),
    state: z.enum(['degraded', 'down', 'up']).describe('fires while a source is in this state'),
    for: duration().optional().describe('for at least this long, @default 0'),
  }),
});
const PredictionTrigger = strict({
  prediction: strict({
    diagnosis: z
      .array(z.string().min(1))
      .optional()
      .describe('diagnoses that fire (filter_clog, limit_forecast, …; predict/README.md), @default any'),
    severity: z.enum(['warning', 'critical']).optional().describe('at least this severity, @default any'),
    withinMin: z
      .number()
      .positive()
      .optional()
      .describe('only predictions whose limit is this many minutes away or closer, @default any'),
    assets: z.array(z.string().min(1).max(500)).max(1000).optional().describe('asset paths or globs, @default any'),
  }),
});
const Always = strict({
  always: strict({}).describe('active for as long as the rule runs: a fixed policy (a site run colder, a cap)'),
});
export const TriggerSchema = z.union([Threshold, Rate, Job, Schedule, ConnectorState, PredictionTrigger, Always], {
  error: 'expected one of threshold, rate, job, schedule, connector, prediction, always',
});

// ── actions ──
const Write = strict({
  write: strict({
    ids: ids(),
    value: z.number().optional().describe('absolute value, canonical unit'),
    relative: z.number().optional().describe('change from the present value, canonical unit'),
    ramp: strict({ to: z.number(), over: duration() }).optional().describe('towards `to` over `over`, within slew'),
  }).refine((w) => [w.value, w.relative, w.ramp].filter((x) => x !== undefined).length === 1, {
    message: 'expected exactly one of value, relative, ramp',
    path: ['value'],
  }),
});
const TrimRespond = strict({
  trimRespond: strict({
    ids: ids().describe('the setpoint(s) reset, e.g. CRAH supply setpoints'),
    requests: strict({ ids: ids(), above: z.number() }).describe('a zone input above this is one request'),
    ignore: z.number().int().min(0).default(1).describe('requests ignored per period, @default 1'),
    trim: z.number().describe('change per period without requests, toward economy (e.g. +0.2 °C)'),
    respond: z.number().describe('change per request beyond the ignored ones (e.g. −0.3 °C)'),
    maxRespond: z.number().positive().describe('largest respond per period, absolute'),
    period: duration().prefault('2m'),
    min: z.number().optional().describe('the reset stays at or above this [G36 SPmin], @default the point limits'),
    max: z.number().optional().describe('the reset stays at or below this [G36 SPmax], @default the point limits'),
  }),
});
const Event = strict({
  event: strict({
    severity: z.enum(['info', 'warning', 'critical']).default('info'),
    title: z.string().min(1).describe('placeholders {rule}, {point}, {value}, {rack}'),
  }),
});
const Webhook = strict({ webhook: WebhookSchema });
const Cap = strict({
  capRacks: strict({
    racks: z.enum(['trigger', 'job']).default('trigger').describe("the racks of the trigger's points or of the job"),
    kw: z.number().positive().describe('the cap per rack, kW'),
  }),
});
const Scheduler = strict({ scheduler: WebhookSchema.describe('tells the scheduler (drain, hold) through a webhook') });
export const ActionSchema = z.union([Write, TrimRespond, Event, Webhook, Cap, Scheduler], {
  error: 'expected one of write, trimRespond, event, webhook, capRacks, scheduler',
});

export const RuleSchema = strict({
  id: slug().describe('unique; names the rule in the audit trail'),
  description: z.string().optional(),
  mode: z.enum(MODES).default('observe').describe('observe, dry-run, approve or auto, @default observe'),
  priority: z.number().int().min(1).max(9).default(5).describe('1 highest; an operator is 1, @default 5'),
  controller: z
    .enum(['feed-forward', 'cooling-fault'])
    .optional()
    .describe('a built-in controller instead of when/then'),
  options: z.record(z.string(), z.unknown()).default({}).describe("the controller's options, @default {}"),
  when: TriggerSchema.optional(),
  then: z.array(ActionSchema).default([]).describe('what the rule does when it fires, @default []'),
}).refine((r) => (r.controller === undefined) === (r.when !== undefined), {
  message: 'expected a controller, or when and then',
  path: ['when'],
});

export const AutomationSchema = strict({
  guard: GuardSchema.prefault({}),
  points: z
    .array(PointLimitsSchema)
    .default([])
    .describe('write limits per point; a point with no entry cannot be written, @default []'),
  heartbeat: HeartbeatSchema.optional(),
  powerCaps: PowerCapsSchema.optional(),
  notify: strict({
    power: WebhookSchema.optional().describe('power management: job start/end and caps with feed headroom'),
    scheduler: WebhookSchema.optional().describe('the scheduler: caps and cooling faults'),
  })
    .prefault({})
    .describe('who is told about jobs, caps and cooling faults, @default {} (nobody)'),

  capacity: strict({
    fans: z.string().optional().describe('point ids (globs) of the CRAH fan speeds, %; @default none'),
    fanLimitPct: z
      .number()
      .min(1)
      .max(100)
      .default(90)
      .describe('no new load while a fan is above this, %, @default 90'),
    plantLoad: z.string().optional().describe('the plant load point, kW; @default none'),
    plantKw: z.number().positive().optional().describe('what the plant can remove, kW; @default none'),
    plantMargin: z.number().min(0).max(0.5).default(0.05).describe('kept free of the plant capacity, @default 0.05'),
    feeds: z
      .array(
        strict({
          id: slug().describe('the feed: a busway, RPP or UPS output'),
          hall: slug().optional().describe('@default every hall'),
          racks: z.array(z.string().min(1).max(500)).min(1).describe('the rack ids or globs it feeds (A*, B0?)'),
          ratedKw: z.number().positive().describe('what it may carry, kW'),
        }),
      )
      .default([])
      .describe('the power feeds racks hang off, for headroom beyond each rack PDU (ratedKw), @default []'),
    feedMargin: z.number().min(0).max(0.5).default(0).describe('kept free of each feed rating, @default 0'),
  })
    .prefault({})
    .describe('what the capacity check (POST /api/capacity) compares cooling with, @default {}'),
  rules: z.array(RuleSchema).default([]).describe('@default []'),
}).describe('automated responses: rules and controllers, every write through one guard');

export type AutomationConfig = z.output<typeof AutomationSchema>;
export type PointLimits = z.output<typeof PointLimitsSchema>;
export type RuleConfig = z.output<typeof RuleSchema>;
export type Trigger = z.output<typeof TriggerSchema>;
export type Action = z.output<typeof ActionSchema>;
export type GuardConfig = z.output<typeof GuardSchema>;
export type WebhookConfig = z.output<typeof WebhookSchema>;
