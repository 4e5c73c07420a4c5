/**
 * The edge's side of the relay (README.md), on the Sparkplug edge node's own MQTT connection (a SessionExtension
 * of edge-node.ts): every change of the edge's event store goes to the hub, and job webhooks the hub routes here
 * are handled as if posted to this edge's `POST /api/events`.
 *
 * Events: stop-and-wait batches of the changes after a durable cursor (events.db's `relayCursor`, one per hub
 * event store: two hubs each get everything, and a hub that lost its file gets everything again). The cursor
 * moves only when the hub says it stored the batch (`events/ack`), not on the broker's PUBACK: a broker holds no
 * message for a hub that is away (clean sessions), so only the hub's word means "stored". Without an ack within
 * `ackTimeoutMs` the batch goes again (new changes included); the hub applies a change once per (edge, event id,
 * version), so a batch sent twice changes nothing there. A kill -9 loses nothing: events and cursor are in one
 * fsync'd file, and what was sent but not acknowledged is sent again on the next start. Batches go only while a
 * hub's retained state (`plenum/v1/hub/<id>/state`) says online — an edge on a broker without a Plenum hub sends
 * nothing — and a hub coming online gets what waits at once; resends back off from 5 s to 1 min.
 */
import type { MqttClient } from 'mqtt';
import { errorMessage, QueryError } from '../common/errors';
import type { JobAnswer } from '../connectors/jobs/accept';
import type { EventStore } from '../events/event-store';
import type { SessionExtension } from '../sparkplug/edge-node';
import {
  eventsAckSchema,
  HUB_STATE_FILTER,
  hubStateSchema,
  isHubStateTopic,
  jobRequestSchema,
  parseRelayTopic,
  readJson,
  relayTopic,
  toBuffer,
  type EdgeInfo,
  type EventsBatch,
  type JobReply,
} from './messages';

export const EDGE_RELAY_DEFAULTS = {
  /** a batch not acknowledged this long is sent again, ms; doubling while no ack comes, up to maxAckTimeoutMs */
  ackTimeoutMs: 5000,
  maxAckTimeoutMs: 60_000,
  /** event changes per message at most */
  batchEvents: 200,
};

export interface EdgeRelayDeps {
  /** Sparkplug group and edge node ids: the topics' `<group>/<edge>` */
  group: string;
  edge: string;
  site: string;
  hall: string;
  /** the hall's rack ids, announced in `info` so the hub can route a job that names racks only */
  racks: readonly string[];
  events: EventStore;
  /** handles a job webhook body as POST /api/events does (connectors/jobs/accept.ts) */
  acceptJob: (body: unknown) => Promise<JobAnswer>;
  now: () => number;
  log: (msg: string) => void;
  ackTimeoutMs?: number;
  batchEvents?: number;
}

export interface EdgeRelayStatus {
  connected: boolean;
  /** the last change every online hub acknowledged (the lowest of their cursors; with none online, of those seen) */
  cursor: number;
  /** events written after the cursor: not yet stored at the hub */
  waiting: number;
  /** hubs online (their retained state); events go only while there is one */
  hubsOnline: number;
  /** a batch sent and not yet acknowledged */
  inFlight?: { from: number; to: number };
  batchesSent: number;
  batchesResent: number;
  batchesAcked: number;
  jobsHandled: number;
}

export class EdgeRelay implements SessionExtension {
  private client: MqttClient | undefined;
  /** per hub event store id: the last change it acknowledged (a copy of events.db's) */
  private readonly cursors = new Map<number, number>();
  private inflight: { from: number; to: number; timer: NodeJS.Timeout; sentAt: number } | undefined;
  private kicked = false;
  /** hubs whose retained state says online, by state topic → their store id (learnt again on each connection) */
  private readonly hubs = new Map<string, number>();
  private stopped = false;
  private jobs: Promise<void> = Promise.resolve();
  private readonly unlisten: () => void;
  private readonly counts = { sent: 0, resent: 0, acked: 0, jobs: 0 };
  private readonly ackTimeoutMs: number;
  /** the current wait for an ack: doubles on each resend (a hub away for long costs few messages), reset by an ack */
  private waitMs: number;
  private readonly batchEvents: number;

