/** A TCP port on 127.0.0.1 nobody listens on right now. */
export { freePort } from '../common/free-port';

/** Open sockets, timers, child processes and files of this process, by kind (`TCPSocketWrap`, `Timeout`, …). */
export function activeHandles(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

/** Kinds a connector's `stop()`/`close()` must leave as it found them. */
const LEAK_KINDS = [
  'TCPSocketWrap',
  'TCPServerWrap',
  'Timeout',
  'PipeWrap',
  'TTYWrap',
  'ProcessWrap',
  'FSReqCallback',
  'FileHandle',
];

/** Waits until those handles are back to `before` (closing sockets take a tick or two); throws naming the leak. */
export async function expectNoLeaks(before: Record<string, number>, ms = 1000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const now = activeHandles();
    const extra = LEAK_KINDS.filter((k) => (now[k] ?? 0) > (before[k] ?? 0));
    if (extra.length === 0) return;
    if (Date.now() > end) {
      throw new Error(`leaked handles: ${extra.map((k) => `${k} ${before[k] ?? 0} → ${now[k]}`).join(', ')}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}
