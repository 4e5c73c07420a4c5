/**
 * A UDP fault proxy on 127.0.0.1 between a client and a UDP device such as an SNMP agent (test code, not shipped).
 * fault-proxy.ts carries TCP streams only; SNMP is one datagram per request and answer, so this is its datagram
 * twin, switched at run time:
 *
 * - `pass`: forwards each datagram to the device and its answers back to the client that sent the request;
 * - `drop`: forwards nothing either way (a silent agent, a firewall);
 * - `half-open`: forwards requests, drops the answers;
 * - `garbage`: forwards nothing and answers each request with `garbage` bytes (a wrong service on the port, a
 *   corrupted answer);
 * - `latency`: forwards answers `latencyMs` later.
 *
 * `stop()` closes both sockets and clears its timers.
 */
import dgram from 'node:dgram';

export type UdpFault = 'pass' | 'drop' | 'half-open' | 'garbage' | 'latency';

export class UdpFaultProxy {
  fault: UdpFault = 'pass';
  /** answers the proxy sends under `garbage`, @default bytes that are not BER */
  garbage: Buffer = Buffer.from('this is not an SNMP message\n');
  latencyMs = 500;
  /** datagrams received from clients since start */
  requests = 0;
  private readonly front = dgram.createSocket('udp4');
  /** one socket towards the device per client address, so answers find their way back */
  private readonly backs = new Map<string, dgram.Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private _port = 0;

  constructor(private readonly targetPort: number) {}

  get port(): number {
    return this._port;
  }

  async start(port = 0): Promise<this> {
    this.front.on('message', (msg, rinfo) => this.onRequest(msg, rinfo));
    await new Promise<void>((resolve) => this.front.bind(port, '127.0.0.1', () => resolve()));
    this._port = this.front.address().port;
    return this;
  }

  private onRequest(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    this.requests++;
    if (this.fault === 'drop') return;
    if (this.fault === 'garbage') {
      this.front.send(this.garbage, rinfo.port, rinfo.address);
      return;
    }
    const key = `${rinfo.address}:${rinfo.port}`;
    let back = this.backs.get(key);
    if (!back) {
      const b = dgram.createSocket('udp4');
      b.on('message', (answer) => {
        if (this.fault === 'drop' || this.fault === 'half-open' || this.fault === 'garbage') return;
        if (this.fault === 'latency') {
          const t = setTimeout(() => {
            this.timers.delete(t);
            this.front.send(answer, rinfo.port, rinfo.address);
          }, this.latencyMs);
          this.timers.add(t);
          return;
        }
        this.front.send(answer, rinfo.port, rinfo.address);
      });
      b.on('error', () => undefined);
      this.backs.set(key, b);
      back = b;
    }
    back.send(msg, this.targetPort, '127.0.0.1');
  }

  private stopped = false;

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const closing = [this.front, ...this.backs.values()].map(
      (s) => new Promise<void>((resolve) => s.close(() => resolve())),
    );
    this.backs.clear();
    await Promise.all(closing);
  }
}
