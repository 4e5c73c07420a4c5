/**
 * The opcua connector (loaded on first start/gather by index.ts, so configs without OPC UA never load node-opcua).
 *
 * `OpcUaSubscriber` (mode subscribe): subscriptions with monitored items created in planned calls (plan.ts);
 * node-opcua's reconnection repairs short breaks; a watchdog rebuilds client, session and subscriptions when the
 * link is dead (client closed, session closed by the server, reconnection abandoned), node-opcua has been
 * reconnecting longer than `reconnect.rebuildAfterMs`, or a subscription stays silent past three keep-alives.
 *
 * `OpcUaPoller` (mode poll): one batched Read per gather; the runner schedules gathers and backs off on failures.
 *
 * Gaps: when the connection is lost (or cannot be opened), every point gets one bad sample with rawStatus
 * BadCommunicationError (0x80050000) stamped with the time of the loss, delivered at once; values received after
 * the recovery follow. A value whose source timestamp is older than the last gap marker is stamped with the time
 * it arrived, so it is not hidden behind the marker.
 *
 * Writes (both modes, write.ts): over the current session only; without one they fail at once.
 */
import {
  AttributeIds,
  ClientMonitoredItemGroup,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  resolveNodeId,
  TimestampsToReturn,
  type ClientMonitoredItemBase,
  type ClientSubscription,
  type DataValue,
} from 'node-opcua';
import * as path from 'node:path';
import { errorMessage } from '../../common/errors';
import { livenessFor, type Liveness } from '../liveness';
import type {
  LinkHealth,
  PolledConnector,
  SampleSink,
  SourceInstance,
  SourceSample,
  SubscribedConnector,
  WritableConnector,
  WriteError,
  WriteOutcome,
  WriteRequest,
} from '../types';
import { nodeIdText, nodeRefText, resolveNamespace } from './address';
import type { OpcUaOptions } from './config';
import {
  classify,
  isTooManyOperations,
  LinkError,
  OpcUaLink,
  STATUS,
  within,
  type LinkContext,
  type LinkEvents,
} from './link';
import { chunks, effectiveLimit, planMonitoredItems, type MonitorParams, type PlannedCall } from './plan';
import { publishingInterval, type OpcUaPoint } from './points';
import { badSample, toSample } from './samples';
import { ValueWatch, type WatchParams } from './value-watch';
import { linkProblem, OpcUaWriter } from './write';

/** Counters since `init`, for tests and metrics. */
export interface OpcUaStats {
  /** sessions the connector opened (first connect and rebuilds) */
  connects: number;
  /** client + session + subscriptions rebuilt from scratch by the watchdog */
  rebuilds: number;
  /** sessions repaired by node-opcua's own reconnection */
  restores: number;
  /** outages marked with bad samples */
  gaps: number;
  /** subscriptions created by the connector */
  subscriptions: number;
  /** CreateMonitoredItems calls made by the connector (node-opcua's recreations after a restart not counted) */
  createMonitoredItemsCalls: number;
  /** monitored items the server accepted */
  monitoredItems: number;
  /** monitored items the server refused (bad sample with its status) */
  refusedItems: number;
  /** Read calls (poll mode, and check Reads of values a subscription did not report) */
  reads: number;
  /** values a check Read found changed although the subscription never reported them (subscribe mode) */
  missedChanges: number;
  /** values received (notifications or read results) */
  values: number;
  /** samples the sink accepted */
  samples: number;
  sinkErrors: number;
  /** samples dropped because the sink fell behind by more than MAX_BUFFERED */
  droppedSamples: number;
}

export type OpcUaState = 'idle' | 'connecting' | 'up' | 'reconnecting' | 'rebuilding' | 'stopped';

export interface OpcUaDeps {
  /** @default console.warn with the source name */
  log?: (message: string) => void;
  /** wall clock for liveness and timeouts, @default Date.now */
  now?: () => number;
  /** the run's clock for sample timestamps, @default the source's clock, else Date.now */
  clock?: () => number;
}

/** How often the watchdog looks at the link, ms. */
const WATCHDOG_MS = 1000;
/** Lifetime the connector asks subscriptions for, ms: they outlive a reconnection and can be transferred. */
const LIFETIME_MS = 120_000;
/** Samples kept while the sink is slow; beyond, the oldest are dropped (counted). */
const MAX_BUFFERED = 200_000;
/** Points named in one log line. */
const NAMED = 5;
/** most points one liveness check reads */
const CHECK_BUDGET = 4000;

