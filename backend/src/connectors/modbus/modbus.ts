/**
 * The modbus connector: parses point addresses and plans reads in `init` (no I/O), then each `gather` reads the
 * plan over one connection (link.ts), decodes, and delivers one batch of samples.
 *
 * Failure policy (README "Errors and quality"):
 * - an exception answer → the request's points are bad with the exception code as `rawStatus`;
 *   exception 2 or 3 on a read that joined several ranges → the read is split into one read per range, now and
 *   for every later poll (devices that refuse reads spanning registers they lack);
 * - a timeout (after retries) → bad with 0x0B; if the unit has not answered anything in this poll, its other
 *   requests are skipped (bad, 0x0B) so a dead unit costs one timeout per poll, and a unit that timed out gets
 *   no retries until it answers again; a request that times out while its unit answers others moves to the
 *   end of the unit's reads, so it cannot hide them;
 * - the connection cannot be opened, or is lost → the unread points are bad with 0x0A, and gather throws (the
 *   runner marks the source degraded and backs off); the next gather reconnects;
 * - every request timed out and nothing answered → same as a lost connection: the link is dropped and gather
 *   throws.
 *
 * Writes (README "Writes"): `write` encodes the value with the point's type, order and inverse scale/offset
 * (encode.ts), sends FC5/FC15/FC6/FC16 through the same queue as the reads, once (never retried: a late or
 * repeated write to a plant is worse than a failed one), and reads the registers back with the read decoding.
 */
import type { SampleValue, ValueType } from '@plenum/model';
import { errorMessage, PlenumError } from '../../common/errors';
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
import { isBitTable, parseAddress, valueTypeOf, type ModbusAddress, type Table } from './address';
import type { ModbusDevice, ModbusOptions, WriteFunctions } from './config';
import { applyScale, decodeRegisters } from './decode';
import { encodeRegisters, withBit } from './encode';
import { ModbusLink, ModbusRequestError, MODBUS_STATUS, type WriteCommand } from './link';
import { planReads, splitRequest, type ReadLimits, type ReadRequest, type Span } from './plan';

/** Counters since `init`, for tests and metrics. */
export interface ModbusStats {
  /** requests put on the wire, retries included */
  requests: number;
  /** requests answered with data */
  answers: number;
  /** requests answered with a Modbus exception */
  exceptions: number;
  /** attempts that got no answer in time */
  timeouts: number;
  /** attempts answered with a malformed frame */
  invalid: number;
  /** attempts repeated after a timeout, malformed answer or busy device */
  retries: number;
  /** requests skipped because their unit had just timed out */
  skipped: number;
  /** reads split after an exception 2 or 3 */
  splits: number;
  /** connections opened */
  connects: number;
  /** writes the device acknowledged */
  writes: number;
}

interface PlannedPoint extends Span {
  point: SourcePoint;
  addr: ModbusAddress;
  /** where writes go, for writable points: the parsed `writeAddress`, else `addr` */
  write?: ModbusAddress;
}

/** Most registers one FC16 request carries (Modbus specification: 123), most coils one FC15 carries (1968). */
export const MAX_REGISTERS_PER_WRITE = 123;

/** The Modbus exception codes by name, for messages. */
export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** `exception 03 (illegal data value)` */
export function exceptionText(code: number): string {
  return `exception ${code.toString(16).toUpperCase().padStart(2, '0')} (${EXCEPTION_NAMES[code] ?? 'unknown exception'})`;
}

/** Exceptions worth repeating: 5 acknowledge (answer later), 6 device busy. */
const RETRIED_EXCEPTIONS: ReadonlySet<number> = new Set([5, 6]);

function badValue(t: ValueType): number | boolean | string {
  return t === 'number' ? 0 : t === 'boolean' ? false : '';
}

