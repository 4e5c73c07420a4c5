/**
 * A TCP fault proxy on 127.0.0.1 between a connector and a device (test code, not shipped): it forwards bytes in
 * both directions and, switched at run time, injects the faults a plant network has.
 *
 * - `pass`: forwards; `latency`: forwards each chunk `latencyMs` later (order kept);
 * - `drop`: keeps every socket open but forwards nothing (a switch that loses frames; new connections are accepted
 *   and silenced too);
 * - `reset`: sends RST on every existing connection (`resetAndDestroy`) and on each new one at once;
 * - `half-open`: accepts and forwards requests to the device but drops its answers (one direction silently lost);
 * - `black-hole`: a host that vanished: sockets open now are silenced, and new connections are accepted but never
 *   connected to the device nor answered (on loopback a closed port refuses at once; a dropped SYN cannot be made
 *   without root, and to a client an accepted-and-silent connection looks the same: no answer, ever);
 * - `refuse`: the listener is closed (ECONNREFUSED) and existing connections are reset.
 *
 * It counts connections accepted and open, and `stop()` closes everything it opened.
 */
import net from 'node:net';

export type Fault = 'pass' | 'latency' | 'drop' | 'reset' | 'half-open' | 'black-hole' | 'refuse';

export const FAULTS: readonly Fault[] = ['pass', 'latency', 'drop', 'reset', 'half-open', 'black-hole', 'refuse'];

export interface FaultProxyOptions {
  /** the device's port on 127.0.0.1 */
  targetPort: number;
  /** the proxy's port, @default a free one */
  port?: number;
  /** delay of each chunk under `latency`, ms, @default 500 */
  latencyMs?: number;
}

interface Pair {
  client: net.Socket;
  device?: net.Socket;
  timers: Set<NodeJS.Timeout>;
}

export class FaultProxy {
  private server?: net.Server;
  private readonly pairs = new Set<Pair>();
  private _fault: Fault = 'pass';
  private _port = 0;
  private stopped = false;
  /** connections accepted since start */
  accepted = 0;
  latencyMs: number;

  constructor(private readonly o: FaultProxyOptions) {
    this.latencyMs = o.latencyMs ?? 500;
  }

  get port(): number {
    return this._port;
  }

  get fault(): Fault {
    return this._fault;
  }

  /** connections open now, client side (each also holds at most one device socket) */
  get open(): number {
    return this.pairs.size;
  }

  /** sockets this proxy holds open now, both sides */
  get sockets(): number {
    let n = 0;
    for (const p of this.pairs) n += 1 + (p.device && !p.device.destroyed ? 1 : 0);
    return n;
  }

  async start(): Promise<number> {
    await this.listen(this.o.port ?? 0);
    return this._port;
  }

  /** Switches the fault; `reset` and `refuse` act on the connections open now. */
  async set(fault: Fault, latencyMs?: number): Promise<void> {
    if (latencyMs !== undefined) this.latencyMs = latencyMs;
    this._fault = fault;
    if (fault === 'reset' || fault === 'refuse') for (const p of [...this.pairs]) this.kill(p, true);
    if (fault === 'refuse') await this.unlisten();
    else if (!this.server && !this.stopped) await this.listen(this._port);
  }

  /** Closes the listener and every connection (reset), clears every timer. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const p of [...this.pairs]) this.kill(p, true);
    await this.unlisten();
  }

  private async listen(port: number): Promise<void> {
    const server = net.createServer((c) => this.accept(c));
    server.on('error', () => undefined);
    // a port released a moment ago may still be busy for a few ms after a refuse
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
          });
        });
        break;
      } catch (err) {
        if (attempt >= 50 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    this.server = server;
    this._port = (server.address() as net.AddressInfo).port;
  }

  private unlisten(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    this.accepted++;
    const pair: Pair = { client, timers: new Set() };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => this.kill(pair, false));
    if (this._fault === 'reset' || this.stopped) return this.kill(pair, true);
    // read and discard: a paused socket would never see the client's FIN and stay open for ever
    if (this._fault === 'black-hole') return void client.on('data', () => undefined);
    const device = net.connect({ host: '127.0.0.1', port: this.o.targetPort });
    pair.device = device;
    device.on('error', () => undefined);
    // the device went away (restart): the client sees its connection end, as it would through a real gateway
    device.on('close', () => this.kill(pair, false));
    client.on('data', (chunk: Buffer) => this.forward(pair, chunk, device, 'up'));
    device.on('data', (chunk: Buffer) => this.forward(pair, chunk, client, 'down'));
  }

  private forward(pair: Pair, chunk: Buffer, to: net.Socket, dir: 'up' | 'down'): void {
    const f = this._fault;
    if (f === 'drop' || f === 'black-hole') return;
    if (f === 'half-open' && dir === 'down') return;
    if (f === 'latency' && this.latencyMs > 0) {
      const t = setTimeout(() => {
        pair.timers.delete(t);
        if (!to.destroyed) to.write(chunk);
      }, this.latencyMs);
      pair.timers.add(t);
      return;
    }
    if (!to.destroyed) to.write(chunk);
  }

  private kill(pair: Pair, rst: boolean): void {
    if (!this.pairs.delete(pair)) return;
    for (const t of pair.timers) clearTimeout(t);
    pair.timers.clear();
    for (const s of [pair.client, pair.device]) {
      if (!s || s.destroyed) continue;
      if (rst && typeof s.resetAndDestroy === 'function' && s.readyState !== 'opening') s.resetAndDestroy();
      else s.destroy();
    }
  }
}

/** Starts a proxy to `targetPort` on 127.0.0.1. */
export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const p = new FaultProxy(o);
  await p.start();
  return p;
}
