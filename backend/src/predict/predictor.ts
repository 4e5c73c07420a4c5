/**
 * The whole prediction pipeline of one hall, pure and clocked by its input: each `step(snapshot)` runs the
 * detectors, keeps 30-minute trend windows of the points that have limits (rack inlets against 27 and 32 °C,
 * hottest GPUs, CDU supply, PDU load against the rack's rating), gives every finding its time to limit, raises a
 * `limit_forecast` where a trend reaches a limit soon without a named fault, and passes all of it through the
 * alarm book. The live service, the backtest and the bench all
 * drive this same class, so what a site tunes on its history is what runs.
 */
import type { PredictionConfig } from './config';
import { AlarmBook, type Lead, type Transition } from './alarms';
import { HallDetectors, type Finding, type Snapshot } from './detectors';
import { TrendWindow, type TimeToLimit } from './stats';
import { rackAsset, type WatchedHall } from './watched';

/** trend windows: 30 min of evaluations */
const TREND_SPAN_MS = 30 * 60_000;

/** A limit a point's trend is forecast against; a point may have several (an inlet: recommended, allowable). */
export interface PointLimit {
  value: number;
  /** "27 °C inlet", "130 kW PDU rating" */
  name: string;
  /** "A05 inlet" */
  label: string;
  /** the asset a `limit_forecast` names */
  asset: string;
  /** a `limit_forecast` needs the trend's level this close to the limit (its unit): 2 K, 10 % of a rating */
  near: number;
  /**
   * the signal moves in steps (a rack's load as jobs start and stop): a straight line over 30 minutes that holds
   * a step keeps rising long after the load has settled, so a forecast also needs the last 10 minutes alone to
   * reach the limit as soon, with a slope that is positive at the slow end of its 90 % interval
   */
  stepwise?: boolean;
}

/** the recent part of the window a stepwise limit's forecast must agree with */
const RECENT_MS = 10 * 60_000;

export class Predictor {
  readonly detectors: HallDetectors;
  alarms: AlarmBook;
  private readonly trends = new Map<string, TrendWindow>();
  /** per point, its limits in ascending order */
  private readonly limitOf = new Map<string, PointLimit[]>();
  private readonly forecastHold = new Map<string, number>();
  private readonly perMin: number;
  private readonly horizonMin: number;
  steps = 0;
  samples = 0;

  constructor(
    readonly hall: WatchedHall,
    readonly cfg: PredictionConfig,
  ) {
    this.perMin = 60_000 / cfg.cadence;
    this.horizonMin = cfg.horizon / 60_000;
    this.detectors = new HallDetectors(hall, {
      learnSamples: Math.max(30, Math.round(cfg.learn / cfg.cadence)),
      limits: cfg.limits,
      perMin: this.perMin,
    });
    this.alarms = new AlarmBook({
      floodCount: cfg.alarms.floodCount,
      floodWindowMs: cfg.alarms.floodWindow,
      maxShelveMs: cfg.alarms.maxShelve,
      reopenWithinMs: cfg.alarms.reopenWithin,
    });
    const cap = Math.ceil(TREND_SPAN_MS / cfg.cadence) + 2;
    const add = (id: string | undefined, l: PointLimit) => {
      if (!id) return;
      const list = this.limitOf.get(id) ?? [];
      list.push(l);
      list.sort((a, b) => a.value - b.value);
      this.limitOf.set(id, list);
    };
    const L = cfg.limits;
    for (const r of hall.racks) {
      const inlet = r.points['env/inlet_temp'];
      const label = `${r.rack} inlet`;
      add(inlet, { value: L.inletC, name: `${L.inletC} °C inlet`, label, asset: r.path, near: 2 });
      add(inlet, {
        value: L.inletAllowableC,
        name: `${L.inletAllowableC} °C inlet (allowable)`,
        label,
        asset: r.path,
        near: 2,
      });
      add(r.points['gpu/gpu_temp_max'] ?? r.points['gpu/temp'], {
        value: L.gpuC,
        name: `${L.gpuC} °C GPU throttle`,
        label: `${r.rack} GPU`,
        asset: rackAsset(r, 'gpu'),
        near: 2,
      });
      // PDU load against the rack's rating (site topology), when the site asks for it (limits.pduRatedShare);
      // racks without ratedKw have no such limit
      if (L.pduRatedShare !== undefined && r.ratedKw !== undefined && r.ratedKw > 0) {
        const kw = Math.round(r.ratedKw * L.pduRatedShare * 10) / 10;
        add(r.points['pdu/power'], {
          value: kw,
          name: `${kw} kW PDU rating${L.pduRatedShare === 1 ? '' : ` (${Math.round(L.pduRatedShare * 100)} % of ${r.ratedKw} kW)`}`,
          label: `${r.rack} PDU load`,
          asset: rackAsset(r, 'pdu'),
          near: 0.1 * kw,
          stepwise: true,
        });
      }
    }
    const cduSupply = hall.cdu?.points.supply_temp;
    if (hall.cdu)
      add(cduSupply, {
        value: L.cduSupplyC,
        name: `${L.cduSupplyC} °C CDU supply`,
        label: `${hall.cdu.label} supply`,
        asset: hall.cdu.path,
        near: 2,
      });
    for (const id of this.limitOf.keys()) this.trends.set(id, new TrendWindow(cap, TREND_SPAN_MS));
  }

  /** Forgets the alarms (not what the detectors learned): after a warm start, live alarms open as new events. */
  resetAlarms(): void {
    this.alarms = new AlarmBook(this.alarms.options);
  }

