/**
 * The snmp connector: parses point addresses against the profiles in `init` (no I/O beyond reading the profile
 * files), then each `gather` polls every agent — up to `concurrency` agents at once, one request at a time per
 * agent — and delivers one batch of samples.
 *
 * Per agent and poll (README "Reads"): scalars, raw OIDs, suffixed cells and decimal-digits objects by GET, batched
 * by `maxVarbinds`; table columns by a GETBULK walk of the columns the points use (plus the label column when a
 * point names its row by label), so a row's index maps to the asset whose point names that index or label.
 *
 * Failure policy (README "Errors and quality"): never a throw before the samples are delivered, never a crash.
 * - noSuchObject / noSuchInstance / endOfMibView, a row not in the table, a profile's invalid value, a wrong type:
 *   that point is bad with its rawStatus;
 * - an error-status on a GET: its points are bad with that status (tooBig: the batch is split and asked again);
 * - no answer after the retries (down, unreachable, wrong community), USM refused, a malformed answer: the agent's
 *   remaining requests in this poll are skipped and every point not yet read is bad with that status;
 * - then, when any point is bad, gather throws one error naming the source, each failing agent (host, port,
 *   version, never a credential), the OIDs and points, so the source shows `degraded` with the reason.
 *
 * Writes (README "Writes"): `write` SETs a writable point's `writeAddress` (else its address) — numbers as the
 * object's syntax (Integer32 unless it says Unsigned32, Gauge32 or TimeTicks; raw = value ÷ scale, whole only),
 * enum codes as Integer32, an OctetString for text — once, through the agent's
 * request queue, then GETs the OID back. SNMP has no relinquish: a null write is refused and the agent keeps the
 * last value.
 */
import type { NewEvent, SampleValue, ValueType } from '@plenum/model';
import { PlenumError } from '../../common/errors';
import {
  WriteError,
  type PolledConnector,
  type SampleSink,
  type SourceInstance,
  type SourcePoint,
  type SourceSample,
  type WritableConnector,
  type WriteOutcome,
  type WriteRequest,
} from '../types';
import { cellOid, checkValueType, parseAddress, type SnmpAddress } from './address';
import { resolveAgent, type ResolvedAgent, type SnmpOptions, type SnmpUser } from './config';
import { applyScale, bad, decodeVarbind, octets, SNMP_STATUS, TYPE, type Decoded, type Varbind } from './decode';
import { AgentError, AgentLink } from './link';
import { loadProfiles, type Profile } from './profiles';
import { notificationsOf, TrapListener } from './traps';

interface PlannedPoint {
  point: SourcePoint;
  addr: SnmpAddress;
  /** the OID read by GET (scalars, raw OIDs, suffixed cells), else undefined: read from a walk */
  getOid?: string;
  /** the decimal digits object read by GET beside it (Raritan) */
  digitsOid?: string;
  /** where SETs go, for writable points: the parsed `writeAddress`, else `addr` */
  write?: SnmpAddress;
}

interface AgentPlan {
  link: AgentLink;
  points: PlannedPoint[];
  /** unique OIDs to GET, in first-use order */
  gets: string[];
  /** table entry → columns to walk */
  walks: Map<string, Set<number>>;
}

/** Counters since `init`, for tests and metrics. */
export interface SnmpStats {
  /** requests sent (net-snmp's own retries not counted) */
  requests: number;
  gets: number;
  bulks: number;
  /** agent-level failures: timeouts, USM refusals, malformed answers */
  agentFailures: number;
  /** GET batches split after tooBig */
  splits: number;
  /** SETs the agent accepted */
  sets: number;
}

/** Most rows one table walk may return before it is called malformed (an agent that loops). */
export const MAX_WALK_ROWS = 100_000;
/** Where trap events go: the runner's event store when it passes one (`events` beside the source), else only
 * `recentEvents`. */
export type EventSink = (e: NewEvent) => void;

/** Events kept in `recentEvents`. */
const RECENT_EVENTS = 100;

/** Most problems one gather error spells out; the rest are counted. */
const MAX_PROBLEMS_SHOWN = 6;

/** true when OID `b` comes after `a` in lexicographic (numeric) order */
export function oidAfter(a: string, b: string): boolean {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if ((y[i] as number) !== (x[i] as number)) return (y[i] as number) > (x[i] as number);
  }
  return y.length > x.length;
}

