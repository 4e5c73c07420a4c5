import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { freePort, freeUdpPort } from './free-port';

const ephemeralLow = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('freePort / freeUdpPort', () => {
  it('pick ports below the kernel ephemeral range that a server can then bind', async () => {
    for (let i = 0; i < 10; i++) {
      const tcp = await freePort();
      expect(tcp).toBeGreaterThanOrEqual(1024);
      expect(tcp).toBeLessThan(ephemeralLow);
      const s = net.createServer();
      await new Promise<void>((resolve, reject) => s.once('error', reject).listen(tcp, '127.0.0.1', () => resolve()));
      await new Promise((r) => s.close(r));

      const udp = await freeUdpPort();
      expect(udp).toBeLessThan(ephemeralLow);
      const u = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => u.once('error', reject).bind(udp, '127.0.0.1', () => resolve()));
      await new Promise<void>((r) => u.close(() => r()));
    }
  });

  it('never hand out a port that is in use', async () => {
    // every port a server holds is skipped: hold 200 of those freePort picks and ask again
    const held: net.Server[] = [];
    try {
      const ports = new Set<number>();
      for (let i = 0; i < 200; i++) {
        const p = await freePort();
        const s = net.createServer();
        await new Promise<void>((resolve) => s.listen(p, '127.0.0.1', () => resolve()));
        held.push(s);
        ports.add(p);
      }
      expect(ports.size).toBe(200);
    } finally {
      await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
    }
  });
});
