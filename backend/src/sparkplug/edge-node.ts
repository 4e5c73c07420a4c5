/**
 * Plenum as a Sparkplug B 3.0 edge node: one hall of the site, one device per rack or hall-level asset
 * (namespace.ts). Samples the historian has stored are offered here; every interval each device's samples go to
 * the spool (spool.ts, fsync'd) as one entry, and the sender publishes entries oldest first as DDATA with aliases
 * while the node is born, forgetting an entry only when the broker acknowledged it (QoS 1).
 *
 * Session: connect with the NDEATH (this session's bdSeq) as Will, subscribe NCMD, DCMD and the primary host's
 * STATE, and once the host is online (at once without a primary host) publish NBIRTH (seq 0, bdSeq, Node
 * Control/Rebirth) and one DBIRTH per device; then replay what the spool holds from before the births with
 * is_historical, then live data. seq runs 0–255 over every message of the session. A STATE offline ends the
 * session (NDEATH, disconnect) and the next one waits for the host again, spooling meanwhile; so does a lost
 * broker. NCMD Node Control/Rebirth = true publishes the births again; DCMD writes go to the command handler
 * (the automation guard, wired in index.ts), refused with a reason when there is none.
 *
 * Catch-up (kill -9): samples reach the spool once an interval, so a crash loses from the Sparkplug path what the
 * historian acknowledged since the last spool write. At start, before connecting, the edge reads from the
 * historian (`history`) every sample of its points stored after the point's spooled mark (spool.ts) and spools
 * them: they go first, with is_historical, like anything else queued before the births. A clean stop spools all
 * it was offered, so a clean restart finds nothing to catch up (no duplicates). A new spool file catches up nothing
 * (the edge starts with what is stored from then on); a point with no mark yet looks back CATCH_UP_MS before the
 * spool's newest sample. Not caught up: a sample stamped at or before its point's mark (late, out of order) that
 * arrived in the crash window — the one case remote write does not cover either.
 */
import type { Quality, Sample, SampleValue } from '@plenum/model';
import type { MqttClient } from 'mqtt';
import type { Historian } from '../historian/types';
import { MAX_AHEAD_MS } from '../ingest/pipeline';
import type { BrokerConfig, EdgeConfig } from './config';
import { birthProperties, buildLayout, type EdgeLayout, type EdgeMetric, type EdgePoint } from './edge-layout';
import { NAMESPACE_VERSION, parseTopic, stateTopic, topicOf } from './namespace';
import { DataType, decodePayload, encodePayload, type Metric, type Payload } from './payload';
import { qualityProperty } from './quality';
import { displayUrl, Session } from './session';
import { Spool, type SpooledSample, type SpoolStats } from './spool';

export type CommandResult = { ok: true; detail?: string } | { ok: false; reason: string };
/** A DCMD write of one metric: the point, the value, and who asked (`spBv1.0/<group>/DCMD/<edge>/<device>`). */
export type CommandHandler = (pointId: string, value: SampleValue, origin: string) => Promise<CommandResult>;

/**
 * Another user of the edge's MQTT connection (relay/edge-relay.ts: events to the hub, job webhooks from it) on
 * topics outside spBv1.0: its subscriptions go with the edge's own on every connection, and it works whether or not
 * the node is born (it does not wait for the primary host's STATE).
 */
export interface SessionExtension {
  /** topics subscribed at QoS 1 on every connection */
  subscriptions(): string[];
  /** the connection is up and subscribed */
  onConnected(client: MqttClient): void;
  /** a message on a topic that is not Sparkplug's */
  onMessage(topic: string, payload: Buffer): void;
  onDisconnected(): void;
}