/**
 * When a point of a subscription needs proof and when an unreported change counts as missed: its sampling and
 * the publishing interval bound how late a notification may legitimately be.
 */
function watchParams(p: OpcUaPoint, publishingMs: number, l: Liveness): WatchParams {
  const cadence = Math.max(p.params.samplingIntervalMs, publishingMs);
  const d = p.params.deadband;
  return {
    staleAfterMs: Math.max(l.staleAfterMs, 3 * cadence),
    confirmAfterMs: 2 * cadence + 1000,
    tolerance: d.type === 'percent' ? 'status' : d.type === 'absolute' ? d.value : 0,
  };
}

function statusOf(err: unknown): number {
  const hex = /\(0x([0-9a-f]{8})\)/i.exec(errorMessage(err))?.[1];
  return hex ? parseInt(hex, 16) : STATUS.badUnexpectedError;
}

function names(points: readonly OpcUaPoint[]): string {
  const shown = points.slice(0, NAMED).map((p) => `"${p.point.id}"`);
  return points.length > NAMED ? `${shown.join(', ')} and ${points.length - NAMED} more` : shown.join(', ');
}

function filterOf(params: MonitorParams): DataChangeFilter | null {
  const d = params.deadband;
  if (d.type === 'none') return null;
  return new DataChangeFilter({
    trigger: DataChangeTrigger.StatusValue,
    deadbandType: d.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
    deadbandValue: d.value,
  });
}

/** What both modes share: link context, namespace resolution, gap marking, serialised delivery, writes. */
abstract class OpcUaBase implements WritableConnector {
  readonly stats: OpcUaStats = {
    connects: 0,
    rebuilds: 0,
    restores: 0,
    gaps: 0,
    subscriptions: 0,
    createMonitoredItemsCalls: 0,
    monitoredItems: 0,
    refusedItems: 0,
    reads: 0,
    missedChanges: 0,
    values: 0,
    samples: 0,
    sinkErrors: 0,
    droppedSamples: 0,
  };
  state: OpcUaState = 'idle';
  /** the last connection problem, without secrets */
  lastError?: string;
  protected readonly o: OpcUaOptions;
  protected readonly pkiDir: string;
  protected readonly log: (message: string) => void;
  /** wall clock, for liveness and timeouts */
  protected readonly now: () => number;
  /** the run's clock, for sample timestamps (gap markers, values without a source timestamp) */
  protected readonly clock: () => number;
  protected link?: OpcUaLink;
  protected stopped = false;
  /** bumped for every link: events of replaced links are ignored */
  protected generation = 0;
  /** node id text per point for the current NamespaceArray; undefined: namespace URI unknown to the server */
  protected resolved = new Map<OpcUaPoint, string | undefined>();
  protected sink?: SampleSink;
  protected gapOpen = false;
  /** time of the last gap marker, Unix ms */
  protected lastGapTs = -Infinity;
  private queue: SourceSample[] = [];
  private flushing?: Promise<void>;
  private flushScheduled = false;
  private stopSignal!: () => void;
  /** resolves when stop() is called: aborts connection attempts and backoff sleeps */
  protected readonly stopping = new Promise<void>((r) => (this.stopSignal = r));

  constructor(
    protected readonly source: SourceInstance<OpcUaOptions>,
    protected readonly points: OpcUaPoint[],
    deps: OpcUaDeps = {},
  ) {
    this.o = source.options;
    this.pkiDir = path.resolve(this.o.pkiDir);
    this.log = deps.log ?? ((m) => console.warn(`opcua source "${source.name}": ${m}`));
    this.now = deps.now ?? Date.now;
    this.clock = deps.clock ?? source.clock ?? Date.now;
    this.writer = new OpcUaWriter({
      source: source.name,
      points: new Map(points.map((p) => [p.point.id, p])),
      clock: () => this.clock(),
      requestTimeoutMs: this.o.requestTimeoutMs,
    });
  }

  /** writes over the current session (write.ts); `writer.stats` counts them */
  readonly writer: OpcUaWriter;

  /**
   * Writes one point (value in its source unit; `null` writes a Null variant: relinquish) and reads it back
   * (README "Writes"). Throws a WriteError: `config` (not writable here, unknown node or namespace, a DataType or
   * ValueRank Plenum does not write), `refused` (the value does not fit the node's type — nothing sent — or the
   * server's Bad status, in `rawStatus`), `device` (no usable session, the call failed or timed out).
   */
  write(req: WriteRequest): Promise<WriteOutcome> {
    return this.writer.write(this.link, this.unusable(), req);
  }

