/**
 * The `sparkplug:` section of plenum.yaml: the MQTT broker, and the roles this backend plays on it — an `edge`
 * node publishing its site's points (Sparkplug B 3.0), a primary `host` reading other edges into this historian,
 * or both. README.md explains every field; the defaults are in SPARKPLUG_DEFAULTS.
 *
 * A top-level section like `remoteWrite:` (the file's sections are flat: historian, api, automation, prediction)
 * rather than `export.sparkplug` + `hub.sparkplug`: one broker block serves both roles, and the hub role is not
 * an export.
 *
 * `resolveSparkplug` fills what depends on the rest of the file (group = site id, edge node = the only hall,
 * client ids) and reads the TLS files; load.ts calls it so that every problem is reported with the others.
 */
import fs from 'node:fs';
import nodePath from 'node:path';
import type { Site } from '@plenum/model';
import { z } from 'zod';
import { duration, size, strict } from '../config/schema-parts';

export const SPARKPLUG_DEFAULTS = {
  /** MQTT keepalive: the broker sends the Will (NDEATH / STATE offline) 1.5 keepalives after a peer goes silent */
  keepalive: '10s',
  connectTimeout: '10s',
  reconnect: { min: '500ms', max: '30s' },
  edge: {
    /** one DDATA per device per interval, holding every sample of the interval */
    interval: '1s',
    /** QoS of DDATA: 1 so that the spool forgets a message only once the broker has it (Sparkplug asks 0) */
    qos: 1,
    /** ≈ 22 bytes a sample on disk (measured): 1 GiB ≈ 49 M samples, 80 min of 10 000 points at 1 Hz, 21 h of 648 */
    maxQueueBytes: '1gb',
  },
  host: {
    /** how long a message after a seq gap waits for the missing ones before the host asks for a rebirth */
    reorderTimeout: '2s',
  },
} as const;

