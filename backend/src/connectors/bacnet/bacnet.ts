/**
 * The bacnet connector: plans every point in `init` (no I/O). A poll reads each device's objects with
 * ReadPropertyMultiple — present-value (or the point's property), status-flags and reliability for the quality,
 * units for analog objects — batched to fit the device's APDU, devices `concurrency` at a time and one request at
 * a time per device. `write` is a WriteProperty at the configured priority (null: relinquish) read back.
 * `read: cov` (cov.ts) subscribes instead and polls only what the device will not report.
 *
 * Failure policy (README "Errors and quality"): a property the device answers with an error is bad with that
 * error's rawStatus; a device that does not answer, or aborts, gets no further requests that poll and all its
 * unread points are bad; then gather throws one error naming the source, each device with its address, the
 * object and the point. Never a crash, never a thrown gather before the samples are delivered.
 */
import { ApplicationTag, type BACNetAppData } from '@bacnet-js/client';
import type { Quality, SampleValue } from '@plenum/model';
import { errorMessage } from '../../common/errors';
import {
  WriteError,
  type PolledConnector,
  type SampleSink,
  type SourceInstance,
  type SourcePoint,
  type SourceSample,
  type WritableConnector,
  type WriteOutcome,
  type WriteRequest,
} from '../types';
import { deviceTarget, type BacnetOptions, type ResolvedDevice } from './config';
import { BacnetLink, BacnetLinkError, nullValue, type ReadResult } from './link';
import { errorText, OBJECT_TYPES, PROPERTIES, propertyName } from './objects';
import { planBatches, propertyResult, asPointValue, stateName, stateTextResult, type BatchItem } from './read';
import { planSource, type DevicePlan, type PlannedObject, type PlannedPoint, type SourcePlan } from './plan';
import { errorStatus, flagsOf, MALFORMED_STATUS, qualityOf, statusText, TIMEOUT_STATUS } from './quality';
import { bacnetUnitName, deviceToPoint } from './units';

const PV = PROPERTIES['present-value'];
const SF = PROPERTIES['status-flags'];
const REL = PROPERTIES.reliability;
const UNITS = PROPERTIES.units;
const STATE_TEXT = PROPERTIES['state-text'];
/** error code unknown-property: the device has no such (optional) property */
const UNKNOWN_PROPERTY = 32;

/** Counters since `init`, for tests and metrics. */
export interface BacnetStats {
  /** ReadPropertyMultiple requests sent (retries included in link.stats) */
  reads: number;
  /** batches split in two after the device aborted an answer that would not fit */
  splits: number;
  writes: number;
  /** devices that failed a poll (no answer, abort) */
  deviceFailures: number;
}

/** What one poll (or a COV notification) knows of an object: its properties' answers. */
export type ObjectAnswer = Map<number, ReturnType<typeof propertyResult>>;

function neutral(p: SourcePoint): SampleValue {
  return p.valueType === 'boolean' ? false : p.valueType === 'string' ? '' : 0;
}

export class BacnetConnector implements PolledConnector, WritableConnector {
  readonly mode = 'poll' as const;
  readonly stats: BacnetStats = { reads: 0, splits: 0, writes: 0, deviceFailures: 0 };
  /** why points of the last poll were not good, one line each */
  lastProblems: string[] = [];
  readonly plan: SourcePlan;
  readonly link: BacnetLink;
  /** optional properties a device said it lacks (`<device>/<object>/<property>`): not asked again */
  private readonly lacking = new Set<string>();
  /** the units each analog object reported (`<device>/<object>`) */
  readonly units = new Map<string, number>();
  /** the state-text each multi-state object with a string point reported (`<device>/<object>`): read once */
  readonly stateTexts = new Map<string, string[]>();
  /** the reliability last read per object, for COV notifications (which carry only present-value and flags) */
  readonly reliability = new Map<string, number>();
  private readonly verified = new Set<string>();
  private fdRegisteredAt = 0;
  /** why the last foreign-device registration failed, until one succeeds */
  private bbmdProblem?: string;
  private closed = false;

  constructor(
    readonly source: SourceInstance<BacnetOptions>,
    readonly clock: () => number = Date.now,
  ) {
    this.plan = planSource(source);
    const o = source.options;
    this.link = new BacnetLink({
      localAddress: o.localAddress,
      localPort: o.localPort,
      broadcastAddress: o.broadcastAddress,
      timeoutMs: o.timeoutMs,
      retries: o.retries,
    });
  }

