/**
 * One BACnet/IP socket (a source's) and the requests sent over it: one at a time per device (a queue each, so a
 * slow controller does not hold the others back), timeouts and retries, errors classed, and the library's
 * message handling guarded so a datagram it cannot decode is counted instead of thrown out of a socket event.
 */
import BACnetClient, {
  ApplicationTag,
  type BACNetAddress,
  type BACNetAppData,
  type BACNetObjectID,
  type BACNetReadAccessSpecification,
  type CovNotifyPayload,
} from '@bacnet-js/client';
import Transport from '@bacnet-js/client/dist/lib/transport';
import { ABORT_REASONS, errorText } from './objects';
import { abortStatus, errorStatus, MALFORMED_STATUS, TIMEOUT_STATUS } from './quality';

export type LinkErrorKind = 'timeout' | 'error' | 'abort' | 'malformed' | 'closed' | 'bind';

/** A request that failed, classed; `rawStatus` is what the points it read get (quality.ts). */
export class BacnetLinkError extends Error {
  constructor(
    readonly kind: LinkErrorKind,
    message: string,
    readonly rawStatus: number,
    readonly errorClass?: number,
    readonly errorCode?: number,
    readonly reason?: number,
  ) {
    super(message);
    this.name = 'BacnetLinkError';
  }
}

/** Where a device is: its IP address and port, and behind a router its network and MS/TP MAC. */
export interface DeviceAddress {
  host: string;
  port: number;
  network?: number;
  mac?: number;
}

export interface LinkOptions {
  localAddress: string;
  localPort: number;
  broadcastAddress: string;
  /** APDU timeout, ms */
  timeoutMs: number;
  /** repeats after a timeout (reads only) */
  retries: number;
}

/** An I-Am heard on the socket. */
export interface IAm {
  /** `host:port` of the device (of the router for a device behind one): a BBMD's Forwarded-NPDU names it */
  address: string;
  /** the I-Am's source network and MS/TP MAC, when it came through a router (NPDU SNET/SADR) */
  network?: number;
  mac?: number;
  deviceId: number;
  maxApdu: number;
  /** 0 both, 1 transmit, 2 receive, 3 none */
  segmentation: number;
  vendorId: number;
}

export interface ReadResult {
  objectId: BACNetObjectID;
  values: Array<{ id: number; index: number; value: Array<{ type: number; value: unknown }> }>;
}

export const receiverOf = (d: DeviceAddress): BACNetAddress => ({
  address: `${d.host}:${d.port}`,
  ...(d.network !== undefined && { net: d.network, adr: [d.mac ?? 0] }),
});

/** `127.0.0.1:47808` whatever the library made of it (it drops the port when it is 47808). */
export const hostPort = (address: string): string => (address.includes(':') ? address : `${address}:47808`);

function classify(err: unknown, what: string): BacnetLinkError {
  const msg = err instanceof Error ? err.message : String(err);
  let m = /BacnetError - Class:(\d+) - Code:(\d+)/.exec(msg);
  if (m) {
    const c = Number(m[1]);
    const code = Number(m[2]);
    const bvlc = /Result:(\d+)/.exec(msg);
    const result = bvlc ? ` (BVLC result 0x${Number(bvlc[1]).toString(16).padStart(4, '0')}: NAK)` : '';
    return new BacnetLinkError(
      'error',
      `${what}: the device answered ${errorText(c, code)}${result}`,
      errorStatus(c, code),
      c,
      code,
    );
  }
  m = /BacnetAbort - Reason:(\d+)/.exec(msg);
  if (m) {
    const r = Number(m[1]);
    return new BacnetLinkError(
      'abort',
      `${what}: the device aborted or rejected it (${ABORT_REASONS[r] ?? `reason ${r}`})`,
      abortStatus(r),
      undefined,
      undefined,
      r,
    );
  }
  if (msg === 'ERR_TIMEOUT') return new BacnetLinkError('timeout', `${what}: no answer`, TIMEOUT_STATUS);
  if (msg === 'ERR_CLOSED') return new BacnetLinkError('closed', `${what}: the connector is closing`, TIMEOUT_STATUS);
  return new BacnetLinkError('malformed', `${what}: undecodable answer (${msg})`, MALFORMED_STATUS);
}

export class BacnetLink {
  readonly stats = { requests: 0, timeouts: 0, retries: 0, undecodable: 0, covNotifications: 0 };
  /** what the last datagram the library could not handle made it throw */
  lastUndecodable?: string;
  private client?: BACnetClient;
  private opening?: Promise<void>;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly iAmWaiters = new Set<(i: IAm) => void>();
  private covHandler?: (p: CovNotifyPayload, from: string) => void;
  private closed = false;

