/**
 * The hub's side of the relay (README.md): one MQTT connection (hub.broker) subscribed to every edge's `info`,
 * `events` and `jobs/reply`. Event batches are stored in the hub's event store — keyed by (edge, event id) and
 * applied only when newer, with the edge's site and hall filled into the location — and acknowledged only once
 * stored (fsync'd); job webhooks posted at the hub go to the edge that owns their hall or racks and are answered
 * with what the edge answered.
 */
import crypto from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { errorMessage } from '../common/errors';
import { parseJobWebhook } from '../connectors/jobs/payload';
import type { EventStore } from '../events/event-store';
import type { BrokerConfig } from '../sparkplug/config';
import { displayUrl, Session } from '../sparkplug/session';
import { routeJob, type KnownEdge } from './job-routing';
import {
  eventsBatchSchema,
  hubStateTopic,
  infoSchema,
  jobReplySchema,
  parseRelayTopic,
  readJson,
  relayTopic,
  RELAY_PREFIX,
  toBuffer,
} from './messages';

export interface HubRelayDeps {
  broker: BrokerConfig;
  clientId: string;
  events: EventStore;
  /** how long a job posted at the hub waits for its edge's answer, ms */
  jobTimeoutMs: number;
  log: (msg: string) => void;
}

export interface HubRelayStatus {
  connected: boolean;
  edges: Array<{ edge: string; site: string; hall: string; racks: number; lastBatch?: number }>;
  batchesStored: number;
  eventsChanged: number;
  refusedMessages: number;
  jobs: { routed: number; answered: number; timedOut: number };
}

export interface JobOutcome {
  status: number;
  body: unknown;
}

export class HubRelay {
  private readonly session: Session;
  private readonly edges = new Map<string, KnownEdge & { lastBatch?: number }>();
  private readonly pending = new Map<string, { resolve: (o: JobOutcome) => void; timer: NodeJS.Timeout }>();
  private wasConnected = false;
  /** the event store's id, in every ack and state: edges keep a cursor for each hub store */
  private readonly store: number;
  private readonly counts = { batches: 0, changed: 0, refused: 0, routed: 0, answered: 0, timedOut: 0 };

  constructor(private readonly d: HubRelayDeps) {
    this.store = d.events.storeId();
    this.session = new Session(
      d.broker,
      d.clientId,
      {
        will: () => ({ ...this.state(false), qos: 1, retain: true }),
        onConnect: (c) => this.onConnect(c),
        onMessage: (t, p) => this.onMessage(t, p),
        onClose: (reason) => {
          // once per outage, not once per failed attempt
          if (this.wasConnected) d.log(`relay: broker connection lost (${reason}); reconnecting`);
          this.wasConnected = false;
        },
      },
      d.log,
    );
  }

  start(): void {
    this.session.start();
  }

  get connected(): boolean {
    return this.session.connected;
  }

