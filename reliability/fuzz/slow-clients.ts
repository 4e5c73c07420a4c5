import net from 'node:net';
import { figure, type Figure } from '../suite';

/**
 * Clients that hold connections open the slow way — headers trickled a byte a second (slowloris), a body
 * trickled likewise, a body cut short with the connection half-closed — while an ordinary client keeps asking.
 * The server must keep answering the ordinary client quickly and must itself close every slow connection once its
 * header/request timeouts pass, so that a few hundred of them cannot hold its sockets for ever.
 */

export interface SlowClientOptions {
  /** base URL of the backend under test */
  url: string;
  /** a token with the read scope */
  token: string;
  /** connections per kind, @default 60 */
  perKind?: number;
  /** how long the server may take to close a slow connection: its header and request timeouts plus its check interval */
  closeWithinMs: { headers: number; request: number };
}

interface Slow {
  kind: string;
  socket: net.Socket;
  openedAt: number;
  closedAt?: number;
  timer?: NodeJS.Timeout;
}

function open(url: URL, kind: string, token: string): Slow {
  const socket = net.connect(Number(url.port), url.hostname);
  const s: Slow = { kind, socket, openedAt: performance.now() };
  socket.on('error', () => {});
  socket.on('close', () => {
    s.closedAt = performance.now();
    clearInterval(s.timer);
  });
  socket.on('data', () => {});
  const head = `POST /api/query HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n`;
  socket.once('connect', () => {
    if (kind === 'slow headers') {
      socket.write(head);
      s.timer = setInterval(() => socket.writable && socket.write('X'), 1000);
    } else if (kind === 'slow body') {
      socket.write(`${head}Content-Length: 100000\r\n\r\n{`);
      s.timer = setInterval(() => socket.writable && socket.write(' '), 1000);
    } else {
      // a body cut short: fewer bytes than Content-Length, then FIN
      socket.write(`${head}Content-Length: 1000\r\n\r\n{"range":`);
      socket.end();
    }
  });
  return s;
}

async function ordinary(url: string, token: string, n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`ordinary request answered ${res.status}`);
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return out;
}

const p99 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;

export async function slowClients(o: SlowClientOptions): Promise<Figure[]> {
  const url = new URL(o.url);
  const n = o.perKind ?? 60;
  const kinds = ['slow headers', 'slow body', 'truncated body'];
  const slow = kinds.flatMap((k) => Array.from({ length: n }, () => open(url, k, o.token)));
  await new Promise((r) => setTimeout(r, 500));
  const latencies = await ordinary(o.url, o.token, 100);
  const deadline = performance.now() + Math.max(o.closeWithinMs.headers, o.closeWithinMs.request) + 5000;
  while (performance.now() < deadline && slow.some((s) => s.closedAt === undefined)) {
    await new Promise((r) => setTimeout(r, 250));
  }
  const figures: Figure[] = [
    figure(
      `ordinary requests while ${slow.length} slow connections are open (p99)`,
      '< 1 s',
      `${p99(latencies).toFixed(0)} ms`,
      p99(latencies) < 1000,
    ),
  ];
  for (const k of kinds) {
    const mine = slow.filter((s) => s.kind === k);
    const open = mine.filter((s) => s.closedAt === undefined).length;
    const longest = Math.max(...mine.map((s) => (s.closedAt ?? performance.now()) - s.openedAt));
    // a slow head meets the headers timeout; a slow or short body, whose head is complete, the request timeout
    const limit = k === 'slow headers' ? o.closeWithinMs.headers : o.closeWithinMs.request;
    figures.push(
      figure(
        `${k}: connections the server closed`,
        `all ${mine.length} within ${(limit / 1000).toFixed(0)} s`,
        `${mine.length - open} of ${mine.length}, the last after ${(longest / 1000).toFixed(1)} s`,
        open === 0 && longest <= limit,
      ),
    );
  }
  for (const s of slow) {
    clearInterval(s.timer);
    s.socket.destroy();
  }
  return figures;
}
