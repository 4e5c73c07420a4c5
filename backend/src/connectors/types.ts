import type { Point, Quality, SampleValue } from '@plenum/model';
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

export type Connector = PolledConnector | SubscribedConnector;

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