  /** Several writes in as few Write calls as MaxNodesPerWrite allows; one outcome or WriteError per request. */
  writeMany(reqs: readonly WriteRequest[]): Promise<Array<WriteOutcome | WriteError>> {
    return this.writer.writeMany(this.link, this.unusable(), reqs);
  }

  /** Why there is no session to write through now, or undefined. */
  private unusable(): string | undefined {
    if (this.stopped) return 'the source is stopped';
    if (!this.link) {
      const why = this.lastError ? `: ${this.lastError}` : '';
      return this.state === 'idle'
        ? 'no session yet (it opens at the first start or poll)'
        : `no session (${this.state}${why})`;
    }
    return linkProblem(this.link);
  }

  protected signalStop(): void {
    this.stopped = true;
    this.state = 'stopped';
    this.stopSignal();
  }

  protected context(gen: number, events: LinkEvents, onNewSession: LinkContext['onNewSession']): LinkContext {
    const live =
      <A extends unknown[]>(f: (...a: A) => void) =>
      (...a: A) => {
        if (gen === this.generation && !this.stopped) f(...a);
      };
    return {
      source: this.source.name,
      options: this.o,
      pkiDir: this.pkiDir,
      log: this.log,
      aborted: this.stopping,
      onNewSession,
      events: {
        lost: live(events.lost),
        restored: live(events.restored),
        namespaces: live(events.namespaces),
        dead: live(events.dead),
      },
    };
  }

  /** Re-resolves every point against a NamespaceArray; returns the points whose namespace is unknown there. */
  protected resolve(namespaces: readonly string[]): OpcUaPoint[] {
    const missing: OpcUaPoint[] = [];
    this.resolved = new Map();
    for (const p of this.points) {
      const ns = resolveNamespace(p.address.node, namespaces);
      this.resolved.set(p, ns === undefined ? undefined : nodeIdText(p.address.node, ns));
      if (ns === undefined) missing.push(p);
    }
    if (missing.length > 0) {
      const uris = [...new Set(missing.map((p) => String(p.address.node.namespace)))];
      this.log(
        `namespace ${uris.map((u) => `"${u}"`).join(', ')} of point${missing.length > 1 ? 's' : ''} ${names(missing)} is not in the server's NamespaceArray (${namespaces.join(', ')}); they are bad (BadNodeIdUnknown)`,
      );
    }
    return missing;
  }

  /** Marks the start of an outage once: one bad sample per point at the time of the loss. */
  protected markGap(reason: string): void {
    this.lastError = reason;
    if (this.gapOpen) return;
    this.gapOpen = true;
    this.stats.gaps++;
    const ts = this.clock();
    this.lastGapTs = ts;
    for (const p of this.points) this.enqueue(badSample(p.point, ts, STATUS.badCommunicationError));
    this.log(
      `${reason}; ${this.points.length} points marked bad (BadCommunicationError) at ${new Date(ts).toISOString()}`,
    );
  }

  protected closeGap(): void {
    if (!this.gapOpen) return;
    this.gapOpen = false;
    this.log(`receiving again after the gap that began ${new Date(this.lastGapTs).toISOString()}`);
  }

  /** A value from the server, stamped after the last gap marker when its own timestamp is older. */
  protected deliverValue(p: OpcUaPoint, dv: DataValue): void {
    this.stats.values++;
    const now = this.clock();
    const s = toSample(p.point, dv, now);
    if (s.ts <= this.lastGapTs) s.ts = Math.max(now, this.lastGapTs + 1);
    this.enqueue(s);
  }

  protected enqueue(s: SourceSample): void {
    this.queue.push(s);
    if (this.queue.length > MAX_BUFFERED) {
      this.queue.shift();
      this.stats.droppedSamples++;
    }
    if (!this.flushScheduled && this.sink) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        void this.flush();
      });
    }
  }

  /** Delivers the buffer in order, one sink call at a time; sink failures are counted and logged, never thrown. */
  protected flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        while (this.queue.length > 0 && this.sink) {
          const batch = this.queue.splice(0, 10_000);
          try {
            await this.sink(batch);
            this.stats.samples += batch.length;
          } catch (err) {
            this.stats.sinkErrors++;
            if (this.stats.sinkErrors === 1 || this.stats.sinkErrors % 100 === 0) {
              this.log(
                `the sink refused ${batch.length} samples (${this.stats.sinkErrors} failures): ${errorMessage(err)}`,
              );
            }
          }
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** Closes a link; its events are ignored from now on. */
  protected async dropLink(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    this.generation++;
    if (link) await link.close();
  }

  /** Waits `ms` or until stop. */
  protected async sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.stopping, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
    clearTimeout(timer);
  }
}