/** Sparkplug ids (group, edge node, device, host): UTF-8 without the MQTT separators and wildcards (§4.1.1). */
const ID_PATTERN = /^[^+/#\s]+$/;
const spId = () =>
  z.string().min(1).max(200).regex(ID_PATTERN, 'expected a Sparkplug id: no "/", "+", "#" or white space');

const BROKER_URL = /^(mqtt|mqtts|tcp|ssl|ws|wss):\/\/[^/\s]+/;

export const BrokerSchema = strict({
  url: z
    .string()
    .regex(BROKER_URL, 'expected a broker URL such as "mqtt://broker:1883" or "mqtts://broker:8883"')
    .describe('the MQTT server: mqtt://host:1883, mqtts://host:8883 (TLS), ws:// or wss://'),
  username: z.string().min(1).optional().describe('MQTT user name; write ${VAR} to read it from the environment'),
  password: z.string().min(1).optional().describe('MQTT password; write ${VAR} to read it from the environment'),
  tls: strict({
    ca: z.string().min(1).optional().describe("CA certificates (PEM) the broker's certificate must chain to"),
    cert: z.string().min(1).optional().describe('client certificate (PEM) for brokers that ask for one'),
    key: z.string().min(1).optional().describe("the client certificate's private key (PEM)"),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe("refuse a broker whose certificate does not chain to ca (or the system's CAs), @default true"),
  })
    .optional()
    .describe("TLS options for mqtts:// and wss://; paths relative to this file's folder"),
  keepalive: duration()
    .prefault(SPARKPLUG_DEFAULTS.keepalive)
    .describe(`MQTT keepalive (whole seconds on the wire), @default ${SPARKPLUG_DEFAULTS.keepalive}`),
  connectTimeout: duration()
    .prefault(SPARKPLUG_DEFAULTS.connectTimeout)
    .describe(`a connection attempt fails after this, @default ${SPARKPLUG_DEFAULTS.connectTimeout}`),
  reconnect: strict({
    min: duration().prefault(SPARKPLUG_DEFAULTS.reconnect.min).describe('first wait, @default 500ms'),
    max: duration().prefault(SPARKPLUG_DEFAULTS.reconnect.max).describe('longest wait (doubling), @default 30s'),
  })
    .prefault({})
    .describe('wait between connection attempts, doubling from min to max, @default {min: 500ms, max: 30s}'),
}).describe('the MQTT server both roles connect to');

export const EdgeSchema = strict({
  groupId: spId().optional().describe('Sparkplug group id, @default the site id'),
  hall: z
    .string()
    .optional()
    .describe('the hall this edge node publishes (one edge node per hall), @default the only hall of the site'),
  edgeNodeId: spId().optional().describe('Sparkplug edge node id, @default the hall id'),
  clientId: z.string().min(1).max(200).optional().describe('MQTT client id, @default plenum-edge-<group>-<edge node>'),
  primaryHostId: spId()
    .optional()
    .describe(
      'wait for this primary host (spBv1.0/STATE/<id> online) before births and data; spool while it is offline',
    ),
  interval: duration()
    .prefault(SPARKPLUG_DEFAULTS.edge.interval)
    .describe(`one DDATA per device per interval, @default ${SPARKPLUG_DEFAULTS.edge.interval}`),
  qos: z
    .union([z.literal(0), z.literal(1)], { error: 'expected 0 or 1' })
    .default(SPARKPLUG_DEFAULTS.edge.qos)
    .describe('QoS of DDATA; 1: spooled data is forgotten only once the broker acknowledged it, @default 1'),
  maxQueueBytes: size()
    .prefault(SPARKPLUG_DEFAULTS.edge.maxQueueBytes)
    .describe(
      `store-and-forward bound on disk; above it the oldest are dropped (counted), @default ${SPARKPLUG_DEFAULTS.edge.maxQueueBytes}`,
    ),
}).describe('publish this site as a Sparkplug B edge node');

export const HostSchema = strict({
  hostId: spId().describe('primary host id: its STATE is spBv1.0/STATE/<hostId>'),
  clientId: z.string().min(1).max(200).optional().describe('MQTT client id, @default plenum-host-<hostId>'),
  groups: z.array(spId()).min(1).optional().describe('read only these groups, @default every group'),
  reorderTimeout: duration()
    .prefault(SPARKPLUG_DEFAULTS.host.reorderTimeout)
    .describe(
      `wait this long for a missing seq before asking for a rebirth, @default ${SPARKPLUG_DEFAULTS.host.reorderTimeout}`,
    ),
}).describe('read Sparkplug B edge nodes into this historian as their primary host');

export const SparkplugSchema = strict({
  broker: BrokerSchema,
  edge: EdgeSchema.optional(),
  host: HostSchema.optional(),
})
  .refine((s) => s.edge !== undefined || s.host !== undefined, {
    message: 'expected edge, host or both: the roles this backend plays on the broker',
  })
  .describe(
    'MQTT Sparkplug B 3.0: this site as an edge node, and/or a primary host for other edges (sparkplug/README.md)',
  );

export type SparkplugDocument = z.output<typeof SparkplugSchema>;

export interface BrokerConfig {
  url: string;
  username?: string;
  password?: string;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean };
  keepaliveMs: number;
  connectTimeoutMs: number;
  reconnect: { minMs: number; maxMs: number };
}

export interface EdgeConfig {
  groupId: string;
  edgeNodeId: string;
  /** the hall whose points it publishes */
  hall: string;
  clientId: string;
  primaryHostId?: string;
  intervalMs: number;
  qos: 0 | 1;
  maxQueueBytes: number;
}

export interface HostConfig {
  hostId: string;
  clientId: string;
  groups?: string[];
  reorderTimeoutMs: number;
}

export interface SparkplugConfig {
  broker: BrokerConfig;
  edge?: EdgeConfig;
  host?: HostConfig;
}

type Issue = { path: readonly PropertyKey[]; message: string };

/**
 * Reads a broker block's TLS files relative to `dir` and checks what the schema cannot; `at` is where the block
 * is in the file (`sparkplug.broker`, `hub.broker`), so problems name it.
 */
