/**
 * Crash suite (issue 17): kill -9 at random (seeded) moments while one process writes the backend's three
 * stores in one data folder: sample batches into the historian, events with updates into events.db, and the
 * automation's audit (verdicts before writes, leases, rule versions, proposals and decisions, state) into
 * automation.db (reliability/crash/writer.ts). Some kills land while the stores open (recovery), others come
 * from the writer itself inside a head flush transaction or the staging log's clean-up. After every kill this
 * process opens the folder (timed), checks every acknowledged record exactly, and closes without compressing
 * anything (closeTimeoutMs 0), so the next writer meets the crash's own state. After the last kill the backend
 * (startPlenum on plenum.yaml with PLENUM_DATA on the folder) must start and answer, and everything is checked
 * once more. It reuses the historian's kill -9 workload (backend/src/historian/crash-workload.ts).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { AutomationStore } from '../../backend/src/automation/store';
import { loadConfig } from '../../backend/src/config/load';
import { CONNECTOR_NAMES } from '../../backend/src/connectors/all';
import { EventStore } from '../../backend/src/events/event-store';
import { batchMismatches, crashBatch, CRASH_T0, readCrashSamples } from '../../backend/src/historian/crash-workload';
import { openHistorian } from '../../backend/src/historian/historian';
import { seededRandom } from '../../backend/src/historian/test-helpers';
import { startPlenum } from '../../backend/src/plenum';
import { crashClock, CRASH_TUNING } from '../crash/clock';
import { runSyncAudit, straceAvailable } from '../crash/sync-audit';
import {
  ACTOR,
  crashDecision,
  crashEventState,
  crashLease,
  crashProposal,
  crashRuleVersion,
  crashVerdict,
  crashWrite,
  leasePoint,
  STATE_KEY,
} from '../crash/workload';
import { figure, type Suite } from '../suite';

const ROOT = path.resolve(__dirname, '../..');
const WRITER = path.join(ROOT, 'reliability/crash/writer.ts');

type Mode = 'random' | 'open' | 'insertChunk' | 'upsertRollup' | 'updateFlush' | 'deleteBelow';
/** half the kills at a random moment of the workload, the rest spread over recovery, flushes and clean-ups */
const MODES: Mode[] = [
  'random',
  'insertChunk',
  'random',
  'upsertRollup',
  'random',
  'open',
  'random',
  'deleteBelow',
  'random',
  'updateFlush',
];

/** What the writer acknowledged, by kind (see writer.ts for the lines). */
class Acks {
  batches = new Set<number>();
  events = new Set<number>();
  /** event k → highest acknowledged update version */
  updates = new Map<number, number>();
  verdicts = new Set<number>();
  writes = new Set<number>();
  /** lease point → highest step whose lease was acknowledged */
  leases = new Map<string, number>();
  rules = new Set<number>();
  proposals = new Set<number>();
  decisions = new Set<number>();
  state = -1;
  maxBatch = -1;
  maxStep = -1;

  add(line: string): void {
    const [kind, a, b] = line.split(' ');
    const k = Number(a);
    if (kind === 's') {
      this.batches.add(k);
      this.maxBatch = Math.max(this.maxBatch, k);
      return;
    }
    this.maxStep = Math.max(this.maxStep, k);
    if (kind === 'e') this.events.add(k);
    else if (kind === 'u') this.updates.set(k, Math.max(this.updates.get(k) ?? 0, Number(b)));
    else if (kind === 'v') this.verdicts.add(k);
    else if (kind === 'w') this.writes.add(k);
    else if (kind === 'l') this.leases.set(leasePoint(k), Math.max(this.leases.get(leasePoint(k)) ?? -1, k));
    else if (kind === 'r') this.rules.add(k);
    else if (kind === 'p') this.proposals.add(k);
    else if (kind === 'd') this.decisions.add(k);
    else if (kind === 'k') this.state = Math.max(this.state, k);
    else throw new Error(`writer printed an unknown line ${JSON.stringify(line)}`);
  }