/** Parses every point address; throws one config error listing every bad point. */
export function parsePoints(source: SourceInstance<ModbusOptions>): PlannedPoint[] {
  const o = source.options;
  const errors: string[] = [];
  const out: PlannedPoint[] = [];
  const ctx = { defaultOrder: o.defaultByteOrder, devices: o.devices };
  for (const p of source.points) {
    const text = p.source.address;
    const where = `point "${p.id}" in source "${source.name}"`;
    const r = parseAddress(text, ctx);
    if (!r.ok) {
      errors.push(`bad address "${text}" of ${where}: ${r.error}`);
      continue;
    }
    const a = r.address;
    const delivers = valueTypeOf(a.type);
    if (delivers !== p.valueType) {
      errors.push(
        `address "${text}" of ${where} reads ${a.type === 'bool' ? `a ${a.table}` : a.type} (${delivers} values) but the point's valueType is ${p.valueType}; ` +
          `expected valueType: ${delivers} or an address of type ${p.valueType === 'number' ? 'int16, uint16, int32, uint32, float32 or float64' : p.valueType === 'boolean' ? 'bit:<n>, or a coil/di' : 'string:<registers>'}`,
      );
      continue;
    }
    const limit = isBitTable(a.table)
      ? o.maxBitsPerRead
      : (deviceFor(o, a.unitId)?.maxRegistersPerRead ?? o.maxRegistersPerRead);
    if (a.length > limit) {
      errors.push(
        `address "${text}" of ${where} spans ${a.length} registers but one read takes at most ${limit} (maxRegistersPerRead); expected a shorter ${a.type}`,
      );
      continue;
    }
    let write: ModbusAddress | undefined;
    if (p.writable) {
      const w = writeTarget(p, a, ctx, where);
      if (typeof w === 'string') {
        errors.push(w);
        continue;
      }
      write = w;
    }
    out.push({
      unitId: a.unitId,
      table: a.table,
      address: a.address,
      length: a.length,
      point: p,
      addr: a,
      ...(write ? { write } : {}),
    });
  }
  if (errors.length > 0) throw new PlenumError('config', errors.join('\n'));
  return out;
}

/**
 * Where a writable point's writes go: its `writeAddress` (parsed like an address, same value type) or its address.
 * Input registers and discrete inputs are read-only in Modbus (no function writes them): an error, found in init.
 */
function writeTarget(
  p: SourcePoint,
  read: ModbusAddress,
  ctx: Parameters<typeof parseAddress>[1],
  where: string,
): ModbusAddress | string {
  const text = p.source.writeAddress ?? p.source.address;
  const field = p.source.writeAddress === undefined ? 'address' : 'writeAddress';
  let a = read;
  if (p.source.writeAddress !== undefined) {
    const r = parseAddress(text, ctx);
    if (!r.ok) return `bad writeAddress "${text}" of ${where}: ${r.error}`;
    a = r.address;
    const takes = valueTypeOf(a.type);
    if (takes !== p.valueType) {
      return `writeAddress "${text}" of ${where} writes ${a.type === 'bool' ? `a ${a.table}` : a.type} (${takes} values) but the point's valueType is ${p.valueType}; expected a writeAddress of the same value type as the address`;
    }
  }
  if (a.table === 'ir' || a.table === 'di') {
    const what = a.table === 'ir' ? 'an input register' : 'a discrete input';
    return `${where} is writable but its ${field} "${text}" is ${what}, which Modbus cannot write; expected hr= (holding register) or coil=, or a writeAddress on one (or writable: false)`;
  }
  if (a.table === 'hr' && a.length > MAX_REGISTERS_PER_WRITE) {
    return `${where} is writable but its ${field} "${text}" spans ${a.length} registers and one FC16 write carries at most ${MAX_REGISTERS_PER_WRITE}; expected a shorter ${a.type}`;
  }
  return a;
}

function deviceFor(o: ModbusOptions, unitId: number): ModbusDevice | undefined {
  return o.devices.find((d) => d.unitId === unitId);
}

/** Read limits per unit and table: bit tables get 16 bits of gap per register of `maxGap`. */
export function limitsFor(o: ModbusOptions): (unitId: number, table: Table) => ReadLimits {
  return (unitId, table) => {
    const d = deviceFor(o, unitId);
    const gap = d?.maxGap ?? o.maxGap;
    return isBitTable(table)
      ? { maxLength: o.maxBitsPerRead, maxGap: gap * 16 }
      : { maxLength: d?.maxRegistersPerRead ?? o.maxRegistersPerRead, maxGap: gap };
  };
}

export class ModbusConnector implements PolledConnector, WritableConnector {
  readonly mode = 'poll' as const;
  readonly stats: ModbusStats = {
    requests: 0,
    answers: 0,
    exceptions: 0,
    timeouts: 0,
    invalid: 0,
    retries: 0,
    skipped: 0,
    splits: 0,
    connects: 0,
    writes: 0,
  };
  /** the reads of one poll, in order; adapted by splits and reordering */
  private plan: ReadRequest<PlannedPoint>[];
  private readonly link: ModbusLink;
  /** units whose last request timed out: one attempt each until they answer again */
  private readonly unresponsive = new Set<number>();
  /** every configured point by id (writes look their point up here) */
  private readonly byId = new Map<string, PlannedPoint>();
  private closed = false;

