/**
 * One connection to a Modbus gateway or device (TCP, RTU over TCP, or a serial line) with a strict sequential
 * request queue, a per-request timeout and a pause between requests. It knows nothing of points: the connector
 * (modbus.ts) plans, retries and decodes.
 *
 * modbus-serial does the framing. Its own timeout is left off: each request gets a timer here, so a late answer
 * is ignored (TCP matches answers by transaction id; RTU framing by unit id and function code) and every timer
 * is ours to clear on close. Sockets are opened here and handed to modbus-serial (`linkTCP` / `linkTelnet`) so
 * the connect timeout and the teardown are ours too.
 */
import net from 'node:net';
import ModbusRTU from 'modbus-serial';
import type { Table } from './address';
import type { Transport } from './config';

/**
 * `rawStatus` of bad samples. 1–11 are Modbus exception codes exactly as the device or gateway sent them
 * (0x0A and 0x0B are also used for the local conditions below, which mean the same thing); larger codes are
 * this connector's own.
 */
export const MODBUS_STATUS = {
  /** exception 1: the device does not support the function (e.g. no input registers) */
  illegalFunction: 0x01,
  /** exception 2: the device does not implement the address */
  illegalDataAddress: 0x02,
  /** not read: the connection to the gateway could not be opened or was lost (as exception 10) */
  pathUnavailable: 0x0a,
  /** no answer within the timeout after all retries (as exception 11, "gateway target failed to respond") */
  noResponse: 0x0b,
  /** an answer arrived but was malformed (bad CRC, wrong length, other unit or function) */
  invalidResponse: 0x100,
  /** the value decoded to NaN or ±Infinity, which many devices send for "no value" */
  notFinite: 0x101,
} as const;

export type RequestFailure = 'exception' | 'timeout' | 'invalid' | 'disconnected' | 'closed';

