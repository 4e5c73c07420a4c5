/**
 * The detectors of one hall (pure: a snapshot in, findings out). Per asset class, expected-vs-actual channels
 * learned from the site's own history (channel.ts) and rule conditions with on/off delays (diagnoses.ts):
 *
 * - CRAH: airflow ∝ fan speed (fan law) and filter ΔP ∝ fan speed² → filter clog (both off) or a slipping drive
 *   (airflow off, ΔP normal); fan speed against its aisle partner's → a fan that cannot reach its command; supply
 *   air off setpoint with the valve fixed → stuck valve, with the valve moving normally → the supply sensor; return
 *   air against its zone's rack exhausts → the return sensor; run status 0 → trip.
 * - CDU: flow against the pump command (collapse → pump failure) and against the pump speed (slow fall → pump
 *   wear); supply against its setpoint and return − supply against heat / flow → their sensors.
 * - Plant: a chiller status "tripped"; flow collapsed or no chiller running under load → chilled water lost;
 *   supply against its setpoint with the chillers steady → the supply sensor.
 * - Rack: inlet against its zone peers' median — with the exhaust following → recirculation, without → the inlet
 *   sensor; exhaust − inlet against power → the exhaust sensor; hottest GPU against GPU power and coolant → GPU
 *   cooling; PDU current against power / voltage → the meter.
 *
 * Every detector answers only from good, fresh inputs: a missing input is "degraded", never an alarm.
 */
import { ResidualChannel, type ChannelSpec, type ChannelState } from './channel';
import type { Diagnosis } from './diagnoses';
import { median } from './stats';
import { rackAsset, type WatchedAsset, type WatchedHall, type WatchedRack } from './watched';

/** Values at one evaluation: good and fresh samples only (stale, bad or missing: undefined). */
export interface Snapshot {
  t: number;
  value(pointId: string): number | undefined;
}

export interface Finding {
  asset: string;
  label: string;
  diagnosis: Diagnosis;
  /** the sensor at fault, for sensor diagnoses */
  pointId?: string;
  /** 0–1: how far past its threshold the evidence is (0.5 at the threshold, → 1 far beyond) */
  confidence: number;
  /** what was seen, with numbers */
  text: string;
  /** the points the diagnosis rests on */
  evidence: string[];
  /** the limit this fault drives towards: the lead time is the first of these to reach it */
  limit?: { ids: string[]; value: number; name: string };
}

export interface DetectorStatus {
  asset: string;
  detector: string;
  state: ChannelState;
  /** evaluations of good input still needed (learning) */
  learningLeft: number;
  reason?: string;
  score: number;
}

export interface DetectorOptions {
  /** evaluations of healthy input before a model may alarm */
  learnSamples: number;
  limits: { inletC: number; gpuC: number; cduSupplyC: number };
  /** evaluations per minute (6 at the 10 s cadence): rule delays below are in minutes */
  perMin: number;
}

/** A rule's on/off delay: active once `cond` held `on` evaluations, inactive once it failed `off` in a row. */
class Hold {
  active = false;
  private n = 0;
  constructor(
    private readonly on: number,
    private readonly off: number,
  ) {}
  update(cond: boolean | undefined): boolean {
    // undefined: inputs missing — the rule neither raises nor clears on no evidence
    if (cond === undefined) return this.active;
    if (cond === this.active) this.n = 0;
    else if (++this.n >= (this.active ? this.off : this.on)) {
      this.active = cond;
      this.n = 0;
    }
    return this.active;
  }
}

/** min and max over the last `size` values (a valve that has not moved) */
class Range {
  private readonly v: number[] = [];
  constructor(private readonly size: number) {}
  push(x: number | undefined): { span: number; full: boolean } {
    if (x === undefined) this.v.length = 0;
    else {
      this.v.push(x);
      if (this.v.length > this.size) this.v.shift();
    }
    return this.v.length
      ? { span: Math.max(...this.v) - Math.min(...this.v), full: this.v.length >= this.size }
      : { span: 0, full: false };
  }
}

const conf = (score: number) => Math.min(0.99, 1 - 0.5 * Math.exp(-(score - 1)));
const f1 = (x: number) => x.toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;

interface Named {
  asset: WatchedAsset;
  name: string;
  ch: ResidualChannel;
}

/** First signal of `names` the asset has (aliases: the DCGM names of plenum.yaml and the twin's). */
function sig(a: WatchedAsset, ...names: string[]): string | undefined {
  for (const n of names) if (a.points[n]) return a.points[n];
  return undefined;
}

export class HallDetectors {
  private readonly channels: Named[] = [];
  private readonly crahs: CrahDetector[];
  private readonly racks: RackDetector[];
  private readonly cdu?: CduDetector;
  private readonly plant?: PlantDetector;
  /** rack findings held back as the room's (key asset|diagnosis|signal): held back while they last */
  private readonly roomHeld = new Set<string>();
  /** when the CDU last reported its own trouble (pump failure or wear), Unix ms */
  private liquidTroubleAt = -Infinity;