  merge(o: Acks): void {
    for (const [mine, theirs] of [
      [this.batches, o.batches],
      [this.events, o.events],
      [this.verdicts, o.verdicts],
      [this.writes, o.writes],
      [this.rules, o.rules],
      [this.proposals, o.proposals],
      [this.decisions, o.decisions],
    ] as const)
      for (const k of theirs) mine.add(k);
    for (const [k, v] of o.updates) this.updates.set(k, Math.max(this.updates.get(k) ?? 0, v));
    for (const [p, k] of o.leases) this.leases.set(p, Math.max(this.leases.get(p) ?? -1, k));
    this.state = Math.max(this.state, o.state);
    this.maxBatch = Math.max(this.maxBatch, o.maxBatch);
    this.maxStep = Math.max(this.maxStep, o.maxStep);
  }

  /** acknowledged records: every sample of a batch counts, and every other line */
  counts(): Record<string, number> {
    let samples = 0;
    for (const b of this.batches) samples += crashBatch(b).length;
    let updates = 0;
    for (const v of this.updates.values()) updates += v;
    return {
      samples,
      events: this.events.size,
      'event updates': updates,
      'audit entries': this.verdicts.size + this.writes.size,
      leases: this.leases.size,
      'rule versions': this.rules.size,
      proposals: this.proposals.size,
      decisions: this.decisions.size,
      state: this.state >= 0 ? 1 : 0,
    };
  }
}

interface Round {
  acks: Acks;
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
  /** the writer's own open of the three stores, ms; undefined when killed before it opened */
  writerOpenMs?: number;
  /** this process sent the kill (a self-kill mode whose hook was not reached falls back to it) */
  killedByParent: boolean;
}

