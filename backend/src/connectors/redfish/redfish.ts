/**
 * The redfish connector: parses every point address in `init` (no I/O). Each `gather` discovers what it has not
 * yet (service root → Chassis collection → the chassis the points name, with their navigation links), reads every
 * resource the points need once — per BMC at most `maxConcurrency` at a time, all BMCs in parallel — and picks
 * each point's property with the quality its `Status` gives. `write` PATCHes a chassis power limit and reads it
 * back (README "Writes").
 *
 * Failure policy (README "Errors and quality"): a point whose property is absent, null or of the wrong type, or
 * under a part whose Status is not OK, is bad (or uncertain for Health Warning) with a REDFISH_STATUS `rawStatus`;
 * a resource the BMC answers with an HTTP error makes its points bad with that status; a BMC that does not answer
 * (unreachable, timeout, refused certificate or login) makes all its points bad and is not asked again in that
 * gather. When every point is bad, gather throws naming the BMC URL and the resource: the runner marks the source
 * degraded. Nothing here throws anything else.
 */
import { errorMessage, PlenumError } from '../../common/errors';
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
import {
  noLimitPlace,
  parseAddress,
  placeText,
  readValue,
  REDFISH_STATUS,
  signalPlace,
  type Place,
  type RedfishAddress,
} from './address';
import { bmcsOf, DEFAULT_BMC, type RedfishOptions } from './config';
import { BmcClient, BmcFailure, redfishMessage } from './http';

/** Counters since `init`, for tests and metrics. */
export interface RedfishStats {
  /** resources read in gathers */
  reads: number;
  /** reads without a usable answer */
  failures: number;
  good: number;
  uncertain: number;
  bad: number;
  /** discoveries run (service root, collection, chassis) */
  discoveries: number;
}

interface Planned {
  point: SourcePoint;
  address: RedfishAddress;
  bmc: string;
}

interface ChassisInfo {
  /** the chassis' @odata.id */
  path: string;
  /** navigation property → @odata.id (Power, Thermal, PowerSubsystem, Sensors, Controls, …) */
  links: Map<string, string>;
}

interface Discovery {
  /** chassis Id → what it links */
  chassis: Map<string, ChassisInfo>;
  /** every member Id of the collection, for messages and `*` */
  members: string[];
}

type Fetched = { ok: true; json: unknown } | { ok: false; failure: BmcFailure };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const odataId = (v: unknown): string | undefined =>
  isObject(v) && typeof v['@odata.id'] === 'string' ? (v['@odata.id'] as string) : undefined;

/** Parses every address; throws one config error listing every bad point. */
export function planPoints(source: SourceInstance<RedfishOptions>): Planned[] {
  const bmcs = bmcsOf(source.options);
  const names = [...bmcs.keys()];
  const errors: string[] = [];
  const out: Planned[] = [];
  for (const point of source.points) {
    const text = point.source.address;
    const where = `point "${point.id}" in source "${source.name}"`;
    const checked: RedfishAddress[] = [];
    for (const [field, t] of [
      ['address', text],
      ['writeAddress', point.source.writeAddress],
    ] as const) {
      if (t === undefined) continue;
      const r = parseAddress(t);
      if (!r.ok) {
        errors.push(`bad ${field} "${t}" of ${where}: ${r.error}`);
        continue;
      }
      const bmc = r.address.bmc;
      if (bmc === undefined && source.options.bmcs !== undefined && names.length > 1) {
        errors.push(
          `${field} "${t}" of ${where} names no BMC; expected bmc=<name>; before the chassis, <name> one of ${names.join(', ')}`,
        );
        continue;
      }
      if (bmc !== undefined && !bmcs.has(bmc)) {
        errors.push(
          `${field} "${t}" of ${where} names BMC "${bmc}", not in ${source.options.bmcs ? `bmcs (${names.join(', ')})` : 'this source (it has one url: leave bmc= out)'}`,
        );
        continue;
      }
      checked.push(r.address);
    }
    const address = checked[0];
    if (!address || checked.length !== (point.source.writeAddress === undefined ? 1 : 2)) continue;
    out.push({ point, address, bmc: address.bmc ?? (names[0] as string) });
  }
  if (errors.length > 0) throw new PlenumError('config', errors.join('\n'));
  return out;
}

function neutral(p: SourcePoint): number | boolean | string {
  return p.valueType === 'boolean' ? false : p.valueType === 'string' ? '' : 0;
}

export class RedfishConnector implements PolledConnector, WritableConnector {
  readonly mode = 'poll' as const;
  readonly stats: RedfishStats = { reads: 0, failures: 0, good: 0, uncertain: 0, bad: 0, discoveries: 0 };
  /** why points of the last gather were not good, one line per point (no secrets), for tests and logs */
  problems: string[] = [];
  readonly clients = new Map<string, BmcClient>();
  private readonly plan: Planned[];
  private readonly byId = new Map<string, Planned>();
  private readonly discovered = new Map<string, Discovery>();
  private closed = false;

