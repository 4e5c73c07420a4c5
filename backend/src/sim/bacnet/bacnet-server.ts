/**
 * The twin's BACnet/IP face: the hall BMS as one BACnet device (objects.ts) answering Who-Is, ReadProperty,
 * ReadPropertyMultiple, WriteProperty with a 16-slot priority array, and SubscribeCOV with unconfirmed COV
 * notifications — built on @bacnet-js/client's server side (no other maintained BACnet stack is installable
 * here; the tests check both sides against Wireshark's dissector instead). Values come from the model at every
 * request; a write goes to `model.write(point, value, 'bacnet:<sender>/p<priority>')`.
 *
 * Like a controller without segmentation, an answer larger than the APDU it may send (its `maxApdu`, or less if
 * the client asked for less) is refused with Abort segmentation-not-supported: clients split their requests.
 */
import BACnetClient, { type BACNetAddress, type BACNetAppData } from '@bacnet-js/client';
import * as npdu from '@bacnet-js/client/dist/lib/npdu';
import * as apdu from '@bacnet-js/client/dist/lib/apdu';
import { ReadPropertyMultiple } from '@bacnet-js/client/dist/lib/services';
import Transport from '@bacnet-js/client/dist/lib/transport';
import { errorMessage } from '../../common/errors';
import type { HallModel } from '../model';
import { BAC_TYPE, effective, objectKey, twinObjects, type TwinObject } from './objects';
import { freeUdpPort } from '../../common/free-port';

export interface SimBacnetOptions {
  /** @default 127.0.0.1 */
  host?: string;
  /** UDP port; BACnet/IP's is 47808; 0 picks a free one */
  port: number;
  /** where a broadcast goes (I-Am answers are unicast to the asker), @default 255.255.255.255 */
  broadcastAddress?: string;
  /** the device object's instance, @default 1001 */
  deviceId?: number;
  /** largest APDU it sends or takes, octets (480 for an MS/TP-sized controller), @default 1476 */
  maxApdu?: number;
  /** COV subscriptions it holds at most (small controllers hold a few dozen); more are refused, @default 256 */
  maxCovSubscriptions?: number;
  /** brings the model to the current simulated time before a write (the runner's tick) */
  sync?: () => void;
  /** @default Date.now: COV lifetimes run in wall seconds, as BACnet's do */
  wallClock?: () => number;
  log?: (m: string) => void;
}

// BACnet numbers used here (ASHRAE 135 clause 21)
const P = {
  ALL: 8,
  COV_INCREMENT: 22,
  DESCRIPTION: 28,
  EVENT_STATE: 36,
  MAX_APDU: 62,
  MAX_PRES: 65,
  MIN_PRES: 69,
  NUMBER_OF_STATES: 74,
  OBJECT_ID: 75,
  OBJECT_LIST: 76,
  OBJECT_NAME: 77,
  OBJECT_TYPE: 79,
  OUT_OF_SERVICE: 81,
  PRESENT_VALUE: 85,
  PRIORITY_ARRAY: 87,
  PROTOCOL_REVISION: 139,
  PROTOCOL_VERSION: 98,
  RELIABILITY: 103,
  RELINQUISH_DEFAULT: 104,
  SEGMENTATION: 107,
  STATE_TEXT: 110,
  STATUS_FLAGS: 111,
  SYSTEM_STATUS: 112,
  UNITS: 117,
  VENDOR_ID: 120,
  VENDOR_NAME: 121,
  MODEL_NAME: 70,
} as const;
const TAG = {
  NULL: 0,
  BOOLEAN: 1,
  UNSIGNED: 2,
  SIGNED: 3,
  REAL: 4,
  DOUBLE: 5,
  CHARSTRING: 7,
  BITSTRING: 8,
  ENUMERATED: 9,
  OBJECTID: 12,
} as const;
const ERR_CLASS = { DEVICE: 0, OBJECT: 1, PROPERTY: 2, RESOURCES: 3, SERVICES: 5 } as const;
const ERR_CODE = {
  OPERATIONAL_PROBLEM: 25,
  UNKNOWN_OBJECT: 31,
  UNKNOWN_PROPERTY: 32,
  VALUE_OUT_OF_RANGE: 37,
  WRITE_ACCESS_DENIED: 40,
  INVALID_DATA_TYPE: 9,
  INVALID_ARRAY_INDEX: 42,
  NO_SPACE_TO_ADD_LIST_ELEMENT: 19,
  NOT_COV_PROPERTY: 44,
} as const;
const SERVICE = { READ_PROPERTY: 12, READ_PROPERTY_MULTIPLE: 14, WRITE_PROPERTY: 15, SUBSCRIBE_COV: 5 } as const;
/** Abort reason segmentation-not-supported */
const ABORT_SEGMENTATION = 4;
const ARRAY_ALL = 0xffffffff;
const APDU_OCTETS = [50, 128, 206, 480, 1024, 1476];
/** the reliability of a unit that does not answer its BMS */
const COMMUNICATION_FAILURE = 12;
/** what an override's present-value shows while every slot is empty: the BMS loop's command */
const LOOP_OF: Record<string, string> = { fan_override: 'fan_speed', valve_override: 'valve' };

