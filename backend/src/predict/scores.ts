/**
 * Anomaly-score series: each asset with detectors gets a derived point `<asset path>/anomaly_score` (and, with
 * `prediction.scores.series: detector`, one `<asset path>/anomaly_score_<detector>` per detector), so Grafana
 * graphs scores with an ordinary `timeseries` query. Every `prediction.scores.every` (1 min) of data time the
 * prediction service writes each series' largest score since its last sample, through the ingest pipeline.
 *
 * The score is the EWMA's deviation from healthy in thresholds: 0 healthy, 1 the alarm threshold (an alarm also
 * needs its on-delay). Quality says how much of the asset was judged over the interval:
 * - `good`: every detector of the asset judged (normal or alarm) at every evaluation;
 * - `uncertain`: some did — the value is the largest of those that did (others learning or degraded);
 * - `bad`: none did (all learning or degraded): the value 0 means nothing, and queries leave the sample out.
 *
 * Pure: statuses in, samples out. The points are built from the detectors' own list, so they exist exactly for
 * the assets (and detectors) the site has inputs for.
 */
import type { Domain, Point, Quality, Sample } from '@plenum/model';
import type { SiteConfig } from '../config/load';
import type { PredictionConfig } from './config';
import { HallDetectors, type DetectorStatus } from './detectors';
import { watchHall } from './watched';

/** the signal of an asset's score series */
export const SCORE_SIGNAL = 'anomaly_score';
/** `source.connector` of the derived points: the prediction service writes them, no connector */
export const SCORE_CONNECTOR = 'predict';

export type ScoreSeriesMode = PredictionConfig['scores']['series'];

/** `anomaly_score_<detector>`: "filter ΔP per fan speed²" → anomaly_score_filter_dp_per_fan_speed2 */
export function detectorSignal(detector: string): string {
  const slug = detector
    .toLowerCase()
    .replace(/Δ/gi, 'd')
    .replace(/²/g, '2')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `${SCORE_SIGNAL}_${slug}`;
}

interface SeriesSpec {
  id: string;
  asset: string;
  /** unset: the asset's series (largest of its detectors) */
  detector?: string;
}

/** The score series of a detector list (`HallDetectors.status()`), in its order: per asset, then per detector. */
export function scoreSeries(status: readonly DetectorStatus[], mode: ScoreSeriesMode): SeriesSpec[] {
  if (mode === 'none') return [];
  const out: SeriesSpec[] = [];
  const assets = new Set<string>();
  for (const d of status)
    if (!assets.has(d.asset)) {
      assets.add(d.asset);
      out.push({ id: `${d.asset}/${SCORE_SIGNAL}`, asset: d.asset });
    }
  if (mode === 'detector')
    for (const d of status)
      out.push({ id: `${d.asset}/${detectorSignal(d.detector)}`, asset: d.asset, detector: d.detector });
  return out;
}

/**
 * The catalog points of the score series. Domain: that of most of the asset's own points (OT when it has none);
 * quantity `count` with no unit (a score is a ratio to its threshold, and the model has no dimensionless
 * quantity closer to it); tags `prediction, anomaly` (+ `detector` for per-detector series).
 */
export function scorePoints(
  siteId: string,
  status: readonly DetectorStatus[],
  mode: ScoreSeriesMode,
  points: readonly Point[],
): Point[] {
  const domains = new Map<string, Record<Domain, number>>();
  for (const p of points) {
    const asset = p.id.split('/').slice(0, 5).join('/');
    const c = domains.get(asset) ?? { IT: 0, OT: 0 };
    c[p.domain]++;
    domains.set(asset, c);
  }
  return scoreSeries(status, mode).map((s) => {
    const [, hall, row, rack, asset] = s.asset.split('/') as string[];
    const c = domains.get(s.asset);
    const label = rack && rack !== '-' ? `${rack} ${asset}` : (asset as string);
    return {
      id: s.id,
      name: `${label} anomaly score${s.detector ? `: ${s.detector}` : ''}`,
      domain: c && c.IT > c.OT ? 'IT' : 'OT',
      quantity: 'count',
      unit: '',
      grafanaUnit: 'short',
      valueType: 'number',
      kind: 'measurement',
      writable: false,
      location: {
        site: siteId,
        ...(hall && hall !== '-' && { hall }),
        ...(row && row !== '-' && { row }),
        ...(rack && rack !== '-' && { rack }),
        ...(asset && { asset }),
      },
      tags: ['prediction', 'anomaly', ...(s.detector ? ['detector'] : [])],
      source: { connector: SCORE_CONNECTOR, source: 'prediction', address: s.detector ?? SCORE_SIGNAL },
      min: 0,
    };
  });
}

