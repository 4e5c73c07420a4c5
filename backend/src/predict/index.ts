/**
 * Prediction wired to a running backend: every `cadence` of the run's clock, the latest good and fresh sample of
 * each watched point (historian) goes to the predictor; its alarm transitions become `prediction` events (one per
 * asset and diagnosis, rewritten as it evolves, closed with `timeEnd`), Alertmanager alerts and webhooks, and
 * every `scores.every` the anomaly-score series (scores.ts) go through the ingest pipeline into the historian. An
 * exception in one evaluation is logged and the next runs: prediction never takes the backend down.
 */
import type { NewEvent } from '@plenum/model';
import type { Catalog } from '../catalog/catalog';
import type { Clock } from '../common/clock';
import { errorMessage } from '../common/errors';
import type { SiteConfig } from '../config/load';
import type { EventStore } from '../events/event-store';
import type { Historian } from '../historian/types';
import { IngestPipeline } from '../ingest/pipeline';
import { AutomationSchema } from '../automation/config';
import type { PredictionInfo } from '../automation/decider';
import { Notifier } from '../automation/notify';
import { leadText, type Alarm, type Transition } from './alarms';
import { AlertmanagerSink, type PredictionAlert } from './alertmanager';
import { PredictionSchema, type PredictionConfig } from './config';
import { DIAGNOSES } from './diagnoses';
import type { Snapshot } from './detectors';
import { Predictor } from './predictor';
import { replay } from './backtest';
import { watchHall } from './watched';
import { SCORE_CONNECTOR, ScoreAccumulator } from './scores';

export interface PredictionDeps {
  config: SiteConfig;
  clock: Clock;
  historian: Historian;
  events: EventStore;
  catalog: Catalog;
  /** where the anomaly-score series are written (the backend's own, so stream and metrics see them); @default a
   * pipeline of its own over `historian` */
  ingest?: IngestPipeline;
  log(message: string): void;
}

/** The snapshot of the watched points now: good quality and younger than staleAfter, else missing. */
export function historianSnapshot(h: Historian, ids: string[], t: number, staleAfterMs: number): Snapshot {
  const latest = h.latest(ids);
  return {
    t,
    value(id) {
      const s = latest.get(id);
      if (!s || s.quality !== 'good' || typeof s.value !== 'number' || t - s.ts > staleAfterMs) return undefined;
      return s.value;
    },
  };
}

/** What an event and the API say about an alarm (`data` of the prediction event). */
export function alarmData(a: Alarm): Record<string, unknown> {
  return {
    key: a.key,
    asset: a.asset,
    diagnosis: a.diagnosis,
    state: a.closedAt === undefined ? 'open' : 'closed',
    confidence: Math.round(a.confidence * 100) / 100,
    evidence: a.evidence,
    action: a.action,
    cause: DIAGNOSES[a.diagnosis].cause,
    ...(a.pointId && { pointId: a.pointId }),
    ...(a.lead && {
      lead: {
        minutes: round1(a.lead.mid),
        lo: round1(a.lead.lo),
        hi: round1(a.lead.hi),
        limit: a.lead.limit,
        pointId: a.lead.pointId,
        text: leadText(a.lead),
      },
    }),
    ...(a.acked && { acked: a.acked }),
    ...(a.shelvedUntil !== undefined && { shelvedUntil: a.shelvedUntil }),
    suppressed: a.suppressed,
    reopens: a.reopens,
  };
}
const round1 = (x: number) => Math.round(x * 10) / 10;

export class PredictionService {
  readonly predictor: Predictor;
  readonly cfg: PredictionConfig;
  /** the site's settings as written (the live predictor's cadence may be stretched by a fast clock) */
  readonly baseConfig: PredictionConfig;
  private timer?: NodeJS.Timeout;
  private readonly wallMs: number;
  private readonly sink?: AlertmanagerSink;
  private readonly notifier: Notifier;
  private closedSince: Alarm[] = [];
  private lastT = -Infinity;
  private readonly scores: ScoreAccumulator;
  private readonly ingest: IngestPipeline;
  private writing: Promise<void> = Promise.resolve();
  /** evaluations that threw (logged); for health */
  errors = 0;