interface Group {
  group: ClientMonitoredItemGroup;
  points: OpcUaPoint[];
}

interface SubscriptionState {
  subscription: ClientSubscription;
  groups: Group[];
  /** Unix ms of the last publish response (data or keep-alive) */
  lastPublish: number;
}

/** mode subscribe: values pushed by the server through subscriptions. */

/** a call that got no answer within requestTimeoutMs */
class ReadTimeout extends Error {}

export class OpcUaSubscriber extends OpcUaBase implements SubscribedConnector {
  readonly mode = 'subscribe' as const;
  private subs: SubscriptionState[] = [];
  private watchdog?: NodeJS.Timeout;
  private rebuilding?: Promise<void>;
  private started = false;
  private probing = false;
  private checking = false;
  /** a notification arrived since the subscriptions were (re)created */
  private notifiedSince = false;
  /** proof per point that the subscription still reports it */
  private readonly watch: ValueWatch<OpcUaPoint>;
  private readonly liveness: Liveness;

  /** Items per CreateMonitoredItems call of the current plan, for tests and diagnostics. */
  callSizes: number[] = [];
  /** Items per subscription of the current plan. */
  subscriptionSizes: number[] = [];

  constructor(source: SourceInstance<OpcUaOptions>, points: OpcUaPoint[], deps: OpcUaDeps = {}) {
    super(source, points, deps);
    const publishing = publishingInterval(source);
    this.liveness = source.liveness ?? livenessFor(publishing);
    this.watch = new ValueWatch((p) => watchParams(p, publishing, this.liveness));
  }

  /**
   * `up` only while the subscriptions deliver — some item has proof within staleAfter; an unreported change is a
   * rebuild (README "Liveness") — degraded with the reason otherwise.
   */
  health(): LinkHealth | undefined {
    const rebuilds = this.stats.rebuilds;
    switch (this.state) {
      case 'up': {
        const reason = this.silence(this.now());
        return reason ? { state: 'degraded', lastError: reason, rebuilds } : { state: 'up', rebuilds };
      }
      case 'connecting':
      case 'reconnecting':
      case 'rebuilding':
        return { state: 'degraded', lastError: this.lastError ?? `the link is ${this.state}`, rebuilds };
      default:
        return undefined;
    }
  }

  /**
   * Connects, subscribes and resolves once values flow. Errors that need a person (untrusted server certificate,
   * refused user, missing endpoint) reject; other failures are retried with backoff until stop().
   */
  async start(sink: SampleSink): Promise<void> {
    if (this.started) throw new Error(`source "${this.source.name}": already started`);
    this.started = true;
    this.sink = sink;
    await this.openLoop(true);
    if (this.stopped) return;
    this.watchdog = setInterval(() => this.check(), WATCHDOG_MS);
  }

  /** Closes subscriptions, session and socket, and delivers what is buffered; bounded (≈ 5 s), never rejects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.signalStop();
    clearInterval(this.watchdog);
    await within(
      (async () => {
        await within(this.rebuilding ?? Promise.resolve(), 500);
        this.forgetSubscriptions();
        await this.dropLink();
      })(),
      4200,
    );
    await within(this.flush(), 500);
  }

  private events(): LinkEvents {
    return {
      lost: (reason) => {
        this.state = 'reconnecting';
        this.markGap(`connection to ${this.o.endpoint} lost (${reason})`);
      },
      restored: () => {
        // the same session: its subscriptions and monitored items are still on the server
        this.stats.restores++;
        this.state = 'up';
        const now = this.now();
        for (const s of this.subs) s.lastPublish = now;
        this.closeGap();
      },
      // never: a new session is a rebuild (onNewSession), whose subscribeAll resolves the namespaces afresh
      namespaces: () => undefined,
      dead: (reason) => this.requestRebuild(reason),
    };
  }

  /** Connects and subscribes, retrying with backoff; on the first start, errors that need a person are thrown. */
  private async openLoop(initial: boolean): Promise<void> {
    let delay = this.o.reconnect.initialDelayMs;
    for (let failures = 1; !this.stopped; failures++) {
      this.state = 'connecting';
      const gen = ++this.generation;
      try {
        this.link = await OpcUaLink.open(this.context(gen, this.events(), 'rebuild'));
        this.stats.connects++;
        await this.subscribeAll(this.link, gen);
        await this.firstValues(gen);
        if (this.stopped) return;
        this.state = 'up';
        this.closeGap();
        return;
      } catch (err) {
        this.forgetSubscriptions();
        await this.dropLink();
        if (this.stopped) return;
        const e = classify(err, { source: this.source.name, options: this.o, pkiDir: this.pkiDir });
        if (initial && e.fatal) {
          this.lastError = e.message;
          throw e;
        }
        this.markGap(e.message);
        if (failures === 1 || failures % 10 === 0) {
          this.log(`${e.message}; attempt ${failures} failed, retrying in ${delay} ms`);
        }
        await this.sleep(delay);
        delay = Math.min(delay * 2, this.o.reconnect.maxDelayMs);
      }
    }
  }

