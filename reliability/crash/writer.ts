import { AutomationStore } from '../../backend/src/automation/store';
import { EventStore } from '../../backend/src/events/event-store';
import { ChunkStore } from '../../backend/src/historian/chunk-store';
import { CRASH_POINTS, crashBatch } from '../../backend/src/historian/crash-workload';
import { openHistorian } from '../../backend/src/historian/historian';
import { StagingLog } from '../../backend/src/historian/staging-log';
import {
  allowed,
  crashDecision,
  crashEvent,
  crashEventPatch,
  crashLease,
  crashProposal,
  crashRuleVersion,
  crashVerdict,
  crashWrite,
  hasProposal,
  hasRuleVersion,
  STATE_KEY,
} from './workload';
import { crashClock, CRASH_TUNING } from './clock';

/**
 * Child process of the crash suite: opens the three stores the backend opens in one data folder (plenum.ts:
 * historian, events.db, automation.db), then writes the mixed workload of ./workload.ts and the historian's
 * crashBatch: sample batches (a few in flight, group-committed) and, every few ms, one step of events and
 * automation records. Each acknowledgement is printed only once the store's call returned (the historian's
 * ingest resolved: fsync'd; the SQLite stores' statements committed with synchronous=FULL):
 *   `s <batch>`, `e <k>`, `u <k> <version>`, `v <k>` verdict, `w <k>` write, `l <k>` lease, `r <k>` rule version,
 *   `p <k>` proposal, `d <k>` decision, `k <k>` state key.
 * `opening` comes before the stores open and `ready <ms>` after (the open's duration). The parent kills it.
 * With CRASH_IN=insertChunk|upsertRollup|updateFlush|deleteBelow and CRASH_AT=n it kills itself right after the
 * n-th such call: inside a head flush transaction, or inside the staging log's clean-up (its compaction).
 *
 * With CRASH_AFTER_MS=n it kills itself n ms after the stores opened (runs under strace, see sync-audit.ts).
 *
 * usage: node --import tsx writer.ts <dir> <first batch> <first step>
 */

const [dir, batchArg, stepArg] = process.argv.slice(2);
if (!dir || batchArg === undefined || stepArg === undefined)
  throw new Error('usage: writer.ts <dir> <first batch> <first step>');
let batch = Number(batchArg);
const firstStep = Number(stepArg);
let step = firstStep;

const crashIn = process.env.CRASH_IN;
if (crashIn) {
  const at = Number(process.env.CRASH_AT ?? 1);
  const proto = (crashIn === 'deleteBelow' ? StagingLog.prototype : ChunkStore.prototype) as unknown as Record<
    string,
    (...args: unknown[]) => unknown
  >;
  const original = proto[crashIn];
  if (!original) throw new Error(`CRASH_IN: no method ${crashIn}`);
  let calls = 0;
  proto[crashIn] = function (this: unknown, ...args: unknown[]) {
    const r = original.apply(this, args);
    if (++calls === at) process.kill(process.pid, 'SIGKILL');
    return r;
  };
}

const out = (line: string) => process.stdout.write(`${line}\n`);

out('opening');
const t0 = performance.now();
// the data clock follows the workload (its samples are in 2024), so retention keeps them and head ages mean
// something; small chunks and a fast maintenance tick make flushes and staging clean-ups frequent
const h = openHistorian({ dir, now: crashClock(() => batch), tuning: CRASH_TUNING });
h.ensurePoints(CRASH_POINTS);
const events = new EventStore(dir);
const automation = new AutomationStore(dir);
out(`ready ${(performance.now() - t0).toFixed(2)}`);

const fail = (err: unknown) => {
  console.error(err);
  process.exit(1);
};

const IN_FLIGHT = 4;
let running = 0;
function ingestMore(): void {
  while (running < IN_FLIGHT) {
    const b = batch++;
    running++;
    h.ingest(crashBatch(b)).then((res) => {
      if (res.rejected.length > 0) fail(`batch ${b} rejected ${JSON.stringify(res.rejected[0])}`);
      out(`s ${b}`);
      running--;
      if (b % 8 === 0) setTimeout(ingestMore, 1);
      else ingestMore();
    }, fail);
  }
}

const eventIds = new Map<number, number>();
const proposalIds = new Map<number, number>();
function stepOnce(): void {
  const k = step++;
  try {
    eventIds.set(k, events.add(crashEvent(k)).id);
    out(`e ${k}`);
    for (const [j, v] of [
      [k - 2, 1],
      [k - 5, 2],
    ] as const) {
      const id = eventIds.get(j);
      if (id === undefined || (v === 2 && j % 2)) continue;
      if (!events.update(id, crashEventPatch(j, v))) fail(`update of event ${j}: unknown id ${id}`);
      out(`u ${j} ${v}`);
    }
    // the guard's order: the verdict is recorded before the write, the lease after it
    automation.trace(crashVerdict(k));
    out(`v ${k}`);
    if (allowed(k)) {
      automation.trace(crashWrite(k));
      out(`w ${k}`);
      automation.putLease(crashLease(k));
      out(`l ${k}`);
    }
    if (hasRuleVersion(k)) {
      automation.addRuleVersion(crashRuleVersion(k));
      out(`r ${k}`);
    }
    if (hasProposal(k)) {
      proposalIds.set(k, automation.addProposal(crashProposal(k)).id);
      out(`p ${k}`);
    }
    const decide = proposalIds.get(k - 2);
    if (decide !== undefined) {
      const d = crashDecision(k - 2);
      automation.decide(decide, d.status, d.decidedBy!, d.decidedAt!, d.result);
      out(`d ${k - 2}`);
    }
    automation.set(STATE_KEY, k);
    out(`k ${k}`);
  } catch (err) {
    fail(err);
  }
  setTimeout(stepOnce, 2);
}

const after = process.env.CRASH_AFTER_MS;
if (after) setTimeout(() => process.kill(process.pid, 'SIGKILL'), Number(after));
ingestMore();
stepOnce();
