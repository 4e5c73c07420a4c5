import type { Point, Quality, SampleValue } from '@plenum/model';
import type { z } from 'zod';

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
}

/** Polled sources: the runner calls `gather` every interval, never overlapping. */
export interface PolledConnector {
  mode: 'poll';
  gather(sink: SampleSink): Promise<void>;
  /** releases sockets; bounded in time */
  close(): Promise<void>;
}

/** Subscribed sources push on their own after `start`; `stop` is bounded in time. */
export interface SubscribedConnector {
  mode: 'subscribe';
  start(sink: SampleSink): Promise<void>;
  stop(): Promise<void>;
  /** the link's own state after `start` (a subscription can drop and recover on its own); read for health */
  health?(): { state: 'up' | 'degraded' | 'down'; lastError?: string } | undefined;
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