class Refusal {
  constructor(
    readonly errorClass: number,
    readonly errorCode: number,
  ) {}
}

interface Subscription {
  subscriber: BACNetAddress;
  processId: number;
  key: string;
  /** wall ms, or Infinity for lifetime 0 */
  expiresAt: number;
  lastValue?: number;
  lastFlags?: number;
}

export class SimBacnetServer {
  readonly deviceId: number;
  readonly objects: TwinObject[];
  /** requests by service name, for tests */
  readonly requestCounts: Record<string, number> = {};
  private readonly byKey = new Map<string, TwinObject>();
  private readonly slots = new Map<string, Array<number | null>>();
  /** a setpoint's own (BMS) value before the first slot was taken; what all slots empty hands back */
  private readonly saved = new Map<string, number | null>();
  private readonly subs: Subscription[] = [];
  private client?: BACnetClient;
  private _port = 0;
  private readonly log: (m: string) => void;
  private readonly wall: () => number;

  constructor(
    private readonly model: HallModel,
    private readonly opts: SimBacnetOptions,
  ) {
    this.deviceId = opts.deviceId ?? 1001;
    this.objects = twinObjects(model.signals(), model.layout.crahs, model.layout.plant);
    for (const o of this.objects) this.byKey.set(objectKey(o.type, o.instance), o);
    this.log = opts.log ?? (() => undefined);
    this.wall = opts.wallClock ?? Date.now;
  }

  get port(): number {
    return this._port;
  }

  async start(): Promise<this> {
    const host = this.opts.host ?? '127.0.0.1';
    // the library binds 47808 for port 0: a free port is found first
    const port = this.opts.port === 0 ? await freeUdpPort(host) : this.opts.port;
    const transport = new Transport({
      port,
      interface: host,
      broadcastAddress: this.opts.broadcastAddress ?? '255.255.255.255',
      reuseAddr: false,
    });
    const emit = transport.emit.bind(transport) as (e: string, ...a: unknown[]) => boolean;
    (transport as unknown as { emit: typeof emit }).emit = (event, ...args) => {
      try {
        return emit(event, ...args);
      } catch (e) {
        // a datagram the library cannot decode, or a handler bug: never out of the socket's event
        this.log(`sim: BACnet: dropped a request: ${errorMessage(e)}`);
        return false;
      }
    };
    const c = new BACnetClient({ transport });
    this.client = c;
    await new Promise<void>((resolve, reject) => {
      c.once('listening', () => resolve());
      c.once('error', (e: Error) =>
        reject(new Error(`sim: cannot serve BACnet/IP on udp ${host}:${port}: ${e.message}`)),
      );
    });
    c.on('error', (e: Error) => this.log(`sim: BACnet socket: ${e.message}`));
    this._port = (transport as unknown as { _server: { address(): { port: number } } })._server.address().port;
    c.on('whoIs', (m) => this.onWhoIs(m));
    c.on('readProperty', (m) => this.answer('readProperty', SERVICE.READ_PROPERTY, m, () => this.onReadProperty(m)));
    c.on('readPropertyMultiple', (m) =>
      this.answer('readPropertyMultiple', SERVICE.READ_PROPERTY_MULTIPLE, m, () => this.onReadMultiple(m)),
    );
    c.on('writeProperty', (m) => this.answer('writeProperty', SERVICE.WRITE_PROPERTY, m, () => this.onWrite(m)));
    c.on('subscribeCov', (m) => this.answer('subscribeCov', SERVICE.SUBSCRIBE_COV, m, () => this.onSubscribe(m)));
    return this;
  }