  /** One evaluation; returns the alarm transitions it caused. */
  step(s: Snapshot): Transition[] {
    this.steps++;
    this.samples += this.hall.pointIds.length;
    for (const [id, w] of this.trends) {
      const v = s.value(id);
      if (v === undefined) w.clear();
      else w.push(s.t, v);
    }
    const findings = this.detectors.evaluate(s);
    // a sensor at fault is not a trend to forecast: its own prediction says so
    const suspect = new Set(
      findings.filter((f) => f.diagnosis === 'sensor_drift' && f.pointId).map((f) => f.pointId as string),
    );
    const withLead = findings.map((f) => ({ f, lead: this.leadFor(f, suspect) }));
    withLead.push(...this.limitForecasts(findings, suspect));
    return this.alarms.update(s.t, withLead);
  }

  /**
   * Time to `limit` of a point's 30-minute trend (@default its first, lowest limit), or undefined (no trend, not
   * heading there within the horizon).
   */
  timeToLimit(pointId: string, limit?: number): TimeToLimit | undefined {
    const w = this.trends.get(pointId);
    const l = limit ?? this.limitOf.get(pointId)?.[0]?.value;
    if (!w || l === undefined) return undefined;
    return w.timeTo(l, this.horizonMin, { minSamples: Math.max(12, Math.round(this.perMin * 8)) });
  }

  /** the points with limits and their limits, ascending (the forecast query's default selection) */
  limits(): ReadonlyMap<string, readonly PointLimit[]> {
    return this.limitOf;
  }

  /**
   * The lead of a point towards the first of `limits` its trend has not reached yet; when it has passed all it
   * can reach, "at <the first passed> now". An inlet past 27 °C is thus forecast against 32 °C.
   */
  private leadTo(id: string, limits: readonly { value: number; name: string }[]): Lead | undefined {
    let passed: Lead | undefined;
    const label = this.limitOf.get(id)?.[0]?.label ?? id;
    for (const l of limits) {
      const t = this.timeToLimit(id, l.value);
      if (!t) continue;
      const lead = { ...t, limit: `${label} reaches ${l.name}`, pointId: id };
      if (t.mid > 0) return lead;
      passed ??= lead;
    }
    return passed;
  }

  /** the last RECENT_MS alone reach `l` within 15 min at the fast end, rising significantly (stepwise limits) */
  private recentAgrees(id: string, l: PointLimit): boolean {
    const r = this.trends
      .get(id)
      ?.timeTo(l.value, this.horizonMin, { lastMs: RECENT_MS, minSamples: Math.max(6, Math.round(this.perMin * 4)) });
    return r !== undefined && r.mid > 0 && r.lo <= 15 && r.hi < this.horizonMin * 4;
  }

  private leadFor(f: Finding, suspect: ReadonlySet<string>): Lead | undefined {
    // a sensor diagnosis forecasts the reading itself: when will it *read* the limit (what an operator sees)
    const ids =
      f.diagnosis === 'sensor_drift' && f.pointId && this.limitOf.has(f.pointId) ? [f.pointId] : (f.limit?.ids ?? []);
    let best: Lead | undefined;
    for (const id of ids) {
      if (suspect.has(id) && id !== f.pointId) continue;
      const own = this.limitOf.get(id) ?? [];
      // the finding's limit, then the point's higher ones
      const limits = f.limit
        ? [
            { value: f.limit.value, name: f.limit.name },
            ...own.filter((l) => l.value > (f.limit as { value: number }).value),
          ]
        : own;
      const t = this.leadTo(id, limits);
      if (t && (!best || t.mid < best.mid || (best.mid === 0 && t.mid > 0))) best = t;
    }
    return best;
  }

  /**
   * A trend that reaches one of its point's limits within 15 minutes at the fast end of its interval, its level
   * already within `near` of it, held for 2 minutes, on a point no finding covers: a prediction without a named
   * cause. Of several limits, the first the trend has not reached yet (27 °C, then 32 °C).
   */
  private limitForecasts(findings: readonly Finding[], suspect: ReadonlySet<string>): { f: Finding; lead: Lead }[] {
    const covered = new Set(findings.flatMap((f) => [...(f.limit?.ids ?? []), ...(f.pointId ? [f.pointId] : [])]));
    const out: { f: Finding; lead: Lead }[] = [];
    for (const [id, limits] of this.limitOf) {
      const level = this.trends.get(id)?.last();
      let hit: { l: PointLimit; t: TimeToLimit } | undefined;
      if (!covered.has(id) && !suspect.has(id) && level !== undefined)
        for (const l of limits) {
          const t = this.timeToLimit(id, l.value);
          if (t && t.mid > 0 && t.lo <= 15 && level >= l.value - l.near && (!l.stepwise || this.recentAgrees(id, l))) {
            hit = { l, t };
            break;
          }
        }
      const n = hit ? (this.forecastHold.get(id) ?? 0) + 1 : 0;
      this.forecastHold.set(id, n);
      if (n < 2 * this.perMin || !hit) continue;
      const { l, t } = hit;
      out.push({
        f: {
          asset: l.asset,
          label: l.label,
          diagnosis: 'limit_forecast',
          pointId: id,
          confidence: Math.min(0.9, 0.5 + 0.4 * (1 - t.lo / 15)),
          text: `${l.label} at ${level?.toFixed(1)}, rising ${t.slopePerMin.toFixed(2)} per minute`,
          evidence: [id],
        },
        lead: { ...t, limit: `${l.label} reaches ${l.name}`, pointId: id },
      });
    }
    return out;
  }
}