  /**
   * Waits until the new subscriptions deliver (the server sends every item's value first) or staleAfter passes,
   * so `up` means values arrive, not only that the items exist; past the bound, the liveness check takes over.
   */
  private async firstValues(gen: number): Promise<void> {
    const end = this.now() + this.liveness.staleAfterMs;
    while (this.watch.size > 0 && !this.notifiedSince && gen === this.generation && !this.stopped && this.now() < end) {
      await this.sleep(20);
    }
  }

  /** Creates the planned subscriptions and monitored items on a fresh session. */
  private async subscribeAll(link: OpcUaLink, gen: number): Promise<void> {
    const missing = this.resolve(link.namespaces);
    const ts = this.clock();
    for (const p of missing) this.enqueue(badSample(p.point, ts, STATUS.badNodeIdUnknown));
    const monitored = this.points.filter((p) => this.resolved.get(p) !== undefined);
    const perCall = effectiveLimit(this.o.maxItemsPerCall, link.limits.maxMonitoredItemsPerCall);
    const perSubscription = effectiveLimit(
      this.o.maxItemsPerSubscription,
      link.limits.maxMonitoredItemsPerSubscription,
    );
    const plan = planMonitoredItems(monitored, (p) => p.params, { perCall, perSubscription });
    const maxSubs = link.limits.maxSubscriptionsPerSession;
    if (maxSubs !== undefined && plan.length > maxSubs) {
      this.log(
        `${monitored.length} points need ${plan.length} subscriptions of ≤ ${perSubscription} items but the server allows ${maxSubs} per session; the rest will be refused`,
      );
    }
    this.callSizes = plan.flatMap((s) => s.calls.map((c) => c.items.length));
    this.subscriptionSizes = plan.map((s) => s.calls.reduce((n, c) => n + c.items.length, 0));
    const publishing = publishingInterval(this.source);
    const keepAlive = Math.max(1, Math.ceil(this.o.keepAliveMs / publishing));
    for (const planned of plan) {
      const subscription = await link.session.createSubscription2({
        requestedPublishingInterval: publishing,
        requestedMaxKeepAliveCount: keepAlive,
        requestedLifetimeCount: Math.max(3 * keepAlive, Math.ceil(LIFETIME_MS / publishing)),
        maxNotificationsPerPublish: 0,
        publishingEnabled: true,
        priority: 0,
      });
      this.stats.subscriptions++;
      const state: SubscriptionState = { subscription, groups: [], lastPublish: this.now() };
      this.subs.push(state);
      this.wireSubscription(state, gen);
      for (const call of planned.calls) await this.createItems(link, state, call, gen);
    }
  }

  private wireSubscription(state: SubscriptionState, gen: number): void {
    const s = state.subscription;
    const alive = () => gen === this.generation && !this.stopped;
    const touch = () => (state.lastPublish = this.now());
    s.on('keepalive', touch);
    s.on('received_notifications', touch);
    s.on('error', (err: Error) => this.log(`subscription error: ${errorMessage(err)}`));
    s.on('internal_error', (err: Error) => this.log(`subscription internal error: ${errorMessage(err)}`));
    s.on('status_changed', (status) => {
      // BadTimeout: the server let the subscription expire (no publish requests for its lifetime)
      if (alive() && status.isNotGood())
        this.requestRebuild(`the server reports subscription status ${status.toString()}`);
    });
    s.on('terminated', () => {
      if (alive() && this.link && !this.link.closed && !this.link.reconnectingSince) {
        this.requestRebuild('a subscription was terminated');
      }
    });
  }