  constructor(private readonly opts: LinkOptions) {}

  /** Binds the socket (once it works); rejects with a `bind` error naming the address when it cannot. */
  open(): Promise<void> {
    this.opening ??= new Promise<void>((resolve, reject) => {
      const where = `udp ${this.opts.localAddress}:${this.opts.localPort}`;
      // reuseAddr false: a second BACnet application on the same port is an error, not a silent split of datagrams
      const transport = new Transport({
        port: this.opts.localPort,
        interface: this.opts.localAddress,
        broadcastAddress: this.opts.broadcastAddress,
        reuseAddr: false,
      });
      const emit = transport.emit.bind(transport) as (e: string, ...a: unknown[]) => boolean;
      (transport as unknown as { emit: typeof emit }).emit = (event, ...args) => {
        try {
          return emit(event, ...args);
        } catch (e) {
          // the library decodes in the socket's message handler; a throw there would end the process
          this.stats.undecodable++;
          this.lastUndecodable = e instanceof Error ? e.message : String(e);
          return false;
        }
      };
      const client = new BACnetClient({ transport, apduTimeout: this.opts.timeoutMs });
      this.client = client;
      let listening = false;
      client.on('error', (e: Error) => {
        if (listening) return;
        // not bound: the next request tries again (the port may be free by then)
        this.opening = undefined;
        this.client = undefined;
        try {
          client.close();
        } catch {
          // the socket never opened
        }
        reject(new BacnetLinkError('bind', `cannot listen for BACnet/IP on ${where}: ${e.message}`, TIMEOUT_STATUS));
      });
      client.on('listening', () => {
        listening = true;
        resolve();
      });
      client.on('iAm', (c) => {
        const p = c.payload;
        const s = c.header?.sender;
        const i: IAm = {
          address: hostPort(String(s?.forwardedFrom ?? s?.address ?? '')),
          ...(s?.net !== undefined && s.net !== 0xffff && s.adr?.length === 1 && { network: s.net, mac: s.adr[0] }),
          deviceId: p.deviceId,
          maxApdu: p.maxApdu,
          segmentation: p.segmentation,
          vendorId: p.vendorId,
        };
        for (const w of this.iAmWaiters) w(i);
      });
      client.on('covNotifyUnconfirmed', (c) => {
        this.stats.covNotifications++;
        this.covHandler?.(c.payload, hostPort(String(c.header?.sender.address ?? '')));
      });
      client.on('covNotify', (c) => {
        this.stats.covNotifications++;
        if (c.header?.sender && c.invokeId !== undefined) client.simpleAckResponse(c.header.sender, 1, c.invokeId);
        this.covHandler?.(c.payload, hostPort(String(c.header?.sender.address ?? '')));
      });
    });
    return this.opening;
  }

  onCov(handler: (p: CovNotifyPayload, from: string) => void): void {
    this.covHandler = handler;
  }

  /** Runs `fn` after the device's earlier requests, retrying timeouts when `retry`. */
  private queued<T>(
    d: DeviceAddress,
    what: string,
    retry: boolean,
    fn: (c: BACnetClient, r: BACNetAddress) => Promise<T>,
  ): Promise<T> {
    const key = `${d.host}:${d.port}:${d.network ?? ''}:${d.mac ?? ''}`;
    const run = async (): Promise<T> => {
      const tries = retry ? this.opts.retries + 1 : 1;
      for (let i = 0; ; i++) {
        if (this.closed || !this.client)
          throw new BacnetLinkError('closed', `${what}: the connector is closing`, TIMEOUT_STATUS);
        this.stats.requests++;
        try {
          return await fn(this.client, receiverOf(d));
        } catch (e) {
          const err = classify(e, what);
          if (err.kind !== 'timeout' || i + 1 >= tries) {
            if (err.kind === 'timeout') {
              this.stats.timeouts++;
              throw new BacnetLinkError(
                'timeout',
                `${what}: no answer within ${this.opts.timeoutMs} ms${tries > 1 ? ` after ${tries - 1} ${tries === 2 ? 'retry' : 'retries'}` : ''}`,
                TIMEOUT_STATUS,
              );
            }
            throw err;
          }
          this.stats.retries++;
        }
      }
    };
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.then(run, run);
    const tail = next.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return next;
  }

