/**
 * The whole prediction pipeline of one hall, pure and clocked by its input: each `step(snapshot)` runs the
 * detectors, keeps 30-minute trend windows of the points that have limits (rack inlets, hottest GPUs, CDU supply),
 * gives every finding its time to limit, raises a `limit_forecast` where a trend reaches a limit soon without a
 * named fault, and passes all of it through the alarm book. The live service, the backtest and the bench all
 * drive this same class, so what a site tunes on its history is what runs.
 */
import type { PredictionConfig } from './config';
import { AlarmBook, type Lead, type Transition } from './alarms';
import { HallDetectors, type Finding, type Snapshot } from './detectors';
import { TrendWindow, type TimeToLimit } from './stats';
import type { WatchedHall } from './watched';

/** trend windows: 30 min of evaluations */
const TREND_SPAN_MS = 30 * 60_000;

export class Predictor {
  readonly detectors: HallDetectors;
  alarms: AlarmBook;
  private readonly trends = new Map<string, TrendWindow>();
  private readonly limitOf = new Map<string, { value: number; name: string; label: string; asset: string }>();
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
    for (const r of hall.racks) {
      const inlet = r.points['env/inlet_temp'];
      if (inlet)
        this.limitOf.set(inlet, {
          value: cfg.limits.inletC,
          name: `${cfg.limits.inletC} °C inlet`,
          label: `${r.rack} inlet`,
          asset: r.path,
        });
      const gpu = r.points['gpu/gpu_temp_max'] ?? r.points['gpu/temp'];
      if (gpu)
        this.limitOf.set(gpu, {
          value: cfg.limits.gpuC,
          name: `${cfg.limits.gpuC} °C GPU throttle`,
          label: `${r.rack} GPU`,
          asset: r.path.replace(/\/env$/, '/gpu'),
        });
    }
    const cduSupply = hall.cdu?.points.supply_temp;
    if (cduSupply && hall.cdu)
      this.limitOf.set(cduSupply, {
        value: cfg.limits.cduSupplyC,
        name: `${cfg.limits.cduSupplyC} °C CDU supply`,
        label: `${hall.cdu.label} supply`,
        asset: hall.cdu.path,
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

  /** Time to `limit` of a point's 30-minute trend, or undefined (no trend, not heading there within the horizon). */
  timeToLimit(pointId: string, limit?: number): TimeToLimit | undefined {
    const w = this.trends.get(pointId);
    const l = limit ?? this.limitOf.get(pointId)?.value;
    if (!w || l === undefined) return undefined;
    return w.timeTo(l, this.horizonMin, { minSamples: Math.max(12, Math.round(this.perMin * 8)) });
  }

  /** the points with limits and their limits (the forecast query's default selection) */
  limits(): ReadonlyMap<string, { value: number; name: string; label: string; asset: string }> {
    return this.limitOf;
  }

  private leadFor(f: Finding, suspect: ReadonlySet<string>): Lead | undefined {
    // a sensor diagnosis forecasts the reading itself: when will it *read* the limit (what an operator sees)
    const ids =
      f.diagnosis === 'sensor_drift' && f.pointId && this.limitOf.has(f.pointId) ? [f.pointId] : (f.limit?.ids ?? []);
    let best: Lead | undefined;
    for (const id of ids) {
      if (suspect.has(id) && id !== f.pointId) continue;
      const t = this.timeToLimit(id, f.limit?.value);
      if (t && (!best || t.mid < best.mid))
        best = {
          ...t,
          limit: `${this.limitOf.get(id)?.label ?? id} reaches ${f.limit?.name ?? this.limitOf.get(id)?.name}`,
          pointId: id,
        };
    }
    return best;
  }

  /**
   * A trend that reaches its limit within 15 minutes at the fast end of its interval, already within 2 K of it,
   * held for 2 minutes, on a point no finding covers: a prediction without a named cause.
   */
  private limitForecasts(findings: readonly Finding[], suspect: ReadonlySet<string>): { f: Finding; lead: Lead }[] {
    const covered = new Set(findings.flatMap((f) => [...(f.limit?.ids ?? []), ...(f.pointId ? [f.pointId] : [])]));
    const out: { f: Finding; lead: Lead }[] = [];
    for (const [id, l] of this.limitOf) {
      const t = covered.has(id) || suspect.has(id) ? undefined : this.timeToLimit(id);
      const level = this.trends.get(id)?.last();
      const near = t !== undefined && level !== undefined && t.lo <= 15 && level >= l.value - 2 && t.mid > 0;
      const n = near ? (this.forecastHold.get(id) ?? 0) + 1 : 0;
      this.forecastHold.set(id, n);
      if (n < 2 * this.perMin || !t) continue;
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
