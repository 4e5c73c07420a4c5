/**
 * `init` of the opcua connector: validates every point address (no I/O) and returns a connector that loads
 * node-opcua (≈ 1 s, tens of MB) on its first start or gather, so configs without OPC UA sources never load it.
 */
import {
  WriteError,
  type Connector,
  type LinkHealth,
  type PolledConnector,
  type SampleSink,
  type SourceInstance,
  type SubscribedConnector,
  type WritableConnector,
  type WriteOutcome,
  type WriteRequest,
} from '../types';
import type { OpcUaOptions } from './config';
import type { OpcUaDeps, OpcUaPoller, OpcUaSubscriber } from './opcua';
import { parsePoints, type OpcUaPoint } from './points';

/** Before the connector is loaded there is no session to write through: a write fails at once. */
function notStarted(source: string, req: WriteRequest): Promise<never> {
  return Promise.reject(
    new WriteError(
      'device',
      `source "${source}": cannot write point "${req.point.id}": no session yet (it opens at the first start or poll); nothing was sent`,
    ),
  );
}

class LazySubscriber implements SubscribedConnector, WritableConnector {
  readonly mode = 'subscribe' as const;
  /** the loaded connector, once started (stats, state, lastError) */
  impl?: OpcUaSubscriber;
  private stopped = false;

  constructor(
    private readonly source: SourceInstance<OpcUaOptions>,
    private readonly points: OpcUaPoint[],
    private readonly deps: OpcUaDeps,
  ) {}

  async start(sink: SampleSink): Promise<void> {
    const { OpcUaSubscriber } = await import('./opcua');
    if (this.stopped) return;
    this.impl = new OpcUaSubscriber(this.source, this.points, this.deps);
    await this.impl.start(sink);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.impl?.stop();
  }

  health(): LinkHealth | undefined {
    return this.impl?.health();
  }

  write(req: WriteRequest): Promise<WriteOutcome> {
    return this.impl ? this.impl.write(req) : notStarted(this.source.name, req);
  }
}

class LazyPoller implements PolledConnector, WritableConnector {
  readonly mode = 'poll' as const;
  impl?: OpcUaPoller;
  private closed = false;

  constructor(
    private readonly source: SourceInstance<OpcUaOptions>,
    private readonly points: OpcUaPoint[],
    private readonly deps: OpcUaDeps,
  ) {}

  async gather(sink: SampleSink): Promise<void> {
    if (!this.impl) {
      const { OpcUaPoller } = await import('./opcua');
      if (this.closed) return;
      this.impl = new OpcUaPoller(this.source, this.points, this.deps);
    }
    await this.impl.gather(sink);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.impl?.close();
  }

  write(req: WriteRequest): Promise<WriteOutcome> {
    return this.impl ? this.impl.write(req) : notStarted(this.source.name, req);
  }
}

export type OpcUaConnector = LazySubscriber | LazyPoller;

/** Parses the points (throws one config error naming every bad point) and returns the connector of the mode. */
export function createOpcUa(source: SourceInstance<OpcUaOptions>, deps: OpcUaDeps = {}): OpcUaConnector & Connector {
  const points = parsePoints(source);
  return source.options.mode === 'poll'
    ? new LazyPoller(source, points, deps)
    : new LazySubscriber(source, points, deps);
}
