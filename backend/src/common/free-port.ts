import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';

/**
 * Where free ports are picked: below the kernel's ephemeral range (Linux: ip_local_port_range, 32768–60999 by
 * default). A port the kernel handed out for `listen(0)` and that was closed again can be handed to the next
 * outgoing connection of any process before the server that was told about it binds it (a scenario's twin and
 * a test's stack failed on EADDRINUSE so, in CI); ports below the range are never handed out that way.
 */
const EPHEMERAL_LOW = (() => {
  try {
    const low = Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
})();
/** picks come from [PICK_LOW, EPHEMERAL_LOW): 12,000 ports by default (20000–32767) */
const PICK_LOW = Math.max(1024, EPHEMERAL_LOW - 12_768);

function candidates(): number[] {
  if (EPHEMERAL_LOW - PICK_LOW < 100) return [0];
  const out: number[] = [];
  for (let i = 0; i < 20; i++) out.push(PICK_LOW + Math.floor(Math.random() * (EPHEMERAL_LOW - PICK_LOW)));
  return [...out, 0];
}

function tryTcp(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, host, () => {
      const got = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(got));
    });
  });
}

function tryUdp(port: number, host: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, host, () => {
      const got = s.address().port;
      s.close(() => resolve(got));
    });
  });
}

/** A TCP port the OS says is free on `host` now (servers that must advertise their port before listening). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (const p of candidates()) {
    const got = await tryTcp(p, host);
    if (got !== undefined) return got;
  }
  throw new Error(`no free TCP port on ${host}`);
}

/** A UDP port nobody has bound on `host` now (sockets whose library cannot bind port 0, faces that advertise it). */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  for (const p of candidates()) {
    const got = await tryUdp(p, host);
    if (got !== undefined) return got;
  }
  throw new Error(`no free UDP port on ${host}`);
}
