import type { DataFrameJSON } from './dataframe';
import type { EventType, Severity } from './event';
import type { Domain, PointKind } from './point';
import type { Quantity } from './units';

/**
 * The query contract of `POST /api/query`: Grafana's request shape in, `{results: {refId: {frames, error}}}`
 * out. `queryType` keys the union; one bad query yields an error on its own refId, never a failed batch.
 */

export type QueryType = PlenumQuery['queryType'];

export const QUERY_TYPES: readonly QueryType[] = [
  'timeseries',
  'latest',
  'rackLayout',
  'events',
  'catalog',
  'sources',
  'forecast',
  'predictions',
];

export type Aggregate = 'avg' | 'min' | 'max' | 'sum' | 'last' | 'p95';

export const AGGREGATES: readonly Aggregate[] = ['avg', 'min', 'max', 'sum', 'last', 'p95'];

export type GroupBy = 'point' | 'asset' | 'rack' | 'row' | 'hall';

export const GROUP_BYS: readonly GroupBy[] = ['point', 'asset', 'rack', 'row', 'hall'];

/** Which stored resolution answers a timeseries query; `auto` picks the coarsest that still fills the pixels. */
export type Resolution = 'auto' | 'raw' | '1m' | '1h';

export const RESOLUTIONS: readonly Resolution[] = ['auto', 'raw', '1m', '1h'];

/**
 * Picks points. Every set field narrows the result (AND); values inside one field are alternatives (OR).
 * `ids` are globs over point ids (`*` within a segment, `**` across segments). An empty selector selects all.
 */
export interface Selector {
  ids?: string[];
  hall?: string[];
  row?: string[];
  rack?: string[];
  asset?: string[];
  quantity?: Quantity[];
  domain?: Domain[];
  kind?: PointKind[];
  /** every listed tag must be present */
  tags?: string[];
  /** case-insensitive substring of id or name */
  text?: string;
}

interface QueryBase {
  refId: string;
  hide?: boolean;
}

export interface TimeseriesQuery extends QueryBase {
  queryType: 'timeseries';
  selector: Selector;
  /** how samples inside one bucket and across a group combine, @default 'avg' */
  aggregate?: Aggregate;
  /** @default 'point' */
  groupBy?: GroupBy;
  /** display name template: `{{rack}} {{quantity}}`; keys: id, name, site, hall, row, rack, asset, quantity, unit, signal */
  alias?: string;
  /** @default 'auto' */
  resolution?: Resolution;
}

export interface LatestQuery extends QueryBase {
  queryType: 'latest';
  selector: Selector;
  /** @default 'point' */
  groupBy?: GroupBy;
  /** combines the latest values of a group, @default 'avg' */
  aggregate?: Aggregate;
  alias?: string;
  /**
   * only the points that need attention — latest sample bad or uncertain, older than `staleAfterMs`, or none at
   * all — as one table with a `problem` column (for data-quality dashboards); ignores groupBy
   */
  problemsOnly?: boolean;
  /** a latest sample older than this is stale, ms, @default 300000 (5 min) */
  staleAfterMs?: number;
}

export interface RackLayoutQuery extends QueryBase {
  queryType: 'rackLayout';
  /** halls to draw; all when unset */
  hall?: string[];
  /** values per rack: latest of the points selected here, combined per rack by `aggregate` */
  selector?: Selector;
  /** @default 'avg' ('sum' for headroom) */
  aggregate?: Aggregate;
  /**
   * `value`: the combined latest value per rack; `headroom`: the rack's rated kW minus its combined power (needs
   * power points; racks without a rating get no value). @default 'value'
   */
  measure?: RackMeasure;
}

export type RackMeasure = 'value' | 'headroom';

export const RACK_MEASURES: readonly RackMeasure[] = ['value', 'headroom'];

export interface EventsQuery extends QueryBase {
  queryType: 'events';
  types?: EventType[];
  severity?: Severity[];
  hall?: string[];
  rack?: string[];
  tags?: string[];
  text?: string;
  /** only events still open (no end yet: running jobs, unresolved alarms), whenever they started */
  open?: boolean;
  /** @default 1000, at most 10000 */
  limit?: number;
}