function runWriter(
  dir: string,
  batch: number,
  step: number,
  mode: Mode,
  killAfterMs: number,
  crashAt: number,
): Promise<Round> {
  return new Promise((done, fail) => {
    const selfKill = mode !== 'random' && mode !== 'open';
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(batch), String(step)], {
      cwd: ROOT,
      env: { ...process.env, ...(selfKill ? { CRASH_IN: mode, CRASH_AT: String(crashAt) } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acks = new Acks();
    const round: Round = { acks, signal: null, code: null, stderr: '', killedByParent: false };
    const kill = () => {
      round.killedByParent = true;
      child.kill('SIGKILL');
    };
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    // a self-kill whose hook is never reached, or a hung writer, ends here
    const guard = setTimeout(kill, 6_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'opening') {
          if (mode === 'open') timer = setTimeout(kill, killAfterMs);
        } else if (line.startsWith('ready ')) {
          round.writerOpenMs = Number(line.slice(6));
          if (mode === 'random') timer = setTimeout(kill, killAfterMs);
        } else if (line) acks.add(line);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (round.stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      done({ ...round, code, signal });
    });
  });
}

interface Check {
  /** acknowledged records missing or not exactly as written */
  lost: string[];
  /** stored records that no acknowledgement explains and no state of the workload matches, or duplicates */
  corrupt: string[];
}

/** Checks the acknowledged records in an open set of stores; `batches` limits the sample check. */
function check(
  h: ReturnType<typeof openHistorian>,
  events: EventStore,
  automation: AutomationStore,
  acks: Acks,
  batches: Iterable<number>,
  opts: { leases: 'held' | 'handed back' },
): Check {
  const lost: string[] = [];
  const corrupt: string[] = [];
  const list = [...batches];

  // samples, exactly (the historian's own crash test does the same)
  if (list.length) {
    const lo = Math.min(...list);
    const hi = Math.max(...list);
    const from = CRASH_T0 + Math.max(0, lo - 200) * 10_000;
    const to = CRASH_T0 + (hi + 1) * 10_000;
    const stored = readCrashSamples(h, from, to);
    corrupt.push(...stored.disorder);
    for (const b of list) lost.push(...batchMismatches(b, stored).map((m) => `sample of ${m}`));
  }

  // events: one per step, in a state the workload wrote, at least as new as acknowledged
  const byStep = new Map<number, ReturnType<EventStore['find']>[number]>();
  for (const e of events.find({ from: 0, to: 8.64e15, limit: 1e7 })) {
    if (e.source !== 'crash') continue;
    const k = (e.data as { k: number }).k;
    if (byStep.has(k)) corrupt.push(`event of step ${k} stored twice`);
    byStep.set(k, e);
    const { id: _id, ...rest } = e;
    const v = (e.data as { v: number }).v;
    if (!isDeepStrictEqual(rest, crashEventState(k, v)))
      corrupt.push(`event of step ${k} v${v}: ${JSON.stringify(rest)} is no state the writer wrote`);
  }
  for (const k of acks.events) {
    const e = byStep.get(k);
    const want = acks.updates.get(k) ?? 0;
    if (!e) lost.push(`event of step ${k}`);
    else if ((e.data as { v: number }).v < want)
      lost.push(`update v${want} of event ${k}: stored v${(e.data as { v: number }).v}`);
  }
  for (const [k] of acks.updates) if (!acks.events.has(k)) lost.push(`update of event ${k} whose add was not seen`);

  // the automation's trace: verdicts and writes exactly, a write never without its verdict before it
  const traces = automation.traces({ limit: 1e7 }).filter((t) => t.actor === ACTOR);
  const verdicts = new Map<number, number>();
  const writes = new Map<number, number>();
  for (const t of traces) {
    const { id, ...rest } = t;
    const k = (t.data as { k: number }).k;
    const into = t.kind === 'verdict' ? verdicts : writes;
    if (into.has(k)) corrupt.push(`${t.kind} of step ${k} traced twice`);
    into.set(k, id!);
    if (!isDeepStrictEqual(rest, t.kind === 'verdict' ? crashVerdict(k) : crashWrite(k)))
      corrupt.push(`${t.kind} of step ${k}: ${JSON.stringify(rest)}`);
  }
  for (const [k, id] of writes) {
    const v = verdicts.get(k);
    if (v === undefined || v > id) corrupt.push(`write of step ${k} traced without its verdict before it`);
  }
  for (const k of acks.verdicts) if (!verdicts.has(k)) lost.push(`verdict of step ${k}`);
  for (const k of acks.writes) if (!writes.has(k)) lost.push(`write of step ${k}`);

  const leases = new Map(
    automation
      .leases()
      .filter((l) => l.pointId.startsWith('crash/'))
      .map((l) => [l.pointId, l]),
  );
  if (opts.leases === 'held') {
    for (const [point, k] of acks.leases) {
      const l = leases.get(point);
      if (!l || l.value < k) lost.push(`lease of ${point} from step ${k}: stored ${JSON.stringify(l)}`);
      else if (!isDeepStrictEqual(l, crashLease(l.value)) || leasePoint(l.value) !== point)
        corrupt.push(`lease of ${point}: ${JSON.stringify(l)}`);
    }
  } else {
    // the backend hands back at start the leases a killed run left
    for (const point of leases.keys()) corrupt.push(`lease of ${point} still held after the backend started`);
  }

  const rules = new Map(
    automation
      .ruleVersions()
      .filter((r) => r.id.startsWith('crash-rule-'))
      .map((r) => [r.version, r]),
  );
  for (const [k, r] of rules)
    if (!isDeepStrictEqual(r, crashRuleVersion(k))) corrupt.push(`rule version ${k}: ${JSON.stringify(r)}`);
  for (const k of acks.rules) if (!rules.has(k)) lost.push(`rule version of step ${k}`);

  const proposals = new Map<number, ReturnType<AutomationStore['proposals']>[number]>();
  for (const p of automation.proposals({ limit: 1e7 })) {
    if (p.rule !== 'crash') continue;
    const k = (p.inputs as { k: number }).k;
    if (proposals.has(k)) corrupt.push(`proposal of step ${k} stored twice`);
    proposals.set(k, p);
    const { id: _id, ...rest } = p;
    const pending = { ...crashProposal(k), status: 'pending' };
    const decided = { ...crashProposal(k), ...crashDecision(k) };
    if (!isDeepStrictEqual(rest, pending) && !isDeepStrictEqual(rest, decided))
      corrupt.push(`proposal of step ${k}: ${JSON.stringify(rest)}`);
  }
  for (const k of acks.proposals) if (!proposals.has(k)) lost.push(`proposal of step ${k}`);
  for (const k of acks.decisions)
    if (proposals.get(k)?.status === 'pending' || !proposals.has(k)) lost.push(`decision of proposal ${k}`);

  const state = automation.get<number>(STATE_KEY);
  if (acks.state >= 0 && (state === undefined || state < acks.state))
    lost.push(`state ${STATE_KEY}: acknowledged ${acks.state}, stored ${state}`);
  return { lost, corrupt };
}

/** Opens the three stores as the backend does, timed; the caller closes them. */
function openStores(dir: string, nextBatch: number) {
  const t0 = performance.now();
  // closeTimeoutMs 0: closing compresses nothing, so the next writer recovers the crash's own state
  const h = openHistorian({ dir, now: crashClock(() => nextBatch), tuning: { ...CRASH_TUNING, closeTimeoutMs: 0 } });
  const events = new EventStore(dir);
  const automation = new AutomationStore(dir);
  return { h, events, automation, ms: performance.now() - t0 };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))]! : NaN;
}

