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
 */
import type { ValueType } from '@plenum/model';
import { errorMessage, PlenumError } from '../../common/errors';
import type { PolledConnector, SampleSink, SourceInstance, SourcePoint, SourceSample } from '../types';
import { isBitTable, parseAddress, valueTypeOf, type ModbusAddress, type Table } from './address';
import type { ModbusDevice, ModbusOptions } from './config';
import { applyScale, decodeRegisters } from './decode';
import { ModbusLink, ModbusRequestError, MODBUS_STATUS } from './link';
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
}

interface PlannedPoint extends Span {
  point: SourcePoint;
  addr: ModbusAddress;
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
  for (const p of source.points) {
    const text = p.source.address;
    const where = `point "${p.id}" in source "${source.name}"`;
    const r = parseAddress(text, { defaultOrder: o.defaultByteOrder, devices: o.devices });
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
    out.push({ unitId: a.unitId, table: a.table, address: a.address, length: a.length, point: p, addr: a });
  }
  if (errors.length > 0) throw new PlenumError('config', errors.join('\n'));
  return out;
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

export class ModbusConnector implements PolledConnector {
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
  };
  /** the reads of one poll, in order; adapted by splits and reordering */
  private plan: ReadRequest<PlannedPoint>[];
  private readonly link: ModbusLink;
  /** units whose last request timed out: one attempt each until they answer again */
  private readonly unresponsive = new Set<number>();
  private closed = false;

  constructor(
    private readonly source: SourceInstance<ModbusOptions>,
    private readonly now: () => number = Date.now,
  ) {
    const o = source.options;
    this.plan = planReads(parsePoints(source), limitsFor(o));
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

  async close(): Promise<void> {
    this.closed = true;
    await this.link.close();
  }
}

/** `init` of the connector definition: validates addresses and plans reads; no I/O. */
export function createModbus(source: SourceInstance<ModbusOptions>, now: () => number = Date.now): ModbusConnector {
  return new ModbusConnector(source, now);
}
