/**
 * The `prediction:` section of plenum.yaml: the cooling zones (which CRAHs serve which racks: the peers of a rack
 * sensor, the racks a CRAH fault heats), the evaluation cadence, the limits forecasts aim at, alarm hygiene
 * (ISA-18.2) and where alerts go. README.md explains every field; defaults here.
 */
import { z } from 'zod';
import { WebhookSchema } from '../automation/config';
import { ZoneSchema } from '../automation/controllers/zones';
import { duration, slug, strict } from '../config/schema-parts';

export const PredictionSchema = strict({
  hall: slug().optional().describe('the hall the detectors watch, @default the first of the site'),
  zones: z
    .array(ZoneSchema)
    .default([])
    .describe('cooling zones: the CRAHs blowing into a cold aisle and the racks it serves; @default one zone, all'),
  cdu: slug().optional().describe('the CDU asset id of the liquid loop, @default the hall asset of type cdu'),
  plant: slug().optional().describe('the chilled-water plant asset id, @default the hall asset of type chiller'),
  cadence: duration().prefault('10s').describe('how often the detectors evaluate (data time), @default 10s'),
  staleAfter: duration()
    .prefault('2m')
    .describe('a sample older than this is missing to the detectors (they degrade, never alarm), @default 2m'),
  learn: duration()
    .prefault('24h')
    .describe(
      'healthy history a model needs before it may alarm — long enough to see the loads the racks run (a day = 8640 evaluations at 10 s: idle, training and the jobs between), @default 24h',
    ),
  limits: strict({
    inletC: z.number().default(27).describe('rack inlet: ASHRAE recommended maximum, @default 27 °C'),
    inletAllowableC: z
      .number()
      .default(32)
      .describe('rack inlet: ASHRAE A1 allowable maximum, forecast once the recommended one is passed, @default 32 °C'),
    gpuC: z.number().default(87).describe('GPU die: throttle point, @default 87 °C'),
    cduSupplyC: z.number().default(35).describe('CDU supply to the cold plates (ASHRAE W32 + margin), @default 35 °C'),
    pduRatedShare: z
      .number()
      .gt(0)
      .max(2)
      .optional()
      .describe(
        "PDU load: forecast each rack's pdu/power against this share of its ratedKw (site topology), 1 for the rating itself, 0.8 for the 80 % continuous-load rule; @default unset: no PDU load forecasts (job ramps that settle below the rating read as breaches to a straight line, README.md)",
      ),
  })
    .refine((l) => l.inletAllowableC > l.inletC, {
      path: ['inletAllowableC'],
      message: 'must be above limits.inletC (the allowable limit is the second, higher one)',
    })
    .prefault({})
    .describe(
      'what forecasts aim at, @default {inletC: 27, inletAllowableC: 32, gpuC: 87, cduSupplyC: 35} (no pduRatedShare: no PDU load forecasts)',
    ),
  scores: strict({
    every: duration()
      .prefault('1m')
      .describe(
        'how often each anomaly-score series gets a sample (its largest score since the last one), data time, @default 1m',
      ),
    series: z
      .enum(['asset', 'detector', 'none'])
      .default('asset')
      .describe(
        'asset: <asset>/anomaly_score per asset with detectors; detector: also anomaly_score_<detector> per detector; none: no series, @default asset',
      ),
  })
    .prefault({})
    .describe('anomaly-score series written to the historian, @default {every: 1m, series: asset}'),
  horizon: duration().prefault('6h').describe('forecasts look this far ahead, @default 6h'),
  alarms: strict({
    floodCount: z.number().int().min(2).default(10).describe('more new alarms than this …, @default 10'),
    floodWindow: duration().prefault('10m').describe('… within this window is a flood, @default 10m'),
    maxShelve: duration().prefault('8h').describe('longest an operator may shelve an alarm, @default 8h'),
    reopenWithin: duration()
      .prefault('30m')
      .describe('an alarm back within this time of clearing reopens its event (no chattering), @default 30m'),
  })
    .prefault({})
    .describe(
      'alarm hygiene (ISA-18.2), @default {floodCount: 10, floodWindow: 10m, maxShelve: 8h, reopenWithin: 30m}',
    ),
  alertmanager: strict({
    url: z.url().describe('Alertmanager base URL, e.g. http://127.0.0.1:9093'),
    resend: duration().prefault('1m').describe('open alerts are re-sent this often, @default 1m'),
    timeout: duration().prefault('5s').describe('per request, @default 5s'),
    labels: z.record(z.string(), z.string()).default({}).describe('added to every alert, @default {}'),
    generatorUrl: z.url().optional().describe('link back (the Grafana Predictions dashboard)'),
  })
    .optional()
    .describe('send open predictions to Prometheus Alertmanager (API v2)'),
  webhook: WebhookSchema.optional().describe(
    'POST every prediction opened, updated or closed (signed like automation webhooks)',
  ),
});

export type PredictionConfig = z.output<typeof PredictionSchema>;