  constructor(
    readonly hall: WatchedHall,
    readonly o: DetectorOptions,
  ) {
    const channel = (asset: WatchedAsset, name: string, spec: ChannelSpec, needs: (string | undefined)[]) => {
      const ch = new ResidualChannel({ learnSamples: o.learnSamples, ...spec });
      // a detector whose points the site does not have is not listed (it would say "learning" for ever)
      if (needs.every((id) => id !== undefined)) this.channels.push({ asset, name, ch });
      return ch;
    };
    this.crahs = hall.crahs.map((c) => new CrahDetector(c, hall, o, channel));
    this.racks = hall.racks.map((r) => new RackDetector(r, hall, o, channel));
    if (hall.cdu) this.cdu = new CduDetector(hall.cdu, hall, o, channel);
    if (hall.plant) this.plant = new PlantDetector(hall.plant, o, channel);
  }

  /** The findings active after this evaluation. Never throws on odd input. */
  evaluate(s: Snapshot): Finding[] {
    const out: Finding[] = [];
    const plantTrouble = this.plant?.evaluate(s, out) ?? false;
    // the liquid loop failing moves GPU heat into the air: the racks' exhaust − inlet then says nothing about
    // their sensors, while it fails and for LIQUID_SETTLE_MIN after (the racks' thermal mass)
    if (this.cdu?.evaluate(s, out, plantTrouble)) this.liquidTroubleAt = s.t;
    const liquidTrouble = s.t - this.liquidTroubleAt <= LIQUID_SETTLE_MIN * 60_000;
    for (const c of this.crahs) c.evaluate(s, out, plantTrouble);
    const zoneInlet = this.hall.zones.map((z) => z.racks.map((r) => s.value(r.points['env/inlet_temp'] ?? '')));
    const zoneExhaust = this.hall.zones.map((z) => z.racks.map((r) => s.value(r.points['env/exhaust_temp'] ?? '')));
    // a unit losing air (filter, drive) runs faster than its partner: that partner is not the degraded fan
    const airFaults = new Set(
      out.filter((f) => f.diagnosis === 'filter_clog' || f.diagnosis === 'fan_belt_wear').map((f) => f.asset),
    );
    for (let i = out.length - 1; i >= 0; i--) {
      const f = out[i] as Finding;
      if (
        f.diagnosis === 'fan_degradation' &&
        this.hall.zones.some(
          (z) => z.crahs.some((c) => c.path === f.asset) && z.crahs.some((c) => airFaults.has(c.path)),
        )
      )
        out.splice(i, 1);
    }
    const before = out.length;
    for (const r of this.racks) r.evaluate(s, out, zoneInlet, zoneExhaust, liquidTrouble);
    // sensors do not drift together: when many racks of a zone report the same sensor at once, it is the room
    // (a load or cooling change their models did not see), and the peers say nothing about any one sensor
    const bySignal = new Map<string, number>();
    for (const f of out.slice(before))
      if (ROOM_NOT_UNIT.has(f.diagnosis)) {
        const k = `${this.rackZone(f.asset)}|${f.diagnosis}|${f.pointId?.split('/').pop() ?? ''}`;
        bySignal.set(k, (bySignal.get(k) ?? 0) + 1);
      }
    // a finding that rose with the room's stays the room's while it lasts: when the others clear first, the last
    // racks of a room-wide change (an end of row slower to recover) are not then called sensors one by one
    const present = new Set<string>();
    const kept = out.filter((f, i) => {
      if (i < before || !ROOM_NOT_UNIT.has(f.diagnosis)) return true;
      const z = this.rackZone(f.asset);
      const sigName = f.pointId?.split('/').pop() ?? '';
      const key = `${f.asset}|${f.diagnosis}|${sigName}`;
      present.add(key);
      const n = bySignal.get(`${z}|${f.diagnosis}|${sigName}`) ?? 0;
      if (n >= Math.max(2, 0.2 * (this.hall.zones[z ?? -1]?.racks.length ?? 0))) this.roomHeld.add(key);
      return !this.roomHeld.has(key);
    });
    for (const k of this.roomHeld) if (!present.has(k)) this.roomHeld.delete(k);
    return kept;
  }

  /** the zone of a rack asset (env, gpu or pdu path) */
  private rackZone(asset: string): number | undefined {
    const rack = asset.split('/').slice(0, 4).join('/');
    return this.hall.racks.find((r) => r.path.startsWith(`${rack}/`))?.zone;
  }

  status(): DetectorStatus[] {
    return this.channels.map(({ asset, name, ch }) => ({
      asset: asset.path,
      detector: name,
      state: ch.state,
      learningLeft: ch.learningLeft,
      ...(ch.reason && { reason: ch.reason }),
      score: ch.score,
    }));
  }

  /** Anomaly score per asset: the largest of its channels' scores (1 = alarm threshold). */
  scores(): Map<string, number> {
    const m = new Map<string, number>();
    for (const { asset, ch } of this.channels) m.set(asset.path, Math.max(m.get(asset.path) ?? 0, ch.score));
    return m;
  }
}

/** an inlet sensor's drift, seen alike off its peers and in exhaust − inlet, K */
const JOINT_K = 0.75;

/** minutes after the CDU's trouble ends before racks' exhaust − inlet is judged again */
const LIQUID_SETTLE_MIN = 15;

/** the exhaust's thermal lag behind the rack's power and inlet (servers' and rack's thermal mass), s; a default,
 * not learned: exhaust − inlet is compared with the power through it */
const EXHAUST_LAG_S = 180;

/** rack diagnoses that, raised on many racks of a zone at once, describe the room, not each rack */
const ROOM_NOT_UNIT = new Set<Diagnosis>(['sensor_drift', 'gpu_cooling']);

