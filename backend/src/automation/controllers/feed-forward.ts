/**
 * Job-aware feed-forward cooling (pure decider). A training job's racks go from idle to full power in seconds;
 * the BMS answers in minutes (its fans, its chiller sequencer). When a job is submitted or starts, this controller
 * pre-positions the cooling of the zones its racks are in before the heat arrives: the CRAH fan minimum to the
 * airflow the racks will draw, the CRAH supply-air setpoint a little lower (pre-cooling the room's thermal mass),
 * and for the hall the CDU supply and the chilled-water setpoints lower (so the chiller sequencer stages early and
 * the loop's water is a buffer). A submitted job is prepared for `lead` before its announced start — the zone's
 * measured lag once known (zone-response.ts). Once the zone's load has settled after the start (or after `hold`
 * at the latest) it hands the points back to the BMS loops, ramping to their own values over `relax`; the same
 * after the job ends. Every write goes through the guard.
 */
import { z } from 'zod';
import { duration, slug, strict } from '../../config/schema-parts';
import type { RuleConfig } from '../config';
import type { Decider, Decision, DecisionView, JobInfo, WantedWrite } from '../decider';
import type { InputSample } from '../guard/verdict';
import { ZoneResponse } from './zone-response';
import { AirflowFields, approach, fill, rackAirflow, resolveZones, ZoneSchema, type Zone } from './zones';

const point = z.string().min(1);

export const FeedForwardOptions = strict({
  hall: slug().optional().describe('@default the first hall of the site'),
  zones: z.array(ZoneSchema).min(1).describe('the contained aisles: their CRAHs and racks'),
  cdu: slug().optional().describe('the CDU asset whose supply setpoint is lowered, @default none'),
  plant: slug().optional().describe('the chilled-water plant asset whose setpoint is lowered, @default none'),
  lead: duration()
    .prefault('5m')
    .describe("prepared this long before a submitted job's start until the zone's lag is measured, @default 5m"),
  measureLag: z
    .boolean()
    .default(true)
    .describe("lead by the zone's measured lag (its inlets' answer to the pre-cooling), @default true"),
  lagDropK: z
    .number()
    .positive()
    .default(0.3)
    .describe("the lag is the time until the zone's mean inlet has fallen this much, K, @default 0.3"),
  settleFor: duration()
    .prefault('5m')
    .describe("handed back once the zone's load and inlets have been steady this long, @default 5m"),
  settleBand: z
    .number()
    .positive()
    .default(0.1)
    .describe("steady: the zone's rack power within this share of its mean, @default 0.1"),
  settleInletK: z
    .number()
    .positive()
    .default(0.3)
    .describe("steady: the zone's mean inlet within this, K, @default 0.3"),
  hold: duration()
    .prefault('20m')
    .describe('pre-positioned at most this long after the job starts, settled or not, @default 20m'),
  relax: duration().prefault('10m').describe('then ramped back to the BMS values over this, @default 10m'),
  minKwPerRack: z.number().min(0).default(40).describe('jobs below this per rack are left to the BMS, @default 40'),
  supplyDeltaK: z
    .number()
    .min(0)
    .max(6)
    .default(2)
    .describe('CRAH supply setpoint this much below the BMS value, K, @default 2'),
  cduDeltaK: z.number().min(0).max(6).default(2).describe('CDU supply setpoint this much lower, K, @default 2'),
  chwDeltaK: z.number().min(0).max(6).default(2).describe('chilled-water setpoint this much lower, K, @default 2'),
  chillerKw: z
    .number()
    .positive()
    .optional()
    .describe(
      "one chiller's capacity, kW: the setpoints are lowered only for a job the running chillers cannot take (the plant would have to stage one, which takes minutes); smaller jobs get the fan minimum alone, @default none (every job)",
    ),
  ...AirflowFields,
  airflowMargin: z.number().min(1).max(2).default(1.15).describe("supply above the racks' demand, @default 1.15"),
  setpointRatePerMin: z.number().positive().default(1).describe('how fast setpoints move, K per minute, @default 1'),
  fanRatePerMin: z
    .number()
    .positive()
    .default(40)
    .describe('how fast the fan minimum moves, % per minute, @default 40'),
  setpointStepK: z
    .number()
    .positive()
    .default(0.5)
    .describe('setpoints are written in steps of at least this, K, @default 0.5'),
  fanStepPct: z
    .number()
    .positive()
    .default(5)
    .describe('the fan minimum is written in steps of at least this, %, @default 5'),
  fanMinMaxPct: z
    .number()
    .min(0)
    .max(100)
    .default(60)
    .describe('the highest fan minimum the BMS takes, %, @default 60'),
  points: strict({
    fanMin: point.default('{site}/{hall}/-/-/{crah}/fan_min'),
    supplySetpoint: point.default('{site}/{hall}/-/-/{crah}/supply_setpoint'),
    cduSetpoint: point.default('{site}/{hall}/-/-/{cdu}/supply_setpoint'),
    chwSetpoint: point.default('{site}/{hall}/-/-/{plant}/chw_setpoint'),
    rackPower: point.default('{site}/{hall}/{row}/{rack}/pdu/power'),
    rackInlet: point.default('{site}/{hall}/{row}/{rack}/env/inlet_temp'),
    fanSpeed: point.default('{site}/{hall}/-/-/{crah}/fan_speed'),
    plantLoad: point.default('{site}/{hall}/-/-/{plant}/load'),
    chillersRunning: point.default('{site}/{hall}/-/-/{plant}/chillers_running'),
  })
    .prefault({})
    .describe("point id templates ({site} {hall} {crah} {cdu} {plant} {row} {rack}), @default the sample site's"),
});
export type FeedForwardOptions = z.output<typeof FeedForwardOptions>;