  constructor(private readonly d: PredictionDeps) {
    const cfg = d.config.prediction ?? PredictionSchema.parse({});
    this.baseConfig = cfg;
    // under a fast clock the timer fires at most once a wall second: the detectors' delays and learning are
    // counted in evaluations, so they are told the cadence they really get (data time between evaluations)
    this.wallMs = Math.max(1000, d.clock.toWallMs(cfg.cadence));
    const stretch = this.wallMs / d.clock.toWallMs(cfg.cadence);
    // and samples age as fast: connectors still poll every few wall seconds, so staleAfter stretches alike
    this.cfg = { ...cfg, cadence: Math.round(cfg.cadence * stretch), staleAfter: Math.round(cfg.staleAfter * stretch) };
    const hall = watchHall(
      d.config.site,
      // the score series are this service's output, not a detector's input
      d.catalog
        .all()
        .filter((p) => p.source.connector !== SCORE_CONNECTOR)
        .map((p) => p.id),
      this.cfg,
    );
    this.predictor = new Predictor(hall, this.cfg);
    this.scores = new ScoreAccumulator(this.predictor.detectors.status(), cfg.scores.series, cfg.scores.every);
    this.ingest = d.ingest ?? new IngestPipeline(d.historian, [], () => d.clock.now(), d.clock.describe());
    // idempotent; the backend registers them at start with the catalog (scorePointsOf)
    d.historian.ensurePoints(this.scores.series.map((s) => ({ id: s.id, valueType: 'number' })));
    const now = () => d.clock.now();
    if (this.cfg.alertmanager) {
      const a = this.cfg.alertmanager;
      this.sink = new AlertmanagerSink(
        {
          url: a.url,
          resendMs: a.resend,
          timeoutMs: a.timeout,
          labels: a.labels,
          ...(a.generatorUrl && { generatorUrl: a.generatorUrl }),
        },
        { now, log: d.log },
      );
    }
    this.notifier = new Notifier({
      config: AutomationSchema.parse({}),
      addEvent: (e: Omit<NewEvent, 'time'>) => void d.events.add({ ...e, time: now(), source: 'predict' }),
      now,
      log: d.log,
    });
  }

  start(): void {
    // warm start: the detectors learn from the stored history before now (a restart costs no learning time);
    // what the replay would have raised is forgotten, live alarms open as new events
    const t = this.d.clock.now();
    try {
      const n = replay(this.predictor, this.d.historian, t - this.cfg.learn - 10 * 60_000, t - this.cfg.cadence);
      this.predictor.resetAlarms();
      const learning = this.predictor.detectors.status().filter((x) => x.state === 'learning').length;
      this.d.log(
        `prediction: warm start from ${n} evaluations of stored history; ${learning} detectors still learning`,
      );
    } catch (err) {
      this.d.log(`prediction: warm start failed, learning from live data — ${errorMessage(err)}`);
    }
    // one evaluation per cadence of the run's clock (at most one a wall second under a fast clock)
    this.timer = setInterval(() => this.tick(), this.wallMs);
    this.timer.unref();
  }

  /** One evaluation now; public for tests. Never throws. */
  tick(): Transition[] {
    try {
      const t = this.d.clock.now();
      if (t <= this.lastT) return [];
      this.lastT = t;
      const snap = historianSnapshot(this.d.historian, this.predictor.hall.pointIds, t, this.cfg.staleAfter);
      const tr = this.predictor.step(snap);
      for (const x of tr) this.record(x, t);
      this.syncAlerts();
      this.writeScores(t);
      return tr;
    } catch (err) {
      this.errors++;
      this.d.log(`prediction: evaluation failed — ${errorMessage(err)}`);
      return [];
    }
  }

  ack(eventId: number, by: string): Alarm {
    const a = this.predictor.alarms.ack(eventId, by, this.d.clock.now());
    this.rewrite(a);
    return a;
  }

  shelve(eventId: number, forMs: number, by: string): Alarm {
    const a = this.predictor.alarms.shelve(eventId, forMs, this.d.clock.now());
    a.acked ??= { by, at: this.d.clock.now() };
    this.rewrite(a);
    this.syncAlerts();
    return a;
  }

  unshelve(eventId: number): Alarm {
    const a = this.predictor.alarms.unshelve(eventId);
    this.rewrite(a);
    this.syncAlerts();
    return a;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([this.sink?.close(), this.notifier.close(), this.writing]);
  }

  /** resolves once the score samples handed to the ingest pipeline so far are stored (tests) */
  scoresWritten(): Promise<void> {
    return this.writing;
  }

  private writeScores(t: number): void {
    if (!this.scores.series.length) return;
    const samples = this.scores.observe(t, this.predictor.detectors.status());
    if (!samples.length) return;
    const write = this.ingest.store(samples).then(
      (r) => {
        if (r.rejected.length)
          this.d.log(
            `prediction: ${r.rejected.length} anomaly-score samples refused, first ${r.rejected[0]!.pointId}: ${r.rejected[0]!.reason}`,
          );
      },
      (err) => this.d.log(`prediction: anomaly scores not stored — ${errorMessage(err)}`),
    );
    this.writing = this.writing.then(() => write);
  }

