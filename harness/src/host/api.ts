/**
 * `window.harness`: what browser tests call with `page.evaluate`. Every argument and result is plain JSON (plus
 * what playwright serialises besides: NaN, ±Infinity, Date), so nothing here refers to a browser-only type.
 */

/** A relative or absolute time range as a dashboard's time picker holds it, e.g. `{from: 'now-1h', to: 'now'}`. */
export interface HarnessTimeRange {
  from: string;
  to: string;
}

export type HarnessTheme = 'dark' | 'light';

/** A dashboard variable (see `template-srv.ts`). */
export interface HarnessVariableInput {
  name: string;
  type?: string;
  label?: string;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  current: { text: string | string[]; value: string | string[] };
  options?: { text: string; value: string; selected?: boolean }[];
}

/** A query (`DataQuery`): `refId` plus whatever the datasource defines. */
export interface HarnessQuery {
  refId: string;
  [key: string]: unknown;
}

export interface HarnessQueryOptions {
  /** @default {from: 'now-1h', to: 'now'} */
  range?: HarnessTimeRange;
  /** @default 1000 */
  maxDataPoints?: number;
  /** lower limit of `$__interval` (a panel's "Min interval"), e.g. `1m`. @default the datasource's `interval` */
  minInterval?: string;
  /** `ScopedVars`: name → `{text, value}` */
  scopedVars?: Record<string, { text?: unknown; value: unknown }>;
  /** @default 'browser' */
  timezone?: string;
  /** collect this many emissions, then unsubscribe (for streaming queries); without it, the first non-Loading one */
  emissions?: number;
  /** how long to wait for the response(s), in ms. @default 15000 */
  timeoutMs?: number;
}

export interface HarnessField {
  name: string;
  type: string;
  config: Record<string, unknown>;
  labels?: Record<string, string>;
  values: unknown[];
}

export interface HarnessFrame {
  name?: string;
  refId?: string;
  meta?: Record<string, unknown>;
  length: number;
  fields: HarnessField[];
}

export interface HarnessQueryError {
  message?: string;
  refId?: string;
  status?: number;
  statusText?: string;
  data?: unknown;
}

/** One `DataQueryResponse`, frames read through `toDataFrame`. */
export interface HarnessQueryResponse {
  state: string;
  errors: HarnessQueryError[];
  key?: string;
  data: HarnessFrame[];
}

/** An `AnnotationEvent` as a dashboard receives it. */
export interface HarnessAnnotationEvent {
  time?: number;
  timeEnd?: number;
  isRegion?: boolean;
  title?: string;
  text?: string;
  tags?: string[];
  color?: string;
  id?: string | number;
  type?: string;
  [key: string]: unknown;
}