export interface CatalogQuery extends QueryBase {
  queryType: 'catalog';
  selector: Selector;
  /** @default 1000, at most 10000 */
  limit?: number;
}

/** The backend's sources (connectors) with their state, last error and ingest rate, for health dashboards. */
export interface SourcesQuery extends QueryBase {
  queryType: 'sources';
}

/**
 * Trend forecasts to a limit, for the points selected: per point a frame with the recent history (`value`), the
 * straight-line forecast over the next `horizonMs` (`forecast`) and its 90 % prediction band (`lower`, `upper`);
 * frame meta `custom.timeToLimit` says when the forecast reaches `limit` within the horizon (minutes, with its
 * interval). The `top`
 * points soonest to the limit come first. Fitted on the raw history ending at the range's end.
 */
export interface ForecastQuery extends QueryBase {
  queryType: 'forecast';
  selector: Selector;
  /** the limit, canonical unit, @default none (no time to limit) */
  limit?: number;
  /** @default 3600000 (1 h) */
  horizonMs?: number;
  /** the history the line is fitted on, @default 1800000 (30 min) */
  windowMs?: number;
  /** at most this many points, soonest to the limit first, @default 10 */
  top?: number;
  alias?: string;
}

/**
 * The prediction detectors as tables: `detectors` lists every detector with its state (learning, normal, alarm,
 * degraded), what it still needs and its anomaly score (1 = its alarm threshold); `scores` one row per asset with
 * its largest score. Empty when the backend has no `prediction:` section.
 */
export interface PredictionsQuery extends QueryBase {
  queryType: 'predictions';
  /** @default 'scores' */
  output?: 'scores' | 'detectors';
}

export type PlenumQuery =
  | TimeseriesQuery
  | LatestQuery
  | RackLayoutQuery
  | EventsQuery
  | CatalogQuery
  | SourcesQuery
  | ForecastQuery
  | PredictionsQuery;

/** Epoch ms, or anything Grafana serialises a time as: an ISO 8601 string or a numeric string. */
export type TimeValue = number | string;

export interface QueryRequest {
  range: { from: TimeValue; to: TimeValue };
  /** pixels the panel can show; timeseries are downsampled to at most this many buckets, @default 1000 */
  maxDataPoints?: number;
  /** Grafana's suggested interval in ms; a lower bound on the bucket width */
  intervalMs?: number;
  queries: PlenumQuery[];
}

export interface DataResponse {
  frames: DataFrameJSON[];
  error?: string;
  /** Grafana 9.4+ reads `status`; 400 for query errors, 500 for internal ones */
  status?: number;
}

export interface QueryResponse {
  results: Record<string, DataResponse>;
}

export function isTimeseriesQuery(q: PlenumQuery): q is TimeseriesQuery {
  return q.queryType === 'timeseries';
}
export function isLatestQuery(q: PlenumQuery): q is LatestQuery {
  return q.queryType === 'latest';
}
export function isRackLayoutQuery(q: PlenumQuery): q is RackLayoutQuery {
  return q.queryType === 'rackLayout';
}
export function isEventsQuery(q: PlenumQuery): q is EventsQuery {
  return q.queryType === 'events';
}
export function isCatalogQuery(q: PlenumQuery): q is CatalogQuery {
  return q.queryType === 'catalog';
}
export function isSourcesQuery(q: PlenumQuery): q is SourcesQuery {
  return q.queryType === 'sources';
}
export function isForecastQuery(q: PlenumQuery): q is ForecastQuery {
  return q.queryType === 'forecast';
}

/**
 * Version of the HTTP API's contract (`/api/query`, `/api/stream`, `/api/points`), reported by `/api/health` as
 * `apiVersion`. The datasource refuses a backend with another one ("version mismatch") instead of drawing wrong.
 */
export const API_VERSION = 1;