/** A request that got no usable answer; `status` is the `rawStatus` its points get. */
export class ModbusRequestError extends Error {
  override readonly name = 'ModbusRequestError';
  constructor(
    readonly kind: RequestFailure,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface LinkOptions {
  transport: Transport;
  host?: string;
  port: number;
  path?: string;
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
  connectTimeoutMs: number;
  /** pause after an answer (or timeout) before the next request starts, ms */
  pauseMs: number;
}

/** What modbus-serial hands a callback: `data` for reads; the echo `address` + `state`/`value`/`length` for writes. */
interface Answer {
  data?: Array<number | boolean>;
  address?: number;
  state?: boolean;
  value?: number;
  length?: number;
}
type Callback = (err: unknown, res?: Answer) => void;

/** modbus-serial's callback API (the promise API shares one unit id per client). */
interface Framer {
  writeFC1(unit: number, address: number, count: number, next: Callback): void;
  writeFC2(unit: number, address: number, count: number, next: Callback): void;
  writeFC3(unit: number, address: number, count: number, next: Callback): void;
  writeFC4(unit: number, address: number, count: number, next: Callback): void;
  writeFC5(unit: number, address: number, state: boolean, next: Callback): void;
  writeFC6(unit: number, address: number, value: number, next: Callback): void;
  writeFC15(unit: number, address: number, states: boolean[], next: Callback): void;
  writeFC16(unit: number, address: number, values: number[], next: Callback): void;
  isOpen: boolean;
}

/**
 * A write request: FC5 one coil, FC15 several coils, FC6 one holding register, FC16 several. Register values are
 * 16-bit words as they go on the wire (encode.ts made them).
 */
export type WriteCommand =
  | { fc: 5; address: number; value: boolean }
  | { fc: 15; address: number; values: boolean[] }
  | { fc: 6; address: number; value: number }
  | { fc: 16; address: number; values: number[] };

const FUNCTION_CODE: Readonly<Record<Table, number>> = { coil: 1, di: 2, hr: 3, ir: 4 };

/** The error modbus-serial hands a callback, as a request outcome. */
function classify(err: unknown): ModbusRequestError {
  const e = err as { modbusCode?: unknown; errno?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e?.modbusCode === 'number') {
    return new ModbusRequestError('exception', message, e.modbusCode);
  }
  if (e?.errno === 'ETIMEDOUT') return new ModbusRequestError('timeout', message, MODBUS_STATUS.noResponse);
  if (message === 'Port Not Open') {
    return new ModbusRequestError('disconnected', 'the connection is not open', MODBUS_STATUS.pathUnavailable);
  }
  return new ModbusRequestError('invalid', `malformed answer: ${message}`, MODBUS_STATUS.invalidResponse);
}

export class ModbusLink {
  private client?: ModbusRTU;
  private socket?: net.Socket;
  private open = false;
  private closed = false;
  /** the end of the queue: each request starts after the previous one settled */
  private tail: Promise<unknown> = Promise.resolve();
  /** fails the request on the wire now (connection lost, close) */
  private abortInFlight?: (err: ModbusRequestError) => void;
  private lastAnswerAt = 0;
  /** settles when every serial port this link closed is released (a port cannot be opened twice) */
  private serialClosing: Promise<void> = Promise.resolve();
  /** ends a serial open in progress (close) */
  private cancelConnect?: (err: Error) => void;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly o: LinkOptions,
    /** counts every request put on the wire */
    private readonly onSend: () => void = () => undefined,
  ) {}

  /** `tcp 10.0.0.5:502`, `rtu /dev/ttyUSB0` — for messages */
  get target(): string {
    return this.o.transport === 'rtu' ? `rtu ${this.o.path}` : `${this.o.transport} ${this.o.host}:${this.o.port}`;
  }

  get connected(): boolean {
    return this.open && !this.closed;
  }

  /** Opens the connection; rejects with the reason (refused, unreachable, timeout) and leaves nothing open. */
  async connect(): Promise<void> {
    if (this.closed) throw new ModbusRequestError('closed', 'the link is closed', MODBUS_STATUS.pathUnavailable);
    this.drop();
    if (this.o.transport === 'rtu') await this.openSerial();
    else await this.openSocket();
  }

  private async openSocket(): Promise<void> {
    const socket = new net.Socket();
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error) => {
        cleanup();
        socket.destroy();
        reject(err);
      };
      const onError = (err: Error) => fail(err);
      const onClose = () => fail(new Error('closed while connecting'));
      const timer = this.timer(
        () => fail(new Error(`no connection within ${this.o.connectTimeoutMs} ms`)),
        this.o.connectTimeoutMs,
      );
      const cleanup = () => {
        this.clear(timer);
        socket.off('error', onError);
        socket.off('close', onClose);
      };
      socket.once('error', onError);
      socket.once('close', onClose);
      socket.once('connect', () => {
        cleanup();
        resolve();
      });
      socket.connect({ host: this.o.host as string, port: this.o.port });
    });
    if (this.closed || this.socket !== socket) {
      socket.destroy();
      throw new ModbusRequestError('closed', 'the link was closed while connecting', MODBUS_STATUS.pathUnavailable);
    }
    socket.setNoDelay(true);
    // dead peers without a FIN are found by the request timeouts; keepalive also ends idle half-open sockets
    socket.setKeepAlive(true, 10_000);
    // an error is always followed by 'close', which is where the link notices
    socket.on('error', () => undefined);
    socket.once('close', () => this.lost(socket));
    const client = new ModbusRTU();
    client.on('error', () => undefined);
    this.client = client;
    if (this.o.transport === 'tcp') await client.linkTCP(socket, { port: this.o.port });
    else await client.linkTelnet(socket, { port: this.o.port });
    this.open = !socket.destroyed;
    if (!this.open)
      throw new ModbusRequestError('disconnected', 'the connection closed at once', MODBUS_STATUS.pathUnavailable);
  }

  private async openSerial(): Promise<void> {
    await this.serialClosing;
    const client = new ModbusRTU();
    this.client = client;
    client.on('error', () => this.lost(client));
    const opening = client.connectRTUBuffered(this.o.path as string, {
      baudRate: this.o.baudRate,
      parity: this.o.parity,
      dataBits: this.o.dataBits,
      stopBits: this.o.stopBits,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        opening,
        new Promise<never>((_, reject) => {
          this.cancelConnect = reject;
          timer = this.timer(
            () => reject(new Error(`serial port did not open within ${this.o.connectTimeoutMs} ms`)),
            this.o.connectTimeoutMs,
          );
        }),
      ]);
    } catch (err) {
      // a port that opens after we gave up is closed at once
      opening.then(
        () => this.closeSerial(client),
        () => undefined,
      );
      this.drop();
      throw err;
    } finally {
      this.cancelConnect = undefined;
      this.clear(timer);
    }
    if (this.closed || this.client !== client) {
      this.closeSerial(client);
      throw new ModbusRequestError('closed', 'the link was closed while connecting', MODBUS_STATUS.pathUnavailable);
    }
    client.on('close', () => this.lost(client));
    this.open = true;
  }

  /** The connection ended under us: fail the request on the wire now rather than at its timeout. */
  private lost(owner: net.Socket | ModbusRTU): void {
    if (owner !== this.socket && owner !== this.client) return;
    this.open = false;
    this.abortInFlight?.(
      new ModbusRequestError('disconnected', `connection to ${this.target} lost`, MODBUS_STATUS.pathUnavailable),
    );
  }

  /** Ends the connection now (a later `connect` opens a new one). */
  drop(): void {
    this.open = false;
    const { socket, client } = this;
    this.socket = undefined;
    this.client = undefined;
    this.abortInFlight?.(
      new ModbusRequestError('disconnected', `connection to ${this.target} closed`, MODBUS_STATUS.pathUnavailable),
    );
    socket?.destroy();
    if (client && this.o.transport === 'rtu') this.closeSerial(client);
  }

  /** Closes a serial port; the promise settles when it is released, at most 1 s later (kept for reopening). */
  private closeSerial(client: ModbusRTU): void {
    const closing = new Promise<void>((resolve) => {
      const guard = setTimeout(resolve, 1000);
      const done = () => {
        clearTimeout(guard);
        resolve();
      };
      try {
        client.close(done);
      } catch {
        done(); // already closed
      }
    });
    this.serialClosing = Promise.all([this.serialClosing, closing]).then(() => undefined);
  }

  /**
   * Reads `count` registers (hr/ir: numbers 0–65535) or bits (coil/di: booleans) of one unit. Queued: starts
   * after every earlier request settled and the pause passed. Rejects with a `ModbusRequestError`, never hangs
   * past `timeoutMs`.
   */
  read(
    unitId: number,
    table: Table,
    start: number,
    count: number,
    timeoutMs: number,
  ): Promise<Array<number | boolean>> {
    return this.queued(() =>
      this.send<Array<number | boolean>>(
        unitId,
        timeoutMs,
        (client, done) => {
          switch (FUNCTION_CODE[table]) {
            case 1:
              return client.writeFC1(unitId, start, count, done);
            case 2:
              return client.writeFC2(unitId, start, count, done);
            case 3:
              return client.writeFC3(unitId, start, count, done);
            default:
              return client.writeFC4(unitId, start, count, done);
          }
        },
        (res) => {
          const data = res?.data;
          if (!Array.isArray(data) || data.length < count) {
            return `unit ${unitId}: answer holds ${Array.isArray(data) ? data.length : 0} values for ${count} requested`;
          }
          // bit reads come back padded to whole bytes
          return { value: data.length > count ? data.slice(0, count) : data };
        },
      ),
    );
  }

  /**
   * Writes coils or holding registers of one unit (FC5/FC15/FC6/FC16), through the same queue, pause and timeout
   * as reads. Resolves once the unit acknowledged with the echo the function defines (address and value for
   * FC5/FC6, address and count for FC15/FC16); an answer that does not echo the request is malformed. Rejects
   * with a `ModbusRequestError`; a timeout leaves open whether the unit applied it.
   */
  write(unitId: number, cmd: WriteCommand, timeoutMs: number): Promise<void> {
    const count = cmd.fc === 5 || cmd.fc === 6 ? 1 : cmd.values.length;
    return this.queued(() =>
      this.send<void>(
        unitId,
        timeoutMs,
        (client, done) => {
          switch (cmd.fc) {
            case 5:
              return client.writeFC5(unitId, cmd.address, cmd.value, done);
            case 6:
              return client.writeFC6(unitId, cmd.address, cmd.value, done);
            case 15:
              return client.writeFC15(unitId, cmd.address, cmd.values, done);
            default:
              return client.writeFC16(unitId, cmd.address, cmd.values, done);
          }
        },
        (res) => {
          const echo =
            cmd.fc === 5
              ? res?.address === cmd.address && res?.state === cmd.value
              : cmd.fc === 6
                ? res?.address === cmd.address && res?.value === cmd.value
                : res?.address === cmd.address && res?.length === count;
          if (!echo) {
            return `unit ${unitId}: the FC${cmd.fc} answer does not echo the request (address ${cmd.address}, ${cmd.fc === 5 || cmd.fc === 6 ? `value ${String(cmd.value)}` : `count ${count}`}; got ${JSON.stringify(res ?? null)})`;
          }
          return { value: undefined };
        },
      ),
    );
  }

  /** Runs `request` after every earlier one settled and the pause passed: one request at a time on the wire. */
  private queued<T>(request: () => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      if (this.closed) throw new ModbusRequestError('closed', 'the link is closed', MODBUS_STATUS.pathUnavailable);
      const wait = this.lastAnswerAt + this.o.pauseMs - Date.now();
      if (this.o.pauseMs > 0 && wait > 0) await this.sleep(Math.min(wait, this.o.pauseMs));
      try {
        return await request();
      } finally {
        this.lastAnswerAt = Date.now();
      }
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * One request on the wire with its own timer: `issue` hands it to modbus-serial, `accept` checks the answer
   * (a string: malformed, with why).
   */
  private send<T>(
    unitId: number,
    timeoutMs: number,
    issue: (client: Framer, done: Callback) => void,
    accept: (res: Answer | undefined) => { value: T } | string,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const client = this.client as unknown as Framer | undefined;
      if (this.closed) {
        reject(new ModbusRequestError('closed', 'the link is closed', MODBUS_STATUS.pathUnavailable));
        return;
      }
      if (!client || !this.open || !client.isOpen) {
        reject(
          new ModbusRequestError('disconnected', `not connected to ${this.target}`, MODBUS_STATUS.pathUnavailable),
        );
        return;
      }
      let settled = false;
      const finish = (err: ModbusRequestError | undefined, value?: T) => {
        if (settled) return;
        settled = true;
        this.clear(timer);
        if (this.abortInFlight === abort) this.abortInFlight = undefined;
        if (err) reject(err);
        else resolve(value as T);
      };
      const abort = (err: ModbusRequestError) => finish(err);
      this.abortInFlight = abort;
      const timer = this.timer(
        () =>
          finish(
            new ModbusRequestError(
              'timeout',
              `unit ${unitId}: no answer within ${timeoutMs} ms`,
              MODBUS_STATUS.noResponse,
            ),
          ),
        timeoutMs,
      );
      const done: Callback = (err, res) => {
        if (err) return finish(classify(err));
        const r = accept(res);
        if (typeof r === 'string') {
          return finish(new ModbusRequestError('invalid', r, MODBUS_STATUS.invalidResponse));
        }
        finish(undefined, r.value);
      };
      this.onSend();
      try {
        issue(client, done);
      } catch (err) {
        finish(classify(err));
      }
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.timer(resolve, ms);
      // close() clears timers: settle the sleeper too
      this.sleepers.set(t, resolve);
    });
  }
  private readonly sleepers = new Map<NodeJS.Timeout, () => void>();

  private timer(fn: () => void, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.sleepers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
    return t;
  }

  private clear(t: NodeJS.Timeout | undefined): void {
    if (t === undefined) return;
    clearTimeout(t);
    this.timers.delete(t);
    this.sleepers.delete(t);
  }

  /**
   * Fails the request on the wire and every queued one, ends the connection and clears every timer at once;
   * resolves when a serial port is released too (at most 1 s).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    const closed = new ModbusRequestError('closed', 'the link is closed', MODBUS_STATUS.pathUnavailable);
    this.abortInFlight?.(closed);
    this.cancelConnect?.(closed);
    this.closed = true;
    this.drop();
    for (const [t, wake] of this.sleepers) {
      clearTimeout(t);
      wake();
    }
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.sleepers.clear();
    await this.serialClosing;
  }
}