interface Taken {
  /** the BMS's own value when the controller took the point */
  base: number;
  /** where the ramp is now */
  wanted: number;
  /** the value last handed to the guard */
  emitted: number;
  at: number;
  relaxFrom?: number;
}

interface Episode {
  job: string;
  zones: Set<number>;
  /** kW per rack the job expects, by rack id */
  racks: Map<string, number>;
  /** the announced start (a submit) or the start */
  startAt: number;
  /** when it started; undefined while it is only submitted */
  started?: number;
  /** when every zone of it had settled after the start: the points go back to the BMS */
  settled?: number;
  /** the setpoints are lowered for it (decided when it is first prepared for: see chillerKw) */
  precool?: boolean;
  end?: number;
}

/** Lag tests give up after this: a zone that has not answered a supply change in 30 min has no usable lag. */
const LAG_TEST_MAX_MS = 30 * 60_000;

export class FeedForward implements Decider {
  private readonly o: FeedForwardOptions;
  private zones?: Zone[];
  private readonly episodes = new Map<string, Episode>();
  /** per point: the BMS's own value when the controller took it, the last value it wanted, when */
  private readonly taken = new Map<string, Taken>();
  /** per zone index: its measured lag and settle window */
  private readonly response = new Map<number, ZoneResponse>();

  /**
   * Moves `wanted` toward `goal` at `ratePerMin`; what is written (`emitted`) follows in steps of at least
   * `setpointStepK` / `fanStepPct` (or on reaching the goal), so the guard's dwell is not hammered by tiny moves.
   */
  private move(s: Taken, goal: number, ratePerMin: number, now: number, id: string): void {
    s.wanted = approach(s.wanted, goal, ratePerMin, (now - s.at) / 60_000);
    s.at = now;
    const fan = id.endsWith('fan_min');
    const step = fan ? this.o.fanStepPct : this.o.setpointStepK;
    const gap = s.wanted - s.emitted;
    // one step at a time even when writes were refused for a while (the guard's maxStep), on a round value
    if (Math.abs(gap) >= step - 1e-9 || Math.abs(s.wanted - goal) < 1e-9) {
      const next = s.emitted + Math.max(-step, Math.min(step, gap));
      s.emitted = fan ? Math.round(next) : Math.round(next * 10) / 10;
    }
  }

  constructor(
    private readonly rule: RuleConfig,
    private readonly site: string,
    firstHall: string,
  ) {
    this.o = FeedForwardOptions.parse(rule.options);
    this.hall = this.o.hall ?? firstHall;
  }