  async readMultiple(d: DeviceAddress, specs: BACNetReadAccessSpecification[]): Promise<ReadResult[]> {
    await this.open();
    const what = `ReadPropertyMultiple of ${specs.length} object${specs.length === 1 ? '' : 's'}`;
    return this.queued(d, what, true, async (c, r) => {
      const res = await c.readPropertyMultiple(r, specs);
      return res.values as unknown as ReadResult[];
    });
  }

  /** ReadProperty of one property (an array element with `index`; 0 is the array's length). */
  async readProperty(
    d: DeviceAddress,
    obj: BACNetObjectID,
    property: number,
    index?: number,
  ): Promise<Array<{ type: number; value: unknown }>> {
    await this.open();
    return this.queued(d, 'ReadProperty', true, async (c, r) => {
      const res = await c.readProperty(r, obj, property, index === undefined ? {} : { arrayIndex: index });
      return res.values as Array<{ type: number; value: unknown }>;
    });
  }

  async writeProperty(
    d: DeviceAddress,
    obj: BACNetObjectID,
    property: number,
    values: BACNetAppData[],
    priority: number,
  ): Promise<void> {
    await this.open();
    return this.queued(d, 'WriteProperty', false, (c, r) => c.writeProperty(r, obj, property, values, { priority }));
  }

  async subscribeCov(
    d: DeviceAddress,
    obj: BACNetObjectID,
    processId: number,
    lifetimeS: number,
    cancel = false,
  ): Promise<void> {
    await this.open();
    return this.queued(d, cancel ? 'SubscribeCOV (cancel)' : 'SubscribeCOV', true, (c, r) =>
      c.subscribeCov(r, obj, processId, cancel, false, cancel ? 0 : lifetimeS),
    );
  }

  /**
   * Who-Is (to `to`: a device's address, unicast; else a broadcast — through `bbmd` as Distribute-Broadcast-To-
   * Network when registered with one, since a foreign device's own broadcast stays on its subnet), collecting the
   * I-Ams heard for `waitMs`, or until one from `to` (else, with a one-instance range, from that instance) arrives.
   */
  async whoIs(
    to: DeviceAddress | undefined,
    range: { low?: number; high?: number },
    waitMs: number,
    bbmd?: { host: string; port: number },
  ): Promise<IAm[]> {
    await this.open();
    const heard: IAm[] = [];
    const want = to ? `${to.host}:${to.port}` : undefined;
    return new Promise<IAm[]>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.iAmWaiters.delete(onIAm);
        resolve(heard);
      };
      const onIAm = (i: IAm) => {
        if (range.low !== undefined && (i.deviceId < range.low || i.deviceId > (range.high ?? range.low))) return;
        heard.push(i);
        if (want !== undefined ? i.address === want : range.low !== undefined && range.low === range.high) done();
      };
      this.iAmWaiters.add(onIAm);
      const timer = setTimeout(done, waitMs);
      const opts = range.low !== undefined ? { lowLimit: range.low, highLimit: range.high ?? range.low } : undefined;
      try {
        this.stats.requests++;
        if (to) this.client!.whoIs(receiverOf(to), opts);
        else if (bbmd) this.client!.whoIsThroughBBMD({ address: `${bbmd.host}:${bbmd.port}` }, opts ?? {});
        else this.client!.whoIs(opts ?? {});
      } catch {
        done();
      }
    });
  }

  /** Registers as a foreign device with a BBMD (BVLL Register-Foreign-Device), `ttlS` seconds. */
  async registerForeignDevice(bbmd: { host: string; port: number }, ttlS: number): Promise<void> {
    await this.open();
    this.stats.requests++;
    try {
      await this.client!.registerForeignDevice({ address: `${bbmd.host}:${bbmd.port}` }, ttlS);
    } catch (e) {
      throw classify(e, `Register-Foreign-Device with the BBMD at ${bbmd.host}:${bbmd.port}`);
    }
  }

  /** Closes the socket, failing what is in flight; bounded (no I/O waits). */
  async close(): Promise<void> {
    this.closed = true;
    this.iAmWaiters.clear();
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    await this.opening?.catch(() => undefined);
    await new Promise<void>((resolve) => {
      try {
        const t = (c as unknown as { _transport: { _server: { once(e: string, f: () => void): void } } })._transport;
        t._server.once('close', () => resolve());
        c.close();
      } catch {
        resolve();
      }
    });
  }
}

/** A value to write as BACnet application data. */
export function nullValue(): BACNetAppData[] {
  return [{ type: ApplicationTag.NULL, value: null }];
}
