import type { DataSourceJsonData } from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import type { Aggregate, EventType, GroupBy, RackMeasure, Resolution, Severity } from '@plenum/model';

/**
 * The saved query model of `plenum-itot-datasource`: a union keyed by `queryType`, mirroring the backend's
 * query contract (`@plenum/model` `PlenumQuery`) but with every list as strings, because a dashboard may put a
 * template variable (`$rack`) where the backend expects an enum. Fields here and not in the backend's contract
 * (`live`, `schemaVersion`) are stripped before a query leaves the browser (see `data/request.ts`).
 */

/** Saved shape version; bump it and add a step to `data/migrations.ts` when the model changes. */
export const QUERY_SCHEMA_VERSION = 1;

/** Picks points: every set field narrows (AND), values inside a field are alternatives (OR). */
export interface PointSelector {
  /** point-id globs: `*` within a segment, `**` across */
  ids?: string[];
  hall?: string[];
  row?: string[];
  rack?: string[];
  asset?: string[];
  /** temperature, power, flow, … (the backend names an unknown one) */
  quantity?: string[];
  /** IT | OT */
  domain?: string[];
  /** measurement | setpoint | status | command */
  kind?: string[];
  /** every tag must be present */
  tags?: string[];
  /** case-insensitive substring of id or name */
  text?: string;
}

interface Base extends DataQuery {
  /** @default QUERY_SCHEMA_VERSION once saved by this plugin */
  schemaVersion?: number;
}

export interface TimeseriesQuery extends Base {
  queryType: 'timeseries';
  selector: PointSelector;
  /** @default 'avg' */
  aggregate?: Aggregate;
  /** @default 'point' */
  groupBy?: GroupBy;
  /** display name template, e.g. `{{rack}} {{quantity}}` */
  alias?: string;
  /** @default 'auto' */
  resolution?: Resolution;
  /** keep the panel updating from `/api/stream` (about every second) without re-querying history */
  live?: boolean;
}

export interface LatestQuery extends Base {
  queryType: 'latest';
  selector: PointSelector;
  /** @default 'point' */
  groupBy?: GroupBy;
  /** @default 'avg' */
  aggregate?: Aggregate;
  alias?: string;
  live?: boolean;
  /** only bad, uncertain, stale or missing latest values, as one table with a `problem` column */
  problemsOnly?: boolean;
  /** older than this is stale, ms, @default 300000 */
  staleAfterMs?: number;
}

export interface RackLayoutQuery extends Base {
  queryType: 'rackLayout';
  /** halls to draw; all when unset */
  hall?: string[];
  /** the values per rack: latest of these points, combined per rack */
  selector?: PointSelector;
  /** @default 'avg' ('sum' for headroom) */
  aggregate?: Aggregate;
  /** `headroom`: rated kW minus the rack's power. @default 'value' */
  measure?: RackMeasure;
  live?: boolean;
}

export interface EventsQuery extends Base {
  queryType: 'events';
  types?: EventType[];
  severity?: Severity[];
  hall?: string[];
  rack?: string[];
  tags?: string[];
  text?: string;
  /** only events without an end (running jobs, unresolved alarms), whenever they started */
  open?: boolean;
  /** @default 1000 */
  limit?: number;
}

export interface CatalogQuery extends Base {
  queryType: 'catalog';
  selector: PointSelector;
  /** @default 1000 */
  limit?: number;
}

/** The backend's sources (connectors): state, last error, ingest rate. */
export interface SourcesQuery extends Base {
  queryType: 'sources';
}

/**
 * Straight-line forecasts of the selected points to a limit: per point a frame with its history (`value`), the
 * forecast and its 90 % band (`lower`, `upper`); frame meta `custom.timeToLimit` when the limit is reached within
 * the horizon. The `top` points soonest to the limit come first.
 */
export interface ForecastQuery extends Base {
  queryType: 'forecast';
  selector: PointSelector;
  /** the limit, in the points' canonical unit (°C, kW, …); no time to limit when unset */
  limit?: number;
  /** how far ahead, ms, @default 3600000 (1 h); the backend takes 1 min … 7 days */
  horizonMs?: number;
  /** the history the line is fitted on, ms, @default 1800000 (30 min); the backend takes 1 min … 1 day */
  windowMs?: number;
  /** at most this many points, soonest to the limit first, @default 10 (1 … 200) */
  top?: number;
  alias?: string;
}