const crash: Suite = async ({ short, seed, log }) => {
  const kills = short ? 12 : 100;
  const r = seededRandom(seed);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plenum-crash-suite-'));
  const failures: string[] = [];
  const notes: string[] = [];
  let output = '';
  const all = new Acks();
  const reopenMs: number[] = [];
  const writerOpenMs: number[] = [];
  const byMode = new Map<Mode, { kills: number; hookNotReached: number }>();
  let openFailures = 0;
  let lostTotal = 0;
  let nextBatch = 0;
  let nextStep = 0;
  try {
    for (let i = 0; i < kills; i++) {
      const mode = MODES[i % MODES.length]!;
      const killAfterMs = mode === 'open' ? Math.floor(r() * 15) : 30 + Math.floor(r() * (short ? 900 : 1500));
      const crashAt = 1 + Math.floor(r() * (mode === 'deleteBelow' ? 4 : mode === 'updateFlush' ? 20 : 60));
      const round = await runWriter(dir, nextBatch, nextStep, mode, killAfterMs, crashAt);
      output += round.stderr;
      const m = byMode.get(mode) ?? { kills: 0, hookNotReached: 0 };
      m.kills++;
      if (mode !== 'random' && mode !== 'open' && round.killedByParent) m.hookNotReached++;
      byMode.set(mode, m);
      if (round.writerOpenMs !== undefined) writerOpenMs.push(round.writerOpenMs);
      else if (mode !== 'open') {
        openFailures++;
        failures.push(`kill ${i + 1} (${mode}, seed ${seed}): the writer did not open the stores: ${round.stderr}`);
      }
      if (round.signal !== 'SIGKILL' || round.stderr)
        failures.push(
          `kill ${i + 1} (${mode}, seed ${seed}): the writer ended with ${round.signal ?? `code ${round.code}`}: ${round.stderr.slice(0, 500)}`,
        );
      all.merge(round.acks);
      // past every batch (4 in flight) and step this writer may have started, acknowledged or not
      nextBatch = Math.max(nextBatch, all.maxBatch + 16);
      nextStep = Math.max(nextStep, all.maxStep + 2);

      let stores;
      try {
        stores = openStores(dir, nextBatch);
      } catch (err) {
        openFailures++;
        failures.push(`kill ${i + 1} (${mode}, seed ${seed}): the stores did not open: ${String(err)}`);
        break;
      }
      reopenMs.push(stores.ms);
      try {
        const last = i === kills - 1;
        const c = check(stores.h, stores.events, stores.automation, all, last ? all.batches : round.acks.batches, {
          leases: 'held',
        });
        lostTotal += c.lost.length;
        for (const f of [...c.lost.slice(0, 5), ...c.corrupt.slice(0, 5)])
          failures.push(`kill ${i + 1} (${mode}, seed ${seed}): ${f}`);
        log(
          `kill ${i + 1}/${kills} ${mode}${mode === 'random' || mode === 'open' ? ` +${killAfterMs} ms` : ` at call ${crashAt}`}: ` +
            `${round.acks.batches.size} batches, ${round.acks.events.size} events acknowledged; reopened in ${stores.ms.toFixed(1)} ms; ` +
            `${c.lost.length} lost, ${c.corrupt.length} corrupt`,
        );
      } finally {
        await stores.h.close();
        stores.events.close();
        stores.automation.close();
      }
    }

    // the backend opens the folder after the last kill, and everything is still there once it stopped
    let backendOk = false;
    const logged: string[] = [];
    try {
      const config = loadConfig(path.join(ROOT, 'plenum.yaml'), {
        connectors: CONNECTOR_NAMES,
        env: { PLENUM_DATA: dir, PLENUM_PORT: '0', PLENUM_HOST: '127.0.0.1' },
      });
      const t0 = performance.now();
      const plenum = await startPlenum(config, { noSources: true, log: (m) => logged.push(m) });
      const startMs = performance.now() - t0;
      try {
        const health = (await (await fetch(`${plenum.url}/api/health`)).json()) as { store?: { state?: string } };
        const latest = plenum.historian.latest(['crash/float']).get('crash/float');
        backendOk = health.store?.state === 'open' && latest !== undefined;
        log(`backend started on the folder in ${startMs.toFixed(0)} ms; health ${JSON.stringify(health.store)}`);
        if (!backendOk) failures.push(`the backend started but answered ${JSON.stringify(health)}`);
      } finally {
        await plenum.stop();
      }
    } catch (err) {
      failures.push(`the backend did not start on the data folder after the last kill: ${(err as Error).stack}`);
    }
    output += logged.join('\n');
    if (backendOk) {
      const stores = openStores(dir, nextBatch);
      try {
        const c = check(stores.h, stores.events, stores.automation, all, all.batches, { leases: 'handed back' });
        lostTotal += c.lost.length;
        for (const f of [...c.lost.slice(0, 5), ...c.corrupt.slice(0, 5)]) failures.push(`after the backend ran: ${f}`);
      } finally {
        await stores.h.close();
        stores.events.close();
        stores.automation.close();
      }
    } else openFailures++;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  // what kill -9 cannot see: an acknowledgement ahead of its fsync (power loss would take it)
  let sync: Awaited<ReturnType<typeof runSyncAudit>> | undefined;
  if (straceAvailable()) {
    try {
      sync = await runSyncAudit(short ? 1500 : 5000);
      for (const e of sync.early.slice(0, 5)) failures.push(`acknowledged before its fsync: ${e}`);
      notes.push(`syncs under strace: ${JSON.stringify(sync.syncs)}`);
    } catch (err) {
      failures.push(`the sync audit failed: ${String(err)}`);
    }
  } else notes.push('strace is not installed: the acknowledged-before-fsync audit did not run');

  const counts = all.counts();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  notes.push(
    `acknowledged: ${Object.entries(counts)
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}`,
    `kills by moment: ${[...byMode]
      .map(
        ([m, c]) =>
          `${m} ${c.kills}${c.hookNotReached ? ` (${c.hookNotReached} killed by the parent: hook not reached)` : ''}`,
      )
      .join(', ')}`,
    `the writer's own open after a kill: p50 ${quantile(writerOpenMs, 0.5).toFixed(1)} ms, max ${Math.max(...writerOpenMs).toFixed(1)} ms`,
    'kill -9 ends the process, not the machine: what it proves is that nothing acknowledged waits in process memory; ' +
      'surviving power loss rests on the fsync each store does before it acknowledges (synchronous=FULL, WAL)',
  );
  const ackedRecords = total;
  return {
    suite: 'crash',
    figures: [
      figure(
        'Crash: kills (kill -9)',
        short ? '12 (short form)' : '100',
        String(reopenMs.length),
        reopenMs.length === kills,
      ),
      figure(
        'Crash: acknowledged records lost',
        '0',
        `${lostTotal} of ${ackedRecords}`,
        lostTotal === 0 && ackedRecords > 0,
      ),
      figure(
        'Crash: opens that failed',
        '0',
        `${openFailures} of ${reopenMs.length + writerOpenMs.length + 1}`,
        openFailures === 0,
      ),
      figure(
        'Crash: acknowledgements ahead of their fsync (strace)',
        '0',
        sync ? `${sync.early.length} of ${sync.acks}` : 'not run (no strace)',
        !sync || (sync.early.length === 0 && sync.acks > 0),
      ),
      figure(
        'Crash: time to reopen after kill -9 (p50 / max)',
        'reported',
        `${quantile(reopenMs, 0.5).toFixed(1)} / ${Math.max(...reopenMs).toFixed(1)} ms`,
        reopenMs.length > 0,
      ),
    ],
    failures,
    notes,
    output,
  };
};

export default crash;
