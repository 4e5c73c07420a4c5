/**
 * `read: cov`: SubscribeCOV for each object whose present-value a point reads (unconfirmed notifications, lifetime
 * `covLifetimeS`, renewed at half of it), and ReadPropertyMultiple polling every interval of what the device will
 * not report: objects whose subscription it refused (a controller with few COV slots answers resources:
 * no-space-to-add-list-element), and properties other than present-value. Refused subscriptions are asked for
 * again at each renewal. A check read of the subscribed objects every half `staleAfter` proves the device is
 * there while values do not move (a COV device is silent then); it is delivered like any read, so a device that
 * stops answering makes its points bad within `staleAfter`.
 */
import type { CovNotifyPayload } from '@bacnet-js/client';
import { errorMessage } from '../../common/errors';
import { livenessFor } from '../liveness';
import type {
  LinkHealth,
  SampleSink,
  SourceInstance,
  SourceSample,
  SubscribedConnector,
  WritableConnector,
  WriteOutcome,
  WriteRequest,
} from '../types';
import { BacnetConnector, type ObjectAnswer } from './bacnet';
import type { BacnetOptions } from './config';
import { PROPERTIES } from './objects';
import type { DevicePlan, PlannedObject } from './plan';
import { propertyResult } from './read';

const PV = PROPERTIES['present-value'];

export class BacnetCovConnector implements SubscribedConnector, WritableConnector {
  readonly mode = 'subscribe' as const;
  readonly inner: BacnetConnector;
  /** `<device>/<object>` subscribed now */
  readonly subscribed = new Set<string>();
  /** `<device>/<object>` → why it is polled instead */
  readonly refused = new Map<string, string>();
  readonly stats = { subscribes: 0, renewals: 0, notifications: 0, checks: 0, polls: 0 };
  private sink?: SampleSink;
  private readonly timers: NodeJS.Timeout[] = [];
  private lastError?: string;
  private running = false;
  private busy = false;

  constructor(
    readonly source: SourceInstance<BacnetOptions>,
    clock: () => number = Date.now,
  ) {
    this.inner = new BacnetConnector(source, clock);
  }

  private key(d: DevicePlan, obj: PlannedObject): string {
    return `${d.device.name}/${obj.key}`;
  }

  /** one subscriber process id per object, stable for the source's life */
  private processId(d: DevicePlan, obj: PlannedObject): number {
    let n = 1;
    for (const x of this.inner.plan.devices) {
      for (const o of x.objects) {
        if (x === d && o === obj) return n;
        n++;
      }
    }
    return n;
  }

  async start(sink: SampleSink): Promise<void> {
    this.sink = sink;
    this.running = true;
    this.inner.link.onCov((p, from) => this.onNotification(p, from));
    await this.deliver(await this.inner.readDevices(this.inner.plan.devices));
    await this.subscribeAll();
    const o = this.source.options;
    const every = (ms: number, fn: () => Promise<void>) => {
      const t = setInterval(() => {
        if (this.busy || !this.running) return;
        this.busy = true;
        fn()
          .catch((e: unknown) => (this.lastError = errorMessage(e)))
          .finally(() => (this.busy = false));
      }, ms);
      this.timers.push(t);
    };
    every(this.source.intervalMs, () => this.pollUnreported());
    every(Math.max(1000, (o.covLifetimeS * 1000) / 2), () => this.subscribeAll());
    const stale = this.source.liveness?.staleAfterMs ?? livenessFor(this.source.intervalMs).staleAfterMs;
    every(Math.max(500, stale / 2), () => this.checkSubscribed());
  }

  private async deliver(r: { samples: SourceSample[]; problems: string[] }): Promise<void> {
    this.lastError = r.problems.length > 0 ? `source "${this.source.name}": ${r.problems.join('; ')}` : undefined;
    if (r.samples.length > 0 && this.sink) await this.sink(r.samples);
  }