type ChannelMaker = (
  asset: WatchedAsset,
  name: string,
  spec: ChannelSpec,
  needs: (string | undefined)[],
) => ResidualChannel;

/** the inlets of a zone: what a cooling fault heats first */
const zoneInlets = (hall: WatchedHall, crah: string) =>
  hall.zones
    .filter((z) => z.crahs.some((c) => c.label === crah))
    .flatMap((z) => z.racks.map((r) => r.points['env/inlet_temp']).filter((x): x is string => !!x));

class CrahDetector {
  private readonly airflow: ResidualChannel;
  private readonly filter: ResidualChannel;
  private readonly fanCap: Hold;
  private readonly fanRange: Range;
  private readonly returnAir: ResidualChannel;
  private readonly trip: Hold;
  private readonly stuck: Hold;
  private readonly supplyDrift: Hold;
  private readonly valve: Range;
  private readonly p: Record<string, string | undefined>;
  private readonly partners: WatchedAsset[];
  private readonly zoneRacks: WatchedRack[];
  private airCause?: 'filter_clog' | 'fan_belt_wear';
  private readonly exhaustRange: Range;

  constructor(
    private readonly a: WatchedAsset,
    private readonly hall: WatchedHall,
    private readonly o: DetectorOptions,
    channel: ChannelMaker,
  ) {
    const m = o.perMin;
    this.airflow = channel(
      a,
      'airflow per fan speed',
      { model: 'proportional', ratio: true, minEffect: 0.08, direction: 'low', onCount: 3 * m, offCount: 10 * m },
      [a.points.airflow, a.points.fan_speed],
    );
    this.filter = channel(
      a,
      'filter ΔP per fan speed²',
      { model: 'proportional', ratio: true, minEffect: 0.15, direction: 'high', onCount: 3 * m, offCount: 10 * m },
      [a.points.filter_dp, a.points.fan_speed],
    );
    this.returnAir = channel(
      a,
      // the return air mixes more than this zone's exhaust (the aisle's other units, bypass): only a large offset is the sensor
      'return air against zone exhaust',
      { model: 'linear', minEffect: 4, onCount: 5 * m, offCount: 10 * m },
      [a.points.return_temp],
    );
    this.trip = new Hold(2, 3);
    this.fanCap = new Hold(3 * m, 5 * m);
    this.fanRange = new Range(3 * m);
    this.stuck = new Hold(5 * m, 5 * m);
    this.supplyDrift = new Hold(10 * m, 10 * m);
    this.valve = new Range(10 * m);
    this.exhaustRange = new Range(5 * m);
    const q = a.points;
    this.p = q;
    const zones = hall.zones.filter((z) => z.crahs.some((c) => c.label === a.label));
    this.partners = zones.flatMap((z) => z.crahs).filter((c) => c.label !== a.label);
    this.zoneRacks = zones.flatMap((z) => z.racks);
  }