  constructor(
    private readonly source: SourceInstance<ModbusOptions>,
    private readonly now: () => number = Date.now,
  ) {
    const o = source.options;
    const points = parsePoints(source);
    for (const p of points) this.byId.set(p.point.id, p);
    this.plan = planReads(points, limitsFor(o));
    this.link = new ModbusLink(o, () => this.stats.requests++);
  }

  /** The current read plan (unit, table, start, count per request), for tests and diagnostics. */
  get reads(): ReadonlyArray<{ unitId: number; table: Table; start: number; count: number }> {
    return this.plan.map(({ unitId, table, start, count }) => ({ unitId, table, start, count }));
  }

  async gather(sink: SampleSink): Promise<void> {
    if (this.closed || this.plan.length === 0) return;
    const name = this.source.name;
    if (!this.link.connected) {
      try {
        await this.link.connect();
        this.stats.connects++;
      } catch (err) {
        if (this.closed) return;
        const ts = this.now();
        await sink(this.plan.flatMap((r) => this.bad(r, MODBUS_STATUS.pathUnavailable, ts)));
        throw new PlenumError(
          'device',
          `source "${name}": cannot connect to ${this.link.target}: ${errorMessage(err)}; all ${this.pointCount()} points are bad (rawStatus 0x0A), retrying on the next poll`,
        );
      }
    }

    const samples: SourceSample[] = [];
    const answered = new Set<number>();
    const silent = new Set<number>();
    const moveLast: ReadRequest<PlannedPoint>[] = [];
    let lost: string | undefined;
    let notAnswered = 0;

    for (let i = 0; i < this.plan.length; i++) {
      const req = this.plan[i] as ReadRequest<PlannedPoint>;
      if (lost !== undefined || !this.link.connected) {
        lost ??= `connection to ${this.link.target} lost`;
        samples.push(...this.bad(req, MODBUS_STATUS.pathUnavailable, this.now()));
        continue;
      }
      if (silent.has(req.unitId)) {
        this.stats.skipped++;
        samples.push(...this.bad(req, MODBUS_STATUS.noResponse, this.now()));
        continue;
      }
      const result = await this.readWithRetries(req);
      if (this.closed) return;
      if (!(result instanceof ModbusRequestError)) {
        answered.add(req.unitId);
        this.unresponsive.delete(req.unitId);
        samples.push(...this.decode(req, result, this.now()));
        continue;
      }
      const err = result;
      if (err.kind === 'closed') return;
      if (err.kind === 'exception') {
        answered.add(req.unitId);
        this.unresponsive.delete(req.unitId);
        const ranges = new Set(req.items.map((it) => `${it.address}:${it.length}`)).size;
        if ((err.status === 2 || err.status === 3) && ranges > 1) {
          // the device refuses the joined read: read each range on its own, now and from now on
          this.plan.splice(i, 1, ...splitRequest(req));
          this.stats.splits++;
          i--;
          continue;
        }
      } else if (err.kind === 'disconnected') {
        lost = err.message;
      } else {
        notAnswered++;
        if (err.kind === 'timeout') {
          this.unresponsive.add(req.unitId);
          if (!answered.has(req.unitId)) silent.add(req.unitId);
          else moveLast.push(req);
        }
      }
      samples.push(...this.bad(req, err.status, this.now()));
    }

    for (const req of moveLast) {
      const rest = this.plan.filter((r) => r !== req);
      let at = rest.length;
      for (let j = rest.length - 1; j >= 0; j--) {
        if ((rest[j] as ReadRequest<PlannedPoint>).unitId === req.unitId) {
          at = j + 1;
          break;
        }
      }
      rest.splice(at, 0, req);
      this.plan = rest;
    }

    if (this.closed) return;
    await sink(samples);
    if (lost !== undefined) {
      throw new PlenumError(
        'device',
        `source "${name}": ${lost}; unread points are bad (rawStatus 0x0A), reconnecting on the next poll`,
      );
    }
    if (answered.size === 0 && notAnswered > 0) {
      this.link.drop();
      throw new PlenumError(
        'device',
        `source "${name}": no unit behind ${this.link.target} answered (${notAnswered} reads failed); reconnecting on the next poll`,
      );
    }
  }

