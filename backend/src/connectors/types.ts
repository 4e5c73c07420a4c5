import type { NewEvent, Point, Quality, SampleValue } from '@plenum/model';
import type { z } from 'zod';
import type { Liveness } from './liveness';

/** A value as a source delivers it: in the source's own unit, before conversion at ingest. */
export interface SourceSample {
  pointId: string;
  /** Unix ms: the source's timestamp when it gives one, else when it was read */
  ts: number;
  value: SampleValue;
  quality: Quality;
  /** the protocol's own status (OPC UA StatusCode, Modbus exception code); 0 when good */
  rawStatus?: number;
}

/** Where connectors deliver samples. Resolves once they are durable: a connector may then forget them. */
export type SampleSink = (samples: SourceSample[]) => Promise<void>;

/** A configured point with the unit its source speaks; values are converted to `unit` at ingest. */
export interface SourcePoint extends Point {
  sourceUnit: string;
  /** canonical = source * scale + offset */
  conversion: { scale: number; offset: number };
}

/** One configured source as a connector sees it (after config validation). */
export interface SourceInstance<Options> {
  /** the source's name in the site config; errors name it */
  name: string;
  /** poll or publish interval, ms */
  intervalMs: number;
  options: Options;
  points: SourcePoint[];
  /** when the source counts as silent and when it is rebuilt; @default livenessFor(intervalMs) */
  liveness?: Liveness;
  /**
   * The run's clock (common/clock.ts), Unix ms: what samples are stamped with when the source gives no time of its
   * own; liveness, timeouts and backoff stay in wall time. @default Date.now
   */
  clock?: () => number;
  /** where events the source receives on its own go (SNMP traps and informs): the event store; @default none */
  events?: (e: NewEvent) => void;
}

/** Polled sources: the runner calls `gather` every interval, never overlapping. */
export interface PolledConnector {
  mode: 'poll';
  gather(sink: SampleSink): Promise<void>;
  /** releases sockets; bounded in time */
  close(): Promise<void>;
}

/** A subscribed connector's own view of its link, read for health. */
export interface LinkHealth {
  state: 'up' | 'degraded' | 'down';
  /** why it is not up */
  lastError?: string;
  /** times the connector rebuilt its link from scratch since start */
  rebuilds?: number;
}

/**
 * Subscribed sources push on their own after `start`; `stop` is bounded in time. A connector whose data flows
 * continuously implements `health()` and its own liveness: `up` only while it has proof that data flows as
 * configured (notifications, or keep-alives plus a check of the values that did not change), `degraded` with a
 * reason otherwise, and it rebuilds its link from scratch within the source's `liveness.rebuildAfterMs`. One
 * without `health()` delivers only when something happens (job webhooks): silence is not a fault.
 */
export interface SubscribedConnector {
  mode: 'subscribe';
  start(sink: SampleSink): Promise<void>;
  stop(): Promise<void>;
  /** the link's own state after `start` (a subscription can drop and recover on its own) */
  health?(): LinkHealth | undefined;
}

/**
 * A write to one point, in the point's **source** unit (the automation layer converts from canonical units; the
 * Modbus connector then applies the inverse of the address's own scale/offset). The value's type is the point's
 * `valueType`. `null` relinquishes: control returns to the device's own logic (an OPC UA override written with a
 * Null variant, a BACnet priority slot released); a connector without a way to relinquish (Modbus) throws a
 * WriteError of kind `refused`. `point` is one of the source's configured points (matched by id).
 */
export interface WriteRequest {
  point: SourcePoint;
  value: SampleValue | null;
}

/**
 * What the device holds after the write, read back from the address written (`writeAddress` when set) with the
 * same decoding as reads (source unit). A read-back the device answers with a bad status is still an outcome:
 * `readBack` null and the status in `rawStatus`; the caller compares, the connector does not retry.
 */
export interface WriteOutcome {
  /** the value read back after the write; null after a relinquish when the device reads back nothing, or when the
   * read-back is bad (see rawStatus) */
  readBack: SampleValue | null;
  /** the protocol's status of the read-back (OPC UA StatusCode; Modbus 0, or the exception code the read-back
   * got, 0x100 malformed, 0x101 not finite); 0 when good */
  rawStatus: number;
  /** Unix ms on the run's clock when the read-back arrived */
  at: number;
}

/** Why a write did not happen or did not take; never carries secrets. */
export class WriteError extends Error {
  constructor(
    /** `config`: the point cannot be written (not writable, not a point of this source, a write address or node
     * type the connector cannot write: an input register, an array, a ByteString); `refused`: the device said no
     * (BadOutOfRange, Modbus exception 03; `rawStatus` holds its status), or the connector refused the value before
     * sending it (it does not fit the node's DataType or the register type, a relinquish Modbus lacks); `device`:
     * no usable connection (writes are never queued for later), no answer in time (then it may or may not have
     * been applied), a malformed answer */
    readonly kind: 'config' | 'refused' | 'device',
    message: string,
    /** the device's own status, when it answered */
    readonly rawStatus?: number,
  ) {
    super(message);
    this.name = 'WriteError';
  }
}

/**
 * The write capability of a connector (OPC UA, Modbus; later BACnet…). Only the automation guard calls it
 * (ARCHITECTURE.md, "Acting on the plant"): rules, controllers, the API and Grafana go through the guard, and
 * `SourceRunner.write` hands it to the running connector. A write goes to the point's `source.writeAddress` (else
 * its address), through the same connection and request queue as reads, once (connectors do not retry a write),
 * and is read back; the outcome says what the device holds. It rejects only with a WriteError.
 */
export interface WritableConnector {
  write(req: WriteRequest): Promise<WriteOutcome>;
}

export type Connector = (PolledConnector | SubscribedConnector) & Partial<WritableConnector>;

/**
 * A connector kind (one folder in connectors/). `init` validates options and does no I/O; errors from it name
 * the source and the field. Registered in connectors/all.ts.
 */
export interface ConnectorDefinition<Options = unknown> {
  name: string;
  description: string;
  /** options schema with defaults; validated when the config loads */
  options: z.ZodType<Options>;
  init(source: SourceInstance<Options>): Connector;
}
