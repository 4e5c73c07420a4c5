/**
 * `init` of the opcua connector: validates every point address (no I/O) and returns a connector that loads
 * node-opcua (≈ 1 s, tens of MB) on its first start or gather, so configs without OPC UA sources never load it.
 */
import type { Connector, LinkHealth, PolledConnector, SampleSink, SourceInstance, SubscribedConnector } from '../types';
import type { OpcUaOptions } from './config';
import type { OpcUaDeps, OpcUaPoller, OpcUaSubscriber } from './opcua';
import { parsePoints, type OpcUaPoint } from './points';

class LazySubscriber implements SubscribedConnector {
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
}

class LazyPoller implements PolledConnector {
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
}

export type OpcUaConnector = LazySubscriber | LazyPoller;

/** Parses the points (throws one config error naming every bad point) and returns the connector of the mode. */
export function createOpcUa(source: SourceInstance<OpcUaOptions>, deps: OpcUaDeps = {}): OpcUaConnector & Connector {
  const points = parsePoints(source);
  return source.options.mode === 'poll'
    ? new LazyPoller(source, points, deps)
    : new LazySubscriber(source, points, deps);
}