export function resolveBroker(
  b: z.output<typeof BrokerSchema>,
  dir: string,
  issues: Issue[],
  at: readonly PropertyKey[],
): BrokerConfig {
  const read = (field: 'ca' | 'cert' | 'key', p: string | undefined): Buffer | undefined => {
    if (p === undefined) return undefined;
    const abs = nodePath.resolve(dir, p);
    try {
      return fs.readFileSync(abs);
    } catch (e) {
      const code = (e as { code?: unknown })?.code;
      issues.push({ path: [...at, 'tls', field], message: `cannot read ${abs} (${String(code ?? e)})` });
      return undefined;
    }
  };
  if (b.tls && (b.tls.cert === undefined) !== (b.tls.key === undefined))
    issues.push({ path: [...at, 'tls', b.tls.cert ? 'key' : 'cert'], message: 'cert and key go together' });
  if (b.tls && !/^(mqtts|ssl|wss):/.test(b.url))
    issues.push({ path: [...at, 'tls'], message: `tls needs an mqtts:// or wss:// url; got ${b.url}` });
  const broker: BrokerConfig = {
    url: b.url,
    ...(b.username !== undefined && { username: b.username }),
    ...(b.password !== undefined && { password: b.password }),
    ...(b.tls && {
      tls: {
        ca: read('ca', b.tls.ca),
        cert: read('cert', b.tls.cert),
        key: read('key', b.tls.key),
        rejectUnauthorized: b.tls.rejectUnauthorized,
      },
    }),
    keepaliveMs: b.keepalive,
    connectTimeoutMs: b.connectTimeout,
    reconnect: { minMs: b.reconnect.min, maxMs: b.reconnect.max },
  };
  if (broker.reconnect.maxMs < broker.reconnect.minMs)
    issues.push({
      path: [...at, 'reconnect', 'max'],
      message: `max (${broker.reconnect.maxMs} ms) is below min (${broker.reconnect.minMs} ms)`,
    });
  return broker;
}

/** Fills the defaults that depend on the site, reads TLS files relative to `dir`; problems go to `issues`. */
export function resolveSparkplug(doc: SparkplugDocument, site: Site, dir: string, issues: Issue[]): SparkplugConfig {
  const broker = resolveBroker(doc.broker, dir, issues, ['sparkplug', 'broker']);
  const out: SparkplugConfig = { broker };
  if (doc.edge) {
    const e = doc.edge;
    const halls = site.halls.map((h) => h.id);
    if (e.hall !== undefined && !halls.includes(e.hall))
      issues.push({
        path: ['sparkplug', 'edge', 'hall'],
        message: `no hall "${e.hall}" in the site; expected one of ${halls.join(', ')}`,
      });
    const hall = e.hall ?? (halls.length === 1 ? halls[0] : undefined);
    if (hall === undefined)
      issues.push({
        path: ['sparkplug', 'edge', 'hall'],
        message: `the site has ${halls.length} halls (${halls.join(', ')}); set the hall this edge node publishes (one edge node per hall)`,
      });
    const edgeNodeId = e.edgeNodeId ?? hall ?? '';
    const groupId = e.groupId ?? site.id;
    if (!ID_PATTERN.test(groupId))
      issues.push({
        path: ['sparkplug', 'edge', 'groupId'],
        message: `the site id "${groupId}" is no Sparkplug id; set groupId`,
      });
    out.edge = {
      groupId,
      edgeNodeId,
      hall: hall ?? '',
      clientId: e.clientId ?? `plenum-edge-${groupId}-${edgeNodeId}`,
      ...(e.primaryHostId !== undefined && { primaryHostId: e.primaryHostId }),
      intervalMs: e.interval,
      qos: e.qos,
      maxQueueBytes: e.maxQueueBytes,
    };
  }
  if (doc.host)
    out.host = {
      hostId: doc.host.hostId,
      clientId: doc.host.clientId ?? `plenum-host-${doc.host.hostId}`,
      ...(doc.host.groups && { groups: doc.host.groups }),
      reorderTimeoutMs: doc.host.reorderTimeout,
    };
  if (out.edge && out.host && out.edge.clientId === out.host.clientId)
    issues.push({
      path: ['sparkplug', 'host', 'clientId'],
      message: `the same MQTT client id as the edge's ("${out.host.clientId}")`,
    });
  return out;
}