  private readonly hall: string;

  private vars(extra: Record<string, string>) {
    return { site: this.site, hall: this.hall, cdu: this.o.cdu ?? '', plant: this.o.plant ?? '', ...extra };
  }

  decide(view: DecisionView): Decision {
    const now = view.now;
    this.zones ??= resolveZones(this.o.zones, this.hall, view);
    const zones = this.zones;
    for (const j of view.jobs) this.onJob(j, zones, now);
    const inputs: InputSample[] = [];
    /** offset: the BMS's value plus this (a lower setpoint); atLeast: at least this (a fan minimum) */
    const targets = new Map<string, { kind: 'offset' | 'atLeast'; target: number; rate: number; why: string }>();
    // every zone's load and mean inlet, each evaluation: the lag tests and the settle windows need them whether
    // or not the zone is being prepared
    const load = new Map<number, { kw: Map<string, InputSample>; inletC?: number }>();
    for (const z of zones) {
      const kw = new Map<string, InputSample>();
      let [total, inletSum, inlets] = [0, 0, 0];
      for (const r of z.racks) {
        const vars = this.vars({ row: r.row, rack: r.id });
        const power = view.latest(fill(this.o.points.rackPower, vars));
        kw.set(r.id, power);
        total = typeof power.value === 'number' && power.quality === 'good' ? total + power.value : NaN;
        const inlet = view.latest(fill(this.o.points.rackInlet, vars));
        if (typeof inlet.value === 'number' && inlet.quality === 'good')
          [inletSum, inlets] = [inletSum + inlet.value, inlets + 1];
      }
      const inletC = inlets > 0 ? inletSum / inlets : undefined;
      load.set(z.index, { kw, inletC });
      this.responseOf(z.index).observe(now, Number.isFinite(total) ? total : undefined, inletC);
    }
    for (const e of this.episodes.values())
      if (e.started !== undefined && e.settled === undefined && now - e.started >= this.o.settleFor)
        if ([...e.zones].every((i) => this.responseOf(i).settled(now))) e.settled = now;
    const isActive = (e: Episode, zone?: number) =>
      e.end === undefined &&
      (zone === undefined
        ? [...e.zones].some((i) => now >= e.startAt - this.leadOf(i))
        : now >= e.startAt - this.leadOf(zone)) &&
      (e.started === undefined || (e.settled === undefined && now < e.started + this.o.hold));
    const active = [...this.episodes.values()].filter((e) => isActive(e));
    /** fan minimums the BMS's loop no longer needs: handed back without a ramp */
    const unbound = new Set<string>();
    for (const e of active) e.precool ??= this.needsPrecool(e, view, load, inputs);
    for (const z of zones) {
      const mine = active.filter((e) => e.zones.has(z.index) && isActive(e, z.index));
      if (mine.length === 0) continue;
      // the heat is not there yet: the pre-cooling about to be written is this zone's lag test
      if (this.o.measureLag && mine.every((e) => e.started === undefined))
        this.responseOf(z.index).startLagTest(now, load.get(z.index)?.inletC);
      // the airflow the zone's racks will draw at the jobs' expected power (or what they draw now, if more)
      let airflow = 0;
      for (const r of z.racks) {
        const power = load.get(z.index)?.kw.get(r.id) as InputSample;
        inputs.push(power);
        const expected = Math.max(0, ...mine.map((e) => e.racks.get(r.id) ?? 0));
        const kw = Math.max(expected, typeof power.value === 'number' ? power.value : 0);
        airflow += rackAirflow(this.o, kw);
      }
      const fanPct = Math.min(
        this.o.fanMinMaxPct,
        (100 * this.o.airflowMargin * airflow) / (z.crahs.length * this.o.crahAirflow),
      );
      const why = `job ${mine.map((e) => e.job).join(', ')}: zone ${z.crahs.join('+')} needs ${Math.round(airflow * 10) / 10} m³/s`;
      const started = mine.every((e) => e.started !== undefined);
      for (const crah of z.crahs) {
        // once the heat is there and the BMS's own loop runs the fan above the minimum, the minimum has done its
        // work: it is handed back at once (held on, it would only keep the zone at the margin's extra airflow)
        const speed = view.latest(fill(this.o.points.fanSpeed, this.vars({ crah })));
        const fanMin = fill(this.o.points.fanMin, this.vars({ crah }));
        const minNow = this.taken.get(fanMin)?.emitted ?? fanPct;
        if (
          started &&
          speed.quality === 'good' &&
          typeof speed.value === 'number' &&
          speed.value >= minNow + this.o.fanStepPct
        ) {
          unbound.add(fanMin);
        } else
          targets.set(fanMin, {
            kind: 'atLeast',
            target: fanPct,
            rate: this.o.fanRatePerMin,
            why,
          });
        if (this.o.supplyDeltaK > 0 && mine.some((e) => e.precool))
          targets.set(fill(this.o.points.supplySetpoint, this.vars({ crah })), {
            kind: 'offset',
            target: -this.o.supplyDeltaK,
            rate: this.o.setpointRatePerMin,
            why: `${why}; pre-cool`,
          });
      }
    }
    const precooling = active.filter((e) => e.precool);
    if (precooling.length > 0) {
      const why = `job ${precooling.map((e) => e.job).join(', ')}: pre-cool the loop, stage chillers early`;
      if (this.o.cdu && this.o.cduDeltaK > 0)
        targets.set(fill(this.o.points.cduSetpoint, this.vars({})), {
          kind: 'offset',
          target: -this.o.cduDeltaK,
          rate: this.o.setpointRatePerMin,
          why,
        });
      if (this.o.plant && this.o.chwDeltaK > 0)
        targets.set(fill(this.o.points.chwSetpoint, this.vars({})), {
          kind: 'offset',
          target: -this.o.chwDeltaK,
          rate: this.o.setpointRatePerMin,
          why,
        });
    }
    // forget episodes that have run out
    for (const [id, e] of this.episodes) {
      const over = e.end ?? e.settled ?? (e.started === undefined ? undefined : e.started + this.o.hold);
      if (over !== undefined && over + this.o.relax < now) this.episodes.delete(id);
    }

    const writes: WantedWrite[] = [];
    const release: string[] = [];
    for (const [id, t] of targets) {
      const cur = view.latest(id);
      let s = this.taken.get(id);
      if (!s) {
        // the BMS's own value, before any change of ours (setpoint targets are offsets from it): only a good one
        if (typeof cur.value !== 'number' || cur.quality !== 'good') continue;
        s = { base: cur.value, wanted: cur.value, emitted: cur.value, at: now };
        this.taken.set(id, s);
      }
      s.relaxFrom = undefined;
      const goal = t.kind === 'offset' ? s.base + t.target : Math.max(t.target, s.base);
      this.move(s, goal, t.rate, now, id);
      if (s.emitted !== s.base || view.held.includes(id))
        writes.push({ pointId: id, value: s.emitted, reason: t.why, inputs: [cur, ...inputs] });
    }
    // points no longer targeted ramp back to the BMS's value over `relax`, then are handed back
    for (const [id, s] of this.taken) {
      if (targets.has(id)) continue;
      if (!view.held.includes(id)) {
        this.taken.delete(id);
        continue;
      }
      // the device may hold the BMS's value already (its watchdog took the point back, an operator moved it):
      // relaxing from the value the controller last wrote would move it away from the BMS again
      const cur = view.latest(id);
      const step = id.endsWith('fan_min') ? this.o.fanStepPct : this.o.setpointStepK;
      if (
        unbound.has(id) ||
        (typeof cur.value === 'number' && cur.quality === 'good' && Math.abs(cur.value - s.base) < step)
      )
        s.emitted = s.wanted = s.base;
      s.relaxFrom ??= s.emitted;
      const rate = Math.max(Math.abs(s.relaxFrom - s.base) / (this.o.relax / 60_000), 1e-6);
      this.move(s, s.base, rate, now, id);
      if (Math.abs(s.emitted - s.base) < 1e-3) release.push(id);
      else
        writes.push({
          pointId: id,
          value: s.emitted,
          reason: `feed-forward ${this.rule.id}: back to the BMS value ${Math.round(s.base * 100) / 100}`,
          inputs: [view.latest(id)],
        });
    }
    return {
      active: targets.size > 0 || writes.length > 0,
      writes,
      release,
      notify: [],
      summary: active.length
        ? `pre-positioned for job ${active.map((e) => e.job).join(', ')} (${targets.size} points; ${this.leadSummary()})`
        : writes.length
          ? `relaxing ${writes.length} points to the BMS`
          : 'no job to prepare for',
      inputs,
    };
  }