export interface EdgeDeps {
  broker: BrokerConfig;
  edge: EdgeConfig;
  /** the site id, sent in NBIRTH as Plenum/Site so that a Plenum host maps metrics back to the edge's own ids */
  site: string;
  points: readonly EdgePoint[];
  /** the folder of the spool file */
  dataDir: string;
  now?: () => number;
  log?: (msg: string) => void;
  command?: CommandHandler;
  /** after each command, with its outcome (events, audit) */
  onCommand?: (c: { pointId?: string; metric: string; device: string; value: unknown; result: CommandResult }) => void;
  extension?: SessionExtension;
  /** the historian whose acknowledged samples are offered: read at start to catch up (none: no catch-up) */
  history?: Pick<Historian, 'readRaw'>;
}

export interface EdgeStatus {
  connected: boolean;
  /** the primary host's last STATE (true without a primary host) */
  hostOnline: boolean;
  /** births published and not yet ended: data flows */
  born: boolean;
  bdSeq: number;
  /** the seq of the last message published (NBIRTH is 0) */
  seq: number;
  queue: SpoolStats;
  /** DDATA messages acknowledged since start, and of those, replayed with is_historical */
  published: number;
  historical: number;
  births: number;
  commands: { accepted: number; refused: number };
  /** samples offered that belong to no metric of this edge (another hall, an id of another shape) */
  ignored: number;
  /** samples read from the historian at start: stored after their point's spooled mark (a kill -9's last interval) */
  caughtUp: number;
}

/** DDATA in flight at once */
const WINDOW = 64;
/** entries read from the spool per look */
const READ_BATCH = 64;
/** how far before the spool's newest sample a point without a spooled mark is caught up, ms (1 h, remote write's) */
export const CATCH_UP_MS = 60 * 60_000;
/** samples per spool entry (one DDATA) at most when catching up */
const CATCH_UP_ENTRY = 1000;
/** samples per spool append at most when catching up (bounds one transaction) */
const CATCH_UP_APPEND = 50_000;

export const NODE_REBIRTH = 'Node Control/Rebirth';

export class SparkplugEdge {
  private readonly spool: Spool;
  private readonly session: Session;
  private readonly now: () => number;
  private readonly log: (msg: string) => void;
  private layout: EdgeLayout;
  private pending = new Map<string, SpooledSample[]>();
  private readonly latest = new Map<string, SpooledSample>();
  private timer: NodeJS.Timeout | undefined;
  private bdSeq = -1;
  private seq = 0;
  private born = false;
  private hostOnline: boolean;
  private hostStateTs = -Infinity;
  /** a counter of sessions: callbacks of an ended session do not touch the current one */
  private epoch = 0;
  /** entries up to this id were queued before this session's births: replayed with is_historical */
  private liveFrom = 0;
  /** the highest spool id published in this session */
  private cursor = 0;
  private inflight = 0;
  private acked: number[] = [];
  private pumping = false;
  private stopped = false;
  private readonly counts = { published: 0, historical: 0, births: 0, accepted: 0, refused: 0, ignored: 0 };
  private caughtUp = 0;

  constructor(private readonly d: EdgeDeps) {
    this.now = d.now ?? Date.now;
    this.log = d.log ?? (() => undefined);
    this.spool = new Spool(d.dataDir, d.edge.maxQueueBytes);
    this.layout = buildLayout(d.points, d.edge.hall);
    this.hostOnline = d.edge.primaryHostId === undefined;
    this.session = new Session(
      d.broker,
      d.edge.clientId,
      {
        will: () => {
          // a new session, a new bdSeq, durable before the broker holds it in the Will
          this.bdSeq = this.spool.nextBdSeq();
          return { topic: this.topic('NDEATH'), payload: this.deathPayload(), qos: 1, retain: false };
        },
        onConnect: (c) => this.onConnect(c),
        onMessage: (t, p) => this.onMessage(t, p),
        onClose: (reason) => this.endSession(`broker connection lost (${reason})`),
      },
      this.log,
    );
  }