/** An annotation query as saved in a dashboard: `{name, enable, iconColor, datasource, target, …}`. */
export interface HarnessAnnotationQuery {
  name?: string;
  enable?: boolean;
  iconColor?: string;
  target?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A data frame for `mountPanel`: `DataFrameJSON` (`{schema, data}`) or a simple frame (`{name, fields: [...]}`). */
export type HarnessFrameInput = Record<string, unknown>;

export interface MountPanelOptions {
  /** saved options; when given, the plugin's migration handler runs first, as for a saved dashboard */
  options?: Record<string, unknown>;
  /** saved field config `{defaults, overrides}` */
  fieldConfig?: { defaults?: Record<string, unknown>; overrides?: unknown[] };
  /** the plugin version the options were saved by; the migration handler runs when it differs from the plugin's */
  pluginVersion?: string;
  /** data given directly … */
  frames?: HarnessFrameInput[];
  /** … or queried from a datasource */
  datasourceUid?: string;
  targets?: HarnessQuery[];
  /**
   * annotation frames the panel gets as `data.annotations` (fields time, timeEnd, title, text, tags), as a dashboard
   * hands a panel the events of its annotation queries. @default none
   */
  annotations?: HarnessFrameInput[];
  /** px. @default 600 */
  width?: number;
  /** px. @default 400 */
  height?: number;
  /** @default the page's theme */
  theme?: HarnessTheme;
  /** @default {from: 'now-6h', to: 'now'} (a new dashboard's range) */
  timeRange?: HarnessTimeRange;
  /** @default 'Panel' */
  title?: string;
  /** @default 'browser' */
  timezone?: string;
}

export interface MountQueryEditorOptions {
  /** @default {from: 'now-1h', to: 'now'} */
  range?: HarnessTimeRange;
}

export interface MountExploreOptions {
  /** the pane's query, as Explore's URL gives it. @default `{refId: 'A', datasource, ...getDefaultQuery('explore')}` */
  query?: HarnessQuery;
  /** @default {from: 'now-1h', to: 'now'} */
  range?: HarnessTimeRange;
  /** px of the pane (the graph's width and `maxDataPoints`). @default the page's width less the padding */
  width?: number;
  /** how long to wait for the first answer, in ms. @default 15000 */
  timeoutMs?: number;
}

export interface MountDashboardOptions {
  /** px. @default the page's width */
  width?: number;
  /** @default the page's theme */
  theme?: HarnessTheme;
  /** @default the dashboard's `time` */
  timeRange?: HarnessTimeRange;
  /** selected values by variable name, as `?var-<name>=` gives them; `$__all` selects All */
  variables?: Record<string, string | string[]>;
  /** Grafana's kiosk mode: no variables bar. @default false */
  kiosk?: boolean;
  /** how long to wait for every panel to leave `loading`, in ms. @default 20000 */
  timeoutMs?: number;
}

/** A dashboard panel as `dashboardState()` reports it (rows and panels of collapsed rows are not listed). */
export interface DashboardPanelState {
  title: string;
  type: string;
  /** `loading` until the plugin and the first answer are in; `nodata` when every frame is empty */
  state: 'loading' | 'ok' | 'nodata' | 'error';
  error?: string;
}

export interface HarnessApi {
  /** resolves once shared modules, registries and services are set up */
  ready: Promise<void>;
  loadPlugin(id: string): Promise<{ id: string; type: string }>;
  setVariables(variables: HarnessVariableInput[]): Promise<void>;
  /** renders the datasource's ConfigEditor with a "Save & test" button (`harness-save-test`, `harness-test-result`) */
  mountDatasourceConfig(uid: string): Promise<void>;
  /** renders the datasource's QueryEditor (`harness-query-json`, `harness-query-result`) */
  mountQueryEditor(uid: string, query: HarnessQuery, options?: MountQueryEditorOptions): Promise<void>;
  /**
   * renders an Explore pane as Grafana does (`harness-explore` with `data-state`, its graph `harness-explore-graph`,
   * tables `harness-explore-table`, the query model `harness-query-json`): the data source's default query unless one
   * is given, run at once; resolves with the first answer's state (not Loading), rejects after `timeoutMs`
   */
  mountExplore(uid: string, options?: MountExploreOptions): Promise<string>;
  /** the query as the mounted QueryEditor (or Explore pane) last changed it */
  getQuery(): Promise<HarnessQuery | undefined>;
  /** one response, or `emissions` responses, of `ds.query()` for a request built as Grafana builds it */
  runQuery(
    uid: string,
    targets: HarnessQuery[],
    options?: HarnessQueryOptions,
  ): Promise<HarnessQueryResponse | HarnessQueryResponse[]>;
  metricFindQuery(uid: string, query: unknown, options?: HarnessQueryOptions): Promise<unknown[]>;
  runAnnotations(
    uid: string,
    annotation: HarnessAnnotationQuery,
    range?: HarnessTimeRange,
  ): Promise<HarnessAnnotationEvent[]>;
  /** renders a panel plugin as a dashboard does (`harness-panel`, errors in `harness-panel-error`) */
  mountPanel(pluginId: string, options?: MountPanelOptions): Promise<void>;
  resizePanel(width: number, height: number): Promise<void>;
  /**
   * renders a dashboard (its JSON model, or the uid of one the server provisions) as Grafana's dashboard view does
   * (`harness-dashboard`, panels `harness-dashboard-panel`); resolves once no panel is `loading`, rejects naming
   * those still loading after `timeoutMs`
   */
  mountDashboard(dashboard: Record<string, unknown> | string, options?: MountDashboardOptions): Promise<void>;
  /** each panel of the mounted dashboard, in grid order */
  dashboardState(): Promise<DashboardPanelState[]>;
}