  constructor(
    private readonly source: SourceInstance<RedfishOptions>,
    private readonly now: () => number = Date.now,
  ) {
    this.plan = planPoints(source);
    for (const p of this.plan) this.byId.set(p.point.id, p);
    for (const [name, base] of bmcsOf(source.options))
      this.clients.set(name, new BmcClient(name, base, source.options));
  }

  private client(bmc: string): BmcClient {
    return this.clients.get(bmc) as BmcClient;
  }

  async gather(sink: SampleSink): Promise<void> {
    if (this.closed || this.plan.length === 0) return;
    this.problems = [];
    const byBmc = new Map<string, Planned[]>();
    for (const p of this.plan) byBmc.set(p.bmc, [...(byBmc.get(p.bmc) ?? []), p]);
    const results = await Promise.all([...byBmc].map(([bmc, points]) => this.gatherBmc(bmc, points)));
    if (this.closed) return;
    const samples = results.flat();
    for (const s of samples) this.stats[s.quality]++;
    if (samples.length > 0) await sink(samples);
    if (samples.every((s) => s.quality === 'bad')) {
      throw new PlenumError(
        'device',
        `source "${this.source.name}": ${this.problems[0] ?? 'no good reading'}; all ${samples.length} points are bad, retrying on the next poll`,
      );
    }
  }

  /** Aborts what is in flight, deletes the sessions (bounded), closes every socket. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }

  // ── discovery ──

  /** What a BMC has, discovered once (again after a 404): the service root, the collection, the chassis needed. */
  private async discover(bmc: string, needed: ReadonlySet<string>): Promise<Discovery> {
    const known = this.discovered.get(bmc);
    if (known && [...needed].every((id) => id === '*' || known.chassis.has(id))) return known;
    const c = this.client(bmc);
    this.stats.discoveries++;
    const root = await c.getOpen('/redfish/v1/');
    const chassisPath = isObject(root) ? odataId(root.Chassis) : undefined;
    const sessions = isObject(root) && isObject(root.Links) ? odataId(root.Links.Sessions) : undefined;
    if (sessions !== undefined) c.sessionsPath = sessions;
    if (chassisPath === undefined) {
      throw new BmcFailure(
        REDFISH_STATUS.malformed,
        `GET ${c.url('/redfish/v1/')}: not a Redfish service root (no Chassis link)`,
      );
    }
    const coll = await c.get(chassisPath);
    const members = (isObject(coll) && Array.isArray(coll.Members) ? coll.Members : [])
      .map(odataId)
      .filter((m): m is string => m !== undefined);
    const idOf = (m: string) => decodeURIComponent(m.replace(/\/+$/, '').split('/').pop() ?? '');
    const wanted = needed.has('*') ? members : members.filter((m) => needed.has(idOf(m)));
    const d: Discovery = { chassis: new Map(known?.chassis ?? []), members: members.map(idOf) };
    for (const m of wanted) {
      const ch = await c.get(m);
      if (!isObject(ch)) continue;
      const links = new Map<string, string>();
      for (const [k, v] of Object.entries(ch)) {
        const id = odataId(v);
        if (id !== undefined && k !== 'Links') links.set(k, id);
      }
      d.chassis.set(typeof ch.Id === 'string' ? ch.Id : idOf(m), { path: odataId(ch) ?? m, links });
    }
    this.discovered.set(bmc, d);
    return d;
  }

  /** The resource path and property path of a point, or why there is none. */
  private resolve(
    bmc: string,
    d: Discovery,
    a: RedfishAddress,
  ): { ok: true; path: string; place: Place } | { ok: false; rawStatus: number; error: string } {
    const c = this.client(bmc);
    let id = a.chassis;
    if (id === '*') {
      if (d.members.length !== 1) {
        return {
          ok: false,
          rawStatus: REDFISH_STATUS.noChassis,
          error: `chassis "*" on ${c.url('/redfish/v1/Chassis')}: ${d.members.length} chassis (${d.members.join(', ') || 'none'}); expected exactly one, or name it`,
        };
      }
      id = d.members[0] as string;
    }
    const ch = d.chassis.get(id);
    if (!ch) {
      return {
        ok: false,
        rawStatus: REDFISH_STATUS.noChassis,
        error: `no chassis "${id}" on ${c.url('/redfish/v1/Chassis')} (members: ${d.members.join(', ') || 'none'})`,
      };
    }
    const place =
      'place' in a.target
        ? a.target.place
        : signalPlace(a.target.signal, this.source.options.schema, new Set(ch.links.keys()));
    if (place.resource.length === 0) return { ok: true, path: ch.path, place };
    const nav = place.resource[0] as string;
    const link = ch.links.get(nav);
    if (link === undefined) {
      return {
        ok: false,
        rawStatus: REDFISH_STATUS.absent,
        error: `chassis ${c.url(ch.path)} has no ${nav} (it links ${[...ch.links.keys()].join(', ') || 'nothing'})${'signal' in a.target ? `; schema ${this.source.options.schema} reads ${a.target.signal} at ${placeText(place)}` : ''}`,
      };
    }
    const rest = place.resource.slice(1).map(encodeURIComponent);
    return { ok: true, path: [link.replace(/\/+$/, ''), ...rest].join('/'), place };
  }

