/**
 * Plenum as a Sparkplug B 3.0 primary host: subscribes `spBv1.0/#` (QoS 0: see onConnect), announces itself with a retained STATE
 * (`{"online":true,"timestamp":T}`, QoS 1) whose Will is the same with online false and the same T, keeps one alias
 * table per edge node from its NBIRTH and DBIRTHs, and turns NDATA/DDATA into Plenum samples.
 *
 * seq: every message of an edge's session after NBIRTH (seq 0) must come with the next seq (mod 256). One that
 * comes early is held for `reorderTimeout`; if the missing ones have not come by then the held ones are applied
 * in seq order and the host asks for a rebirth (NCMD `Node Control/Rebirth` = true). Data from an edge without a
 * session (no NBIRTH seen since the host started, or after its NDEATH) also gets a rebirth request, at most one per
 * reorderTimeout. An NDEATH whose bdSeq matches the NBIRTH's ends the session and marks every metric of the edge bad;
 * a DDEATH marks the device's metrics bad. An NDEATH with another bdSeq is a stale Will of an older session: ignored.
 *
 * Point ids: namespace.ts (exact for Plenum edges, `<group>/<edge>/-/-/<device | _node>/<metric>` for others).
 */
import type { Point, Quality, Sample, ValueType } from '@plenum/model';
import { CANONICAL_UNITS, QUANTITIES, type Quantity } from '@plenum/model';
import type { BrokerConfig, HostConfig } from './config';
import { NODE_REBIRTH } from './edge-node';
import {
  foreignPointId,
  NAMESPACE_VERSION,
  parseTopic,
  plenumPointId,
  stateTopic,
  topicOf,
  type SparkplugTopic,
} from './namespace';
import { DataType, decodePayload, encodePayload, type Metric, type Payload } from './payload';
import { qualityOf } from './quality';
import { displayUrl, Session } from './session';

export interface HostDeps {
  broker: BrokerConfig;
  host: HostConfig;
  now?: () => number;
  log?: (msg: string) => void;
  /** new metrics from births, before their first samples */
  onPoints?: (points: Point[]) => void;
  /** samples in arrival order; awaited one batch at a time, so a slow historian holds the next batch back */
  onSamples: (samples: Sample[], from: SampleOrigin) => Promise<void> | void;
}

/**
 * Where delivered samples come from: `birth` values are the edge's current ones (they may be newer than the
 * historical data replayed after them), `death` the bad samples of an NDEATH/DDEATH, `data` NDATA/DDATA (with
 * `historical` for is_historical metrics, replayed from an edge's store-and-forward).
 */
export interface SampleOrigin {
  edge: string;
  kind: 'birth' | 'data' | 'death';
  historical: boolean;
}

interface HostMetric {
  pointId: string;
  datatype: number;
  valueType: ValueType;
  device?: string;
}

interface EdgeState {
  key: string;
  group: string;
  edge: string;
  online: boolean;
  bdSeq?: number;
  plenum?: { site: string; hall: string };
  aliases: Map<number, HostMetric>;
  /** `<device>\u0000<name>` (device empty for node metrics) → metric */
  names: Map<string, HostMetric>;
  /** the seq of the last message applied */
  lastSeq: number;
  held: Map<number, { topic: SparkplugTopic; payload: Payload }>;
  reorderTimer?: NodeJS.Timeout;
  lastRebirthAsk: number;
  counts: { messages: number; gaps: number; late: number; rebirthsAsked: number; births: number; deaths: number };
}

export interface HostEdgeStatus {
  edge: string;
  online: boolean;
  bdSeq?: number;
  plenum: boolean;
  metrics: number;
  lastSeq: number;
  messages: number;
  gaps: number;
  late: number;
  rebirthsAsked: number;
  births: number;
  deaths: number;
}

export interface HostStatus {
  connected: boolean;
  edges: HostEdgeStatus[];
  samples: number;
  /** metrics that could not be read: unknown alias, a data type Plenum does not store, a clashing id */
  skipped: number;
  undecodable: number;
}