export function parsePoints(
  source: SourceInstance<SnmpOptions>,
  profiles: ReadonlyMap<string, Profile>,
): PlannedPoint[] {
  const agents = source.options.agents.map((a) => a.name);
  const errors: string[] = [];
  const out: PlannedPoint[] = [];
  for (const p of source.points) {
    const text = p.source.address;
    const where = `point "${p.id}" in source "${source.name}"`;
    const r = parseAddress(text, profiles, agents);
    if (!r.ok) {
      errors.push(`bad address "${text}" of ${where}: ${r.error}`);
      continue;
    }
    const a = r.address;
    const typeError = checkValueType(a, p.valueType);
    if (typeError) {
      errors.push(`address "${text}" of ${where}: ${typeError}`);
      continue;
    }
    const unitError = checkUnit(a, p);
    if (unitError) {
      errors.push(`address "${text}" of ${where}: ${unitError}`);
      continue;
    }
    let write: SnmpAddress | undefined;
    if (p.writable) {
      const w = writeTarget(p, a, profiles, agents, where);
      if (typeof w === 'string') {
        errors.push(w);
        continue;
      }
      write = w;
    }
    const t = a.def.table;
    const planned: PlannedPoint = { point: p, addr: a, ...(write ? { write } : {}) };
    if (a.def.oid !== undefined) planned.getOid = a.def.oid;
    else if (t && t.suffix !== undefined) planned.getOid = cellOid(t.entry, t.column, a.index as string, t.suffix);
    if (a.def.digits && t && a.index !== undefined) {
      planned.digitsOid = cellOid(a.def.digits.entry, a.def.digits.column, a.index, t.suffix);
    }
    out.push(planned);
  }
  if (errors.length > 0) throw new PlenumError('config', errors.join('\n'));
  return out;
}

/** A profile unit the point does not declare (a factor of 1000 off without an error), or undefined. */
function checkUnit(a: SnmpAddress, p: SourcePoint): string | undefined {
  const unit = a.def.unit;
  if (unit === undefined || a.scale !== 1 || p.valueType !== 'number' || a.def.type !== 'number') return undefined;
  if (p.quantity === 'state' || p.quantity === 'count' || p.sourceUnit === unit) return undefined;
  return `${a.def.name} reads ${unit} but the point's unit is ${p.sourceUnit || '(none)'}; expected unit: ${unit} (values are converted at ingest), or a scale= that turns ${unit} into ${p.sourceUnit}`;
}

/**
 * Where a writable point's SETs go: its `writeAddress` (parsed like an address, checked like one against the
 * point's valueType and unit) or its address. Objects the profile marks `access: read-only` and decimal-digits
 * objects (the digits are the agent's, read beside the value) cannot be written: an error, found in init.
 */
function writeTarget(
  p: SourcePoint,
  read: SnmpAddress,
  profiles: ReadonlyMap<string, Profile>,
  agents: readonly string[],
  where: string,
): SnmpAddress | string {
  const given = p.source.writeAddress;
  const text = given ?? p.source.address;
  const field = given === undefined ? 'address' : 'writeAddress';
  let w = read;
  if (given !== undefined) {
    const r = parseAddress(given, profiles, agents);
    if (!r.ok) return `bad writeAddress "${given}" of ${where}: ${r.error}`;
    w = r.address;
    const problem = checkValueType(w, p.valueType) ?? checkUnit(w, p);
    if (problem) return `writeAddress "${given}" of ${where}: ${problem}`;
  }
  const cannot = (why: string) =>
    `${where} is writable but its ${field} "${text}" ${why}; expected a writeAddress on a read-write object (or writable: false)`;
  if (w.def.access === 'read-only') {
    return cannot(`is ${w.def.name}, which the profile marks read-only (its MIB's MAX-ACCESS)`);
  }
  if (w.def.digits !== undefined) {
    return cannot(`is ${w.def.name}, scaled by decimal digits the agent reports beside it, which a SET cannot carry`);
  }
  return w;
}