  /** Runs a handler; a Refusal becomes an Error PDU. */
  private answer(
    name: string,
    service: number,
    m: { header?: { sender: BACNetAddress }; invokeId?: number },
    fn: () => void,
  ): void {
    this.requestCounts[name] = (this.requestCounts[name] ?? 0) + 1;
    const sender = m.header?.sender;
    if (!sender || m.invokeId === undefined) return;
    try {
      fn();
    } catch (e) {
      if (e instanceof Refusal) this.client?.errorResponse(sender, service, m.invokeId, e.errorClass, e.errorCode);
      else {
        this.log(`sim: BACnet ${name} failed: ${errorMessage(e)}`);
        this.client?.errorResponse(sender, service, m.invokeId, ERR_CLASS.DEVICE, ERR_CODE.OPERATIONAL_PROBLEM);
      }
    }
  }

  private onWhoIs(m: { header?: { sender: BACNetAddress }; payload: { lowLimit?: number; highLimit?: number } }): void {
    this.requestCounts.whoIs = (this.requestCounts.whoIs ?? 0) + 1;
    const { lowLimit, highLimit } = m.payload;
    if (lowLimit !== undefined && (this.deviceId < lowLimit || this.deviceId > (highLimit ?? lowLimit))) return;
    if (m.header?.sender) this.client?.iAmResponse(m.header.sender, this.deviceId, 3 /* no segmentation */, 999);
  }

  // ---- values -------------------------------------------------------------------------------------------------

  private offline(o: TwinObject): boolean {
    return this.model.reading(o.pointId).quality === 'bad';
  }

  /** present-value as the model has it now (an override: the command in effect). */
  private presentValue(o: TwinObject): number {
    const r = this.model.reading(o.pointId);
    let v = r.value;
    if (v === null && LOOP_OF[o.signal.signal]) {
      const loop = o.pointId.replace(/[^/]+$/, LOOP_OF[o.signal.signal]!);
      v = this.model.reading(loop).value;
    }
    v ??= 0;
    if (o.type === BAC_TYPE.MSI) return v + 1;
    return v;
  }

  private flags(o: TwinObject): number {
    return this.offline(o) ? 2 /* fault */ : 0;
  }

  private pvData(o: TwinObject, v: number): BACNetAppData {
    if (o.type === BAC_TYPE.BI) return { type: TAG.ENUMERATED, value: v ? 1 : 0 } as BACNetAppData;
    if (o.type === BAC_TYPE.MSI) return { type: TAG.UNSIGNED, value: v } as BACNetAppData;
    return { type: TAG.REAL, value: v } as BACNetAppData;
  }

  private relinquishDefault(o: TwinObject): number {
    if (o.type === BAC_TYPE.AO) {
      const loop = LOOP_OF[o.signal.signal];
      return loop ? (this.model.reading(o.pointId.replace(/[^/]+$/, loop)).value ?? 0) : 0;
    }
    const key = objectKey(o.type, o.instance);
    return (this.saved.has(key) ? this.saved.get(key) : this.model.reading(o.pointId).value) ?? 0;
  }

  private deviceProperties(): number[] {
    return [
      P.OBJECT_ID,
      P.OBJECT_NAME,
      P.OBJECT_TYPE,
      P.SYSTEM_STATUS,
      P.VENDOR_NAME,
      P.VENDOR_ID,
      P.MODEL_NAME,
      P.PROTOCOL_VERSION,
      P.PROTOCOL_REVISION,
      P.MAX_APDU,
      P.SEGMENTATION,
      P.OBJECT_LIST,
    ];
  }