const valueTypeOf = (datatype: number): ValueType | undefined => {
  if (datatype === DataType.Boolean) return 'boolean';
  if (datatype === DataType.String || datatype === DataType.Text || datatype === DataType.UUID) return 'string';
  if (datatype >= DataType.Int8 && datatype <= DataType.Double) return 'number';
  if (datatype === DataType.DateTime) return 'number';
  return undefined;
};

const zeroOf = (t: ValueType) => (t === 'number' ? 0 : t === 'boolean' ? false : '');

export class PrimaryHost {
  private readonly session: Session;
  private readonly edges = new Map<string, EdgeState>();
  private readonly now: () => number;
  private readonly log: (msg: string) => void;
  private stateTs = 0;
  private delivery: Promise<void> = Promise.resolve();
  private readonly counts = { samples: 0, skipped: 0, undecodable: 0 };

  constructor(private readonly d: HostDeps) {
    this.now = d.now ?? Date.now;
    this.log = d.log ?? (() => undefined);
    this.session = new Session(
      d.broker,
      d.host.clientId,
      {
        will: () => {
          this.stateTs = Date.now();
          return { topic: stateTopic(d.host.hostId), payload: this.state(false), qos: 1, retain: true };
        },
        onConnect: (c) => {
          const groups = d.host.groups;
          const filters = groups ? groups.map((g) => `spBv1.0/${g}/#`) : ['spBv1.0/#'];
          // QoS 0: a broker forwards QoS 1 messages only within its in-flight window to this subscriber
          // (mosquitto 20, EMQX 32) and queues the rest, but QoS 0 at once — the births (QoS 0, as Sparkplug
          // requires) would overtake data an edge sent at QoS 1 before them, and the host would take the newer
          // messages for late ones. Delivered at QoS 0, everything comes in the order the broker received it; QoS 1
          // to this clean session guaranteed nothing more (what is queued for it dies with the connection)
          c.subscribe(filters, { qos: 0 }, (err) => {
            if (err) {
              this.log(`sparkplug host: subscribe failed (${err.message})`);
              void this.session.drop();
              return;
            }
            // online only once subscribed: edges that see it publish births this host will receive
            c.publish(stateTopic(d.host.hostId), this.state(true), { qos: 1, retain: true });
            this.log(`sparkplug host ${d.host.hostId}: online on ${displayUrl(d.broker.url)}`);
          });
        },
        onMessage: (t, p) => this.onMessage(t, p),
        onClose: (reason) => this.log(`sparkplug host ${d.host.hostId}: broker connection lost (${reason})`),
      },
      this.log,
    );
  }

  private state(online: boolean): Buffer {
    return Buffer.from(JSON.stringify({ online, timestamp: this.stateTs }));
  }

  start(): void {
    this.session.start();
  }

  /**
   * STATE offline (retained), then stays subscribed until every online edge has answered with its NDEATH (at most
   * `lingerMs`): what an edge published before it saw the STATE still reaches this host instead of no one.
   * Then disconnects and waits for the samples being delivered.
   */
  async stop(lingerMs = 2000): Promise<void> {
    const c = this.session.current;
    if (c) {
      await new Promise<void>((resolve) =>
        c.publish(stateTopic(this.d.host.hostId), this.state(false), { qos: 1, retain: true }, () => resolve()),
      );
      const until = Date.now() + lingerMs;
      while (Date.now() < until && this.session.connected && [...this.edges.values()].some((e) => e.online))
        await new Promise((r) => setTimeout(r, 20));
    }
    for (const e of this.edges.values()) if (e.reorderTimer) clearTimeout(e.reorderTimer);
    await this.session.stop({
      topic: stateTopic(this.d.host.hostId),
      payload: this.state(false),
      qos: 1,
      retain: true,
    });
    await this.delivery;
  }