  // ── gather ──

  private async gatherBmc(bmc: string, points: Planned[]): Promise<SourceSample[]> {
    const c = this.client(bmc);
    c.beginGather();
    const bad = (p: Planned, rawStatus: number, error: string): SourceSample => {
      this.problems.push(`${p.point.id}: ${error}`);
      return { pointId: p.point.id, ts: this.now(), value: neutral(p.point), quality: 'bad', rawStatus };
    };
    let d: Discovery;
    try {
      d = await this.discover(bmc, new Set(points.map((p) => p.address.chassis)));
    } catch (e) {
      if (!(e instanceof BmcFailure)) throw e;
      if (e.closed) return [];
      this.stats.failures++;
      return points.map((p) => bad(p, e.rawStatus, `discovery: ${e.message}`));
    }
    // each resource once; once the BMC does not answer, the requests still waiting are not sent
    const fetches = new Map<string, Promise<Fetched>>();
    let down: BmcFailure | undefined;
    const fetchOnce = (path: string) => {
      let f = fetches.get(path);
      if (!f) {
        f = (async (): Promise<Fetched> => {
          if (down) return { ok: false, failure: down };
          this.stats.reads++;
          try {
            return { ok: true, json: await c.get(path) };
          } catch (e) {
            if (!(e instanceof BmcFailure)) throw e;
            this.stats.failures++;
            const unanswered = [REDFISH_STATUS.unreachable, REDFISH_STATUS.timeout, REDFISH_STATUS.certificate];
            // no answer, or credentials refused: the other requests would fare the same (and lock the account)
            const refused = e.rawStatus === 401 || e.rawStatus === 403;
            if (!e.closed && (unanswered.includes(e.rawStatus as never) || refused)) down ??= e;
            if (e.rawStatus === 404) this.discovered.delete(bmc); // moved or gone: discover again next time
            return { ok: false, failure: e };
          }
        })();
        fetches.set(path, f);
      }
      return f;
    };
    const resolved = points.map((p) => ({ p, r: this.resolve(bmc, d, p.address) }));
    const out = await Promise.all(
      resolved.map(async ({ p, r }): Promise<SourceSample | undefined> => {
        if (!r.ok) return bad(p, r.rawStatus, r.error);
        const f = await fetchOnce(r.path);
        if (!f.ok) return f.failure.closed ? undefined : bad(p, f.failure.rawStatus, f.failure.message);
        let v = readValue(f.json, r.place.path, p.point.valueType);
        // a Control that is Disabled holds no limit, whatever its SetPoint still says
        const disabled = r.place.resource[0] === 'Controls' && isObject(f.json) && f.json.ControlMode === 'Disabled';
        if (disabled && v.ok) v = { ok: false, rawStatus: REDFISH_STATUS.noReading, error: 'ControlMode Disabled' };
        if (!v.ok && v.rawStatus === REDFISH_STATUS.noReading && 'signal' in p.address.target) {
          // powerLimit without a limit: what the chassis may draw, flagged (README "Writes")
          const cap = readValue(f.json, noLimitPlace(r.place).path, 'number');
          if (cap.ok && cap.quality === 'good' && p.address.target.signal === 'powerLimit') {
            return {
              pointId: p.point.id,
              ts: this.now(),
              value: cap.value,
              quality: 'good',
              rawStatus: REDFISH_STATUS.noLimit,
            };
          }
        }
        if (!v.ok) return bad(p, v.rawStatus, `${c.url(r.path)}#${placeText(r.place).split('#')[1]}: ${v.error}`);
        if (v.quality !== 'good') this.problems.push(`${p.point.id}: ${c.url(r.path)}: ${v.note ?? v.quality}`);
        return {
          pointId: p.point.id,
          ts: this.now(),
          value: v.quality === 'bad' ? neutral(p.point) : v.value,
          quality: v.quality,
          ...(v.rawStatus !== 0 && { rawStatus: v.rawStatus }),
        };
      }),
    );
    return out.filter((s): s is SourceSample => s !== undefined);
  }