  private objectProperties(o: TwinObject): number[] {
    const out: number[] = [
      P.OBJECT_ID,
      P.OBJECT_NAME,
      P.OBJECT_TYPE,
      P.PRESENT_VALUE,
      P.DESCRIPTION,
      P.STATUS_FLAGS,
      P.EVENT_STATE,
      P.RELIABILITY,
      P.OUT_OF_SERVICE,
    ];
    if (o.type === BAC_TYPE.AI || o.type === BAC_TYPE.AO || o.type === BAC_TYPE.AV) out.push(P.UNITS, P.COV_INCREMENT);
    if (o.commandable) out.push(P.PRIORITY_ARRAY, P.RELINQUISH_DEFAULT, P.MIN_PRES, P.MAX_PRES);
    if (o.type === BAC_TYPE.MSI) out.push(P.NUMBER_OF_STATES, P.STATE_TEXT);
    return out;
  }

  /** One property's value (index: ARRAY_ALL, or an array element; 0 is the array's length). */
  private read(type: number, instance: number, prop: number, index: number): BACNetAppData[] {
    const u = (value: number) => ({ type: TAG.UNSIGNED, value }) as BACNetAppData;
    const arr = (items: BACNetAppData[]): BACNetAppData[] => {
      if (index === ARRAY_ALL) return items;
      if (index === 0) return [u(items.length)];
      const item = items[index - 1];
      if (!item) throw new Refusal(ERR_CLASS.PROPERTY, ERR_CODE.INVALID_ARRAY_INDEX);
      return [item];
    };
    if (type === BAC_TYPE.DEVICE) {
      if (instance !== this.deviceId && instance !== 4194303)
        throw new Refusal(ERR_CLASS.OBJECT, ERR_CODE.UNKNOWN_OBJECT);
      const id = { type: BAC_TYPE.DEVICE, instance: this.deviceId };
      switch (prop) {
        case P.OBJECT_ID:
          return [{ type: TAG.OBJECTID, value: id } as BACNetAppData];
        case P.OBJECT_NAME:
          return [{ type: TAG.CHARSTRING, value: `${this.model.layout.hall} BMS (Plenum twin)` } as BACNetAppData];
        case P.OBJECT_TYPE:
          return [{ type: TAG.ENUMERATED, value: BAC_TYPE.DEVICE } as BACNetAppData];
        case P.SYSTEM_STATUS:
          return [{ type: TAG.ENUMERATED, value: 0 } as BACNetAppData];
        case P.VENDOR_NAME:
          return [{ type: TAG.CHARSTRING, value: 'Plenum' } as BACNetAppData];
        case P.VENDOR_ID:
          return [u(999)];
        case P.MODEL_NAME:
          return [{ type: TAG.CHARSTRING, value: 'digital twin BMS' } as BACNetAppData];
        case P.PROTOCOL_VERSION:
          return [u(1)];
        case P.PROTOCOL_REVISION:
          return [u(14)];
        case P.MAX_APDU:
          return [u(this.opts.maxApdu ?? 1476)];
        case P.SEGMENTATION:
          return [{ type: TAG.ENUMERATED, value: 3 } as BACNetAppData];
        case P.OBJECT_LIST:
          return arr(
            [id, ...this.objects.map((o) => ({ type: o.type, instance: o.instance }))].map(
              (v) => ({ type: TAG.OBJECTID, value: v }) as BACNetAppData,
            ),
          );
        default:
          throw new Refusal(ERR_CLASS.PROPERTY, ERR_CODE.UNKNOWN_PROPERTY);
      }
    }
    const o = this.byKey.get(objectKey(type, instance));
    if (!o) throw new Refusal(ERR_CLASS.OBJECT, ERR_CODE.UNKNOWN_OBJECT);
    if (!this.objectProperties(o).includes(prop)) throw new Refusal(ERR_CLASS.PROPERTY, ERR_CODE.UNKNOWN_PROPERTY);
    const real = (value: number) => ({ type: TAG.REAL, value }) as BACNetAppData;
    switch (prop) {
      case P.OBJECT_ID:
        return [{ type: TAG.OBJECTID, value: { type, instance } } as BACNetAppData];
      case P.OBJECT_NAME:
        return [{ type: TAG.CHARSTRING, value: o.name } as BACNetAppData];
      case P.OBJECT_TYPE:
        return [{ type: TAG.ENUMERATED, value: type } as BACNetAppData];
      case P.PRESENT_VALUE:
        return [this.pvData(o, this.presentValue(o))];
      case P.DESCRIPTION:
        return [{ type: TAG.CHARSTRING, value: o.pointId } as BACNetAppData];
      case P.STATUS_FLAGS:
        return [{ type: TAG.BITSTRING, value: { bitsUsed: 4, value: [this.flags(o)] } } as unknown as BACNetAppData];
      case P.EVENT_STATE:
        return [{ type: TAG.ENUMERATED, value: 0 } as BACNetAppData];
      case P.RELIABILITY:
        return [{ type: TAG.ENUMERATED, value: this.offline(o) ? COMMUNICATION_FAILURE : 0 } as BACNetAppData];
      case P.OUT_OF_SERVICE:
        return [{ type: TAG.BOOLEAN, value: false } as BACNetAppData];
      case P.UNITS:
        return [{ type: TAG.ENUMERATED, value: o.units } as BACNetAppData];
      case P.COV_INCREMENT:
        return [real(0.1)];
      case P.PRIORITY_ARRAY: {
        const slots = this.slots.get(objectKey(type, instance)) ?? new Array<number | null>(16).fill(null);
        return arr(
          slots.map((v) => (v === null ? ({ type: TAG.NULL, value: null } as BACNetAppData) : this.pvData(o, v))),
        );
      }
      case P.RELINQUISH_DEFAULT:
        return [this.pvData(o, this.relinquishDefault(o))];
      case P.MIN_PRES:
        return [real(o.signal.min ?? 0)];
      case P.MAX_PRES:
        return [real(o.signal.max ?? 0)];
      case P.NUMBER_OF_STATES:
        return [u(o.states?.length ?? 0)];
      case P.STATE_TEXT:
        return arr((o.states ?? []).map((s) => ({ type: TAG.CHARSTRING, value: s }) as BACNetAppData));
      default:
        throw new Refusal(ERR_CLASS.PROPERTY, ERR_CODE.UNKNOWN_PROPERTY);
    }
  }