  /** SubscribeCOV (or its renewal) of every object with a present-value point; refusals are polled. */
  private async subscribeAll(): Promise<void> {
    const problems: string[] = [];
    await Promise.all(
      this.inner.plan.devices.map(async (d) => {
        const unlocated = await this.inner.locate(d.device).catch((e: unknown) => errorMessage(e));
        if (unlocated) {
          problems.push(
            `device "${d.device.name}": ${unlocated}; not subscribed, looked for again at the next renewal`,
          );
          return;
        }
        for (const obj of d.objects) {
          if (!this.running) return;
          if (!obj.points.some((p) => p.address.property === PV)) continue;
          const k = this.key(d, obj);
          try {
            const renewal = this.subscribed.has(k);
            await this.inner.link.subscribeCov(
              d.device,
              obj.objectId,
              this.processId(d, obj),
              this.source.options.covLifetimeS,
            );
            if (renewal) this.stats.renewals++;
            else this.stats.subscribes++;
            this.subscribed.add(k);
            this.refused.delete(k);
          } catch (e) {
            this.subscribed.delete(k);
            const why = errorMessage(e);
            this.refused.set(k, why);
            problems.push(
              `device "${d.device.name}": ${obj.key}: ${why}; polled every ${this.source.intervalMs} ms instead`,
            );
          }
        }
      }),
    );
    if (problems.length > 0) this.lastError = `source "${this.source.name}": ${problems.join('; ')}`;
  }

  /** What no notification carries: refused objects, and properties other than present-value. */
  private async pollUnreported(): Promise<void> {
    const unreported = (d: DevicePlan, obj: PlannedObject) =>
      !this.subscribed.has(this.key(d, obj)) || obj.points.some((p) => p.address.property !== PV);
    if (!this.inner.plan.devices.some((d) => d.objects.some((o) => unreported(d, o)))) return;
    this.stats.polls++;
    await this.deliver(await this.inner.readDevices(this.inner.plan.devices, unreported));
  }

  private async checkSubscribed(): Promise<void> {
    if (this.subscribed.size === 0) return;
    this.stats.checks++;
    await this.deliver(
      await this.inner.readDevices(this.inner.plan.devices, (d, o) => this.subscribed.has(this.key(d, o))),
    );
  }

  private onNotification(p: CovNotifyPayload, from: string): void {
    const d = this.inner.plan.devices.find((x) => `${x.device.host}:${x.device.port}` === from);
    const obj = d?.objects.find(
      (o) => o.objectId.type === p.monitoredObjectId.type && o.objectId.instance === p.monitoredObjectId.instance,
    );
    if (!d || !obj || !this.running) return;
    this.stats.notifications++;
    const answer: ObjectAnswer = new Map();
    for (const v of p.values) answer.set(v.property.id, propertyResult(v.value as never));
    const samples = obj.points
      .filter((x) => x.address.property === PV)
      .map((x) => this.inner.sampleOf(d.device, obj, x, answer).sample);
    if (samples.length > 0) void this.sink?.(samples).catch((e: unknown) => (this.lastError = errorMessage(e)));
  }

  health(): LinkHealth {
    return this.lastError === undefined ? { state: 'up' } : { state: 'degraded', lastError: this.lastError };
  }

  write(req: WriteRequest): Promise<WriteOutcome> {
    return this.inner.write(req);
  }

  /** Cancels the subscriptions (each bounded by the timeout, all at most 1 s) and closes the socket. */
  async stop(): Promise<void> {
    this.running = false;
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
    const cancels = this.inner.plan.devices.flatMap((d) =>
      d.objects
        .filter((o) => this.subscribed.has(this.key(d, o)))
        .map((o) =>
          this.inner.link.subscribeCov(d.device, o.objectId, this.processId(d, o), 0, true).catch(() => undefined),
        ),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(cancels), new Promise((r) => (timer = setTimeout(r, 1000)))]);
    clearTimeout(timer);
    this.subscribed.clear();
    await this.inner.close();
  }
}
