/**
 * The simulated hall's Modbus TCP server (modbus-serial's ServerTCP): unit id n answers for the n-th rack PDU
 * (A01 = 1, A02 = 2, …) with the read-only register map of pdu-registers.ts, and unit id 100 (`plantUnitId`) for the
 * chilled-water plant controller with the map of plant-registers.ts, whose chilled-water setpoint and the hall BMS's
 * supervisor heartbeat (mirrored on this unit) are writable (FC6, FC16). Both maps are in the holding and the input
 * table. Values are read from the model at request time; an
 * accepted write goes to `model.write(point, value, 'modbus:unit<id>')` and reads back at once.
 *
 * Exceptions: an unknown unit id or a device that is offline (device_offline fault) → 0x0B gateway target device
 * failed to respond; an address past the map, or a write to a read-only register (or half a float32) → 0x02; a
 * written value out of the setpoint's range or not a number → 0x03; writes to PDUs, coils, discrete inputs → 0x01.
 */
import { ServerTCP, type IServiceVector } from 'modbus-serial';
import { PlenumError } from '../common/errors';
import { freePort } from '../common/free-port';
import { SimInputError, type HallModel, type PduReading } from './model';
import { PDU_REGISTER_COUNT, encodePduRegisters } from './pdu-registers';
import {
  PlantWriteError,
  decodePlantWrite,
  encodePlantRegisters,
  plantRegisterCount,
  plantRegisters,
  type PlantRegister,
} from './plant-registers';

export const MODBUS_EXCEPTION = {
  illegalFunction: 0x01,
  illegalDataAddress: 0x02,
  illegalDataValue: 0x03,
  gatewayTargetFailed: 0x0b,
} as const;

/** Unit id of the chilled-water plant controller: next to the PDUs' 1…40, clear of them up to 99 racks. */
export const PLANT_UNIT_ID = 100;

export interface ModbusServerOptions {
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port; @default 5020 */
  port?: number;
  /** where socket errors go; @default console.warn */
  log?: (message: string) => void;
  /**
   * unit id of the chilled-water plant (1–247, not a PDU's), null: not served; @default 100 (in a hall of 100 or
   * more PDUs, the first id above theirs)
   */
  plantUnitId?: number | null;
  /**
   * brings the model to the current simulated time before a write is applied, so the write (and its ground-truth
   * entry) lands at the right time — the runner's tick; @default none: a write lands at the model's last step
   */
  sync?: () => void;
}

/** What the server reads for the PDUs: the model, or anything with the same accessor. */
export interface PduSource {
  pdus(): PduReading[];
}

/** What the plant unit needs of the model: its readings, its catalog (ranges) and its writes. */
export type PlantSource = Pick<HallModel, 'readings' | 'signals' | 'write' | 'layout'>;

/** The model; without the plant accessors (a test double of `pdus()` only) the plant unit is not served. */
export type ModbusSource = PduSource & Partial<PlantSource>;

function modbusError(code: number, message: string): Error {
  return Object.assign(new Error(message), { modbusErrorCode: code });
}

/** The plant as the Modbus unit serves it, resolved once from the model's layout and catalog. */
interface PlantUnit {
  unitId: number;
  model: PlantSource;
  /** `<site>/<hall>/-/-/<plant>/`: the prefix of its point ids */
  prefix: string;
  chillers: number;
  map: PlantRegister[];
  /** writable signal → its range and unit */
  ranges: Map<string, { min: number; max: number; unit: string }>;
  /** signal of the map → its point id (the plant's, or the BMS's for `asset: 'bms'`) */
  points: Map<string, string>;
}

/**
 * The plant's unit id: the one asked for, else 100 — or, in a hall with 100 or more PDUs, the first id above
 * theirs (none past 247: the plant is then not served).
 */