  status(): HostStatus {
    return {
      connected: this.session.connected,
      edges: [...this.edges.values()].map((e) => ({
        edge: e.key,
        online: e.online,
        ...(e.bdSeq !== undefined && { bdSeq: e.bdSeq }),
        plenum: e.plenum !== undefined,
        metrics: e.names.size,
        lastSeq: e.lastSeq,
        ...e.counts,
      })),
      ...this.counts,
    };
  }

  /** Asks an edge for its births again (NCMD Node Control/Rebirth). */
  requestRebirth(group: string, edge: string, why: string): void {
    const c = this.session.current;
    const e = this.edgeOf(group, edge);
    e.lastRebirthAsk = this.now();
    e.counts.rebirthsAsked++;
    if (!c) return;
    this.log(`sparkplug host: asking ${group}/${edge} for a rebirth (${why})`);
    const payload = encodePayload({
      timestamp: this.now(),
      metrics: [{ name: NODE_REBIRTH, datatype: DataType.Boolean, value: true }],
    });
    c.publish(topicOf({ type: 'NCMD', group, edge }), Buffer.from(payload), { qos: 0 });
  }

  private edgeOf(group: string, edge: string): EdgeState {
    const key = `${group}/${edge}`;
    let e = this.edges.get(key);
    if (!e) {
      e = {
        key,
        group,
        edge,
        online: false,
        aliases: new Map(),
        names: new Map(),
        lastSeq: 0,
        held: new Map(),
        lastRebirthAsk: -Infinity,
        counts: { messages: 0, gaps: 0, late: 0, rebirthsAsked: 0, births: 0, deaths: 0 },
      };
      this.edges.set(key, e);
    }
    return e;
  }

  private onMessage(topic: string, raw: Buffer): void {
    const t = parseTopic(topic);
    if (!t || t.type === 'STATE' || t.type === 'NCMD' || t.type === 'DCMD') return;
    let p: Payload;
    try {
      p = decodePayload(raw);
    } catch (err) {
      this.counts.undecodable++;
      this.log(
        `sparkplug host: ${topic} is no Sparkplug B payload (${err instanceof Error ? err.message : String(err)})`,
      );
      return;
    }
    const e = this.edgeOf(t.group, t.edge);
    e.counts.messages++;
    if (t.type === 'NBIRTH') return this.nodeBirth(e, p);
    if (t.type === 'NDEATH') return this.nodeDeath(e, p);
    if (!e.online) {
      if (this.now() - e.lastRebirthAsk >= this.d.host.reorderTimeoutMs)
        this.requestRebirth(t.group, t.edge, `${t.type} without a session`);
      return;
    }
    const seq = p.seq;
    if (seq === undefined) {
      this.log(`sparkplug host: ${topic} has no seq; ignored`);
      return;
    }
    const expected = (e.lastSeq + 1) % 256;
    const ahead = (seq - expected + 256) % 256;
    if (ahead === 0) {
      this.apply(e, t, p);
      this.drainHeld(e);
    } else if (ahead < 128) {
      e.held.set(seq, { topic: t, payload: p });
      e.reorderTimer ??= setTimeout(() => this.gap(e), this.d.host.reorderTimeoutMs);
    } else e.counts.late++;
  }

  private drainHeld(e: EdgeState): void {
    for (;;) {
      const next = (e.lastSeq + 1) % 256;
      const h = e.held.get(next);
      if (!h) break;
      e.held.delete(next);
      this.apply(e, h.topic, h.payload);
    }
    if (e.held.size === 0 && e.reorderTimer) {
      clearTimeout(e.reorderTimer);
      e.reorderTimer = undefined;
    }
  }

  /** The missing seq did not come within reorderTimeout: apply what is held, in order, and ask for a rebirth. */
  private gap(e: EdgeState): void {
    e.reorderTimer = undefined;
    if (e.held.size === 0) return;
    e.counts.gaps++;
    const missing = (e.lastSeq + 1) % 256;
    const order = [...e.held.keys()].sort((a, b) => ((a - missing + 256) % 256) - ((b - missing + 256) % 256));
    for (const s of order) {
      const h = e.held.get(s)!;
      e.held.delete(s);
      this.apply(e, h.topic, h.payload);
    }
    this.requestRebirth(e.group, e.edge, `seq ${missing} missing after ${this.d.host.reorderTimeoutMs} ms`);
  }