  private propertiesOf(type: number, instance: number): number[] {
    if (type === BAC_TYPE.DEVICE) return this.deviceProperties();
    const o = this.byKey.get(objectKey(type, instance));
    return o ? this.objectProperties(o) : [];
  }

  // ---- services -----------------------------------------------------------------------------------------------

  private onReadProperty(m: {
    header?: { sender: BACNetAddress };
    invokeId?: number;
    payload: { objectId: { type: number; instance: number }; property: { id: number; index: number } };
  }): void {
    const { objectId, property } = m.payload;
    const values = this.read(objectId.type, objectId.instance, property.id, property.index);
    const id = objectId.type === BAC_TYPE.DEVICE ? { type: BAC_TYPE.DEVICE, instance: this.deviceId } : objectId;
    this.client?.readPropertyResponse(m.header!.sender, m.invokeId!, id as never, property as never, values);
  }

  private onReadMultiple(m: {
    header?: { sender: BACNetAddress };
    invokeId?: number;
    maxApdu?: number;
    payload: {
      properties: Array<{
        objectId: { type: number; instance: number };
        properties: Array<{ id: number; index: number }>;
      }>;
    };
  }): void {
    const results = m.payload.properties.map((spec) => {
      const id =
        spec.objectId.type === BAC_TYPE.DEVICE && spec.objectId.instance === 4194303
          ? { type: BAC_TYPE.DEVICE, instance: this.deviceId }
          : spec.objectId;
      const wanted = spec.properties.flatMap((p) =>
        p.id === P.ALL ? this.propertiesOf(id.type, id.instance).map((x) => ({ id: x, index: ARRAY_ALL })) : [p],
      );
      if (wanted.length === 0) wanted.push({ id: P.OBJECT_ID, index: ARRAY_ALL });
      return {
        objectId: id,
        values: wanted.map((p) => {
          try {
            return { property: p, value: this.read(id.type, id.instance, p.id, p.index) };
          } catch (e) {
            if (!(e instanceof Refusal)) throw e;
            return {
              property: p,
              value: [{ value: { type: 'BacnetError', errorClass: e.errorClass, errorCode: e.errorCode } }],
            };
          }
        }),
      };
    });
    // what the answer takes, encoded in a buffer large enough for anything
    const probe = { buffer: Buffer.alloc(65536), offset: 0 };
    ReadPropertyMultiple.encodeAcknowledge(probe, results as never);
    const clientMax = APDU_OCTETS[(m as { maxApdu?: number }).maxApdu ?? 5] ?? 1476;
    const limit = Math.min(this.opts.maxApdu ?? 1476, clientMax);
    if (probe.offset + 3 > limit) {
      this.abort(m.header!.sender, m.invokeId!, ABORT_SEGMENTATION);
      return;
    }
    this.client?.readPropertyMultipleResponse(m.header!.sender, m.invokeId!, results as never);
  }