  async gather(sink: SampleSink): Promise<void> {
    const { samples, problems } = await this.readDevices(this.plan.devices);
    this.lastProblems = problems;
    if (samples.length > 0) await sink(samples);
    const bad = samples.filter((s) => s.quality === 'bad').length;
    if (problems.length > 0 && bad > 0)
      throw new Error(`source "${this.source.name}": ${bad} of ${samples.length} points bad: ${problems.join('; ')}`);
    // the reads work (they are unicast) but the source is not as configured: degraded, with the reason
    if (this.bbmdProblem) throw new Error(`source "${this.source.name}": ${this.bbmdProblem}`);
  }

  /** Reads the given devices' objects (all of a device's planned objects unless `only` names some). */
  async readDevices(
    devices: readonly DevicePlan[],
    only?: (d: DevicePlan, obj: PlannedObject) => boolean,
  ): Promise<{ samples: SourceSample[]; problems: string[] }> {
    const samples: SourceSample[] = [];
    const problems: string[] = [];
    const preamble = await this.beforeReads();
    if (preamble) problems.push(preamble);
    const queue = [...devices];
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const objects = only ? d.objects.filter((obj) => only(d!, obj)) : d.objects;
        if (objects.length === 0) continue;
        const r = await this.readDevice(d.device, objects);
        samples.push(...r.samples);
        problems.push(...r.problems);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.source.options.concurrency, queue.length) }, worker));
    return { samples, problems };
  }

  /** Opens the socket and keeps the BBMD registration fresh; a message when something failed. */
  private async beforeReads(): Promise<string | undefined> {
    try {
      await this.link.open();
    } catch (e) {
      return errorMessage(e);
    }
    const bbmd = this.source.options.bbmd;
    if (bbmd && this.clock() - this.fdRegisteredAt >= (bbmd.ttlS * 1000) / 2) {
      try {
        await this.link.registerForeignDevice(bbmd, bbmd.ttlS);
        this.fdRegisteredAt = this.clock();
        this.bbmdProblem = undefined;
      } catch (e) {
        this.bbmdProblem = `${errorMessage(e)} (the BBMD refused or did not answer: broadcasts such as Who-Is do not reach other subnets)`;
        return this.bbmdProblem;
      }
    }
    return undefined;
  }

  private where(d: ResolvedDevice): string {
    return `device "${d.name}" (${deviceTarget(d)})`;
  }

  /**
   * Who-Is for a configured deviceId, once: with a host, unicast — the device at that address must be that device;
   * without, broadcast (through the BBMD when one is configured) — the device is where its I-Am came from. A
   * message when it failed.
   */
  async locate(d: ResolvedDevice): Promise<string | undefined> {
    if (d.deviceId === undefined || this.verified.has(d.name)) return undefined;
    const range = { low: d.deviceId, high: d.deviceId };
    const wait = this.source.options.timeoutMs;
    if (d.byWhoIs) {
      const heard = await this.link.whoIs(undefined, range, wait, this.source.options.bbmd);
      const it = heard.find((i) => i.deviceId === d.deviceId);
      if (!it) {
        const to = this.source.options.bbmd
          ? `through the BBMD at ${this.source.options.bbmd.host}:${this.source.options.bbmd.port}`
          : `to ${this.source.options.broadcastAddress}`;
        return `no I-Am for device ${d.deviceId} within ${wait} ms of a Who-Is broadcast ${to}`;
      }
      const [host, port] = it.address.split(':');
      Object.assign(d, { host, port: Number(port), network: it.network, mac: it.mac });
      this.verified.add(d.name);
      return undefined;
    }
    const heard = await this.link.whoIs(d, range, wait);
    const fromIt = heard.find((i) => i.address === `${d.host}:${d.port}`) ?? heard[0];
    if (!fromIt) return `no I-Am for device ${d.deviceId} within ${wait} ms of a Who-Is`;
    if (fromIt.deviceId !== d.deviceId) return `answers as device ${fromIt.deviceId}, not ${d.deviceId}`;
    this.verified.add(d.name);
    return undefined;
  }

  /** A device found by Who-Is that stopped answering is looked for anew on the next read (it may have moved). */
  private lost(d: ResolvedDevice): void {
    if (!d.byWhoIs) return;
    this.verified.delete(d.name);
    Object.assign(d, { host: '', network: undefined, mac: undefined });
  }

  private async readDevice(
    d: ResolvedDevice,
    objects: readonly PlannedObject[],
  ): Promise<{ samples: SourceSample[]; problems: string[] }> {
    const o = this.source.options;
    const problems: string[] = [];
    const samples: SourceSample[] = [];
    const failAll = (rest: readonly PlannedObject[], rawStatus: number) => {
      for (const obj of rest) for (const p of obj.points) samples.push(this.badSample(p.point, rawStatus));
    };
    let failure: BacnetLinkError | undefined;
    try {
      const why = await this.locate(d);
      if (why) failure = new BacnetLinkError('timeout', why, TIMEOUT_STATUS);
    } catch (e) {
      failure = e instanceof BacnetLinkError ? e : new BacnetLinkError('malformed', errorMessage(e), MALFORMED_STATUS);
    }
    if (failure) {
      this.stats.deviceFailures++;
      problems.push(
        `${this.where(d)}: ${failure.message}; ${objects.reduce((n, x) => n + x.points.length, 0)} points not read`,
      );
      failAll(objects, failure.rawStatus);
      return { samples, problems };
    }
    const skip = (obj: PlannedObject, p: number) =>
      this.lacking.has(`${d.name}/${obj.key}/${p}`) ||
      (p === UNITS && this.units.has(`${d.name}/${obj.key}`)) ||
      (p === STATE_TEXT && this.stateTexts.has(`${d.name}/${obj.key}`));
    const pending = planBatches(objects, skip, o.maxPropertiesPerRequest, d.maxApdu);
    const answers = new Map<string, ObjectAnswer>();
    while (pending.length > 0) {
      const batch = pending.shift()!;
      try {
        this.stats.reads++;
        const res = await this.link.readMultiple(
          d,
          batch.map((b) => ({
            objectId: b.obj.objectId,
            properties: b.properties.map((id) => ({ id, index: 0xffffffff })),
          })),
        );
        this.collect(batch, res, answers);
      } catch (e) {
        const err =
          e instanceof BacnetLinkError ? e : new BacnetLinkError('malformed', errorMessage(e), MALFORMED_STATUS);
        // an answer too large for a device that cannot segment: halve the request and ask again
        if (
          err.kind === 'abort' &&
          [1, 4, 11].includes(err.reason ?? -1) &&
          (batch.length > 1 || (batch[0]?.properties.length ?? 0) > 1)
        ) {
          this.stats.splits++;
          pending.unshift(...splitBatch(batch));
          continue;
        }
        if (err.kind === 'error' && batch.length > 0) {
          // the whole request refused (an unknown object when it is the only one): those objects' points
          const objs = batch.map((b) => b.obj);
          for (const obj of objs)
            for (const p of obj.points) {
              samples.push(this.badSample(p.point, err.rawStatus));
              problems.push(`${this.where(d)}: ${obj.key}: ${err.message} (point "${p.point.id}")`);
            }
          continue;
        }
        this.stats.deviceFailures++;
        const rest = [...new Set([...batch, ...pending.flat()].map((b) => b.obj))].filter((x) => !answers.has(x.key));
        problems.push(
          `${this.where(d)}: ${err.message}; ${rest.reduce((n, x) => n + x.points.length, 0)} points not read`,
        );
        failAll(rest, err.rawStatus);
        pending.length = 0;
        if (err.kind === 'timeout') this.lost(d);
      }
    }
    for (const obj of objects) {
      const answer = answers.get(obj.key);
      if (!answer) continue;
      for (const p of obj.points) {
        const s = this.sampleOf(d, obj, p, answer);
        samples.push(s.sample);
        if (s.problem) problems.push(`${this.where(d)}: ${s.problem} (point "${p.point.id}")`);
      }
    }
    return { samples, problems };
  }

  private collect(batch: BatchItem[], res: ReadResult[], answers: Map<string, ObjectAnswer>): void {
    for (const r of res) {
      const item = batch.find(
        (b) => b.obj.objectId.type === r.objectId.type && b.obj.objectId.instance === r.objectId.instance,
      );
      if (!item) continue;
      const a = answers.get(item.obj.key) ?? new Map();
      for (const v of r.values) a.set(v.id, v.id === STATE_TEXT ? stateTextResult(v.value) : propertyResult(v.value));
      answers.set(item.obj.key, a);
    }
  }

  /** One point's sample from what was read of its object (a poll's answer or a COV notification). */
  sampleOf(
    d: ResolvedDevice,
    obj: PlannedObject,
    p: PlannedPoint,
    answer: ObjectAnswer,
  ): { sample: SourceSample; problem?: string } {
    const key = `${d.name}/${obj.key}`;
    const lack = (prop: number) => {
      const r = answer.get(prop);
      if (r && !r.ok && r.errorCode === UNKNOWN_PROPERTY) this.lacking.add(`${key}/${prop}`);
    };
    lack(REL);
    lack(UNITS);
    lack(STATE_TEXT);
    const texts = answer.get(STATE_TEXT);
    if (texts?.ok && Array.isArray(texts.value)) this.stateTexts.set(key, texts.value as string[]);
    const units = answer.get(UNITS);
    if (units?.ok && typeof units.value === 'number') this.units.set(key, units.value);
    const relR = answer.get(REL);
    if (relR?.ok && typeof relR.value === 'number') this.reliability.set(key, relR.value);
    const prop = p.address.property;
    const r = answer.get(prop);
    const what = `${obj.key} ${propertyName(prop)}`;
    if (!r) return { sample: this.badSample(p.point, MALFORMED_STATUS), problem: `${what} missing from the answer` };
    if (!r.ok) {
      return {
        sample: this.badSample(p.point, errorStatus(r.errorClass, r.errorCode)),
        problem: `${what}: ${errorText(r.errorClass, r.errorCode)}`,
      };
    }
    // a multi-state present-value read into a string point: the state number, then its state-text
    const named = obj.kind === 'multistate' && prop === PV && p.point.valueType === 'string';
    let value = asPointValue(r.tag, r.value, named ? 'number' : p.point.valueType);
    let unnamed: string | undefined;
    if (named && typeof value === 'number') {
      const names = this.stateTexts.get(key);
      if (!names)
        return {
          sample: this.badSample(p.point, MALFORMED_STATUS),
          problem: `${what}: the object has no state-text to name state ${value}; expected valueType: number`,
        };
      const s = stateName(value, names);
      if (!s.known) unnamed = `${what} is state ${value}, beyond its ${names.length} state-texts`;
      value = s.name;
    }
    if (value === undefined || value === null)
      return {
        sample: this.badSample(p.point, MALFORMED_STATUS),
        problem: `${what} reads ${value === null ? 'null' : `a value of application tag ${r.tag}`}, not a ${p.point.valueType}`,
      };
    // status-flags and reliability describe present-value; other properties are configuration, good when read
    let quality: Quality = 'good';
    let rawStatus = 0;
    let problem: string | undefined;
    if (prop === PV) {
      const sf = answer.get(SF);
      const flags = sf?.ok ? flagsOf(sf.value as { value: number[] }) : 0;
      const rel = this.reliability.get(key) ?? 0;
      ({ quality, rawStatus } = qualityOf(flags, rel));
      if (quality === 'bad') problem = `${what} is flagged ${statusText(flags, rel)}`;
      else if (unnamed) {
        quality = 'uncertain';
        problem = unnamed;
      }
    }
    if (
      (prop === PV || prop === PROPERTIES['relinquish-default']) &&
      obj.kind === 'analog' &&
      typeof value === 'number'
    ) {
      const u = this.units.get(key);
      if (u !== undefined) {
        const conv = deviceToPoint(u, p.point.sourceUnit, p.point.quantity);
        if ('error' in conv)
          return { sample: this.badSample(p.point, MALFORMED_STATUS), problem: `${what}: ${conv.error}` };
        if (conv.scale !== 1 || conv.offset !== 0) value = value * conv.scale + conv.offset;
      }
    }
    return {
      sample: { pointId: p.point.id, ts: this.clock(), value, quality, ...(rawStatus !== 0 && { rawStatus }) },
      ...(problem && { problem }),
    };
  }

  badSample(point: SourcePoint, rawStatus: number): SourceSample {
    return { pointId: point.id, ts: this.clock(), value: neutral(point), quality: 'bad', rawStatus };
  }

  /** WriteProperty of the point's value (null: relinquish its priority slot), then a read-back. */
  async write(req: WriteRequest): Promise<WriteOutcome> {
    const planned = this.plan.points.get(req.point.id);
    if (!planned)
      throw new WriteError('config', `point "${req.point.id}" is not a point of source "${this.source.name}"`);
    if (!planned.point.writable) throw new WriteError('config', `point "${req.point.id}" is not writable`);
    const a = planned.write;
    const d = planned.device;
    const objectId = { type: OBJECT_TYPES[a.objectType].id, instance: a.instance };
    const kind = OBJECT_TYPES[a.objectType].kind;
    const commanded = a.property === PV;
    const priority = commanded ? (a.priority ?? this.source.options.writePriority) : undefined;
    const target = `${a.objectType}:${a.instance} ${propertyName(a.property)}${priority ? ` at priority ${priority}` : ''} on ${this.where(d)}`;
    let values: BACNetAppData[];
    if (req.value === null) {
      if (!commanded)
        throw new WriteError(
          'refused',
          `cannot relinquish ${target}: only a commandable present-value has priority slots`,
        );
      values = nullValue();
    } else values = this.encode(planned, kind, req.value, target);
    // with a deviceId, written only once its I-Am said it is that device (found by Who-Is: where it answered last)
    const where = await this.locate(d).catch((e: unknown) => errorMessage(e));
    if (where) throw new WriteError('device', `write to ${target}: ${where}`);
    this.stats.writes++;
    try {
      await this.link.writeProperty(d, objectId, a.property, values, priority ?? 0);
    } catch (e) {
      const err =
        e instanceof BacnetLinkError ? e : new BacnetLinkError('malformed', errorMessage(e), MALFORMED_STATUS);
      const kindOf = err.kind === 'error' || err.kind === 'abort' ? 'refused' : 'device';
      const maybe = err.kind === 'timeout' ? ' (it may or may not have been applied)' : '';
      throw new WriteError(
        kindOf,
        `write of ${req.value === null ? 'null (relinquish)' : String(req.value)} to ${target}: ${err.message}${maybe}`,
        err.rawStatus,
      );
    }
    // read back what is in effect now: after a relinquish, the next slot's value or relinquish-default
    const obj: PlannedObject = {
      key: `${a.objectType}:${a.instance}`,
      objectId,
      kind,
      properties: [a.property, ...(commanded ? [SF, REL] : []), ...(kind === 'analog' && commanded ? [UNITS] : [])],
      points: [],
    };
    const readPoint: PlannedPoint = { ...planned, address: a, objectKey: obj.key };
    obj.points.push(readPoint);
    const r = await this.readDevice(d, [obj]);
    const s = r.samples[0];
    return {
      readBack: s && s.quality !== 'bad' ? s.value : null,
      rawStatus: s?.rawStatus ?? (s ? 0 : MALFORMED_STATUS),
      at: this.clock(),
    };
  }

  /** The point's value as the object's application type, in the device's units. */
  private encode(p: PlannedPoint, kind: string, value: SampleValue, target: string): BACNetAppData[] {
    if (kind === 'binary') {
      if (typeof value !== 'boolean' && value !== 0 && value !== 1)
        throw new WriteError(
          'refused',
          `cannot write ${JSON.stringify(value)} to ${target}: expected true/false or 0/1`,
        );
      return [{ type: ApplicationTag.ENUMERATED, value: value === true || value === 1 ? 1 : 0 }];
    }
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new WriteError('refused', `cannot write ${JSON.stringify(value)} to ${target}: expected a finite number`);
    if (kind === 'multistate') {
      if (!Number.isInteger(value) || value < 1)
        throw new WriteError(
          'refused',
          `cannot write ${value} to ${target}: a multi-state value is a state number 1, 2, …`,
        );
      return [{ type: ApplicationTag.UNSIGNED_INTEGER, value }];
    }
    const u = this.units.get(`${p.device.name}/${p.write.objectType}:${p.write.instance}`);
    let v = value;
    if (u !== undefined) {
      const conv = deviceToPoint(u, p.point.sourceUnit, p.point.quantity);
      if ('error' in conv) throw new WriteError('config', `cannot write to ${target}: ${conv.error}`);
      if (conv.scale !== 1 || conv.offset !== 0) v = (value - conv.offset) / conv.scale;
    }
    return [{ type: ApplicationTag.REAL, value: v }];
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.link.close();
  }
}

/** A batch in two halves (by objects, or one object's properties). */
function splitBatch(batch: BatchItem[]): BatchItem[][] {
  if (batch.length > 1) {
    const h = Math.ceil(batch.length / 2);
    return [batch.slice(0, h), batch.slice(h)];
  }
  const only = batch[0]!;
  const h = Math.ceil(only.properties.length / 2);
  return [
    [{ obj: only.obj, properties: only.properties.slice(0, h) }],
    [{ obj: only.obj, properties: only.properties.slice(h) }],
  ];
}

export { bacnetUnitName };