  private record(x: Transition, t: number): void {
    const a = x.alarm;
    const tags = ['prediction', a.diagnosis, ...(a.suppressed ? ['suppressed'] : [])];
    if (x.kind === 'open') {
      const parts = a.asset.split('/');
      const e = this.d.events.add({
        time: a.since,
        type: 'prediction',
        severity: a.severity,
        title: a.title,
        text: a.text,
        location: {
          site: parts[0] as string,
          hall: parts[1] as string,
          ...(parts[2] !== '-' && { row: parts[2] }),
          ...(parts[3] !== '-' && { rack: parts[3] }),
          asset: parts[4] as string,
        },
        ...(a.pointId && { pointId: a.pointId }),
        tags,
        source: 'predict',
        data: alarmData(a),
      });
      a.eventId = e.id;
    } else if (a.eventId !== undefined) {
      this.d.events.update(a.eventId, {
        severity: a.severity,
        title: a.title,
        text: a.text,
        tags,
        data: alarmData(a),
        timeEnd: x.kind === 'close' ? t : undefined,
      });
      if (x.kind === 'close') this.closedSince.push(a);
    }
    if (this.cfg.webhook && !a.suppressed)
      this.notifier.webhook(this.cfg.webhook, 'prediction', {
        kind: x.kind,
        eventId: a.eventId,
        title: a.title,
        severity: a.severity,
        ...alarmData(a),
      });
  }

  private rewrite(a: Alarm): void {
    if (a.eventId !== undefined) this.d.events.update(a.eventId, { data: alarmData(a) });
  }

  private syncAlerts(): void {
    if (!this.sink) return;
    const site = this.d.config.site.id;
    const toAlert = (a: Alarm): PredictionAlert => {
      const [, hall, row, rack, asset] = a.asset.split('/');
      return {
        key: a.key,
        asset: a.asset,
        diagnosis: a.diagnosis,
        severity: a.severity,
        title: a.title,
        text: a.text,
        action: a.action,
        location: { site, hall, ...(row !== '-' && { row }), ...(rack !== '-' && { rack }), asset },
        since: a.since,
        ...(a.closedAt !== undefined && { endedAt: a.closedAt }),
        eventId: a.eventId ?? 0,
        ...(a.lead && { lead: { mid: a.lead.mid, lo: a.lead.lo, hi: a.lead.hi, limit: a.lead.limit } }),
      };
    };
    const shown = this.predictor.alarms.annunciated();
    // shelved and suppressed alarms are resolved at Alertmanager too (an operator's shelve silences the page)
    const hidden = this.predictor.alarms
      .list()
      .filter((a) => !shown.includes(a))
      .map((a) => ({ ...toAlert(a), endedAt: this.d.clock.now() }));
    this.sink.sync(shown.map(toAlert), [...this.closedSince.map(toAlert), ...hidden]);
    this.closedSince = [];
  }

  /** the annunciated predictions as automation rules see them (prediction triggers) */
  openForRules(): PredictionInfo[] {
    return this.predictor.alarms.annunciated().map((a) => ({
      asset: a.asset,
      diagnosis: a.diagnosis,
      severity: a.severity,
      title: a.title,
      ...(a.lead && { leadMin: a.lead.mid }),
      ...((a.lead?.pointId ?? a.pointId) && { pointId: a.lead?.pointId ?? a.pointId }),
    }));
  }

  /** for GET /api/predictions */
  status() {
    const t = this.d.clock.now();
    const detectors = this.predictor.detectors.status();
    const learning = detectors.filter((d) => d.state === 'learning');
    return {
      now: t,
      cadenceMs: this.cfg.cadence,
      flood: this.predictor.alarms.flood,
      predictions: this.predictor.alarms.list().map((a) => ({
        eventId: a.eventId,
        since: a.since,
        severity: a.severity,
        title: a.title,
        text: a.text,
        ...alarmData(a),
      })),
      learning: {
        detectors: learning.length,
        of: detectors.length,
        // at the cadence: how long until the last detector has seen enough healthy input
        remainingMs: Math.max(0, ...learning.map((d) => d.learningLeft)) * this.cfg.cadence,
      },
      detectors,
      scores: Object.fromEntries(this.predictor.detectors.scores()),
      errors: this.errors,
    };
  }
}

export function startPrediction(d: PredictionDeps): PredictionService {
  const s = new PredictionService(d);
  s.start();
  return s;
}
