import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on host:port and resolves with the bound port (0 picks a free one). A failure to listen rejects with
 * `<name>: cannot listen on host:port: …` and leaves nothing open; an error after listening (accept failing under
 * fd exhaustion) is logged, never fatal.
 */
export async function listenHttp(
  server: Server,
  host: string,
  port: number,
  name: string,
  log: (m: string) => void,
): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`${name}: cannot listen on ${host}:${port}: ${err.message}`)));
    server.listen(port, host, () => resolve());
  }).catch((err: unknown) => {
    server.close();
    throw err;
  });
  server.on('error', (err) => log(`${name}: ${err.message}`));
  return (server.address() as AddressInfo).port;
}

/** Stops listening and drops open connections (scrapers and clients keep them alive); bounded by that. */
export async function closeHttp(server: Server | undefined): Promise<void> {
  if (!server) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