  /**
   * One CreateMonitoredItems call; refused items get a bad sample with the server's status. A call the server
   * refuses as too large (BadTooManyOperations: a wrong or unexposed MaxMonitoredItemsPerCall) is halved, and the
   * smaller size kept for the rest of the plan.
   */
  private async createItems(
    link: OpcUaLink,
    state: SubscriptionState,
    call: PlannedCall<OpcUaPoint>,
    gen: number,
  ): Promise<void> {
    const items = call.items.map((p) => ({
      nodeId: resolveNodeId(this.resolved.get(p) as string),
      attributeId: AttributeIds.Value,
    }));
    const params = {
      samplingInterval: call.params.samplingIntervalMs,
      queueSize: call.params.queueSize,
      discardOldest: true,
      filter: filterOf(call.params),
    };
    this.stats.createMonitoredItemsCalls++;
    const group = ClientMonitoredItemGroup.create(state.subscription, items, params, TimestampsToReturn.Both);
    const points = call.items;
    group.on('changed', (_item: ClientMonitoredItemBase, dv: DataValue, index: number) => {
      const p = points[index];
      if (!p || gen !== this.generation || this.stopped) return;
      this.deliverValue(p, dv);
      this.watch.notified(p, dv.value?.value, dv.statusCode.value, this.now());
      this.notifiedSince = true;
    });
    group.on('err', () => undefined); // reported through the promise below
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        group.once('initialized', () => resolve());
        group.once('terminated', (err?: Error) => reject(err ?? new Error('monitored items terminated')));
        timer = setTimeout(
          () =>
            reject(new Error(`no answer to CreateMonitoredItems within ${this.o.requestTimeoutMs} ms (BadTimeout)`)),
          this.o.requestTimeoutMs,
        );
      });
    } catch (err) {
      if (link.closed || link.deadReason || link.reconnectingSince) throw err; // the connection broke: retry all
      if (isTooManyOperations(err) && points.length > 1) {
        group.removeAllListeners('changed');
        const half = Math.ceil(points.length / 2);
        link.limits.maxMonitoredItemsPerCall = Math.min(half, link.limits.maxMonitoredItemsPerCall ?? half);
        this.log(
          `the server refused ${points.length} monitored items in one call (BadTooManyOperations); creating them ${half} at a time`,
        );
        clearTimeout(timer);
        for (let i = 0; i < points.length; i += half) {
          await this.createItems(link, state, { params: call.params, items: points.slice(i, i + half) }, gen);
        }
        return;
      }
      // the server refused the whole call: its points are bad, the others go on
      this.stats.refusedItems += points.length;
      const ts = this.clock();
      for (const p of points) this.enqueue(badSample(p.point, ts, statusOf(err)));
      this.log(`the server refused monitored items for ${names(points)}: ${errorMessage(err)}`);
      return;
    } finally {
      clearTimeout(timer);
    }
    state.groups.push({ group, points });
    const refused: OpcUaPoint[] = [];
    const ts = this.clock();
    group.monitoredItems.forEach((item, i) => {
      const p = points[i] as OpcUaPoint;
      if (item.statusCode.isGood()) {
        this.stats.monitoredItems++;
        this.watch.watch(p, this.now());
      } else {
        refused.push(p);
        this.enqueue(badSample(p.point, ts, item.statusCode.value));
      }
    });
    if (refused.length > 0) {
      this.stats.refusedItems += refused.length;
      const first = group.monitoredItems[points.indexOf(refused[0] as OpcUaPoint)];
      this.log(
        `the server refused ${refused.length} monitored item${refused.length > 1 ? 's' : ''} (${names(refused)}; first: ${nodeRefText((refused[0] as OpcUaPoint).address.node)} ${first?.statusCode.toString()}); they are bad with that status`,
      );
    }
  }

  private forgetSubscriptions(): void {
    this.watch.clear();
    this.notifiedSince = false;
    for (const s of this.subs) {
      for (const g of s.groups) g.group.removeAllListeners('changed');
      s.subscription.removeAllListeners('status_changed');
      s.subscription.removeAllListeners('terminated');
    }
    this.subs = [];
  }

  private check(): void {
    const link = this.link;
    if (this.stopped || this.rebuilding || !link) return;
    const now = this.now();
    if (link.deadReason) return this.requestRebuild(link.deadReason);
    if (link.reconnectingSince !== undefined) {
      const ms = now - link.reconnectingSince;
      if (ms > this.o.reconnect.rebuildAfterMs) {
        this.requestRebuild(`node-opcua has been reconnecting for ${Math.round(ms / 1000)} s`);
      }
      return;
    }
    // a subscription answers at least every keep-alive period; node-opcua does not notice when it stops (e.g. the
    // server dropped the session without closing the channel)
    for (const s of this.subs) {
      const sub = s.subscription;
      const period = sub.publishingInterval * Math.max(1, sub.maxKeepAliveCount);
      const silent = now - s.lastPublish;
      if (silent > 3 * period) {
        return this.requestRebuild(`no publish response (data or keep-alive) for ${(silent / 1000).toFixed(1)} s`);
      }
      if (silent > 1.5 * period) this.probe(link);
    }
    this.checkValues(link, now);
  }

  /** Why the subscription counts as silent — no point has proof within staleAfter — or undefined. */
  private silence(now: number): string | undefined {
    const silentMs = this.watch.silentMs(now);
    if (silentMs <= this.liveness.staleAfterMs) return undefined;
    return `no notification from any of ${this.watch.size} monitored items for ${(silentMs / 1000).toFixed(1)} s (stale after ${this.liveness.staleAfterMs} ms); checking their values`;
  }

  /**
   * Liveness of the points (README "Liveness"): silent for staleAfter in all → degraded; points without proof for
   * their staleAfter are read (a few Reads per check, within MaxNodesPerRead) and compared with what the
   * subscription last reported; a change it did not report within confirmAfter means the subscription lost its
   * items: the read values are delivered and everything is rebuilt.
   */
  private checkValues(link: OpcUaLink, now: number): void {
    if (this.checking) return;
    const perRead = link.limits.maxNodesPerRead ?? this.o.maxItemsPerCall;
    const due = this.watch.due(now, Math.min(CHECK_BUDGET, 4 * perRead));
    if (due.length === 0) return;
    this.checking = true;
    const gen = this.generation;
    this.stats.reads++;
    void link
      .read(due.map((p) => ({ nodeId: this.resolved.get(p) as string, attributeId: AttributeIds.Value })))
      .then((values) => {
        if (gen !== this.generation || this.stopped) return;
        const at = this.now();
        const missed: OpcUaPoint[] = [];
        due.forEach((p, i) => {
          const dv = values[i];
          if (dv && this.watch.checked(p, dv.value?.value, dv.statusCode.value, at) === 'missed') {
            missed.push(p);
            this.deliverValue(p, dv);
          }
        });
        if (missed.length === 0) return;
        this.stats.missedChanges += missed.length;
        this.requestRebuild(
          `the subscription did not report changes of ${missed.length} of ${due.length} checked points (${names(missed)}) within ${watchParams(missed[0] as OpcUaPoint, publishingInterval(this.source), this.liveness).confirmAfterMs} ms: it no longer has their monitored items`,
        );
      })
      .catch((err: unknown) => this.log(`check read failed: ${errorMessage(err)}`))
      .finally(() => (this.checking = false));
  }

  /** A Read of the server's clock: a dropped session answers BadSessionIdInvalid, which means: rebuild. */
  private probe(link: OpcUaLink): void {
    if (this.probing) return;
    this.probing = true;
    let timer: NodeJS.Timeout | undefined;
    void Promise.race([
      link.session.read({ nodeId: 'i=2258', attributeId: AttributeIds.Value }),
      new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error('probe timed out')), this.o.requestTimeoutMs)),
      ),
    ])
      .catch((err: unknown) => {
        const status = /BadSession(IdInvalid|Closed)/.exec(errorMessage(err))?.[0];
        if (status && link === this.link) this.requestRebuild(`the server no longer knows the session (${status})`);
      })
      .finally(() => {
        clearTimeout(timer);
        this.probing = false;
      });
  }

  /** Starts a rebuild unless one runs; never rejects. */
  private requestRebuild(reason: string): void {
    if (this.stopped || this.rebuilding) return;
    this.rebuilding = this.rebuild(reason)
      .catch((err: unknown) => this.log(`rebuild failed: ${errorMessage(err)}`))
      .finally(() => (this.rebuilding = undefined));
  }

  private async rebuild(reason: string): Promise<void> {
    this.stats.rebuilds++;
    this.state = 'rebuilding';
    this.log(`rebuilding client, session and subscriptions: ${reason}`);
    this.markGap(`rebuilding client, session and subscriptions: ${reason}`);
    this.forgetSubscriptions();
    await this.dropLink();
    await this.openLoop(false);
  }
}

