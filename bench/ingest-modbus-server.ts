/**
 * The Modbus TCP peer of ingest-modbus.bench.ts, run in its own process (so its CPU is not the client's):
 * modbus-serial's ServerTCP answering every unit id, holding and input registers with known values, each request
 * answered after a seeded random delay of `minMs`–`maxMs` ms, like a real device or gateway.
 *
 *   tsx bench/ingest-modbus-server.ts <port> <minMs> <maxMs>
 *
 * Prints `READY` once it listens. Reads commands on stdin, one a line, and answers one JSON line each:
 * `reset <seed>` restarts the delay sequence and clears the request log; `stats` gives the requests and registers
 * read since the last reset. Ends on stdin EOF or SIGTERM.
 */
import readline from 'node:readline';
import { ServerTCP, type FCallbackVal } from 'modbus-serial';
import { registerValue, rng } from './ingest-modbus-maps';

const [port, minMs, maxMs] = process.argv.slice(2).map(Number) as [number, number, number];

let random = rng(1);
let requests = 0;
let registers = 0;
const pending = new Set<NodeJS.Timeout>();

/** One request of `length` registers: answered after the next delay of the sequence. */
function answer(table: 'hr' | 'ir', addr: number, length: number, unit: number, cb: FCallbackVal<number[]>): void {
  requests++;
  registers += length;
  const ms = minMs + random() * (maxMs - minMs);
  const t = setTimeout(() => {
    pending.delete(t);
    cb(
      null,
      Array.from({ length }, (_, i) => registerValue(unit, table, addr + i)),
    );
  }, ms);
  pending.add(t);
}

const server = new ServerTCP(
  {
    getMultipleHoldingRegisters: (addr: number, length: number, unit: number, cb: FCallbackVal<number[]>) =>
      answer('hr', addr, length, unit, cb),
    getMultipleInputRegisters: (addr: number, length: number, unit: number, cb: FCallbackVal<number[]>) =>
      answer('ir', addr, length, unit, cb),
    // ServerTCP asks single-register reads one register at a time
    getHoldingRegister: (addr: number, unit: number, cb: FCallbackVal<number>) =>
      answer('hr', addr, 1, unit, (err, v) => cb(err, v[0] ?? 0)),
    getInputRegister: (addr: number, unit: number, cb: FCallbackVal<number>) =>
      answer('ir', addr, 1, unit, (err, v) => cb(err, v[0] ?? 0)),
  },
  { host: '127.0.0.1', port, unitID: 255 },
);
server.on('socketError', () => undefined);
server.on('serverError', (e) => {
  process.stderr.write(`modbus bench server: ${String(e)}\n`);
  process.exit(1);
});
server.on('initialized', () => process.stdout.write('READY\n'));

function stop(): void {
  for (const t of pending) clearTimeout(t);
  server.socks.forEach((_, s) => s.destroy());
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'reset') {
    random = rng(Number(arg));
    requests = 0;
    registers = 0;
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
  } else if (cmd === 'stats') {
    process.stdout.write(`${JSON.stringify({ requests, registers })}\n`);
  } else {
    process.stdout.write(`${JSON.stringify({ error: `unknown command ${cmd}` })}\n`);
  }
});
lines.on('close', stop);
process.on('SIGTERM', stop);