/**
 * The derived points a site config's prediction section gives (none without one, or with `scores.series:
 * none`): what the backend adds to its catalog and historian at start, before the prediction service runs.
 */
export function scorePointsOf(config: Pick<SiteConfig, 'site' | 'points' | 'prediction'>): Point[] {
  if (!config.prediction || config.prediction.scores.series === 'none') return [];
  const cfg = config.prediction;
  const hall = watchHall(
    config.site,
    config.points.map((p) => p.id),
    cfg,
  );
  // which detectors exist depends only on the points, not on learning or the cadence
  const status = new HallDetectors(hall, { learnSamples: 1, limits: cfg.limits, perMin: 6 }).status();
  return scorePoints(config.site.id, status, cfg.scores.series, config.points);
}

/**
 * Accumulates statuses evaluation by evaluation and gives each series its sample every `everyMs` (aligned to
 * multiples of it): the largest score since the last sample, and its quality (above).
 */
export class ScoreAccumulator {
  readonly series: SeriesSpec[];
  /** per status index, its asset series and its detector series (or -1) */
  private readonly assetOf: number[];
  private readonly detectorOf: number[];
  private readonly max: Float64Array;
  /** per series: evaluations × detectors seen, and how many of them judged */
  private readonly seen: Uint32Array;
  private readonly judged: Uint32Array;
  private nextAt = -Infinity;

  constructor(
    status: readonly DetectorStatus[],
    mode: ScoreSeriesMode,
    private readonly everyMs: number,
  ) {
    this.series = scoreSeries(status, mode);
    const index = new Map(this.series.map((s, i) => [`${s.asset}|${s.detector ?? ''}`, i]));
    this.assetOf = status.map((d) => index.get(`${d.asset}|`) ?? -1);
    this.detectorOf = status.map((d) => index.get(`${d.asset}|${d.detector}`) ?? -1);
    this.max = new Float64Array(this.series.length);
    this.seen = new Uint32Array(this.series.length);
    this.judged = new Uint32Array(this.series.length);
  }

  /** One evaluation's statuses (same detectors, same order as at construction); the samples due at `t`. */
  observe(t: number, status: readonly DetectorStatus[]): Sample[] {
    if (this.series.length === 0) return [];
    if (this.nextAt === -Infinity) this.nextAt = Math.floor(t / this.everyMs) * this.everyMs + this.everyMs;
    status.forEach((d, k) => {
      const judging = d.state === 'normal' || d.state === 'alarm';
      for (const i of [this.assetOf[k] as number, this.detectorOf[k] as number]) {
        if (i < 0) continue;
        this.seen[i] = (this.seen[i] as number) + 1;
        if (!judging) continue;
        this.judged[i] = (this.judged[i] as number) + 1;
        if (Number.isFinite(d.score) && d.score > (this.max[i] as number)) this.max[i] = d.score;
      }
    });
    if (t < this.nextAt) return [];
    this.nextAt = Math.floor(t / this.everyMs) * this.everyMs + this.everyMs;
    const out = this.series.map((s, i): Sample => {
      const seen = this.seen[i] as number;
      const judged = this.judged[i] as number;
      const quality: Quality = judged === 0 ? 'bad' : judged === seen ? 'good' : 'uncertain';
      return { pointId: s.id, ts: t, value: Math.round((this.max[i] as number) * 1000) / 1000, quality };
    });
    this.max.fill(0);
    this.seen.fill(0);
    this.judged.fill(0);
    return out;
  }
}