  /** One request with its retries; resolves to the data or the last error, never rejects. */
  private async readWithRetries(req: ReadRequest<PlannedPoint>): Promise<Array<number | boolean> | ModbusRequestError> {
    const o = this.source.options;
    const device = deviceFor(o, req.unitId);
    const timeoutMs = device?.timeoutMs ?? o.timeoutMs;
    const retries = this.unresponsive.has(req.unitId) ? 0 : (device?.retries ?? o.retries);
    let last: ModbusRequestError | undefined;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) this.stats.retries++;
      try {
        const data = await this.link.read(req.unitId, req.table, req.start, req.count, timeoutMs);
        this.stats.answers++;
        return data;
      } catch (e) {
        last =
          e instanceof ModbusRequestError
            ? e
            : new ModbusRequestError('invalid', errorMessage(e), MODBUS_STATUS.invalidResponse);
        if (last.kind === 'exception') this.stats.exceptions++;
        if (last.kind === 'timeout') this.stats.timeouts++;
        if (last.kind === 'invalid') this.stats.invalid++;
        const again =
          last.kind === 'timeout' ||
          last.kind === 'invalid' ||
          (last.kind === 'exception' && RETRIED_EXCEPTIONS.has(last.status));
        if (!again || this.closed) break;
      }
    }
    return last as ModbusRequestError;
  }

  private decode(req: ReadRequest<PlannedPoint>, data: Array<number | boolean>, ts: number): SourceSample[] {
    return req.items.map((it) => {
      const offset = it.address - req.start;
      const pointId = it.point.id;
      if (isBitTable(req.table)) {
        return { pointId, ts, value: data[offset] === true, quality: 'good' };
      }
      const words = data.slice(offset, offset + it.length) as number[];
      let raw: number | boolean | string;
      try {
        raw = decodeRegisters(it.addr, words);
      } catch {
        return this.badSample(it, MODBUS_STATUS.invalidResponse, ts);
      }
      if (typeof raw !== 'number') return { pointId, ts, value: raw, quality: 'good' };
      const value = applyScale(raw, it.addr.scale, it.addr.offset);
      if (!Number.isFinite(value)) return this.badSample(it, MODBUS_STATUS.notFinite, ts);
      return { pointId, ts, value, quality: 'good' };
    });
  }

  private bad(req: ReadRequest<PlannedPoint>, status: number, ts: number): SourceSample[] {
    return req.items.map((it) => this.badSample(it, status, ts));
  }

  private badSample(it: PlannedPoint, status: number, ts: number): SourceSample {
    return { pointId: it.point.id, ts, value: badValue(it.point.valueType), quality: 'bad', rawStatus: status };
  }

  private pointCount(): number {
    return this.plan.reduce((n, r) => n + r.items.length, 0);
  }

  /**
   * Writes one point (value in its source unit) and reads it back (README "Writes"). Throws a `WriteError`:
   * `config` for a point that is not writable here, `refused` for a value that does not fit its type (nothing
   * sent), a relinquish (Modbus has none) or an exception answer (`rawStatus` = the code), `device` when the link
   * is not connected, the unit does not answer within its timeout, or the answer is malformed. Not retried.
   */
  async write(req: WriteRequest): Promise<WriteOutcome> {
    const name = this.source.name;
    const id = req.point.id;
    const planned = this.byId.get(id);
    if (!planned) {
      throw new WriteError('config', `source "${name}": point "${id}" is not configured in this source`);
    }
    const a = planned.write;
    if (!a) throw new WriteError('config', `source "${name}": point "${id}" is not writable (writable: false)`);
    const at = `point "${id}" (${describe(a)})`;
    if (req.value === null) {
      throw new WriteError(
        'refused',
        `source "${name}": cannot relinquish ${at}: Modbus has no relinquish; write the value the device should hold, or leave it to the device's own timeout`,
      );
    }
    const expected = valueTypeOf(a.type);
    if (typeof req.value !== expected) {
      throw new WriteError(
        'refused',
        `source "${name}": cannot write ${JSON.stringify(req.value)} to ${at}: expected a ${expected} (the point's valueType); nothing was sent`,
      );
    }
    const o = this.source.options;
    const device = deviceFor(o, a.unitId);
    const timeoutMs = device?.timeoutMs ?? o.timeoutMs;
    const functions: WriteFunctions = device?.writeFunctions ?? o.writeFunctions;
    if (this.closed) throw new WriteError('device', `source "${name}": cannot write ${at}: the source is closed`);
    if (!this.link.connected) {
      throw new WriteError(
        'device',
        `source "${name}": cannot write ${at}: not connected to ${this.link.target} (the next poll reconnects); nothing was sent`,
      );
    }

    let cmd: WriteCommand;
    const value = req.value;
    if (a.type === 'bool') {
      cmd =
        functions === 'multiple'
          ? { fc: 15, address: a.address, values: [value as boolean] }
          : { fc: 5, address: a.address, value: value as boolean };
    } else {
      let words: number[];
      if (a.type === 'bit') {
        // read-modify-write: the other 15 bits are written back as read (README "Writes": the race)
        const read = await this.request(`read register ${a.address} for the bit of`, at, () =>
          this.link.read(a.unitId, 'hr', a.address, 1, timeoutMs),
        );
        words = [withBit(a, read[0] as number, value as boolean)];
      } else {
        const e = encodeRegisters(a, value as number | string);
        if (!e.ok) {
          throw new WriteError(
            'refused',
            `source "${name}": cannot write ${JSON.stringify(value)} to ${at}: ${e.error}; nothing was sent`,
          );
        }
        words = e.registers;
      }
      // FC6 for one 16-bit register (a number or a bit:); strings and wider values take FC16
      cmd =
        words.length === 1 && functions === 'single' && a.type !== 'string'
          ? { fc: 6, address: a.address, value: words[0] as number }
          : { fc: 16, address: a.address, values: words };
    }
    await this.request(`write ${JSON.stringify(value)} (FC${cmd.fc}) to`, at, () =>
      this.link.write(a.unitId, cmd, timeoutMs),
    );
    this.stats.writes++;
    return this.readBack(a, at, timeoutMs);
  }

  /** Reads the written address with the read decoding; an exception answer is the outcome's `rawStatus`. */
  private async readBack(a: ModbusAddress, at: string, timeoutMs: number): Promise<WriteOutcome> {
    let data: Array<number | boolean>;
    try {
      data = await this.link.read(a.unitId, a.table, a.address, a.length, timeoutMs);
    } catch (err) {
      if (err instanceof ModbusRequestError && err.kind === 'exception') {
        return { readBack: null, rawStatus: err.status, at: this.now() };
      }
      throw new WriteError(
        'device',
        `source "${this.source.name}": the device acknowledged the write to ${at} but the read-back failed: ${errorMessage(err)}`,
        err instanceof ModbusRequestError ? err.status : undefined,
      );
    }
    const arrived = this.now();
    if (a.type === 'bool') return { readBack: data[0] === true, rawStatus: 0, at: arrived };
    let v: SampleValue;
    try {
      v = decodeRegisters(a, data as number[]);
    } catch {
      return { readBack: null, rawStatus: MODBUS_STATUS.invalidResponse, at: arrived };
    }
    if (typeof v === 'number') {
      v = applyScale(v, a.scale, a.offset);
      if (!Number.isFinite(v)) return { readBack: null, rawStatus: MODBUS_STATUS.notFinite, at: arrived };
    }
    return { readBack: v, rawStatus: 0, at: arrived };
  }

  /** One request of a write, not retried; its failure as a WriteError naming the source, the point and why. */
  private async request<T>(what: string, at: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      const prefix = `source "${this.source.name}": ${what} ${at}`;
      if (err instanceof ModbusRequestError) {
        if (err.kind === 'exception') {
          this.stats.exceptions++;
          throw new WriteError('refused', `${prefix}: the device answered ${exceptionText(err.status)}`, err.status);
        }
        if (err.kind === 'timeout') {
          this.stats.timeouts++;
          throw new WriteError(
            'device',
            `${prefix}: ${err.message}; it may or may not have been applied (writes are not retried)`,
            err.status,
          );
        }
        if (err.kind === 'invalid') this.stats.invalid++;
        throw new WriteError('device', `${prefix}: ${err.message}`, err.status);
      }
      throw new WriteError('device', `${prefix}: ${errorMessage(err)}`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.link.close();
  }
}

/** `unit=100;hr=17;int16;scale=0.1`-like text of a parsed address, for messages. */
function describe(a: ModbusAddress): string {
  const type = a.type === 'bit' ? `bit:${a.bit}` : a.type === 'string' ? `string:${a.length}` : a.type;
  const order = a.table === 'hr' ? `;${a.order}` : '';
  const scaled = `${a.scale !== 1 ? `;scale=${a.scale}` : ''}${a.offset !== 0 ? `;offset=${a.offset}` : ''}`;
  return `unit=${a.unitId};${a.table}=${a.address};${type}${order}${scaled}`;
}

/** `init` of the connector definition: validates addresses and plans reads; no I/O. */
export function createModbus(source: SourceInstance<ModbusOptions>, now: () => number = Date.now): ModbusConnector {
  return new ModbusConnector(source, now);
}