  evaluate(s: Snapshot, out: Finding[], plantTrouble: boolean): void {
    const v = (k: string) => (this.p[k] ? s.value(this.p[k] as string) : undefined);
    const fan = v('fan_speed');
    const run = v('run_status');
    const limit = {
      ids: zoneInlets(this.hall, this.a.label),
      value: this.o.limits.inletC,
      name: `${this.o.limits.inletC} °C inlet`,
    };
    const ev = (...ks: string[]) => ks.map((k) => this.p[k]).filter((x): x is string => !!x);
    const base = { asset: this.a.path, label: this.a.label, limit };

    // trip: stopped, or the fan at standstill while the unit should run
    const tripped = this.trip.update(
      run === undefined && fan === undefined ? undefined : run === 0 || (fan !== undefined && fan < 1),
    );
    if (tripped) {
      out.push({
        ...base,
        diagnosis: 'crah_trip',
        confidence: 0.95,
        text: `${this.a.label} stopped (run status ${run ?? '?'}, fan ${fan ?? '?'} %)`,
        evidence: ev('run_status', 'fan_speed'),
      });
      this.valve.push(undefined);
      return;
    }
    const running = fan !== undefined && fan >= 10;
    const airflow = v('airflow');
    const filterDp = v('filter_dp');
    const air = this.airflow.push(s.t, running ? airflow : undefined, fan ?? 0);
    const fil = this.filter.push(s.t, running ? filterDp : undefined, ((fan ?? 0) / 100) ** 2);
    // the cause is decided when the alarm rises and kept while it holds (a flip would close one alarm and open another)
    if (air !== 'alarm') this.airCause = undefined;
    else if (this.airCause === undefined || (this.airCause === 'fan_belt_wear' && fil === 'alarm'))
      this.airCause = fil === 'alarm' || this.filter.deviation > 0.5 * 0.15 ? 'filter_clog' : 'fan_belt_wear';
    if (air === 'alarm') {
      const clog = this.airCause === 'filter_clog';
      out.push({
        ...base,
        diagnosis: clog ? 'filter_clog' : 'fan_belt_wear',
        confidence: conf(this.airflow.score),
        text: `${this.a.label} moves ${pct(-this.airflow.deviation)} less air than its fan speed (${f1(fan ?? 0)} %) should; filter ΔP ${this.filter.deviation >= 0 ? '+' : ''}${pct(this.filter.deviation)} against its clean curve`,
        evidence: ev('airflow', 'fan_speed', 'filter_dp'),
      });
    }

    // a fan that cannot reach its command: the aisle pressure below setpoint for minutes while this fan holds
    // still below 95 % (its loop asks for more; two healthy loops on one aisle may share the load unevenly, so
    // a fan slower than its partner alone says nothing)
    const dp = v('cold_aisle_dp');
    const dpSp = v('dp_setpoint');
    const held = this.fanRange.push(fan);
    const short = dp !== undefined && dpSp !== undefined ? dpSp - dp > Math.max(2, 0.1 * Math.abs(dpSp)) : undefined;
    const capped = this.fanCap.update(
      short === undefined || fan === undefined
        ? undefined
        : short && held.full && held.span < 1 && fan < 95 && fan >= 1,
    );
    if (capped && air !== 'alarm') {
      const peers = this.partners
        .map((c) => s.value(c.points.fan_speed ?? ''))
        .filter((x): x is number => x !== undefined);
      out.push({
        ...base,
        diagnosis: 'fan_degradation',
        confidence: conf((dpSp! - dp!) / Math.max(2, 0.1 * Math.abs(dpSp!))),
        text: `${this.a.label} fan holds ${f1(fan ?? 0)} % while the aisle pressure is ${f1(dpSp! - dp!)} Pa below setpoint${peers.length ? ` (partner at ${f1(median(peers) ?? 0)} %)` : ''}: it cannot reach its command`,
        evidence: ev('fan_speed', 'cold_aisle_dp', 'dp_setpoint'),
      });
    }

    // supply air against setpoint, on units whose valve loop controls supply air (valve_control 0 or absent)
    const supply = v('supply_temp');
    const sp = v('supply_setpoint');
    const valve = v('valve');
    const onSupply = (v('valve_control') ?? 0) === 0;
    const moved = this.valve.push(valve);
    const err = supply !== undefined && sp !== undefined ? supply - sp : undefined;
    const known = err !== undefined && valve !== undefined && moved.full && onSupply;
    const atLimit = valve !== undefined && err !== undefined && ((valve >= 99 && err > 0) || (valve <= 1 && err < 0));
    const stuck = this.stuck.update(
      known ? Math.abs(err) > 1.5 && moved.span < 0.5 && !atLimit && !plantTrouble : undefined,
    );
    if (stuck)
      out.push({
        ...base,
        diagnosis: 'valve_stuck',
        confidence: conf(Math.abs(err ?? 0) / 1.5),
        text: `${this.a.label} supply air ${f1(supply ?? 0)} °C against setpoint ${f1(sp ?? 0)} °C while the valve stays at ${f1(valve ?? 0)} %`,
        evidence: ev('supply_temp', 'supply_setpoint', 'valve'),
      });
    const drift = this.supplyDrift.update(
      known ? Math.abs(err) > 1 && moved.span >= 0.5 && valve > 3 && valve < 97 && !plantTrouble : undefined,
    );
    if (drift && !stuck)
      out.push({
        ...base,
        diagnosis: 'sensor_drift',
        pointId: this.p.supply_temp,
        confidence: conf(Math.abs(err ?? 0)),
        text: `${this.a.label} supply air reads ${f1(supply ?? 0)} °C, ${f1(err ?? 0)} K off setpoint, while its valve loop works normally: the reading, not the air`,
        evidence: ev('supply_temp', 'supply_setpoint', 'valve'),
        limit: undefined,
      });

    // return air against the mean exhaust of its zone's racks
    const ex = this.zoneRacks
      .map((r) => s.value(r.points['env/exhaust_temp'] ?? ''))
      .filter((x): x is number => x !== undefined);
    const ret = v('return_temp');
    const exMean =
      ex.length >= Math.max(1, this.zoneRacks.length / 2) ? ex.reduce((p, q) => p + q, 0) / ex.length : undefined;
    // return air lags the exhaust (mixing, transport): judged only while the zone's exhaust holds steady
    const exr = this.exhaustRange.push(exMean);
    const steady = exr.full && exr.span < 0.5;
    if (
      this.returnAir.push(s.t, exMean === undefined || !steady ? undefined : ret, exMean ?? 0) === 'alarm' &&
      air !== 'alarm'
    )
      out.push({
        ...base,
        diagnosis: 'sensor_drift',
        pointId: this.p.return_temp,
        confidence: conf(this.returnAir.score),
        text: `${this.a.label} return air reads ${f1(this.returnAir.deviation)} K off what its zone's exhaust explains`,
        evidence: ev('return_temp'),
        limit: undefined,
      });
  }
}

class CduDetector {
  private readonly flowCmd: ResidualChannel;
  private readonly flowSpeed: ResidualChannel;
  private readonly supply: ResidualChannel;
  private readonly deltaT: ResidualChannel;
  private readonly failure: Hold;
  private readonly p: Record<string, string>;

