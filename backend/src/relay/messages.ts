/**
 * The Plenum topics between edges and the hub, outside Sparkplug's spBv1.0 namespace (README.md), and their JSON
 * bodies, checked with zod on arrival: a message that does not parse is logged and dropped, never half-applied.
 *
 * `plenum/v1/<group>/<edge node>/…`, with the edge's Sparkplug ids (group = site, edge node = hall by default):
 * - `info` (edge → hub, retained): which site and hall the edge publishes and its racks, for routing jobs;
 * - `events` (edge → hub): a batch of event changes after the edge's cursor; `events/ack` (hub → edge);
 * - `jobs` (hub → edge): a scheduler's job webhook; `jobs/reply` (edge → hub): what the edge answered.
 * And `plenum/v1/hub/<hub client id>/state` (hub → edges, retained; its Will says offline): a hub that comes
 * online makes the edges send what waits at once instead of at their next resend.
 */
import { EVENT_TYPES, SEVERITIES, type PlenumEvent } from '@plenum/model';
import { z } from 'zod';
import { formatIssues } from '../common/zod-issues';

export const RELAY_PREFIX = 'plenum/v1';

export type RelayKind = 'info' | 'events' | 'events/ack' | 'jobs' | 'jobs/reply';

export const relayTopic = (group: string, edge: string, kind: RelayKind) => `${RELAY_PREFIX}/${group}/${edge}/${kind}`;

/** `plenum/v1/<group>/<edge>/<kind>` read back; undefined for any other topic. */
export function parseRelayTopic(topic: string): { group: string; edge: string; kind: RelayKind } | undefined {
  const m = /^plenum\/v1\/([^/]+)\/([^/]+)\/(info|events|events\/ack|jobs|jobs\/reply)$/.exec(topic);
  return m ? { group: m[1]!, edge: m[2]!, kind: m[3] as RelayKind } : undefined;
}

export const hubStateTopic = (hubId: string) => `${RELAY_PREFIX}/hub/${hubId}/state`;
export const HUB_STATE_FILTER = `${RELAY_PREFIX}/hub/+/state`;
export const isHubStateTopic = (topic: string) => /^plenum\/v1\/hub\/[^/]+\/state$/.test(topic);
/** `store`: the hub's event store id (EventStore.storeId): edges keep a cursor per store */
export const hubStateSchema = z.object({ online: z.boolean(), time: z.number(), store: z.number().int() });

export const infoSchema = z.object({
  site: z.string().min(1),
  hall: z.string().min(1),
  /** the racks of the hall (ids), so the hub routes a job naming racks but no hall */
  racks: z.array(z.string()).max(100_000),
  /** Unix ms when the edge connected */
  time: z.number(),
});
export type EdgeInfo = z.infer<typeof infoSchema>;

const eventSchema = z.looseObject({
  id: z.number().int().positive(),
  time: z.number(),
  timeEnd: z.number().optional(),
  type: z.enum(EVENT_TYPES as [PlenumEvent['type'], ...PlenumEvent['type'][]]),
  severity: z.enum(SEVERITIES as [PlenumEvent['severity'], ...PlenumEvent['severity'][]]),
  title: z.string(),
  text: z.string().optional(),
  location: z.record(z.string(), z.string()).optional(),
  pointId: z.string().optional(),
  tags: z.array(z.string()),
  source: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

/** Changes `(from, to]` of the edge's event store: every event written after `from`, as it is now. */
export const eventsBatchSchema = z.object({
  site: z.string().min(1),
  hall: z.string().min(1),
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  changes: z.array(z.object({ version: z.number().int().positive(), event: eventSchema })),
});
export type EventsBatch = z.infer<typeof eventsBatchSchema>;

/** The hub whose event store is `store` stored the batch `(from, to]`. */
export const eventsAckSchema = z.object({
  from: z.number().int().min(0),
  to: z.number().int().min(0),
  store: z.number().int(),
});

export const jobRequestSchema = z.object({ requestId: z.string().min(1).max(100), body: z.unknown() });
export const jobReplySchema = z.object({
  requestId: z.string().min(1).max(100),
  status: z.number().int().min(100).max(599),
  body: z.unknown(),
});
export type JobReply = z.infer<typeof jobReplySchema>;

/** JSON of a message, or a reason why not. */
export function readJson<T extends z.ZodType>(
  schema: T,
  payload: Buffer,
): { ok: true; value: z.infer<T> } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const r = schema.safeParse(raw);
  if (!r.success) return { ok: false, reason: formatIssues(r.error.issues.slice(0, 3)).join('; ') };
  return { ok: true, value: r.data };
}

export const toBuffer = (value: unknown) => Buffer.from(JSON.stringify(value));