  async stop(): Promise<void> {
    for (const [, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ status: 503, body: { error: 'the hub is stopping; retry' } });
    }
    this.pending.clear();
    await this.session.stop({ ...this.state(false), qos: 1, retain: true });
  }

  /** `plenum/v1/hub/<client id>/state`: online once subscribed, offline as the Will and on stop */
  private state(online: boolean): { topic: string; payload: Buffer } {
    return {
      topic: hubStateTopic(this.d.clientId),
      payload: toBuffer({ online, time: Date.now(), store: this.store }),
    };
  }

  status(): HubRelayStatus {
    return {
      connected: this.session.connected,
      edges: [...this.edges.values()].map((e) => ({
        edge: `${e.group}/${e.edge}`,
        site: e.site,
        hall: e.hall,
        racks: e.racks.size,
        ...(e.lastBatch !== undefined && { lastBatch: e.lastBatch }),
      })),
      batchesStored: this.counts.batches,
      eventsChanged: this.counts.changed,
      refusedMessages: this.counts.refused,
      jobs: { routed: this.counts.routed, answered: this.counts.answered, timedOut: this.counts.timedOut },
    };
  }

  private onConnect(c: MqttClient): void {
    this.wasConnected = true;
    const subs = Object.fromEntries(
      ['info', 'events', 'jobs/reply'].map((k) => [`${RELAY_PREFIX}/+/+/${k}`, { qos: 1 as const }]),
    );
    c.subscribe(subs, (err) => {
      if (err) {
        this.d.log(`relay: subscribe failed (${err.message}); reconnecting`);
        void this.session.drop();
        return;
      }
      this.d.log(`relay: connected to ${displayUrl(this.d.broker.url)}; listening to every edge's events`);
      const online = this.state(true);
      c.publish(online.topic, online.payload, { qos: 1, retain: true });
    });
  }

  private refuse(topic: string, reason: string): void {
    this.counts.refused++;
    this.d.log(`relay: message on ${topic} refused (${reason})`);
  }

  private onMessage(topic: string, payload: Buffer): void {
    const t = parseRelayTopic(topic);
    if (!t) return;
    const key = `${t.group}/${t.edge}`;
    if (t.kind === 'info') {
      if (payload.length === 0) return void this.edges.delete(key); // a cleared retained message: edge retired
      const r = readJson(infoSchema, payload);
      if (!r.ok) return this.refuse(topic, r.reason);
      const prev = this.edges.get(key);
      this.edges.set(key, {
        group: t.group,
        edge: t.edge,
        site: r.value.site,
        hall: r.value.hall,
        racks: new Set(r.value.racks),
        ...(prev?.lastBatch !== undefined && { lastBatch: prev.lastBatch }),
      });
    } else if (t.kind === 'events') this.onEvents(topic, key, t.group, t.edge, payload);
    else if (t.kind === 'jobs/reply') {
      const r = readJson(jobReplySchema, payload);
      if (!r.ok) return this.refuse(topic, r.reason);
      const p = this.pending.get(r.value.requestId);
      if (!p) return; // answered after its timeout, or another hub's
      this.pending.delete(r.value.requestId);
      clearTimeout(p.timer);
      this.counts.answered++;
      p.resolve({ status: r.value.status, body: r.value.body });
    }
  }

  private onEvents(topic: string, key: string, group: string, edge: string, payload: Buffer): void {
    const r = readJson(eventsBatchSchema, payload);
    if (!r.ok) return this.refuse(topic, r.reason);
    const b = r.value;
    try {
      const changed = this.d.events.upsertRelayed(
        key,
        b.changes.map((c) => ({
          version: c.version,
          event: { ...c.event, location: { site: b.site, hall: b.hall, ...c.event.location } },
        })),
      );
      this.counts.batches++;
      this.counts.changed += changed;
    } catch (err) {
      // not acknowledged: the edge sends the batch again
      return this.d.log(`relay: events of ${key} not stored (${errorMessage(err)})`);
    }
    const known = this.edges.get(key);
    if (known) known.lastBatch = b.to;
    else this.edges.set(key, { group, edge, site: b.site, hall: b.hall, racks: new Set(), lastBatch: b.to });
    this.session.current?.publish(
      relayTopic(group, edge, 'events/ack'),
      toBuffer({ from: b.from, to: b.to, store: this.store }),
      {
        qos: 1,
      },
    );
  }

  /**
   * A scheduler's job webhook: parsed (400 naming the field), routed (4xx naming the hall or rack), sent to the
   * edge at QoS 1 and answered with the edge's own answer; 503 while the broker is away, 504 when the edge does not
   * answer in time — the scheduler retries, and the edge records a job once however often it arrives.
   */
  async dispatchJob(body: unknown, now: number): Promise<JobOutcome> {
    let job;
    try {
      job = parseJobWebhook(body, now);
    } catch (err) {
      return { status: 400, body: { error: errorMessage(err) } };
    }
    // transient, not the scheduler's mistake: a hub that just (re)connected hears the edges' retained info first
    if (this.edges.size === 0) return unavailable('no edge has announced itself to the hub yet');
    const route = routeJob(job, body, [...this.edges.values()]);
    if (!route.ok) return { status: route.status, body: { error: route.error } };
    const c = this.session.current;
    if (!c) return unavailable(`the hub is not connected to the broker ${displayUrl(this.d.broker.url)}`);
    const { group, edge } = route.edge;
    const requestId = crypto.randomUUID();
    const answer = new Promise<JobOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        this.counts.timedOut++;
        resolve({
          status: 504,
          body: {
            error: `edge ${group}/${edge} (hall ${route.edge.hall}) did not answer within ${this.d.jobTimeoutMs} ms; retry (a job is recorded once however often it is sent)`,
          },
        });
      }, this.d.jobTimeoutMs);
      this.pending.set(requestId, { resolve, timer });
    });
    const published = await new Promise<Error | undefined>((resolve) =>
      c.publish(relayTopic(group, edge, 'jobs'), toBuffer({ requestId, body: route.body }), { qos: 1 }, (err) =>
        resolve(err ?? undefined),
      ),
    );
    if (published) {
      const p = this.pending.get(requestId);
      if (p) clearTimeout(p.timer);
      this.pending.delete(requestId);
      return unavailable(`the broker did not take the job (${published.message})`);
    }
    this.counts.routed++;
    return answer;
  }
}

const unavailable = (why: string): JobOutcome => ({ status: 503, body: { error: `${why}; retry` } });