  constructor(private readonly d: EdgeRelayDeps) {
    this.ackTimeoutMs = d.ackTimeoutMs ?? EDGE_RELAY_DEFAULTS.ackTimeoutMs;
    this.batchEvents = d.batchEvents ?? EDGE_RELAY_DEFAULTS.batchEvents;
    this.waitMs = this.ackTimeoutMs;
    this.unlisten = d.events.onChange(() => this.kick());
  }

  private topic(kind: Parameters<typeof relayTopic>[2]): string {
    return relayTopic(this.d.group, this.d.edge, kind);
  }

  subscriptions(): string[] {
    return [this.topic('events/ack'), this.topic('jobs'), HUB_STATE_FILTER];
  }

  onConnected(client: MqttClient): void {
    if (this.stopped) return;
    this.client = client;
    this.waitMs = this.ackTimeoutMs; // a new connection: the hub may be back too
    const info: EdgeInfo = { site: this.d.site, hall: this.d.hall, racks: [...this.d.racks], time: this.d.now() };
    client.publish(this.topic('info'), toBuffer(info), { qos: 1, retain: true });
    this.clearInflight();
    this.send();
  }

  onDisconnected(): void {
    this.client = undefined;
    this.hubs.clear();
    this.clearInflight();
  }

  onMessage(topic: string, payload: Buffer): void {
    // stopping: a job now would find the sources stopped; unanswered, the hub says 504 and the scheduler retries
    if (this.stopped) return;
    if (isHubStateTopic(topic)) return this.onHubState(topic, payload);
    const t = parseRelayTopic(topic);
    if (!t || t.group !== this.d.group || t.edge !== this.d.edge) return;
    if (t.kind === 'events/ack') this.onAck(payload);
    else if (t.kind === 'jobs') this.onJob(payload);
  }

  status(): EdgeRelayStatus {
    return {
      connected: this.client?.connected === true,
      cursor: this.cursor(),
      waiting: this.waiting(),
      hubsOnline: this.hubs.size,
      ...(this.inflight && { inFlight: { from: this.inflight.from, to: this.inflight.to } }),
      batchesSent: this.counts.sent,
      batchesResent: this.counts.resent,
      batchesAcked: this.counts.acked,
      jobsHandled: this.counts.jobs,
    };
  }

  private cursorOf(store: number): number {
    let c = this.cursors.get(store);
    if (c === undefined) this.cursors.set(store, (c = this.d.events.relayCursor(store)));
    return c;
  }

  /** where the next batch starts: the lowest cursor of the hubs online, else of the hubs seen since start */
  private cursor(): number {
    const stores = this.hubs.size ? [...this.hubs.values()] : [...this.cursors.keys()];
    return stores.length ? Math.min(...stores.map((st) => this.cursorOf(st))) : 0;
  }

  private waiting(): number {
    try {
      return this.d.events.countChangesSince(this.cursor());
    } catch {
      return -1; // the store is closed (stopping)
    }
  }

  /** Stops sending; jobs being handled finish (bounded by the jobs connector's own writes). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten();
    this.clearInflight();
    this.client = undefined;
    await this.jobs;
  }

  private clearInflight(): void {
    if (this.inflight) clearTimeout(this.inflight.timer);
    this.inflight = undefined;
  }

  /** an event was written: send it soon (several writes in one tick go in one batch) */
  private kick(): void {
    if (this.kicked || this.stopped) return;
    this.kicked = true;
    setImmediate(() => {
      this.kicked = false;
      this.send();
    });
  }

