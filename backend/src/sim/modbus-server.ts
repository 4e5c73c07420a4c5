/**
 * A Modbus TCP server for the simulated hall's rack PDUs (modbus-serial's ServerTCP): unit id n answers for the
 * n-th rack PDU (A01 = 1, A02 = 2, …) with the register map of pdu-registers.ts in both the holding and the
 * input table. Values are read from the model at request time; the registers are read-only.
 *
 * Exceptions: an unknown unit id or a PDU that is offline (device_offline fault) → 0x0B gateway target device
 * failed to respond; an address past the map → 0x02; writes, coils and discrete inputs → 0x01.
 */
import * as net from 'node:net';
import { ServerTCP, type IServiceVector } from 'modbus-serial';
import type { PduReading } from './model';
import { PDU_REGISTER_COUNT, encodePduRegisters } from './pdu-registers';

export const MODBUS_EXCEPTION = { illegalFunction: 0x01, illegalDataAddress: 0x02, gatewayTargetFailed: 0x0b } as const;

export interface ModbusServerOptions {
  /** @default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port; @default 5020 */
  port?: number;
  /** where socket errors go; @default console.warn */
  log?: (message: string) => void;
}

/** What the server reads: the model, or anything with the same accessor. */
export interface PduSource {
  pdus(): PduReading[];
}

function modbusError(code: number, message: string): Error {
  return Object.assign(new Error(message), { modbusErrorCode: code });
}

/** Asks the OS for a free port (ServerTCP takes 0 to mean its default, 502). */
async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export class PduModbusServer {
  private server?: ServerTCP;
  private boundPort?: number;
  private readonly host: string;
  private readonly log: (message: string) => void;

  constructor(
    private readonly source: PduSource,
    private readonly opts: ModbusServerOptions = {},
  ) {
    this.host = opts.host ?? '127.0.0.1';
    this.log = opts.log ?? ((m) => console.warn(m));
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

  private vector(): IServiceVector {
    const one = (addr: number, unit: number) => this.read(unit, addr, 1)[0] as number;
    const many = (addr: number, length: number, unit: number) => this.read(unit, addr, length);
    const readOnly = (): never => {
      throw modbusError(MODBUS_EXCEPTION.illegalFunction, 'the PDU registers are read-only');
    };
    return {
      getHoldingRegister: one,
      getInputRegister: one,
      getMultipleHoldingRegisters: many,
      getMultipleInputRegisters: many,
      getCoil: readOnly,
      getDiscreteInput: readOnly,
      setRegister: readOnly,
      setRegisterArray: readOnly,
      setCoil: readOnly,
    };
  }
}