  private apply(e: EdgeState, t: SparkplugTopic, p: Payload): void {
    e.lastSeq = p.seq ?? e.lastSeq;
    if (t.type === 'DBIRTH') this.learn(e, t.device, p.metrics, true);
    else if (t.type === 'DDEATH') this.markBad(e, (m) => m.device === t.device, `${e.key}/${t.device} DDEATH`);
    else if (t.type === 'NDATA' || t.type === 'DDATA') this.data(e, t.device, p);
  }

  private nodeBirth(e: EdgeState, p: Payload): void {
    const bdSeq = p.metrics.find((m) => m.name === 'bdSeq')?.value;
    if (e.reorderTimer) clearTimeout(e.reorderTimer);
    e.reorderTimer = undefined;
    e.held.clear();
    e.online = true;
    e.bdSeq = typeof bdSeq === 'number' ? bdSeq : undefined;
    e.lastSeq = p.seq ?? 0;
    e.aliases.clear();
    e.names.clear();
    e.counts.births++;
    const str = (name: string) => {
      const v = p.metrics.find((m) => m.name === name)?.value;
      return typeof v === 'string' ? v : undefined;
    };
    const site = str('Plenum/Site');
    const hall = str('Plenum/Hall');
    e.plenum = str('Plenum/Namespace') === NAMESPACE_VERSION && site && hall ? { site, hall } : undefined;
    const own = (m: Metric) =>
      m.name === 'bdSeq' || m.name?.startsWith('Node Control/') || m.name?.startsWith('Plenum/');
    this.learn(
      e,
      undefined,
      p.metrics.filter((m) => !own(m)),
      true,
    );
  }

  private nodeDeath(e: EdgeState, p: Payload): void {
    const bdSeq = p.metrics.find((m) => m.name === 'bdSeq')?.value;
    if (!e.online || (e.bdSeq !== undefined && bdSeq !== e.bdSeq)) {
      this.log(
        `sparkplug host: NDEATH of ${e.key} with bdSeq ${String(bdSeq)} is not of its session (bdSeq ${String(e.bdSeq)}); ignored`,
      );
      return;
    }
    e.online = false;
    e.counts.deaths++;
    if (e.reorderTimer) clearTimeout(e.reorderTimer);
    e.reorderTimer = undefined;
    e.held.clear();
    this.markBad(e, () => true, `${e.key} NDEATH`);
  }

  private pointIdOf(e: EdgeState, device: string | undefined, name: string): string | undefined {
    if (e.plenum) return device === undefined ? undefined : plenumPointId(e.plenum.site, e.plenum.hall, device, name);
    return foreignPointId(e.group, e.edge, device, name);
  }

  /** Births: aliases and names of the metrics, new points, and their values as samples. */
  private learn(e: EdgeState, device: string | undefined, metrics: readonly Metric[], deliver: boolean): void {
    const points: Point[] = [];
    const samples: Sample[] = [];
    const ids = new Set([...e.names.values()].map((m) => m.pointId));
    for (const m of metrics) {
      if (m.name === undefined || m.datatype === undefined) continue;
      const valueType = valueTypeOf(m.datatype);
      const pointId = this.pointIdOf(e, device, m.name);
      const key = `${device ?? ''}\u0000${m.name}`;
      if (!valueType || !pointId || (ids.has(pointId) && !e.names.has(key))) {
        this.counts.skipped++;
        this.log(
          `sparkplug host: ${e.key}${device ? `/${device}` : ''} metric "${m.name}" not stored (${!valueType ? `data type ${m.datatype} is not a number, boolean or string` : !pointId ? 'not a Plenum metric name' : `its id ${pointId} is another metric's`})`,
        );
        continue;
      }
      ids.add(pointId);
      const hm: HostMetric = { pointId, datatype: m.datatype, valueType, ...(device !== undefined && { device }) };
      e.names.set(key, hm);
      if (m.alias !== undefined) e.aliases.set(m.alias, hm);
      points.push(this.pointOf(e, device, m, hm));
      if (deliver && m.timestamp !== undefined && (m.value !== undefined || m.isNull))
        samples.push(this.sampleOf(hm, m));
    }
    if (points.length) this.d.onPoints?.(points);
    this.deliver(e, samples, 'birth');
  }