  constructor(
    private readonly a: WatchedAsset,
    private readonly hall: WatchedHall,
    private readonly o: DetectorOptions,
    channel: ChannelMaker,
  ) {
    const m = o.perMin;
    this.p = a.points;
    this.flowCmd = channel(
      a,
      'flow per pump command',
      { model: 'proportional', ratio: true, minEffect: 0.4, direction: 'low', flatCount: 0 },
      [a.points.flow, a.points.pump_speed_setpoint],
    );
    this.flowSpeed = channel(
      a,
      'flow per pump speed',
      { model: 'proportional', ratio: true, minEffect: 0.05, direction: 'low', onCount: 5 * m, offCount: 10 * m },
      [a.points.flow, a.points.pump_speed ?? a.points.pump_speed_setpoint],
    );
    this.supply = channel(
      a,
      'supply against setpoint',
      { model: 'mean', minEffect: 1, onCount: 10 * m, offCount: 10 * m },
      [a.points.supply_temp, a.points.supply_setpoint],
    );
    this.deltaT = channel(
      a,
      'return − supply per heat / flow',
      { model: 'linear', minEffect: 1, onCount: 10 * m, offCount: 10 * m },
      [a.points.return_temp, a.points.supply_temp, a.points.heat_load, a.points.flow],
    );
    this.failure = new Hold(2, 3 * m);
  }

  /** true while the pump has failed or moves less than its speed should (the loop's own trouble) */
  evaluate(s: Snapshot, out: Finding[], plantTrouble: boolean): boolean {
    const v = (k: string) => (this.p[k] ? s.value(this.p[k] as string) : undefined);
    const ev = (...ks: string[]) => ks.map((k) => this.p[k]).filter((x): x is string => !!x);
    const gpus = this.hall.racks.map((r) => sig(r, 'gpu/gpu_temp_max', 'gpu/temp')).filter((x): x is string => !!x);
    const base = {
      asset: this.a.path,
      label: this.a.label,
      limit: { ids: gpus, value: this.o.limits.gpuC, name: `${this.o.limits.gpuC} °C GPU throttle` },
    };
    const flow = v('flow');
    const cmd = v('pump_speed_setpoint');
    const speed = v('pump_speed');
    // collapse against the command: judged on the instant residual, an EWMA would take minutes
    this.flowCmd.push(s.t, flow, cmd ?? 0);
    const e = cmd !== undefined ? this.flowCmd.expected(cmd) : undefined;
    const failed = this.failure.update(flow === undefined || e === undefined ? undefined : flow < 0.6 * e);
    if (failed) {
      out.push({
        ...base,
        diagnosis: 'pump_failure',
        confidence: 0.95,
        text: `${this.a.label} coolant flow ${f1(flow ?? 0)} l/min against ${f1(e ?? 0)} l/min expected at the pump command (${f1(cmd ?? 0)} %)`,
        evidence: ev('flow', 'pump_speed_setpoint', 'pump_speed'),
      });
      return true;
    }
    const worn = this.flowSpeed.push(s.t, flow, speed ?? cmd ?? 0) === 'alarm';
    if (worn)
      out.push({
        ...base,
        diagnosis: 'pump_degradation',
        confidence: conf(this.flowSpeed.score),
        text: `${this.a.label} moves ${pct(-this.flowSpeed.deviation)} less coolant than its pump speed should`,
        evidence: ev('flow', 'pump_speed', 'pump_speed_setpoint'),
      });
    const sup = v('supply_temp');
    const sp = v('supply_setpoint');
    if (
      this.supply.push(s.t, sup !== undefined && sp !== undefined && !plantTrouble ? sup - sp : undefined) === 'alarm'
    )
      out.push({
        ...base,
        diagnosis: 'sensor_drift',
        pointId: this.p.supply_temp,
        confidence: conf(this.supply.score),
        text: `${this.a.label} supply reads ${f1(this.supply.deviation)} K off its setpoint while the loop is healthy: the sensor`,
        evidence: ev('supply_temp', 'supply_setpoint'),
        limit: undefined,
      });
    const ret = v('return_temp');
    const heat = v('heat_load');
    const ok = sup !== undefined && ret !== undefined && heat !== undefined && flow !== undefined && flow > 1;
    if (
      this.deltaT.push(
        s.t,
        ok ? (ret as number) - (sup as number) : undefined,
        ok ? (heat as number) / (flow as number) : 0,
      ) === 'alarm' &&
      this.supply.state !== 'alarm'
    )
      out.push({
        ...base,
        diagnosis: 'sensor_drift',
        pointId: this.p.return_temp,
        confidence: conf(this.deltaT.score),
        text: `${this.a.label} return − supply is ${f1(this.deltaT.deviation)} K off what its heat load and flow explain: the return sensor`,
        evidence: ev('return_temp', 'supply_temp', 'heat_load', 'flow'),
        limit: undefined,
      });
    return worn;
  }
}

class PlantDetector {
  private readonly flow: ResidualChannel;
  private readonly supply: ResidualChannel;
  private readonly trip: Hold;
  private readonly lost: Hold;
  private readonly p: Record<string, string>;
  private readonly chillers: string[];
  private running: number[] = [];

  constructor(
    private readonly a: WatchedAsset,
    private readonly o: DetectorOptions,
    channel: ChannelMaker,
  ) {
    const m = o.perMin;
    this.p = a.points;
    this.chillers = Object.keys(a.points)
      .filter((k) => /^chiller\d+_status$/.test(k))
      .sort();
    this.flow = channel(
      a,
      'chilled-water flow',
      { model: 'mean', ratio: true, minEffect: 0.5, direction: 'low', flatCount: 0 },
      [a.points.chw_flow],
    );
    this.supply = channel(
      a,
      'supply against setpoint',
      { model: 'mean', minEffect: 1.5, direction: 'both', onCount: 15 * m, offCount: 10 * m },
      [a.points.chw_supply_temp, a.points.chw_setpoint],
    );
    this.trip = new Hold(1, 3 * m);
    this.lost = new Hold(2, 3 * m);
  }