function plantUnit(source: ModbusSource, asked: number | null | undefined): PlantUnit | undefined {
  const { readings, signals, write, layout } = source;
  if (asked === null || !readings || !signals || !write || !layout) return undefined;
  const highestPdu = Math.max(0, ...layout.racks.map((r) => r.pduUnitId ?? 0));
  const unitId = asked ?? Math.max(PLANT_UNIT_ID, highestPdu + 1);
  if (asked === undefined && unitId > 247) return undefined;
  if (!Number.isInteger(unitId) || unitId < 1 || unitId > 247) {
    throw new RangeError(`modbus server: plantUnitId: expected a unit id 1–247; got ${unitId}`);
  }
  const pdu = layout.racks.find((r) => r.pduUnitId === unitId);
  if (pdu) {
    throw new RangeError(
      `modbus server: plantUnitId ${unitId} is the unit id of rack ${pdu.id}'s PDU; choose one above ${highestPdu}`,
    );
  }
  const prefix = `${layout.site}/${layout.hall}/-/-/${layout.plant}/`;
  const bmsPrefix = `${layout.site}/${layout.hall}/-/-/${layout.bms}/`;
  const all = signals.call(source);
  const plantSignals = all.filter((s) => s.id.startsWith(prefix));
  const chillers = plantSignals.filter((s) => /^chiller\d+_status$/.test(s.signal)).length;
  const map = plantRegisters(chillers);
  const points = new Map(map.map((f) => [f.signal, (f.asset === 'bms' ? bmsPrefix : prefix) + f.signal]));
  const ranges = new Map(
    all
      .filter((s) => points.get(s.signal) === s.id && s.writable && s.min !== undefined && s.max !== undefined)
      .map((s) => [s.signal, { min: s.min as number, max: s.max as number, unit: s.unit }]),
  );
  return { unitId, model: source as PlantSource, prefix, chillers, map, ranges, points };
}

export class PduModbusServer {
  private server?: ServerTCP;
  private boundPort?: number;
  private readonly host: string;
  private readonly log: (message: string) => void;
  private readonly plant?: PlantUnit;

  constructor(
    private readonly source: ModbusSource,
    private readonly opts: ModbusServerOptions = {},
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.log = opts.log ?? ((m) => console.warn(m));
    this.plant = plantUnit(source, opts.plantUnitId);
  }

  /** Unit id the chilled-water plant answers under; undefined when not served. */
  get plantUnitId(): number | undefined {
    return this.plant?.unitId;
  }

  /** The port it listens on, once started. */
  get port(): number | undefined {
    return this.boundPort;
  }

  /** Starts listening; rejects when the port is taken, naming it. */
  async start(): Promise<number> {
    if (this.server) throw new Error('modbus server: already started');
    const port =
      this.opts.port === undefined ? 5020 : this.opts.port === 0 ? await freePort(this.host) : this.opts.port;
    const server = new ServerTCP(this.vector(), { host: this.host, port, unitID: 255 });
    this.server = server;
    server.on('socketError', (err) => {
      const code = (err as NodeJS.ErrnoException | null)?.code;
      if (code !== 'ECONNRESET' && code !== 'EPIPE') this.log(`modbus server: socket error: ${err?.message}`);
    });
    server.on('error', (err) => this.log(`modbus server: ${err?.message}`));
    await new Promise<void>((resolve, reject) => {
      server.once('initialized', () => resolve());
      server.once('serverError', (err) =>
        reject(new Error(`modbus server: cannot listen on ${this.host}:${port}: ${err?.message ?? 'unknown error'}`)),
      );
    }).catch(async (err: unknown) => {
      this.server = undefined;
      await this.closeServer(server);
      throw err;
    });
    server.on('serverError', (err) => this.log(`modbus server: ${err?.message}`));
    this.boundPort = port;
    return port;
  }

  /** Closes the listener and every open connection; resolves within ~2 s whatever the sockets do. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await this.closeServer(server);
  }

  private closeServer(server: ServerTCP): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      try {
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
      } catch {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** The register words `[address, address + length)` of `unitId`, or a Modbus exception. */
  read(unitId: number, address: number, length: number): number[] {
    if (unitId === this.plant?.unitId) return this.readPlant(this.plant, address, length);
    const pdu = this.source.pdus().find((p) => p.unitId === unitId);
    if (!pdu) throw modbusError(MODBUS_EXCEPTION.gatewayTargetFailed, `no PDU with unit id ${unitId}`);
    if (!pdu.online) throw modbusError(MODBUS_EXCEPTION.gatewayTargetFailed, `PDU ${pdu.rack} is offline`);
    if (address < 0 || length < 1 || address + length > PDU_REGISTER_COUNT) {
      throw modbusError(
        MODBUS_EXCEPTION.illegalDataAddress,
        `registers ${address}…${address + length - 1} are outside 0…${PDU_REGISTER_COUNT - 1}`,
      );
    }
    return encodePduRegisters(pdu).slice(address, address + length);
  }