  private pointOf(e: EdgeState, device: string | undefined, m: Metric, hm: HostMetric): Point {
    const [site, hall, row, rack, asset] = hm.pointId.split('/') as [string, string, string, string, string];
    const prop = (k: string) => {
      const v = m.properties?.[k]?.value;
      return typeof v === 'string' ? v : undefined;
    };
    const q = prop('quantity');
    const quantity: Quantity =
      e.plenum && q && (QUANTITIES as readonly string[]).includes(q)
        ? (q as Quantity)
        : hm.valueType === 'number'
          ? 'count'
          : 'state';
    const domain = prop('domain');
    const kind = prop('kind');
    return {
      id: hm.pointId,
      name: prop('description') ?? `${e.key}${device !== undefined ? `/${device}` : ''}/${m.name}`,
      domain: domain === 'IT' || domain === 'OT' ? domain : 'OT',
      quantity,
      unit: CANONICAL_UNITS[quantity].symbol,
      grafanaUnit: CANONICAL_UNITS[quantity].grafanaUnit,
      valueType: hm.valueType,
      kind: kind === 'setpoint' || kind === 'status' || kind === 'command' ? kind : 'measurement',
      // writes reach a foreign edge only through its own DCMD, which this host does not send
      writable: false,
      location: { site, hall, ...(row !== '-' && { row, rack }), asset },
      tags: ['sparkplug'],
      source: { connector: 'sparkplug', source: e.key, address: `${device ?? ''}/${m.name}` },
    };
  }

  private sampleOf(hm: HostMetric, m: Metric): Sample {
    const quality: Quality = qualityOf(m);
    let value = m.isNull || m.value === undefined ? zeroOf(hm.valueType) : m.value;
    if (hm.valueType === 'number' && typeof value !== 'number') value = Number(value);
    return { pointId: hm.pointId, ts: m.timestamp ?? this.now(), value, quality };
  }

  private data(e: EdgeState, device: string | undefined, p: Payload): void {
    const live: Sample[] = [];
    const historical: Sample[] = [];
    for (const m of p.metrics) {
      const hm = m.alias !== undefined ? e.aliases.get(m.alias) : e.names.get(`${device ?? ''}\u0000${m.name ?? ''}`);
      if (!hm || hm.device !== device) {
        this.counts.skipped++;
        continue;
      }
      (m.isHistorical ? historical : live).push(this.sampleOf(hm, { ...m, timestamp: m.timestamp ?? p.timestamp }));
    }
    this.deliver(e, historical, 'data', true);
    this.deliver(e, live, 'data');
  }

  private markBad(e: EdgeState, which: (m: HostMetric) => boolean, why: string): void {
    const ts = this.now();
    const samples = [...e.names.values()]
      .filter(which)
      .map((m): Sample => ({ pointId: m.pointId, ts, value: zeroOf(m.valueType), quality: 'bad' }));
    if (samples.length) this.log(`sparkplug host: ${why}: ${samples.length} points marked bad`);
    this.deliver(e, samples, 'death');
  }

  private deliver(e: EdgeState, samples: Sample[], kind: SampleOrigin['kind'], historical = false): void {
    if (samples.length === 0) return;
    this.counts.samples += samples.length;
    this.delivery = this.delivery
      .then(() => this.d.onSamples(samples, { edge: e.key, kind, historical }))
      .catch((err: unknown) =>
        this.log(
          `sparkplug host: ${samples.length} samples of ${e.key} not stored (${err instanceof Error ? err.message : String(err)})`,
        ),
      );
  }
}
