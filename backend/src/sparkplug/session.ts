/**
 * One MQTT connection at a time to the broker, built again after every loss with a fresh Will: the reconnect
 * loop is ours (mqtt.js' own is off), because a Sparkplug session is bound to its connection — an edge's new
 * session needs a new bdSeq in its Will (NDEATH), and messages left in flight must not be resent by the library
 * under the old session's seq. Waits double from reconnect.min to reconnect.max; the first connect does not throw.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { BrokerConfig } from './config';

export interface Will {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  retain: boolean;
}

export interface SessionHandlers {
  /** the Will of the next connection (called before each attempt); undefined: none */
  will(): Will | undefined;
  /** a connection is up (CONNACK): subscribe and publish births here */
  onConnect(client: MqttClient): void;
  onMessage(topic: string, payload: Buffer): void;
  /** the connection is gone (not called after stop) */
  onClose(reason: string): void;
}

export class Session {
  private client: MqttClient | undefined;
  private waitMs: number;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private lastError = '';
  /** connections made since start */
  connects = 0;

  constructor(
    private readonly broker: BrokerConfig,
    private readonly clientId: string,
    private readonly h: SessionHandlers,
    private readonly log: (msg: string) => void,
  ) {
    this.waitMs = broker.reconnect.minMs;
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** the live client, for publishing; undefined while disconnected */
  get current(): MqttClient | undefined {
    return this.client?.connected ? this.client : undefined;
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  private options(): IClientOptions {
    const b = this.broker;
    const will = this.h.will();
    return {
      clientId: this.clientId,
      clean: true,
      protocolVersion: 4,
      keepalive: Math.max(1, Math.round(b.keepaliveMs / 1000)),
      connectTimeout: b.connectTimeoutMs,
      reconnectPeriod: 0,
      queueQoSZero: false,
      ...(will && { will }),
      ...(b.username !== undefined && { username: b.username }),
      ...(b.password !== undefined && { password: b.password }),
      ...(b.tls && {
        ...(b.tls.ca && { ca: b.tls.ca }),
        ...(b.tls.cert && { cert: b.tls.cert }),
        ...(b.tls.key && { key: b.tls.key }),
        rejectUnauthorized: b.tls.rejectUnauthorized,
      }),
    };
  }

  private open(): void {
    if (this.stopped) return;
    let c: MqttClient;
    try {
      c = mqtt.connect(this.broker.url, this.options());
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.log(`sparkplug: cannot connect to ${displayUrl(this.broker.url)} (${this.lastError})`);
      this.schedule();
      return;
    }
    this.client = c;
    c.on('connect', () => {
      if (this.client !== c) return;
      this.connects++;
      // small request/answer messages (a job routed by the hub and its reply) would wait for Nagle's algorithm
      // and the peer's delayed ACK (≈ 40 ms a hop on Linux); batches are written whole, so this costs no packets
      (c.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
      this.waitMs = this.broker.reconnect.minMs;
      this.lastError = '';
      try {
        this.h.onConnect(c);
      } catch (err) {
        this.log(`sparkplug: session start failed (${err instanceof Error ? err.message : String(err)})`);
        c.end(true);
      }
    });
    c.on('message', (topic, payload) => {
      if (this.client !== c) return;
      try {
        this.h.onMessage(topic, payload);
      } catch (err) {
        this.log(`sparkplug: message on ${topic} not handled (${err instanceof Error ? err.message : String(err)})`);
      }
    });
    // without a listener an 'error' event would throw: refused connections, bad credentials, TLS failures
    c.on('error', (err) => {
      if (err.message !== this.lastError) this.log(`sparkplug: ${displayUrl(this.broker.url)}: ${err.message}`);
      this.lastError = err.message;
    });
    c.on('close', () => {
      if (this.client !== c) return;
      this.client = undefined;
      c.end(true);
      if (this.stopped) return;
      this.h.onClose(this.lastError || 'connection closed');
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.stopped || this.timer) return;
    const wait = this.waitMs;
    this.waitMs = Math.min(this.broker.reconnect.maxMs, this.waitMs * 2);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.open();
    }, wait);
  }

  /** Ends this connection (after `last`, e.g. an NDEATH, has been written) and connects again after the wait. */
  async drop(last?: { topic: string; payload: Buffer; qos: 0 | 1; retain?: boolean }): Promise<void> {
    const c = this.client;
    if (!c) return;
    if (last && c.connected)
      await publishAsync(c, last.topic, last.payload, last.qos, last.retain ?? false).catch(() => undefined);
    await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
  }

  /** Publishes `last` (an NDEATH, a STATE offline), disconnects cleanly, and stays down. Bounded by `ms`. */
  async stop(last?: { topic: string; payload: Buffer; qos: 0 | 1; retain?: boolean }, ms = 3000): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    const bye = (async () => {
      if (last && c.connected)
        await publishAsync(c, last.topic, last.payload, last.qos, last.retain ?? false).catch(() => undefined);
      await new Promise<void>((resolve) => c.end(false, {}, () => resolve()));
    })();
    let t: NodeJS.Timeout | undefined;
    await Promise.race([bye, new Promise<void>((r) => (t = setTimeout(r, ms)))]);
    clearTimeout(t);
    c.end(true);
  }
}

export function publishAsync(c: MqttClient, topic: string, payload: Buffer, qos: 0 | 1, retain = false): Promise<void> {
  return new Promise((resolve, reject) =>
    c.publish(topic, payload, { qos, retain }, (err) => (err ? reject(err) : resolve())),
  );
}

/** the URL without user name and password, for logs */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}