/** mode poll: a batched Read of every point per gather. */
export class OpcUaPoller extends OpcUaBase implements PolledConnector {
  readonly mode = 'poll' as const;
  /** nodes per Read call of the last gather */
  readSizes: number[] = [];

  private events(): LinkEvents {
    return {
      lost: () => (this.state = 'reconnecting'),
      restored: () => {
        this.stats.restores++;
        this.state = 'up';
      },
      namespaces: (uris) => void this.resolve(uris),
      dead: (reason) => {
        this.lastError = reason;
        this.state = 'reconnecting';
      },
    };
  }

  /** Reads every point once. Throws (after delivering bad samples) when the server cannot be read. */
  async gather(sink: SampleSink): Promise<void> {
    if (this.stopped) return;
    const ts = this.clock();
    const allBad = async (status: number, err: LinkError | Error): Promise<never> => {
      await sink(this.points.map((p) => badSample(p.point, ts, status)));
      throw err;
    };
    let link = this.link;
    if (
      link &&
      (link.deadReason ||
        (link.reconnectingSince !== undefined && this.now() - link.reconnectingSince > this.o.reconnect.rebuildAfterMs))
    ) {
      this.stats.rebuilds++;
      await this.dropLink();
      link = undefined;
    }
    if (!link) {
      this.state = 'connecting';
      try {
        link = await OpcUaLink.open(this.context(++this.generation, this.events(), 'repair'));
      } catch (err) {
        if (this.stopped) return;
        const e = classify(err, { source: this.source.name, options: this.o, pkiDir: this.pkiDir });
        this.lastError = e.message;
        return allBad(STATUS.badCommunicationError, e);
      }
      if (this.stopped) {
        await link.close();
        return;
      }
      this.link = link;
      this.stats.connects++;
      this.state = 'up';
      this.resolve(link.namespaces);
    }
    if (link.reconnectingSince !== undefined) {
      return allBad(
        STATUS.badCommunicationError,
        new LinkError(`source "${this.source.name}": ${this.o.endpoint}: connection lost, reconnecting`, false),
      );
    }
    const samples: SourceSample[] = [];
    const readable = this.points.filter((p) => this.resolved.get(p) !== undefined);
    for (const p of this.points)
      if (this.resolved.get(p) === undefined) samples.push(badSample(p.point, ts, STATUS.badNodeIdUnknown));
    const perRead = effectiveLimit(this.o.maxItemsPerCall, link.limits.maxNodesPerRead);
    this.readSizes = [];
    let failure: LinkError | undefined;
    for (const batch of chunks(readable, perRead)) {
      if (failure) {
        for (const p of batch) samples.push(badSample(p.point, ts, STATUS.badCommunicationError));
        continue;
      }
      try {
        this.readSizes.push(batch.length);
        this.stats.reads++;
        const values = await this.bounded(
          link.read(batch.map((p) => ({ nodeId: this.resolved.get(p) as string, attributeId: AttributeIds.Value }))),
        );
        const now = this.clock();
        batch.forEach((p, i) => {
          const dv = values[i];
          this.stats.values++;
          samples.push(dv ? toSample(p.point, dv, now) : badSample(p.point, now, STATUS.badUnexpectedError));
        });
      } catch (err) {
        failure = new LinkError(
          `source "${this.source.name}": ${this.o.endpoint}: Read failed: ${errorMessage(err)}`,
          false,
        );
        this.lastError = failure.message;
        // a Read unanswered within requestTimeoutMs: the channel is gone (half-open, black hole) even if the socket
        // is not; the next poll builds a new one instead of waiting for keep-alives or the liveness rebuild
        if (err instanceof ReadTimeout) link.deadReason = failure.message;
        // stamped when the read failed: that is when the value was found missing
        const at = this.clock();
        for (const p of batch) samples.push(badSample(p.point, at, STATUS.badCommunicationError));
      }
    }
    await sink(samples);
    if (failure) throw failure;
  }

  /**
   * `work` within requestTimeoutMs. node-opcua's transaction timeout does not end a Read whose answer a half-open
   * or slow link never delivers (the fault suite saw reads answered 3 s late as good, and silences with no bad
   * sample at all); a late answer is dropped.
   */
  private async bounded<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        work,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new ReadTimeout(`no answer within ${this.o.requestTimeoutMs} ms (BadTimeout)`)),
            this.o.requestTimeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined);
    }
  }

  /** Closes session and socket; bounded (≈ 4 s), never rejects. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.signalStop();
    await within(this.dropLink(), 4500);
  }
}