  start(): void {
    try {
      this.caughtUp = this.catchUp();
      if (this.caughtUp)
        this.log(`sparkplug edge: ${this.caughtUp} stored samples not yet spooled were caught up from the historian`);
    } catch (err) {
      // the edge still runs; those samples stay in the historian (and in remote write's queue, if any)
      this.log(
        `sparkplug edge: catch-up from the historian failed (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    this.session.start();
    this.timer = setInterval(() => this.tick(), this.d.edge.intervalMs);
  }

  /** Samples the historian has stored (durable); they are spooled at the next interval. */
  offer(samples: readonly Sample[]): void {
    if (this.stopped) return;
    for (const s of samples) {
      const m = this.layout.byPoint.get(s.pointId);
      if (!m) {
        this.counts.ignored++;
        continue;
      }
      const row: SpooledSample = [s.pointId, s.ts, s.value, s.quality];
      let list = this.pending.get(m.device);
      if (!list) this.pending.set(m.device, (list = []));
      list.push(row);
      const last = this.latest.get(s.pointId);
      if (!last || last[1] <= s.ts) this.latest.set(s.pointId, row);
    }
  }

  /** A changed catalog: a new metric table, born again when it differs. */
  setPoints(points: readonly EdgePoint[]): void {
    const next = buildLayout(points, this.d.edge.hall);
    if (next.signature === this.layout.signature) return;
    this.layout = next;
    if (this.born) this.birth('the catalog changed');
  }

  status(): EdgeStatus {
    return {
      connected: this.session.connected,
      hostOnline: this.hostOnline,
      born: this.born,
      bdSeq: this.bdSeq,
      seq: this.seq,
      queue: this.spool.stats(),
      published: this.counts.published,
      historical: this.counts.historical,
      births: this.counts.births,
      commands: { accepted: this.counts.accepted, refused: this.counts.refused },
      ignored: this.counts.ignored,
      caughtUp: this.caughtUp,
    };
  }

  /** Spools what is pending, publishes NDEATH, disconnects; bounded in time. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.flushPending();
    this.deleteAcked();
    const wasBorn = this.born;
    this.born = false;
    this.epoch++;
    await this.session.stop(
      wasBorn || this.session.connected
        ? { topic: this.topic('NDEATH'), payload: this.deathPayload(), qos: 1 }
        : undefined,
    );
    this.deleteAcked();
    this.spool.close();
  }

  // -------------------------------------------------------------------------------------------------------------
  // session

  private topic(type: 'NBIRTH' | 'NDEATH' | 'DBIRTH' | 'DDATA' | 'NCMD' | 'DCMD', device?: string): string {
    return topicOf({
      type,
      group: this.d.edge.groupId,
      edge: this.d.edge.edgeNodeId,
      ...(device !== undefined && { device }),
    });
  }

  private deathPayload(): Buffer {
    return Buffer.from(
      encodePayload({
        timestamp: this.now(),
        metrics: [{ name: 'bdSeq', datatype: DataType.Int64, value: this.bdSeq }],
      }),
    );
  }

  private onConnect(c: MqttClient): void {
    this.epoch++;
    this.born = false;
    this.inflight = 0;
    // the host's STATE is learnt again on every connection (its retained message comes with the subscription): a
    // restarted broker has none, and births sent before the host subscribed again would reach no one
    if (this.d.edge.primaryHostId !== undefined) this.hostOnline = false;
    const subs: Record<string, { qos: 0 | 1 }> = {
      [this.topic('NCMD')]: { qos: 1 },
      [`${this.topic('DCMD')}/+`]: { qos: 1 },
    };
    const host = this.d.edge.primaryHostId;
    if (host !== undefined) subs[stateTopic(host)] = { qos: 1 };
    for (const t of this.d.extension?.subscriptions() ?? []) subs[t] = { qos: 1 };
    const epoch = this.epoch;
    c.subscribe(subs, (err) => {
      if (epoch !== this.epoch) return;
      if (err) {
        this.log(`sparkplug edge: subscribe failed (${err.message}); reconnecting`);
        void this.session.drop();
        return;
      }
      this.log(
        `sparkplug edge: connected to ${displayUrl(this.d.broker.url)} as ${this.d.edge.groupId}/${this.d.edge.edgeNodeId} (bdSeq ${this.bdSeq})${host !== undefined && !this.hostOnline ? `; waiting for primary host ${host}` : ''}`,
      );
      // the host's retained STATE may have come (and brought the births) before this SUBACK: born once per
      // connection — a second NBIRTH here would restart seq under DDATA already on its way, and the host would take
      // the newer messages for old ones
      if (this.hostOnline && !this.born) this.birth('connected');
      this.d.extension?.onConnected(c);
    });
  }

  private endSession(why: string): void {
    this.d.extension?.onDisconnected();
    if (this.born) this.log(`sparkplug edge: session ended: ${why}; spooling`);
    this.born = false;
    this.epoch++;
    this.inflight = 0;
  }

  private onMessage(topic: string, payload: Buffer): void {
    const t = parseTopic(topic);
    if (!t) return this.d.extension?.onMessage(topic, payload);
    if (t.type === 'STATE') return this.onState(payload);
    if (t.type === 'NCMD') return this.onNodeCommand(payload);
    if (t.type === 'DCMD' && t.device !== undefined)
      void this.onDeviceCommand(t.device, payload, topic).catch((err: unknown) =>
        this.log(`sparkplug edge: DCMD on ${topic} failed (${err instanceof Error ? err.message : String(err)})`),
      );
  }

  /** STATE of the primary host: `{"online": bool, "timestamp": ms}`; an older timestamp than the last is stale. */
  private onState(payload: Buffer): void {
    let s: { online?: unknown; timestamp?: unknown };
    try {
      s = JSON.parse(payload.toString('utf8')) as typeof s;
    } catch {
      this.log(`sparkplug edge: STATE of ${this.d.edge.primaryHostId} is not JSON; ignored`);
      return;
    }
    if (typeof s?.online !== 'boolean' || typeof s.timestamp !== 'number') {
      this.log(
        `sparkplug edge: STATE of ${this.d.edge.primaryHostId} lacks online (boolean) or timestamp (number); ignored`,
      );
      return;
    }
    if (s.timestamp < this.hostStateTs) return;
    this.hostStateTs = s.timestamp;
    const was = this.hostOnline;
    this.hostOnline = s.online;
    if (s.online && !this.born && this.session.connected)
      this.birth(`primary host ${this.d.edge.primaryHostId} online`);
    if (!s.online && was) {
      this.log(`sparkplug edge: primary host ${this.d.edge.primaryHostId} offline; ending the session and spooling`);
      this.born = false;
      this.epoch++;
      void this.session.drop({ topic: this.topic('NDEATH'), payload: this.deathPayload(), qos: 1 });
    }
  }

  private onNodeCommand(payload: Buffer): void {
    let p: Payload;
    try {
      p = decodePayload(payload);
    } catch (err) {
      this.log(`sparkplug edge: NCMD is no Sparkplug B payload (${err instanceof Error ? err.message : String(err)})`);
      return;
    }
    if (p.metrics.some((m) => m.name === NODE_REBIRTH && m.value === true) && this.session.connected && this.hostOnline)
      this.birth('rebirth requested (NCMD)');
  }

  private async onDeviceCommand(device: string, payload: Buffer, topic: string): Promise<void> {
    let p: Payload;
    try {
      p = decodePayload(payload);
    } catch (err) {
      this.log(
        `sparkplug edge: DCMD on ${topic} is no Sparkplug B payload (${err instanceof Error ? err.message : String(err)})`,
      );
      return;
    }
    for (const m of p.metrics) {
      const metric =
        m.alias !== undefined
          ? this.layout.byAlias.get(m.alias)
          : this.layout.byName.get(`${device}\u0000${m.name ?? ''}`);
      const label = m.name ?? `alias ${m.alias}`;
      let result: CommandResult;
      if (!metric || metric.device !== device) result = { ok: false, reason: `no metric ${label} on device ${device}` };
      else if (m.value === undefined || m.isNull)
        result = { ok: false, reason: `${label}: no value (null or a type Plenum does not write)` };
      else if (!this.d.command)
        result = { ok: false, reason: 'automation is not configured on this edge: it writes nothing' };
      else
        result = await this.d.command(metric.point.id, m.value, topic).catch((err: unknown): CommandResult => ({
          ok: false,
          reason: err instanceof Error ? err.message : String(err),
        }));
      if (result.ok) this.counts.accepted++;
      else this.counts.refused++;
      this.log(
        `sparkplug edge: DCMD ${device}/${label} = ${JSON.stringify(m.value ?? null)}: ${result.ok ? 'written' : `refused — ${result.reason}`}`,
      );
      try {
        this.d.onCommand?.({
          ...(metric && { pointId: metric.point.id }),
          metric: label,
          device,
          value: m.value ?? null,
          result,
        });
      } catch (err) {
        this.log(`sparkplug edge: recording a DCMD failed (${err instanceof Error ? err.message : String(err)})`);
      }
    }
  }

  private nextSeq(): number {
    this.seq = (this.seq + 1) % 256;
    return this.seq;
  }

  /** NBIRTH (seq 0) and every DBIRTH; replay restarts from the oldest spooled entry. */
  private birth(why: string): void {
    const c = this.session.current;
    if (!c || this.stopped) return;
    // the first births of a connection replay the spool from its oldest entry; a rebirth on the same connection
    // keeps the sender where it is (what it sent is on its way, in order, ahead of the new births)
    const first = !this.born;
    const now = this.now();
    this.seq = 0;
    const nbirth: Payload = {
      timestamp: now,
      seq: 0,
      metrics: [
        { name: 'bdSeq', datatype: DataType.Int64, value: this.bdSeq, timestamp: now },
        { name: NODE_REBIRTH, datatype: DataType.Boolean, value: false, timestamp: now },
        { name: 'Plenum/Namespace', datatype: DataType.String, value: NAMESPACE_VERSION, timestamp: now },
        { name: 'Plenum/Site', datatype: DataType.String, value: this.d.site, timestamp: now },
        { name: 'Plenum/Hall', datatype: DataType.String, value: this.d.edge.hall, timestamp: now },
      ],
    };
    c.publish(this.topic('NBIRTH'), Buffer.from(encodePayload(nbirth)), { qos: 0 });
    for (const [device, metrics] of this.layout.devices)
      c.publish(this.topic('DBIRTH', device), Buffer.from(encodePayload(this.deviceBirth(metrics, now))), { qos: 0 });
    this.counts.births++;
    this.born = true;
    this.flushPending();
    if (first) {
      this.liveFrom = this.spool.lastId();
      this.cursor = 0;
      this.inflight = 0;
    }
    const q = this.spool.stats();
    this.log(
      `sparkplug edge: born (${why}; bdSeq ${this.bdSeq}, ${this.layout.devices.size} devices, ${this.layout.byPoint.size} metrics)${first && q.entries ? `; replaying ${q.entries} spooled messages` : ''}`,
    );
    this.pump();
  }

  private deviceBirth(metrics: readonly EdgeMetric[], now: number): Payload {
    return {
      timestamp: now,
      seq: this.nextSeq(),
      metrics: metrics.map((m): Metric => {
        const last = this.latest.get(m.point.id);
        const quality: Quality = last ? last[3] : 'bad';
        return {
          name: m.name,
          alias: m.alias,
          datatype: m.datatype,
          timestamp: last ? last[1] : now,
          properties: { ...birthProperties(m.point), Quality: qualityProperty(quality) },
          ...(last && quality !== 'bad' ? { value: last[2] } : { isNull: true }),
        };
      }),
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // data

  /**
   * Spools what the historian stored after each point's spooled mark (from the spool's newest sample −
   * CATCH_UP_MS for a point without one), per device in time order, in entries of CATCH_UP_ENTRY samples; nothing
   * for a new spool file or without `history`. Returns the samples spooled.
   */
  private catchUp(): number {
    const h = this.d.history;
    const newest = this.spool.newestTs();
    if (!h || newest === undefined) return 0;
    const to = this.now() + MAX_AHEAD_MS + 1;
    let n = 0;
    let batch: Array<{ device: string; samples: SpooledSample[] }> = [];
    let inBatch = 0;
    for (const [device, metrics] of this.layout.devices) {
      const found: SpooledSample[] = [];
      for (const m of metrics) {
        const mark = this.spool.mark(device, m.point.id);
        const from = Math.max(newest - CATCH_UP_MS, mark === undefined ? -Infinity : mark + 1);
        if (from >= to) continue;
        const raw = h.readRaw(m.point.id, from, to);
        for (let i = 0; i < raw.ts.length; i++) found.push([m.point.id, raw.ts[i]!, raw.values[i]!, raw.quality[i]!]);
      }
      if (found.length === 0) continue;
      // stable: each point's samples stay in time order
      found.sort((a, b) => a[1] - b[1]);
      for (let i = 0; i < found.length; i += CATCH_UP_ENTRY) {
        const samples = found.slice(i, i + CATCH_UP_ENTRY);
        batch.push({ device, samples });
        inBatch += samples.length;
        if (inBatch >= CATCH_UP_APPEND) {
          this.spool.append(batch);
          n += inBatch;
          batch = [];
          inBatch = 0;
        }
      }
    }
    this.spool.append(batch);
    return n + inBatch;
  }

  private tick(): void {
    try {
      this.flushPending();
      this.deleteAcked();
      this.pump();
    } catch (err) {
      this.log(`sparkplug edge: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private flushPending(): void {
    if (this.pending.size === 0) return;
    const batches = [...this.pending].map(([device, samples]) => ({ device, samples }));
    this.pending = new Map();
    this.spool.append(batches);
  }

  private deleteAcked(): void {
    if (this.acked.length === 0) return;
    const ids = this.acked;
    this.acked = [];
    this.spool.delete(ids);
  }

  /** Publishes spooled entries in id order, at most WINDOW unacknowledged. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.born && this.inflight < WINDOW) {
        const c = this.session.current;
        if (!c) return;
        const entries = this.spool.read(this.cursor, Math.min(READ_BATCH, WINDOW - this.inflight));
        if (entries.length === 0) return;
        for (const e of entries) {
          this.cursor = e.id;
          const historical = e.id <= this.liveFrom;
          const payload = this.data(e.device, e.samples, historical);
          if (!payload) {
            this.acked.push(e.id); // nothing of it is on this edge any more (the catalog changed)
            continue;
          }
          const epoch = this.epoch;
          this.inflight++;
          c.publish(
            this.topic('DDATA', e.device),
            Buffer.from(encodePayload(payload)),
            { qos: this.d.edge.qos },
            (err) => {
              if (err) return; // the session ends; the entry stays spooled and goes again after the next births
              this.acked.push(e.id);
              this.counts.published++;
              if (historical) this.counts.historical++;
              if (this.acked.length >= WINDOW) this.deleteAcked();
              if (epoch !== this.epoch) return;
              this.inflight--;
              setImmediate(() => this.pump());
            },
          );
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private data(device: string, samples: readonly SpooledSample[], historical: boolean): Payload | undefined {
    const metrics: Metric[] = [];
    for (const [pointId, ts, value, quality] of samples) {
      const m = this.layout.byPoint.get(pointId);
      if (!m || m.device !== device) continue;
      metrics.push({
        alias: m.alias,
        timestamp: ts,
        datatype: m.datatype,
        ...(historical && { isHistorical: true }),
        ...(quality === 'bad' ? { isNull: true } : { value }),
        ...(quality !== 'good' && { properties: { Quality: qualityProperty(quality) } }),
      });
    }
    return metrics.length ? { timestamp: this.now(), seq: this.nextSeq(), metrics } : undefined;
  }
}