  /** true while the plant itself is in trouble (coil and CDU symptoms are then the plant's, not theirs) */
  evaluate(s: Snapshot, out: Finding[]): boolean {
    const v = (k: string) => (this.p[k] ? s.value(this.p[k] as string) : undefined);
    const base = { asset: this.a.path, label: this.a.label };
    const statuses = this.chillers.map((k) => v(k));
    const tripped = this.chillers.filter((_, i) => statuses[i] === 3);
    const flow = v('chw_flow');
    this.flow.push(s.t, flow);
    const e = this.flow.expected(0);
    const running = v('chillers_running');
    const load = v('load');
    const none = running !== undefined && running === 0 && (load ?? 0) > 0;
    const lost = this.lost.update(
      flow === undefined && running === undefined
        ? undefined
        : (flow !== undefined && e !== undefined && flow < 0.3 * e) || none,
    );
    const ids = this.chillers.map((k) => this.p[k] as string);
    if (lost) {
      out.push({
        ...base,
        diagnosis: 'chw_loss',
        confidence: 0.95,
        text: `chilled water lost: flow ${f1(flow ?? 0)} l/min (normally ${f1(e ?? 0)}), ${running ?? '?'} chillers running`,
        evidence: [this.p.chw_flow, this.p.chillers_running, ...ids].filter((x): x is string => !!x),
      });
      return true;
    }
    const tripNow = this.trip.update(statuses.some((x) => x !== undefined) ? tripped.length > 0 : undefined);
    if (tripNow)
      out.push({
        ...base,
        diagnosis: 'chiller_trip',
        confidence: 0.95,
        text: `${tripped.map((k) => k.replace('_status', '')).join(', ') || 'a chiller'} tripped; ${running ?? '?'} chillers running`,
        evidence: ids,
      });
    // the supply sensor: off setpoint while the chiller count holds steady (staging explains a transient)
    const sup = v('chw_supply_temp');
    const sp = v('chw_setpoint');
    if (running !== undefined) this.running.push(running);
    if (this.running.length > 30 * this.o.perMin) this.running.shift();
    const steady = this.running.length >= 10 * this.o.perMin && Math.max(...this.running) === Math.min(...this.running);
    if (
      this.supply.push(s.t, sup !== undefined && sp !== undefined && !tripNow ? sup - sp : undefined) === 'alarm' &&
      steady &&
      !tripNow
    )
      out.push({
        ...base,
        diagnosis: 'sensor_drift',
        pointId: this.p.chw_supply_temp,
        confidence: conf(this.supply.score),
        text: `chilled-water supply reads ${f1(this.supply.deviation)} K off setpoint with the chillers steady: the sensor`,
        evidence: [this.p.chw_supply_temp, this.p.chw_setpoint].filter((x): x is string => !!x),
      });
    return tripNow || (sup !== undefined && sp !== undefined && sup - sp > 2);
  }
}

class RackDetector {
  private readonly inlet: ResidualChannel;
  private readonly deltaT: ResidualChannel;
  private readonly gpu: ResidualChannel;
  private readonly meter: ResidualChannel;
  private readonly exhaustPeer: ResidualChannel;
  private readonly gpuAgg: ResidualChannel;
  /** the rack's per-GPU temperature points (gpu/gpu<n>_temp), when the site has them */
  private readonly gpuParts: string[];
  private readonly ids: {
    inlet?: string;
    exhaust?: string;
    power?: string;
    gpuT?: string;
    gpuP?: string;
    current?: string;
    voltage?: string;
  };
  private readonly idx: number;
  private inletCause?: 'recirculation' | 'sensor_drift' | 'peers';
  private readonly jointHold: Hold;

  constructor(
    private readonly r: WatchedRack,
    private readonly hall: WatchedHall,
    private readonly o: DetectorOptions,
    channel: ChannelMaker,
  ) {
    const m = o.perMin;
    this.ids = {
      inlet: r.points['env/inlet_temp'],
      exhaust: r.points['env/exhaust_temp'],
      power: r.points['pdu/power'],
      gpuT: sig(r, 'gpu/gpu_temp_max', 'gpu/temp'),
      gpuP: sig(r, 'gpu/gpu_power', 'gpu/power'),
      current: r.points['pdu/current'],
      voltage: r.points['pdu/voltage'],
    };
    this.inlet = channel(
      r,
      'inlet against zone peers',
      { model: 'mean', minEffect: 2, onCount: 5 * m, offCount: 10 * m },
      [this.ids.inlet],
    );
    this.exhaustPeer = channel(
      r,
      'exhaust against zone peers',
      { model: 'mean', minEffect: 1.2, onCount: 5 * m, offCount: 10 * m, k: 3 },
      [this.ids.exhaust],
    );
    // exhaust − inlet against the power, both through the exhaust's thermal lag: judged through job steps and a
    // training job's ripple alike (a gate on steady power left a rack under a fluctuating job never judged)
    this.deltaT = channel(
      r,
      'exhaust − inlet per power',
      { model: 'saturating', lagS: EXHAUST_LAG_S, coverageBins: 20, minEffect: 2, onCount: 10 * m, offCount: 10 * m },
      [this.ids.inlet, this.ids.exhaust, this.ids.power],
    );
    this.jointHold = new Hold(10 * m, 10 * m);
    this.gpuParts = Object.keys(r.points)
      .filter((k) => /^gpu\/gpu\d+_temp$/.test(k))
      .map((k) => r.points[k] as string);
    // the rack's hottest-GPU point against the hottest of its own GPUs: the same quantity twice, so any gap the
    // healthy rack did not have is the aggregate's sensor (or its recording rule), whatever the load
    this.gpuAgg = channel(
      { ...r, path: rackAsset(r, 'gpu') },
      'hottest GPU against its GPUs',
      { model: 'mean', minEffect: 0.75, onCount: 5 * m, offCount: 10 * m, flatReadingOnly: true },
      [this.ids.gpuT, ...(this.gpuParts.length ? this.gpuParts : [undefined])],
    );
    this.gpu = channel(
      { ...r, path: rackAsset(r, 'gpu') },
      'hottest GPU per power and coolant',
      { model: 'linear', minEffect: 4, direction: 'high', onCount: 10 * m, offCount: 10 * m },
      [this.ids.gpuT, this.ids.gpuP, hall.cdu?.points.supply_temp],
    );
    this.meter = channel(
      { ...r, path: rackAsset(r, 'pdu') },
      'current per power / voltage',
      { model: 'proportional', ratio: true, minEffect: 0.1, onCount: 10 * m, offCount: 10 * m },
      [this.ids.current, this.ids.power, this.ids.voltage],
    );
    this.idx = r.zone >= 0 ? (hall.zones[r.zone]?.racks.indexOf(r) ?? -1) : -1;
  }