  private responseOf(zone: number): ZoneResponse {
    let r = this.response.get(zone);
    if (!r) {
      r = new ZoneResponse({
        dropK: this.o.lagDropK,
        maxMs: LAG_TEST_MAX_MS,
        band: this.o.settleBand,
        inletK: this.o.settleInletK,
        forMs: this.o.settleFor,
      });
      this.response.set(zone, r);
    }
    return r;
  }

  /**
   * Whether a job's heat is more than the running chillers can take now (running × chillerKw − load): then the
   * plant must stage a chiller, which takes minutes, and the setpoints are lowered to buy that time. Without
   * chillerKw, or without good plant readings, every job is pre-cooled (the safe side).
   */
  private needsPrecool(
    e: Episode,
    view: DecisionView,
    load: ReadonlyMap<number, { kw: Map<string, InputSample> }>,
    inputs: InputSample[],
  ): boolean {
    if (this.o.chillerKw === undefined || !this.o.plant) return true;
    const plantLoad = view.latest(fill(this.o.points.plantLoad, this.vars({})));
    const running = view.latest(fill(this.o.points.chillersRunning, this.vars({})));
    inputs.push(plantLoad, running);
    if (plantLoad.quality !== 'good' || running.quality !== 'good') return true;
    if (typeof plantLoad.value !== 'number' || typeof running.value !== 'number') return true;
    let added = 0;
    for (const [rack, kw] of e.racks) {
      const now = [...load.values()].map((z) => z.kw.get(rack)).find((s) => s !== undefined);
      added += Math.max(0, kw - (typeof now?.value === 'number' ? now.value : 0));
    }
    return added > running.value * this.o.chillerKw - plantLoad.value;
  }

