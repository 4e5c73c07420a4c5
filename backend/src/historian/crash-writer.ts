import { ChunkStore } from './chunk-store';
import { crashBatch, crashClock, CRASH_POINTS } from './crash-workload';
import { openHistorian } from './historian';

/**
 * Child process of the kill -9 test: ingests crashBatch(k) for k = start, start + 1, … with a few calls in
 * flight (so commits group) and prints k on stdout only after ingest(k) resolved. The parent kills it at a
 * random moment. With CRASH_IN=insertChunk|upsertRollup it kills itself inside a flush transaction instead.
 *
 * usage: node --import tsx crash-writer.ts <dir> <start>
 */

const [dir, startArg] = process.argv.slice(2);
if (!dir || startArg === undefined) throw new Error('usage: crash-writer.ts <dir> <start>');
let k = Number(startArg);

const crashIn = process.env.CRASH_IN as 'insertChunk' | 'upsertRollup' | undefined;
if (crashIn) {
  // die in the middle of a flush transaction: some chunks / rollups written, no commit
  let calls = 0;
  const original = ChunkStore.prototype[crashIn] as (...args: unknown[]) => void;
  ChunkStore.prototype[crashIn] = function (this: ChunkStore, ...args: unknown[]) {
    original.apply(this, args);
    if (++calls === 25) process.kill(process.pid, 'SIGKILL');
  } as never;
}

// the clock follows the data (retention must not drop the 2024 workload); maintenance every 50 ms merges the
// hours that small heads leave in pieces, so kills land inside merges too
const h = openHistorian({
  dir,
  now: crashClock(() => k),
  tuning: { chunkMaxSamples: 64, headMaxBytes: 256, lateGraceMs: 0, maintenanceIntervalMs: 50 },
});
h.ensurePoints(CRASH_POINTS);
process.stdout.write('ready\n');

const IN_FLIGHT = 4;
let running = 0;
function next(): void {
  while (running < IN_FLIGHT) {
    const batchNo = k++;
    running++;
    h.ingest(crashBatch(batchNo)).then(
      (res) => {
        if (res.rejected.length > 0) {
          console.error(`batch ${batchNo} rejected ${JSON.stringify(res.rejected[0])}`);
          process.exit(1);
        }
        // acknowledged: only now may the parent count on it
        process.stdout.write(`${batchNo}\n`);
        running--;
        // a short pause now and then leaves room for flush tasks between commits
        if (batchNo % 8 === 0) setTimeout(next, 1);
        else next();
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  }
}
next();