  private abort(to: BACNetAddress, invokeId: number, reason: number): void {
    const buf = { buffer: Buffer.alloc(64), offset: 4 };
    npdu.encode(buf, 0, to);
    apdu.encodeAbort(buf, 0x70 | 0x01 /* Abort, sent by the server */, invokeId, reason);
    this.client?.sendBvlc(to, buf);
  }

  private onWrite(m: {
    header?: { sender: BACNetAddress };
    invokeId?: number;
    payload: {
      objectId: { type: number; instance: number };
      value: {
        property: { id: number; index: number };
        value: Array<{ type: number; value: unknown }>;
        priority?: number;
      };
    };
  }): void {
    const { objectId, value } = m.payload;
    const o = this.byKey.get(objectKey(objectId.type, objectId.instance));
    if (!o)
      throw new Refusal(
        objectId.type === BAC_TYPE.DEVICE ? ERR_CLASS.PROPERTY : ERR_CLASS.OBJECT,
        objectId.type === BAC_TYPE.DEVICE ? ERR_CODE.WRITE_ACCESS_DENIED : ERR_CODE.UNKNOWN_OBJECT,
      );
    if (!this.objectProperties(o).includes(value.property.id))
      throw new Refusal(ERR_CLASS.PROPERTY, ERR_CODE.UNKNOWN_PROPERTY);
    if (value.property.id !== P.PRESENT_VALUE || !o.commandable)
      throw new Refusal(ERR_CLASS.PROPERTY, ERR_CODE.WRITE_ACCESS_DENIED);
    const priority = value.priority && value.priority >= 1 && value.priority <= 16 ? value.priority : 16;
    const v = value.value[0];
    let next: number | null;
    if (!v || v.type === TAG.NULL) next = null;
    else if (
      (v.type === TAG.REAL || v.type === TAG.DOUBLE || v.type === TAG.UNSIGNED || v.type === TAG.SIGNED) &&
      typeof v.value === 'number' &&
      Number.isFinite(v.value)
    )
      next = v.type === TAG.REAL ? Number(v.value.toPrecision(7)) : v.value;
    else throw new Refusal(ERR_CLASS.PROPERTY, ERR_CODE.INVALID_DATA_TYPE);
    if (
      next !== null &&
      ((o.signal.min !== undefined && next < o.signal.min) || (o.signal.max !== undefined && next > o.signal.max))
    )
      throw new Refusal(ERR_CLASS.PROPERTY, ERR_CODE.VALUE_OUT_OF_RANGE);
    this.opts.sync?.();
    if (this.offline(o)) throw new Refusal(ERR_CLASS.DEVICE, ERR_CODE.OPERATIONAL_PROBLEM);
    const key = objectKey(o.type, o.instance);
    const slots = this.slots.get(key) ?? new Array<number | null>(16).fill(null);
    const before = effective(slots);
    if (before === undefined && next !== null)
      this.saved.set(key, o.type === BAC_TYPE.AO ? null : this.model.reading(o.pointId).value);
    const updated = [...slots];
    updated[priority - 1] = next;
    const now = effective(updated);
    const by = `bacnet:${m.header?.sender.address ?? 'unknown'}/p${priority}`;
    if (now === undefined) {
      // every slot empty: the setpoint goes back to the BMS's own value, an override to the BMS's loop
      if (before !== undefined) this.model.write(o.pointId, this.saved.get(key) ?? null, by);
      this.saved.delete(key);
      this.slots.delete(key);
    } else {
      // against what the model holds, not the last slot: another writer (OPC UA, the API) may have changed it since
      if (this.model.reading(o.pointId).value !== now.value) this.model.write(o.pointId, now.value, by);
      this.slots.set(key, updated);
    }
    this.client?.simpleAckResponse(m.header!.sender, SERVICE.WRITE_PROPERTY, m.invokeId!);
    this.update();
  }