export type PredictionsOutput = 'scores' | 'detectors';

export const PREDICTIONS_OUTPUTS: readonly PredictionsOutput[] = ['scores', 'detectors'];

/** The prediction detectors as a table: the largest anomaly score per asset, or every detector with its state. */
export interface PredictionsQuery extends Base {
  queryType: 'predictions';
  /** @default 'scores' */
  output?: PredictionsOutput;
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

/**
 * The query types this plugin knows, from its own union (so a type added there must be added to `QUERY_TYPES` and
 * every switch over it), rather than `@plenum/model`'s `QueryType` list.
 */
export type QueryType = PlenumQuery['queryType'];

/** A query before Grafana gives it a refId (distributes over the union, unlike a plain Omit). */
export type NewQuery = PlenumQuery extends infer T ? (T extends PlenumQuery ? Omit<T, 'refId'> : never) : never;

export type LiveQuery = TimeseriesQuery | LatestQuery | RackLayoutQuery;

export const isTimeseries = (q: PlenumQuery): q is TimeseriesQuery => q.queryType === 'timeseries';
export const isLatest = (q: PlenumQuery): q is LatestQuery => q.queryType === 'latest';
export const isRackLayout = (q: PlenumQuery): q is RackLayoutQuery => q.queryType === 'rackLayout';
export const isEvents = (q: PlenumQuery): q is EventsQuery => q.queryType === 'events';
export const isCatalog = (q: PlenumQuery): q is CatalogQuery => q.queryType === 'catalog';
export const isForecast = (q: PlenumQuery): q is ForecastQuery => q.queryType === 'forecast';
export const isPredictions = (q: PlenumQuery): q is PredictionsQuery => q.queryType === 'predictions';
export const isLive = (q: PlenumQuery): q is LiveQuery =>
  (isTimeseries(q) || isLatest(q) || isRackLayout(q)) && q.live === true;

/** One row per query type: what the editor offers and what a new query of that type starts as. */
export const QUERY_TYPES: ReadonlyArray<{
  value: QueryType;
  label: string;
  description: string;
  defaultQuery: NewQuery;
}> = [
  {
    value: 'timeseries',
    label: 'Time series',
    description: 'History of the selected points, downsampled to the panel width, optionally grouped',
    defaultQuery: { queryType: 'timeseries', selector: {}, aggregate: 'avg', groupBy: 'point' },
  },
  {
    value: 'latest',
    label: 'Latest',
    description: 'The newest value of each point (or group) with its quality, for stats, gauges and tables',
    defaultQuery: { queryType: 'latest', selector: {}, groupBy: 'point' },
  },
  {
    value: 'rackLayout',
    label: 'Rack layout',
    description: 'Racks with floor positions and one value each, for the rack heatmap',
    defaultQuery: {
      queryType: 'rackLayout',
      selector: { quantity: ['temperature'], tags: ['inlet'] },
      aggregate: 'max',
    },
  },
  {
    value: 'events',
    label: 'Events',
    description: 'Jobs, alarms, automation actions and connector changes, for tables and annotations',
    defaultQuery: { queryType: 'events' },
  },
  {
    value: 'catalog',
    label: 'Point catalog',
    description: 'The points a selector matches, as a table',
    defaultQuery: { queryType: 'catalog', selector: {} },
  },
  {
    value: 'sources',
    label: 'Sources',
    description: 'The connectors with their state, last error and ingest rate, for health dashboards',
    defaultQuery: { queryType: 'sources' },
  },
  {
    value: 'forecast',
    label: 'Forecast',
    description:
      'Straight-line forecast of each selected point with its 90 % band and the time it reaches the limit, soonest first',
    defaultQuery: {
      queryType: 'forecast',
      selector: { quantity: ['temperature'], tags: ['inlet'] },
      limit: 27,
      top: 5,
    },
  },
  {
    value: 'predictions',
    label: 'Predictions',
    description: 'Anomaly scores per asset (1 = alarm threshold), or every prediction detector with its state',
    defaultQuery: { queryType: 'predictions', output: 'scores' },
  },
];

/** What a new panel query starts as: every rack inlet temperature, averaged per rack. */
export const DEFAULT_QUERY: Omit<TimeseriesQuery, 'refId'> = {
  queryType: 'timeseries',
  selector: { quantity: ['temperature'], tags: ['inlet'] },
  aggregate: 'avg',
  groupBy: 'rack',
  alias: '{{rack}}',
  schemaVersion: QUERY_SCHEMA_VERSION,
};

/** What a new annotation query starts as: job starts and ends. */
export const DEFAULT_ANNOTATION_QUERY: Omit<EventsQuery, 'refId'> = {
  queryType: 'events',
  types: ['job'],
  schemaVersion: QUERY_SCHEMA_VERSION,
};

/** Template-variable queries (`metricFindQuery`): lists of topology levels or points, filtered by parents. */
export type VariableKind = 'sites' | 'halls' | 'rows' | 'racks' | 'assets' | 'quantities' | 'points';

export interface VariableQuery {
  kind: VariableKind;
  /**
   * filters; may hold variables (`$hall`), multi-value included. `site` narrows every kind to the halls (and their
   * points) of the sites given: one data source may serve many halls, a hub more than one site
   */
  site?: string;
  hall?: string;
  row?: string;
  rack?: string;
  quantity?: string;
  domain?: string;
  tags?: string;
}

export const VARIABLE_KINDS: ReadonlyArray<{ value: VariableKind; label: string; description: string }> = [
  { value: 'sites', label: 'Sites', description: 'site ids (one on an edge: its own)' },
  { value: 'halls', label: 'Halls', description: 'hall ids, in the sites given' },
  { value: 'rows', label: 'Rows', description: 'row ids, in the halls given' },
  { value: 'racks', label: 'Racks', description: 'rack ids, in the halls and rows given' },
  { value: 'assets', label: 'Assets', description: 'asset ids (CRAH, PDU, …), in the halls, rows and racks given' },
  { value: 'quantities', label: 'Quantities', description: 'quantities of the points matching the filters' },
  { value: 'points', label: 'Points', description: 'point ids (name as text) matching the filters' },
];

/** Settings of one data source instance (`jsonData`), visible to the browser. */
export interface PlenumOptions extends DataSourceJsonData {
  /** the backend's base URL as Grafana's server reaches it, e.g. `http://plenum:8080` */
  url?: string;
  /** skip TLS certificate verification (self-signed certificates in a lab only) */
  tlsSkipVerify?: boolean;
  /** verify the backend's certificate against `tlsCACert` */
  tlsAuthWithCACert?: boolean;
  /** present `tlsClientCert`/`tlsClientKey` (mutual TLS) */
  tlsAuth?: boolean;
  /** the name in the backend's certificate, when it differs from the URL's host */
  serverName?: string;
}

/** Secrets (`secureJsonData`): stored encrypted by Grafana and added server side by the proxy route. */
export interface PlenumSecureJsonData {
  /** the backend's `PLENUM_API_TOKEN` (read scope), sent as `Authorization: Bearer …` on the `plenum` route */
  apiToken?: string;
  /**
   * the backend's `PLENUM_OPERATE_TOKEN` (operate scope: approvals, rule modes, manual writes, the emergency stop),
   * sent only on the `plenum-operate` route, which Grafana's proxy opens to the Editor role and above
   */
  operateToken?: string;
  tlsCACert?: string;
  tlsClientCert?: string;
  tlsClientKey?: string;
}

/** Route path in plugin.json: the proxy forwards `<instance url>/plenum/…` to `jsonData.url` with the read token. */
export const PROXY_ROUTE = 'plenum';

/**
 * Route path in plugin.json for the backend's operate routes (`POST /api/automation/…`): `reqRole: Editor`, so
 * Grafana's proxy answers 403 to a Viewer before anything reaches the backend; it adds the operate token. Listed
 * before `plenum` in plugin.json, because Grafana picks the first route whose path is a prefix of the request's.
 */
export const OPERATE_ROUTE = 'plenum-operate';