/** x ÷ scale without float noise for the usual tenths and hundredths (1.5 ÷ 0.1 = 15, not 15.000000000000002). */
function unscale(v: number, scale: number): number {
  if (scale === 1) return v;
  const inv = 1 / scale;
  const r = Math.round(inv);
  if (r !== 0 && Math.abs(inv - r) < 1e-9 * Math.abs(inv)) return v * r;
  return v / scale;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const UINT32_MAX = 4294967295;

/**
 * The varbind value a SET of `value` to `a` carries, or why it cannot be written (nothing is sent): text → an
 * OctetString (an enum's state name → its code); numbers → value ÷ the object's and the address's scale, which
 * must be a whole number, as the object's `syntax` (Integer32 unless the profile or the address says Unsigned32,
 * Gauge32 or TimeTicks — strict agents answer wrongType to another); an enum's code must be one the profile lists.
 */
export function encodeWrite(
  a: SnmpAddress,
  valueType: ValueType,
  value: SampleValue,
): { type: number; value: number | string } | string {
  const d = a.def;
  const states = () =>
    [...(d.enum ?? new Map<number, string>())].map(([code, name]) => `${code} (${name})`).join(', ') || '(none)';
  if (typeof value !== valueType) return `expected a ${valueType} (the point's valueType)`;
  if (typeof value === 'string') {
    if (d.type !== 'enum') return { type: TYPE.OctetString, value };
    const code = [...(d.enum ?? [])].find(([, name]) => name === value)?.[0];
    if (code === undefined) return `"${value}" is not a state of ${d.name}; expected one of ${states()}`;
    return { type: TYPE.Integer, value: code };
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'expected a finite number';
  if (d.type === 'enum') {
    if (!Number.isInteger(value) || !d.enum?.has(value)) {
      return `${value} is not a code of ${d.name}'s enum; expected one of ${states()}`;
    }
    return { type: TYPE.Integer, value };
  }
  const raw = unscale(unscale(value, a.scale), d.scale);
  const whole = Math.round(raw);
  if (Math.abs(raw - whole) > 1e-9 * Math.max(1, Math.abs(raw))) {
    const step = applyScale(applyScale(1, d.scale), a.scale);
    return `${value} is ${raw} in the agent's raw integer (value ÷ scale ${step}), not a whole number; expected a multiple of ${step}`;
  }
  const syntax = d.syntax ?? 'Integer32';
  if (syntax === 'Integer32') {
    if (whole < INT32_MIN || whole > INT32_MAX) return `${value} is ${whole} raw, outside Integer32`;
    return { type: TYPE.Integer, value: whole };
  }
  if (whole < 0 || whole > UINT32_MAX) return `${value} is ${whole} raw, outside ${syntax} (0–${UINT32_MAX})`;
  return { type: syntax === 'TimeTicks' ? TYPE.TimeTicks : TYPE.Gauge, value: whole };
}

/**
 * The v3 agents' users, one per name: a v3 notification names its user, and the listener keeps one key set per
 * name, so two agents with one user name and other keys need `traps.users` instead.
 */
export function trapUsersOfAgents(source: string, agents: readonly ResolvedAgent[]): SnmpUser[] {
  const byName = new Map<string, { user: SnmpUser; agent: string }>();
  for (const a of agents) {
    if (a.version !== '3' || !a.user) continue;
    const seen = byName.get(a.user.name);
    if (!seen) byName.set(a.user.name, { user: a.user, agent: a.name });
    else if (JSON.stringify(seen.user) !== JSON.stringify(a.user))
      throw new PlenumError(
        'config',
        `source "${source}": traps: agents "${seen.agent}" and "${a.name}" have user "${a.user.name}" with other settings; the trap listener keeps one per name: set traps.users`,
      );
  }
  return [...byName.values()].map((v) => v.user);
}

export class SnmpConnector implements PolledConnector, WritableConnector {
  readonly mode = 'poll' as const;
  readonly stats: SnmpStats = { requests: 0, gets: 0, bulks: 0, agentFailures: 0, splits: 0, sets: 0 };
  /** the problems of the last gather, one line each (also in the error it threw) */
  lastProblems: string[] = [];
  /** the last trap/inform events, newest last (also delivered to the event sink) */
  readonly recentEvents: NewEvent[] = [];
  /** the trap listener, when `traps` is configured: bound on the first gather (init does no I/O) */
  readonly traps?: TrapListener;
  private trapsStarted?: Promise<void>;
  private readonly plans: AgentPlan[];
  /** every configured point by id (writes look their point up here) */
  private readonly byId: ReadonlyMap<string, PlannedPoint>;
  private readonly links: ReadonlyMap<string, AgentLink>;
  private closed = false;

  constructor(
    private readonly source: SourceInstance<SnmpOptions> & { events?: EventSink },
    private readonly now: () => number = Date.now,
  ) {
    const o = source.options;
    const profiles = loadProfiles(o.profileFiles);
    const points = parsePoints(source, profiles);
    const agents = o.agents.map((a) => resolveAgent(o, a));
    if (o.traps) {
      const communities = o.traps.communities.length
        ? o.traps.communities
        : [...new Set(agents.filter((a) => a.version === '2c').map((a) => a.community ?? 'public'))];
      this.traps = new TrapListener(
        {
          source: source.name,
          host: o.traps.host,
          port: o.traps.port,
          communities,
          users: o.traps.users.length ? o.traps.users : trapUsersOfAgents(source.name, agents),
          agents,
          notifications: notificationsOf(profiles),
          now,
        },
        (e) => {
          this.recentEvents.push(e);
          if (this.recentEvents.length > RECENT_EVENTS) this.recentEvents.shift();
          source.events?.(e);
        },
      );
    }
    this.plans = agents.map((a) => ({
      link: new AgentLink(a),
      points: [],
      gets: [],
      walks: new Map(),
    }));
    const byName = new Map(this.plans.map((p) => [p.link.agent.name, p]));
    this.byId = new Map(points.map((pp) => [pp.point.id, pp]));
    this.links = new Map(this.plans.map((p) => [p.link.agent.name, p.link]));
    for (const pp of points) {
      const plan = byName.get(pp.addr.agent) as AgentPlan;
      plan.points.push(pp);
      for (const oid of [pp.getOid, pp.digitsOid]) {
        if (oid !== undefined && !plan.gets.includes(oid)) plan.gets.push(oid);
      }
      const t = pp.addr.def.table;
      if (pp.getOid === undefined && t) {
        const cols = plan.walks.get(t.entry) ?? new Set<number>();
        cols.add(t.column);
        if (pp.addr.row !== undefined && t.label !== undefined) cols.add(t.label);
        plan.walks.set(t.entry, cols);
      }
    }
  }

  /** Per agent: the OIDs it GETs and the table columns it walks, for tests and diagnostics. */
  get reads(): ReadonlyArray<{ agent: string; gets: string[]; walks: string[] }> {
    return this.plans
      .filter((p) => p.points.length > 0)
      .map((p) => ({
        agent: p.link.agent.name,
        gets: [...p.gets],
        walks: [...p.walks].flatMap(([entry, cols]) => [...cols].sort((a, b) => a - b).map((c) => `${entry}.${c}`)),
      }));
  }

  async gather(sink: SampleSink): Promise<void> {
    if (this.closed) return;
    if (this.traps && !this.trapsStarted) {
      this.trapsStarted = this.traps.start();
      // a port that cannot be bound is reported on every gather until it can
      this.trapsStarted.catch(() => (this.trapsStarted = undefined));
    }
    let trapError: string | undefined;
    if (this.trapsStarted) {
      try {
        await this.trapsStarted;
      } catch (e) {
        trapError = (e as Error).message;
      }
    }
    const plans = this.plans.filter((p) => p.points.length > 0);
    const results: Array<{ samples: SourceSample[]; problems: string[] }> = new Array(plans.length);
    let next = 0;
    const worker = async () => {
      while (next < plans.length && !this.closed) {
        const i = next++;
        results[i] = await this.pollAgent(plans[i] as AgentPlan);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.source.options.concurrency, plans.length) }, worker));
    if (this.closed) return;
    const samples = results.flatMap((r) => r?.samples ?? []);
    const problems = results.flatMap((r) => r?.problems ?? []);
    if (trapError) problems.unshift(trapError);
    this.lastProblems = problems;
    if (samples.length > 0) await sink(samples);
    if (problems.length > 0) {
      const badCount = samples.filter((s) => s.quality === 'bad').length;
      const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).join('; ');
      const more = problems.length > MAX_PROBLEMS_SHOWN ? `; and ${problems.length - MAX_PROBLEMS_SHOWN} more` : '';
      throw new PlenumError(
        'device',
        `source "${this.source.name}": ${badCount} of ${samples.length} points bad: ${shown}${more}`,
      );
    }
  }

  private async pollAgent(plan: AgentPlan): Promise<{ samples: SourceSample[]; problems: string[] }> {
    const link = plan.link;
    const a = link.agent;
    const who = `agent "${a.name}" (${link.target})`;
    const values = new Map<string, Varbind>();
    const getErrors = new Map<string, AgentError>();
    const walked = new Map<string, Map<number, Map<string, Varbind>>>();
    let failure: AgentError | undefined;
    const before = link.requests;

    const getBatch = async (oids: string[]): Promise<void> => {
      try {
        this.stats.gets++;
        const vbs = await link.get(oids);
        vbs.forEach((vb, i) => values.set(oids[i] as string, vb));
      } catch (e) {
        const err = e instanceof AgentError ? e : new AgentError('malformed', String(e), SNMP_STATUS.malformed);
        if (err.kind === 'status' && err.rawStatus === 1 && oids.length > 1) {
          // tooBig: ask for halves
          this.stats.splits++;
          const half = Math.ceil(oids.length / 2);
          await getBatch(oids.slice(0, half));
          if (failure === undefined) await getBatch(oids.slice(half));
          return;
        }
        if (err.kind === 'status') for (const o of oids) getErrors.set(o, err);
        else failure = err;
      }
    };

    for (let i = 0; i < plan.gets.length && failure === undefined && !this.closed; i += a.maxVarbinds) {
      await getBatch(plan.gets.slice(i, i + a.maxVarbinds));
    }
    for (const [entry, cols] of plan.walks) {
      if (failure !== undefined || this.closed) break;
      try {
        walked.set(
          entry,
          await this.walk(
            link,
            entry,
            [...cols].sort((x, y) => x - y),
          ),
        );
      } catch (e) {
        failure = e instanceof AgentError ? e : new AgentError('malformed', String(e), SNMP_STATUS.malformed);
      }
    }
    this.stats.requests += link.requests - before;
    if (failure !== undefined) this.stats.agentFailures++;

    const ts = this.now();
    const samples: SourceSample[] = [];
    const problems: string[] = [];
    let unread = 0;
    for (const pp of plan.points) {
      const d = this.decodePoint(pp, values, getErrors, walked);
      let out: Decoded;
      if (d === undefined) {
        // not read: the agent failed before this point's request
        out = bad(pp.point.valueType, failure?.rawStatus ?? SNMP_STATUS.timeout, '');
        unread++;
      } else {
        out = d;
        if (d.problem) problems.push(`${who}: ${d.problem} (point "${pp.point.id}")`);
      }
      samples.push({
        pointId: pp.point.id,
        ts,
        value: out.value,
        quality: out.quality,
        ...(out.rawStatus !== undefined ? { rawStatus: out.rawStatus } : {}),
      });
    }
    if (failure !== undefined && failure.kind !== 'closed') {
      problems.unshift(`${who}: ${failure.message}; ${unread} of ${plan.points.length} points not read`);
    }
    return { samples, problems };
  }

  /** The point's value from this poll's answers, or undefined when its request was never answered. */
  private decodePoint(
    pp: PlannedPoint,
    values: ReadonlyMap<string, Varbind>,
    getErrors: ReadonlyMap<string, AgentError>,
    walked: ReadonlyMap<string, Map<number, Map<string, Varbind>>>,
  ): Decoded | undefined {
    const { addr, point } = pp;
    const vt: ValueType = point.valueType;
    if (pp.getOid !== undefined) {
      const err = getErrors.get(pp.getOid);
      if (err) return bad(vt, err.rawStatus, `${err.message} (${pp.getOid})`);
      const vb = values.get(pp.getOid);
      if (!vb) return undefined;
      let digits: number | undefined;
      if (pp.digitsOid !== undefined) {
        const dv = values.get(pp.digitsOid);
        if (!dv) return undefined;
        digits = dv.type === TYPE.Integer || dv.type === TYPE.Gauge ? Number(dv.value) : undefined;
      }
      return decodeVarbind(vb, addr.def, vt, addr.scale, digits);
    }
    const t = addr.def.table;
    if (!t) return undefined;
    const table = walked.get(t.entry);
    if (!table) return undefined;
    const column = table.get(t.column) ?? new Map<string, Varbind>();
    let index = addr.index;
    if (addr.row !== undefined) {
      const labels = table.get(t.label as number) ?? new Map<string, Varbind>();
      const found = findRow(labels, addr.row);
      if (found === undefined) {
        const known = [...labels.values()].map((v) => JSON.stringify(octets(v.value))).slice(0, 8);
        return bad(
          vt,
          SNMP_STATUS.noSuchInstance,
          `no row labelled "${addr.row}" in ${t.name} (${t.entry}.${t.label}: ${known.join(', ') || 'the table is empty'}${labels.size > 8 ? ', …' : ''})`,
        );
      }
      index = found;
    }
    const vb = column.get(index as string);
    if (!vb) {
      const rows = [...column.keys()];
      return bad(
        vt,
        SNMP_STATUS.noSuchInstance,
        `no row ${index} in ${t.name} at ${t.entry}.${t.column} (${rows.length === 0 ? 'the agent has no such column' : `rows ${rows.slice(0, 8).join(', ')}${rows.length > 8 ? ', …' : ''}`})`,
      );
    }
    return decodeVarbind(vb, addr.def, vt, addr.scale);
  }

  /** GETBULK walk of `columns` of a table: column → index → varbind. */
  private async walk(link: AgentLink, entry: string, columns: number[]): Promise<Map<number, Map<string, Varbind>>> {
    const a = link.agent;
    const out = new Map<number, Map<string, Varbind>>(columns.map((c) => [c, new Map()]));
    for (let k = 0; k < columns.length; k += a.maxVarbinds) {
      const chunk = columns.slice(k, k + a.maxVarbinds);
      const prefixes = chunk.map((c) => `${entry}.${c}.`);
      const cursors = chunk.map((c) => `${entry}.${c}`);
      let active = chunk.map((_, i) => i);
      let rows = 0;
      while (active.length > 0 && !this.closed) {
        const reps = Math.max(1, Math.min(a.maxRepetitions, Math.floor(a.maxVarbinds / active.length)));
        this.stats.bulks++;
        const res = await link.getBulk(
          active.map((i) => cursors[i] as string),
          reps,
        );
        const still: number[] = [];
        active.forEach((i, j) => {
          const list = res[j] ?? [];
          let done = list.length === 0;
          for (const vb of list) {
            if (vb.type === TYPE.EndOfMibView || !vb.oid.startsWith(prefixes[i] as string)) {
              done = true;
              break;
            }
            if (!oidAfter(cursors[i] as string, vb.oid)) {
              throw new AgentError(
                'malformed',
                `the walk of ${entry}.${chunk[i]} went backwards (${vb.oid} after ${cursors[i]})`,
                SNMP_STATUS.malformed,
              );
            }
            (out.get(chunk[i] as number) as Map<string, Varbind>).set(vb.oid.slice((prefixes[i] as string).length), vb);
            cursors[i] = vb.oid;
            rows++;
          }
          if (!done) still.push(i);
        });
        if (rows > MAX_WALK_ROWS) {
          throw new AgentError(
            'malformed',
            `the walk of ${entry} returned more than ${MAX_WALK_ROWS} rows`,
            SNMP_STATUS.malformed,
          );
        }
        active = still;
      }
    }
    return out;
  }

  /**
   * SETs one point (value in its source unit) and GETs it back (README "Writes"). Throws a `WriteError`: `config`
   * for a point that is not writable here or a row label the agent's table lacks (nothing sent); `refused` for a
   * relinquish (SNMP has none), a value that does not fit the object (nothing sent) or the agent's error-status
   * (notWritable, wrongType, wrongValue, noAccess…: `rawStatus` 1–18); `device` when the source is closed, the
   * agent does not answer (it may or may not have taken the SET: not retried), USM refuses or the answer is
   * malformed.
   */
  async write(req: WriteRequest): Promise<WriteOutcome> {
    const name = this.source.name;
    const id = req.point.id;
    const pp = this.byId.get(id);
    if (!pp) throw new WriteError('config', `source "${name}": point "${id}" is not configured in this source`);
    const w = pp.write;
    if (!w) throw new WriteError('config', `source "${name}": point "${id}" is not writable (writable: false)`);
    const link = this.links.get(w.agent) as AgentLink;
    const where = w.index !== undefined ? ` index ${w.index}` : w.row !== undefined ? ` row "${w.row}"` : '';
    const at = `point "${id}" (${w.def.name}${where} at agent "${w.agent}" (${link.target}))`;
    if (req.value === null) {
      throw new WriteError(
        'refused',
        `source "${name}": cannot relinquish ${at}: SNMP has no relinquish (no priority array): the agent keeps the last value written; write the value it should hold (release: restore), and leave the rest to the device's own watchdog or power-on default`,
      );
    }
    const vb = encodeWrite(w, pp.point.valueType, req.value);
    if (typeof vb === 'string') {
      throw new WriteError(
        'refused',
        `source "${name}": cannot write ${JSON.stringify(req.value)} to ${at}: ${vb}; nothing was sent`,
      );
    }
    if (this.closed) throw new WriteError('device', `source "${name}": cannot write ${at}: the source is closed`);
    const oid = await this.writeOid(w, link, `source "${name}": cannot write ${at}`);
    try {
      await link.set({ oid, ...vb });
    } catch (e) {
      const err = asAgentError(e);
      const prefix = `source "${name}": SET of ${JSON.stringify(req.value)} to ${at}`;
      if (err.kind === 'status') throw new WriteError('refused', `${prefix}: ${err.message}`, err.rawStatus);
      if (err.kind === 'closed') throw new WriteError('device', `${prefix}: the source closed during the SET`);
      throw new WriteError('device', `${prefix}: ${err.message}`, err.rawStatus);
    }
    this.stats.sets++;
    return this.readBack(pp, w, link, oid, at);
  }

  /** The OID a SET goes to: the scalar's or the cell's; a `row=` label is looked up by a walk of the label column. */
  private async writeOid(w: SnmpAddress, link: AgentLink, prefix: string): Promise<string> {
    const t = w.def.table;
    if (w.def.oid !== undefined) return w.def.oid;
    if (!t) throw new WriteError('config', `${prefix}: it has no OID`);
    if (w.index !== undefined) return cellOid(t.entry, t.column, w.index, t.suffix);
    let labels: Map<string, Varbind>;
    try {
      labels = (await this.walk(link, t.entry, [t.label as number])).get(t.label as number) ?? new Map();
    } catch (e) {
      const err = asAgentError(e);
      throw new WriteError(
        'device',
        `${prefix}: the walk of its label column ${t.entry}.${t.label} failed: ${err.message}; nothing was sent`,
        err.rawStatus,
      );
    }
    const index = findRow(labels, w.row as string);
    if (index === undefined) {
      throw new WriteError(
        'config',
        `${prefix}: no row labelled "${w.row}" in ${t.name} (${t.entry}.${t.label}); nothing was sent`,
      );
    }
    return cellOid(t.entry, t.column, index, t.suffix);
  }

  /** GETs the written OID with the read decoding; an error-status or a bad value is the outcome's `rawStatus`. */
  private async readBack(
    pp: PlannedPoint,
    w: SnmpAddress,
    link: AgentLink,
    oid: string,
    at: string,
  ): Promise<WriteOutcome> {
    let vbs: Varbind[];
    try {
      vbs = await link.get([oid]);
    } catch (e) {
      const err = asAgentError(e);
      if (err.kind === 'status') return { readBack: null, rawStatus: err.rawStatus, at: this.now() };
      throw new WriteError(
        'device',
        `source "${this.source.name}": the agent took the SET of ${oid} to ${at} but the read-back failed: ${err.message}`,
        err.rawStatus,
      );
    }
    const arrived = this.now();
    const vb = vbs[0];
    if (!vb) return { readBack: null, rawStatus: SNMP_STATUS.malformed, at: arrived };
    const d = decodeVarbind(vb, w.def, pp.point.valueType, w.scale);
    if (d.quality === 'bad') return { readBack: null, rawStatus: d.rawStatus ?? SNMP_STATUS.malformed, at: arrived };
    return { readBack: d.value, rawStatus: 0, at: arrived };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.plans) p.link.close();
    await this.traps?.stop();
  }
}

function asAgentError(e: unknown): AgentError {
  return e instanceof AgentError ? e : new AgentError('malformed', String(e), SNMP_STATUS.malformed);
}

/** The index of the row whose label is `label` (exact, else ignoring case and surrounding spaces). */
function findRow(labels: ReadonlyMap<string, Varbind>, label: string): string | undefined {
  const texts = [...labels].map(([i, vb]) => [i, octets(vb.value)] as const);
  const exact = texts.find(([, t]) => t === label);
  if (exact) return exact[0];
  const loose = texts.find(([, t]) => t.trim().toLowerCase() === label.trim().toLowerCase());
  return loose?.[0];
}

export function createSnmp(
  source: SourceInstance<SnmpOptions> & { events?: EventSink },
  now?: () => number,
): SnmpConnector {
  return new SnmpConnector(source, now ?? source.clock ?? Date.now);
}
