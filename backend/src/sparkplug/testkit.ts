/**
 * Test helpers of the Sparkplug tests: Plenum-shaped points, a broker config for a local mosquitto, and a
 * consumer built on Eclipse Tahu's sparkplug-payload (its own protobufjs 6 decoder) over raw MQTT subscriptions —
 * the independent reader of what Plenum's edge publishes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import * as tahu from 'sparkplug-payload/lib/sparkplugbpayload';
import type { UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import type { BrokerConfig, EdgeConfig } from './config';
import type { EdgePoint } from './edge-layout';

export function edgePoint(id: string, extra: Partial<EdgePoint> = {}): EdgePoint {
  const [site, hall, row, rack, asset] = id.split('/') as [string, string, string, string, string];
  return {
    id,
    valueType: 'number',
    quantity: 'power',
    unit: 'kW',
    kind: 'measurement',
    domain: 'OT',
    writable: false,
    location: { site, hall, ...(row !== '-' && { row, rack }), asset },
    ...extra,
  } as EdgePoint;
}

export const brokerConfig = (url: string, extra: Partial<BrokerConfig> = {}): BrokerConfig => ({
  url,
  keepaliveMs: 2000,
  connectTimeoutMs: 2000,
  reconnect: { minMs: 100, maxMs: 500 },
  ...extra,
});

export const edgeConfig = (extra: Partial<EdgeConfig> = {}): EdgeConfig => ({
  groupId: 'sim',
  edgeNodeId: 'hall1',
  hall: 'hall1',
  clientId: `plenum-edge-test-${process.pid}-${Math.random().toString(36).slice(2)}`,
  intervalMs: 50,
  qos: 1,
  maxQueueBytes: 64 * 1024 * 1024,
  ...extra,
});

export const tmpDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-sparkplug-'));

export interface Received {
  topic: string;
  /** decoded by Tahu; undefined for STATE (JSON) */
  payload?: UPayload;
  text?: string;
  at: number;
}

/** Long (protobufjs 6) or number → number */
export const num = (v: unknown): number => (typeof v === 'object' && v !== null ? Number(String(v)) : Number(v));

export interface TahuConsumer {
  client: MqttClient;
  messages: Received[];
  of(type: string): Received[];
  waitFor(what: string, pred: (all: Received[]) => boolean, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function tahuConsumer(url: string, filter = 'spBv1.0/#'): Promise<TahuConsumer> {
  const client = await mqtt.connectAsync(url, {
    clientId: `tahu-consumer-${Math.random().toString(36).slice(2)}`,
    reconnectPeriod: 200,
  });
  const messages: Received[] = [];
  client.on('message', (topic, payload) => {
    if (topic.startsWith('spBv1.0/STATE/')) messages.push({ topic, text: payload.toString(), at: Date.now() });
    else messages.push({ topic, payload: tahu.decodePayload(payload), at: Date.now() });
  });
  client.on('connect', () => void client.subscribe(filter, { qos: 1 }));
  await client.subscribeAsync(filter, { qos: 1 });
  return {
    client,
    messages,
    of: (type) => messages.filter((m) => m.topic.split('/')[2] === type),
    async waitFor(what, pred, ms = 10_000) {
      const until = Date.now() + ms;
      while (!pred(messages)) {
        if (Date.now() > until)
          throw new Error(
            `timed out waiting for ${what}; got ${messages.length} messages: ${messages
              .slice(-5)
              .map((m) => m.topic)
              .join(', ')}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => client.endAsync(true),
  };
}

export async function until(what: string, pred: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