  evaluate(
    s: Snapshot,
    out: Finding[],
    zoneInlet: (number | undefined)[][],
    zoneExhaust: (number | undefined)[][],
    liquidTrouble = false,
  ): void {
    const v = (id: string | undefined) => (id ? s.value(id) : undefined);
    const { ids, r } = this;
    const inlet = v(ids.inlet);
    const exhaust = v(ids.exhaust);
    const power = v(ids.power);
    const others = (list: (number | undefined)[] | undefined) =>
      median((list ?? []).filter((x, i): x is number => x !== undefined && i !== this.idx));
    const peerIn = r.zone >= 0 ? others(zoneInlet[r.zone]) : undefined;
    const peerEx = r.zone >= 0 ? others(zoneExhaust[r.zone]) : undefined;
    const limit = {
      ids: ids.inlet ? [ids.inlet] : [],
      value: this.o.limits.inletC,
      name: `${this.o.limits.inletC} °C inlet`,
    };
    const base = { asset: r.path, label: r.rack, limit };
    const ins = this.inlet.push(
      s.t,
      inlet !== undefined && peerIn !== undefined ? inlet - peerIn : undefined,
      0,
      inlet,
    );
    // the exhaust against its peers only tells recirculation from a drifting inlet; alone it follows the rack's job
    this.exhaustPeer.push(
      s.t,
      exhaust !== undefined && peerEx !== undefined ? exhaust - peerEx : undefined,
      0,
      exhaust,
    );
    // the exhaust follows its heat through the rack's thermal mass (minutes): the channel lags what the power
    // explains (lagS); the inlet moves slowly enough to be taken as it is
    const dts = this.deltaT.push(
      s.t,
      !liquidTrouble && inlet !== undefined && exhaust !== undefined && power !== undefined
        ? exhaust - inlet
        : undefined,
      power ?? 0,
    );
    const dIn = this.inlet.deviation;
    // Hot air reaching the intake warms the exhaust as much (exhaust − inlet against power stays); an inlet sensor
    // reading high by d shrinks exhaust − inlet by d, one reading low widens it by d. Decided when the alarm
    // rises, kept while it holds. A true inlet colder than its peers' is the peers' news, not this rack's.
    // (exhaust − inlet as judged now: a load it never learned leaves its deviation from long ago)
    const dT =
      (this.deltaT.state === 'normal' || this.deltaT.state === 'alarm') && this.deltaT.judgedAt === s.t
        ? this.deltaT.deviation
        : undefined;
    if (ins !== 'alarm') this.inletCause = undefined;
    else if (dT !== undefined)
      this.inletCause ??=
        dIn > 0 ? (dT < -0.5 * dIn ? 'sensor_drift' : 'recirculation') : dT > -0.5 * dIn ? 'sensor_drift' : 'peers';
    // without exhaust − inlet: the exhaust against its peers'; an inlet reading below its peers is then the sensor
    else this.inletCause ??= dIn > 0 && this.exhaustPeer.deviation > 0.5 * dIn ? 'recirculation' : 'sensor_drift';
    // an inlet sensor reading high by d moves both views of it by d: d above its peers and d short in exhaust −
    // inlet against power. Each alone wanders (the room, a job's step); together, agreeing, they name a drift
    // well below either channel's own threshold. Reading high only: a rack whose peers warm (air short in the
    // aisle) reads below them while its own model of a load it rarely runs may be a kelvin off the other way
    const joint =
      dT !== undefined && this.inlet.state === 'normal'
        ? dIn > JOINT_K && -dT > JOINT_K && Math.abs(dIn + dT) < 0.5 * Math.max(dIn, -dT)
        : undefined;
    const jointDrift = this.jointHold.update(joint);
    if (ins === 'alarm' && this.inletCause !== 'peers') {
      const followed = this.inletCause === 'recirculation';
      out.push(
        followed
          ? {
              ...base,
              diagnosis: 'recirculation',
              confidence: conf(this.inlet.score),
              text: `${r.rack} inlet ${f1(dIn)} K above its aisle peers, exhaust ${f1(this.exhaustPeer.deviation)} K above theirs: hot air at the intake`,
              evidence: [ids.inlet, ids.exhaust].filter((x): x is string => !!x),
            }
          : {
              ...base,
              diagnosis: 'sensor_drift',
              pointId: ids.inlet,
              confidence: conf(this.inlet.score),
              text: `${r.rack} inlet reads ${f1(dIn)} K ${dIn > 0 ? 'above' : 'below'} its aisle peers while its exhaust agrees with theirs: the sensor, not the room`,
              evidence: [ids.inlet, ids.exhaust].filter((x): x is string => !!x),
            },
      );
    } else if (jointDrift) {
      out.push({
        ...base,
        diagnosis: 'sensor_drift',
        pointId: ids.inlet,
        confidence: conf(Math.min(Math.abs(dIn), Math.abs(dT as number)) / JOINT_K),
        text: `${r.rack} inlet reads ${f1(dIn)} K ${dIn > 0 ? 'above' : 'below'} its aisle peers and exhaust − inlet is ${f1(dT ?? 0)} K off what its power explains: the inlet sensor`,
        evidence: [ids.inlet, ids.exhaust, ids.power].filter((x): x is string => !!x),
      });
    } else if (dts === 'alarm' && ins !== 'alarm') {
      // exhaust − inlet off: the inlet when it has left its peers by as much the other way, else the exhaust
      const dd = this.deltaT.deviation;
      const byInlet = dIn * -dd > 0 && Math.abs(dIn) > 0.5 * Math.abs(dd);
      out.push({
        ...base,
        diagnosis: 'sensor_drift',
        pointId: byInlet ? ids.inlet : ids.exhaust,
        confidence: conf(this.deltaT.score),
        text: byInlet
          ? `${r.rack} exhaust − inlet is ${f1(dd)} K off what its power explains and its inlet ${f1(dIn)} K off its peers: the inlet sensor`
          : `${r.rack} exhaust − inlet is ${f1(dd)} K off what its power explains with its inlet normal: the exhaust sensor`,
        evidence: [ids.exhaust, ids.inlet, ids.power].filter((x): x is string => !!x),
        ...(!byInlet && { limit: undefined }),
      });
    }

    // hottest GPU against GPU power, above the coolant supply
    const gt = v(ids.gpuT);
    const gp = v(ids.gpuP);
    const coolant = this.hall.cdu?.points.supply_temp ? s.value(this.hall.cdu.points.supply_temp) : undefined;
    // the aggregate against the hottest of the rack's GPUs (all of them read, or the max is not theirs)
    let hottest = -Infinity;
    for (const id of this.gpuParts) {
      const x = s.value(id);
      if (x === undefined) {
        hottest = NaN;
        break;
      }
      if (x > hottest) hottest = x;
    }
    const agg = this.gpuAgg.push(s.t, gt !== undefined && Number.isFinite(hottest) ? gt - hottest : undefined, 0, gt);
    if (agg === 'alarm')
      out.push({
        ...base,
        asset: rackAsset(r, 'gpu'),
        diagnosis: 'sensor_drift',
        pointId: ids.gpuT,
        confidence: conf(this.gpuAgg.score),
        text: `${r.rack} hottest-GPU reading ${f1(gt ?? 0)} °C is ${f1(this.gpuAgg.deviation)} K off the hottest of its ${this.gpuParts.length} GPUs (${f1(hottest)} °C): the reading, not the GPUs`,
        evidence: [ids.gpuT, ...this.gpuParts].filter((x): x is string => !!x),
        limit: undefined,
      });
    if (
      this.gpu.push(
        s.t,
        gt !== undefined && gp !== undefined && coolant !== undefined && gp > 0 ? gt - coolant : undefined,
        gp ?? 0,
        gt,
      ) === 'alarm' &&
      agg !== 'alarm'
    )
      out.push({
        ...base,
        asset: rackAsset(r, 'gpu'),
        diagnosis: 'gpu_cooling',
        confidence: conf(this.gpu.score),
        text: `${r.rack} hottest GPU ${f1(gt ?? 0)} °C, ${f1(this.gpu.deviation)} K above what its power and the coolant explain`,
        evidence: [ids.gpuT, ids.gpuP].filter((x): x is string => !!x),
        limit: {
          ids: ids.gpuT ? [ids.gpuT] : [],
          value: this.o.limits.gpuC,
          name: `${this.o.limits.gpuC} °C GPU throttle`,
        },
      });

    // PDU current against power / voltage (I ∝ P / V at a steady power factor)
    const cur = v(ids.current);
    const volt = v(ids.voltage);
    if (
      this.meter.push(
        s.t,
        power !== undefined && power > 1 && volt !== undefined && volt > 50 ? cur : undefined,
        power !== undefined && volt ? (power * 1000) / volt : 0,
      ) === 'alarm'
    )
      out.push({
        ...base,
        asset: rackAsset(r, 'pdu'),
        diagnosis: 'meter_fault',
        pointId: ids.current,
        confidence: conf(this.meter.score),
        text: `${r.rack} PDU current ${pct(Math.abs(this.meter.deviation))} off what its power and voltage give`,
        evidence: [ids.current, ids.power, ids.voltage].filter((x): x is string => !!x),
        limit: undefined,
      });
  }
}