  /** how long before a submitted job's start the zone is prepared, ms */
  private leadOf(zone: number): number {
    const lag = this.o.measureLag ? this.response.get(zone)?.lagMs : undefined;
    return lag ?? this.o.lead;
  }

  private leadSummary(): string {
    const min = (ms: number) => `${Math.round(ms / 6000) / 10} min`;
    const lags = [...this.response.entries()].filter(([, r]) => r.lagMs !== undefined);
    return lags.length && this.o.measureLag
      ? `lead: measured lag ${lags.map(([i, r]) => `zone ${i + 1} ${min(r.lagMs as number)}`).join(', ')}`
      : `lead ${min(this.o.lead)}`;
  }

  private onJob(j: JobInfo, zones: Zone[], now: number): void {
    if (j.phase === 'end') {
      const e = this.episodes.get(j.id);
      if (e) e.end = now;
      return;
    }
    if (j.kwPerRack < this.o.minKwPerRack) return;
    const hit = zones.filter((z) => z.racks.some((r) => j.racks.includes(r.id)));
    if (hit.length === 0) return;
    const prev = this.episodes.get(j.id);
    const e: Episode = {
      job: j.id,
      zones: new Set(hit.map((z) => z.index)),
      racks: new Map(j.racks.map((r) => [r, j.kwPerRack])),
      // a submit announces the start; the start itself is when the heat comes
      startAt: j.phase === 'start' ? j.time : (j.start ?? prev?.startAt ?? j.time),
      ...(j.phase === 'start' ? { started: j.time } : prev?.started !== undefined && { started: prev.started }),
      // decided when it was first prepared for: at its start the heat is already there, nothing looks "added"
      ...(prev?.precool !== undefined && { precool: prev.precool }),
    };
    this.episodes.set(j.id, e);
    // the heat arrives: a lag test still waiting for the inlets' answer would measure the job, not the cooling
    if (j.phase === 'start') for (const z of hit) this.responseOf(z.index).voidLagTest();
  }
}