  /**
   * Writes holding registers of `unitId` (FC6: one word, FC16: several), or throws a Modbus exception. Only the
   * plant takes writes; the value reaches the model as `modbus:unit<id>`.
   */
  write(unitId: number, address: number, words: readonly number[]): void {
    const plant = this.plant;
    if (unitId !== plant?.unitId) {
      if (this.source.pdus().some((p) => p.unitId === unitId)) {
        throw modbusError(MODBUS_EXCEPTION.illegalFunction, `PDU unit ${unitId}: the PDU registers are read-only`);
      }
      throw modbusError(MODBUS_EXCEPTION.gatewayTargetFailed, `no device with unit id ${unitId}`);
    }
    this.plantOnline(plant);
    let values: { signal: string; value: number }[];
    try {
      values = decodePlantWrite(plant.map, address, words, plant.ranges);
    } catch (err) {
      if (err instanceof PlantWriteError)
        throw modbusError(err.modbusErrorCode, `plant unit ${unitId}: ${err.message}`);
      throw err;
    }
    this.opts.sync?.();
    for (const { signal, value } of values) {
      try {
        plant.model.write(plant.points.get(signal) ?? plant.prefix + signal, value, `modbus:unit${unitId}`);
      } catch (err) {
        if (err instanceof SimInputError) throw modbusError(MODBUS_EXCEPTION.illegalDataValue, err.message);
        if (err instanceof PlenumError && err.origin === 'device') {
          throw modbusError(MODBUS_EXCEPTION.gatewayTargetFailed, err.message);
        }
        throw err;
      }
    }
  }

  /** 0x0B while the plant controller has a device_offline fault (its readings are bad). */
  private plantOnline(plant: PlantUnit): void {
    const r = plant.model.readings().get(`${plant.prefix}chw_setpoint`);
    if (!r || r.quality === 'bad') {
      throw modbusError(
        MODBUS_EXCEPTION.gatewayTargetFailed,
        `the chilled-water plant (unit ${plant.unitId}) is offline`,
      );
    }
  }

  private readPlant(plant: PlantUnit, address: number, length: number): number[] {
    this.plantOnline(plant);
    const count = plantRegisterCount(plant.chillers);
    if (address < 0 || length < 1 || address + length > count) {
      throw modbusError(
        MODBUS_EXCEPTION.illegalDataAddress,
        `plant unit ${plant.unitId}: registers ${address}…${address + length - 1} are outside 0…${count - 1}`,
      );
    }
    const readings = plant.model.readings();
    const words = encodePlantRegisters(plant.map, plant.chillers, (s) =>
      readings.get(plant.points.get(s) ?? plant.prefix + s),
    );
    return words.slice(address, address + length);
  }

  private vector(): IServiceVector {
    const one = (addr: number, unit: number) => this.read(unit, addr, 1)[0] as number;
    const many = (addr: number, length: number, unit: number) => this.read(unit, addr, length);
    const notSupported = (): never => {
      throw modbusError(MODBUS_EXCEPTION.illegalFunction, 'no coils or discrete inputs: use the register tables');
    };
    // three parameters each: modbus-serial takes a fourth as a callback-style function
    return {
      getHoldingRegister: one,
      getInputRegister: one,
      getMultipleHoldingRegisters: many,
      getMultipleInputRegisters: many,
      getCoil: notSupported,
      getDiscreteInput: notSupported,
      setRegister: (addr: number, value: number, unit: number) => this.write(unit, addr, [value]),
      setRegisterArray: (addr: number, values: number[], unit: number) => this.write(unit, addr, values),
      setCoil: notSupported,
    };
  }
}