  private send(resend = false): void {
    const c = this.client;
    if (!c?.connected || this.inflight || this.stopped || this.hubs.size === 0) return;
    let changes;
    const from = this.cursor();
    try {
      changes = this.d.events.changesSince(from, this.batchEvents);
    } catch (err) {
      this.d.log(`relay: cannot read the event store (${errorMessage(err)})`);
      return;
    }
    if (changes.length === 0) return;
    const batch: EventsBatch = {
      site: this.d.site,
      hall: this.d.hall,
      from,
      to: changes[changes.length - 1]!.version,
      changes: changes.map((ch) => ({
        version: ch.version,
        event: ch.event as EventsBatch['changes'][number]['event'],
      })),
    };
    const timer = setTimeout(() => {
      this.inflight = undefined;
      this.counts.resent++;
      this.waitMs = Math.min(this.waitMs * 2, Math.max(this.ackTimeoutMs, EDGE_RELAY_DEFAULTS.maxAckTimeoutMs));
      this.send(true);
    }, this.waitMs);
    timer.unref();
    this.inflight = { from: batch.from, to: batch.to, timer, sentAt: Date.now() };
    if (!resend) this.counts.sent++;
    // QoS 1: a PUBACK says the broker has it, yet only the hub's ack moves the cursor (the broker keeps nothing
    // for a hub that is away)
    c.publish(this.topic('events'), toBuffer(batch), { qos: 1 });
  }

  /**
   * `(from, to]` stored at the hub. Taken when it starts at or before the cursor and ends after it: the batch held
   * every change up to `to` (change numbers only grow, so none can appear below `to` later). A late ack of an
   * older batch is thus still useful, one for a batch after a lost one is not.
   */
  private onAck(payload: Buffer): void {
    const r = readJson(eventsAckSchema, payload);
    if (!r.ok) return this.d.log(`relay: an events ack that does not parse (${r.reason}); ignored`);
    const { from, to, store } = r.value;
    const cursor = this.cursorOf(store);
    if (from > cursor || to <= cursor) return;
    this.cursors.set(store, to);
    try {
      this.d.events.setRelayCursor(store, to);
    } catch (err) {
      this.d.log(`relay: cannot save the cursor (${errorMessage(err)}); the batch may be sent again`);
    }
    this.counts.acked++;
    this.waitMs = this.ackTimeoutMs;
    // the batch is done once every online hub has it (the others get it again, harmlessly, in the next one)
    if (this.inflight && this.cursor() >= this.inflight.to) this.clearInflight();
    this.send();
  }

  /** A hub came online: what waits goes now, not at the next resend (which may be a minute away). */
  private onHubState(topic: string, payload: Buffer): void {
    const r = readJson(hubStateSchema, payload);
    if (!r.ok || !r.value.online) {
      this.hubs.delete(topic); // offline (its Will or its stop), or a cleared retained state
      return;
    }
    this.hubs.set(topic, r.value.store);
    this.cursorOf(r.value.store);
    this.waitMs = this.ackTimeoutMs;
    // a hub online since before the batch went (its retained state, on every subscribe) has it already; with clock
    // skew between the machines the resend timer still covers what this skips
    if (this.inflight && r.value.time > this.inflight.sentAt) {
      this.clearInflight();
      this.counts.resent++;
      this.send(true);
    } else if (!this.inflight) this.send();
  }

  /** Jobs one at a time, in arrival order, each answered on `jobs/reply` with the status POST /api/events gives. */
  private onJob(payload: Buffer): void {
    const r = readJson(jobRequestSchema, payload);
    if (!r.ok) return this.d.log(`relay: a job request that does not parse (${r.reason}); ignored`);
    const { requestId, body } = r.value;
    this.jobs = this.jobs.then(async () => {
      let reply: JobReply;
      try {
        const a = await this.d.acceptJob(body);
        reply = { requestId, status: a.status, body: a.body };
      } catch (err) {
        const bad = err instanceof QueryError;
        if (!bad) this.d.log(`relay: job ${requestId} failed (${errorMessage(err)})`);
        reply = { requestId, status: bad ? 400 : 500, body: { error: errorMessage(err) } };
      }
      this.counts.jobs++;
      // the hub waits for this; gone with the connection, the hub answers 504 and the scheduler retries (a job's
      // start and end are recorded idempotently)
      this.client?.publish(this.topic('jobs/reply'), toBuffer(reply), { qos: 1 });
    });
  }
}