  private onSubscribe(m: {
    header?: { sender: BACNetAddress };
    invokeId?: number;
    payload: {
      subscriberProcessId: number;
      monitoredObjectId: { type: number; instance: number };
      cancellationRequest?: boolean;
      lifetime?: number;
    };
  }): void {
    const p = m.payload;
    const key = objectKey(p.monitoredObjectId.type, p.monitoredObjectId.instance);
    if (!this.byKey.has(key)) throw new Refusal(ERR_CLASS.OBJECT, ERR_CODE.UNKNOWN_OBJECT);
    const sender = m.header!.sender;
    const same = (s: Subscription) =>
      s.key === key && s.processId === p.subscriberProcessId && s.subscriber.address === sender.address;
    const i = this.subs.findIndex(same);
    if (p.cancellationRequest) {
      if (i >= 0) this.subs.splice(i, 1);
    } else {
      const expiresAt = p.lifetime ? this.wall() + p.lifetime * 1000 : Infinity;
      if (i >= 0) this.subs[i]!.expiresAt = expiresAt;
      else {
        if (this.subs.length >= (this.opts.maxCovSubscriptions ?? 256))
          throw new Refusal(ERR_CLASS.RESOURCES, ERR_CODE.NO_SPACE_TO_ADD_LIST_ELEMENT);
        this.subs.push({ subscriber: { address: sender.address }, processId: p.subscriberProcessId, key, expiresAt });
      }
    }
    this.client?.simpleAckResponse(sender, SERVICE.SUBSCRIBE_COV, m.invokeId!);
    // a new subscription gets the current value at once (clause 13.14.1.1.4)
    if (!p.cancellationRequest) this.update(true);
  }

  /** COV subscriptions held now, for tests. */
  subscriptions(): Array<{ subscriber: string; processId: number; object: string; remainingS: number }> {
    return this.subs.map((s) => ({
      subscriber: String(s.subscriber.address),
      processId: s.processId,
      object: s.key,
      remainingS: Math.max(0, Math.round((s.expiresAt - this.wall()) / 1000)),
    }));
  }

  /**
   * After every tick: drops expired subscriptions and notifies the others of a present-value that moved by the
   * COV increment (0.1 in the object's units; any change for binary and multi-state) or of changed status flags.
   */
  update(fresh = false): void {
    if (!this.client) return;
    const now = this.wall();
    for (let i = this.subs.length - 1; i >= 0; i--) if (this.subs[i]!.expiresAt <= now) this.subs.splice(i, 1);
    for (const s of this.subs) {
      const o = this.byKey.get(s.key)!;
      const v = this.presentValue(o);
      const flags = this.flags(o);
      const analog = o.type === BAC_TYPE.AI || o.type === BAC_TYPE.AO || o.type === BAC_TYPE.AV;
      const moved = s.lastValue === undefined || (analog ? Math.abs(v - s.lastValue) >= 0.1 : v !== s.lastValue);
      if (!moved && flags === s.lastFlags && !(fresh && s.lastValue === undefined)) continue;
      s.lastValue = v;
      s.lastFlags = flags;
      try {
        this.client.unconfirmedCOVNotification(
          s.subscriber,
          s.processId,
          this.deviceId,
          { type: o.type, instance: o.instance },
          s.expiresAt === Infinity ? 0 : Math.round((s.expiresAt - now) / 1000),
          [
            // no index: @bacnet-js/client 3.3 writes the array index exactly when it is "all" (an inverted test)
            { property: { id: P.PRESENT_VALUE }, value: [this.pvData(o, v)] },
            {
              property: { id: P.STATUS_FLAGS, index: ARRAY_ALL },
              value: [{ type: TAG.BITSTRING, value: { bitsUsed: 4, value: [flags] } } as unknown as BACNetAppData],
            },
          ],
        );
      } catch (e) {
        this.log(`sim: BACnet COV notification failed: ${errorMessage(e)}`);
      }
    }
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    await new Promise<void>((resolve) => {
      try {
        (c as unknown as { _transport: { _server: { once(e: string, f: () => void): void } } })._transport._server.once(
          'close',
          () => resolve(),
        );
        c.close();
      } catch {
        resolve();
      }
    });
  }
}