  // ── writes ──

  /**
   * Writes a chassis power limit (W; null removes it): `PowerControl[n].PowerLimit.LimitInWatts` by PATCH of the
   * `Power` resource, or a Control's `SetPoint` (null: `ControlMode` Disabled) by PATCH of `Controls/<id>`; then
   * reads the resource back. Only the automation guard calls it (through SourceRunner.write).
   */
  async write(req: WriteRequest): Promise<WriteOutcome> {
    const planned = this.byId.get(req.point.id);
    const what = `point "${req.point.id}" of source "${this.source.name}"`;
    if (!planned) throw new WriteError('config', `${what}: not a point of this source`);
    if (!req.point.writable) throw new WriteError('config', `${what}: not writable`);
    if (this.closed) throw new WriteError('device', `${what}: the source is closed`);
    const v = req.value;
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) {
      throw new WriteError(
        'refused',
        `${what}: a power limit is a number of watts ≥ 0 or null; got ${JSON.stringify(v)}`,
      );
    }
    const text = req.point.source.writeAddress ?? req.point.source.address;
    const a = (parseAddress(text) as { ok: true; address: RedfishAddress }).address;
    const bmc = a.bmc ?? planned.bmc;
    const c = this.client(bmc);
    let r: ReturnType<RedfishConnector['resolve']>;
    try {
      c.beginGather();
      r = this.resolve(bmc, await this.discover(bmc, new Set([a.chassis])), a);
    } catch (e) {
      if (!(e instanceof BmcFailure)) throw e;
      throw new WriteError('device', `${what}: ${e.message}`, e.rawStatus);
    }
    if (!r.ok) throw new WriteError('config', `${what}: ${r.error}`, r.rawStatus);
    const body = patchBody(r.place, v);
    if (body === undefined) {
      throw new WriteError(
        'config',
        `${what}: ${placeText(r.place)} cannot be written; expected a power limit: Power#PowerControl/<n>/PowerLimit/LimitInWatts, Controls/<id>#SetPoint or <chassis>:powerLimit`,
      );
    }
    const url = c.url(r.path);
    let answer;
    try {
      answer = await c.patch(r.path, body);
    } catch (e) {
      if (!(e instanceof BmcFailure)) throw e;
      // no answer in time: the limit may or may not have been applied
      throw new WriteError('device', `${what}: ${e.message}`, e.rawStatus);
    }
    if (answer.status < 200 || answer.status >= 300) {
      const msg = redfishMessage(answer.body);
      throw new WriteError(
        answer.status >= 500 || answer.status === 401 ? 'device' : 'refused',
        `${what}: PATCH ${url}: HTTP ${answer.status}${msg ? `: ${msg}` : ''}`,
        answer.status,
      );
    }
    let json: unknown;
    try {
      json = await c.get(r.path);
    } catch (e) {
      throw new WriteError(
        'device',
        `${what}: read-back ${errorMessage(e)}`,
        e instanceof BmcFailure ? e.rawStatus : undefined,
      );
    }
    const at = this.now();
    if (r.place.resource[0] === 'Controls' && isObject(json) && json.ControlMode === 'Disabled') {
      return { readBack: null, rawStatus: 0, at };
    }
    const back = readValue(json, r.place.path, 'number');
    if (back.ok) return { readBack: back.value, rawStatus: back.quality === 'bad' ? back.rawStatus : 0, at };
    return { readBack: null, rawStatus: back.rawStatus === REDFISH_STATUS.noReading ? 0 : back.rawStatus, at };
  }
}

/** The PATCH body that sets `value` at a power-limit place, or undefined when the place is not one. */
export function patchBody(place: Place, value: number | null): unknown {
  const [nav, ...sub] = place.resource;
  const keys = place.path.map((s) => ('index' in s ? s.index : 'where' in s ? undefined : s.key));
  if (nav === 'Power' && sub.length === 0 && keys.length === 4) {
    const [pc, i, pl, w] = keys;
    if (pc === 'PowerControl' && typeof i === 'number' && pl === 'PowerLimit' && w === 'LimitInWatts') {
      // a PATCH of an array member leaves the members before it alone with {} (DSP0266 "Array properties")
      return { PowerControl: [...Array.from({ length: i }, () => ({})), { PowerLimit: { LimitInWatts: value } }] };
    }
  }
  if (nav === 'Controls' && sub.length === 1 && keys.length === 1 && keys[0] === 'SetPoint') {
    return value === null ? { ControlMode: 'Disabled' } : { SetPoint: value, ControlMode: 'Automatic' };
  }
  return undefined;
}

export function createRedfish(source: SourceInstance<RedfishOptions>): RedfishConnector {
  return new RedfishConnector(source, source.clock);
}

export { DEFAULT_BMC };
