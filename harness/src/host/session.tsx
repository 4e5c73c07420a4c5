import {
  CoreApp,
  createTheme,
  dataFrameFromJSON,
  toDataFrame,
  type DataFrame,
  type DataFrameJSON,
  type DataQuery,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourcePluginOptionsEditorProps,
  type DataSourceSettings,
  type FieldConfigSource,
  type GrafanaTheme2,
  type InterpolateFunction,
  type PanelModel,
  type QueryEditorProps,
  type ScopedVars,
} from '@grafana/data';
import { config, isFetchError, ThemeChangedEvent } from '@grafana/runtime';
import type { ComponentType } from 'react';
import type {
  DashboardPanelState,
  HarnessAnnotationEvent,
  HarnessAnnotationQuery,
  HarnessApi,
  HarnessFrameInput,
  HarnessQuery,
  HarnessQueryOptions,
  HarnessTheme,
  HarnessTimeRange,
  HarnessVariableInput,
  MountDashboardOptions,
  MountExploreOptions,
  MountPanelOptions,
  MountQueryEditorOptions,
} from './api';
import { DashboardList, type DashboardHit } from './dashboard/DashboardList';
import { DashboardRuntime } from './dashboard/runtime';
import { DashboardView } from './dashboard/DashboardView';
import type { DashboardJson } from './dashboard/model';
import type { ResolvedVariable } from './dashboard/variables';
import { runAnnotationQuery } from './annotations';
import { optionsWithDefaults } from './panel-defaults';
import { buildQueryRequest, collectResponses, DEFAULT_QUERY_RANGE, queryResponses, toTimeRange } from './query-runner';
import { jsonSafe, serialiseResponse } from './serialise';
import type { HarnessServices } from './services';
import { DatasourceConfigView } from './views/DatasourceConfigView';
import type { HarnessView } from './views/HarnessShell';
import { PanelError, PanelView, type PanelViewProps } from './views/PanelView';
import { ExploreView } from './views/ExploreView';
import { QueryEditorView } from './views/QueryEditorView';

/** A new dashboard's time range, the default of `mountPanel`. */
const DEFAULT_PANEL_RANGE: HarnessTimeRange = { from: 'now-6h', to: 'now' };
const DEFAULT_TIMEOUT_MS = 15_000;
/** How long `mountDashboard` waits for every panel to leave loading, in ms. */
const DEFAULT_DASHBOARD_TIMEOUT_MS = 20_000;

type Api = Omit<HarnessApi, 'ready'>;

/** `window.harness` once the host has started: each mount replaces the page's content. */
export class HarnessSession implements Api {
  private readonly pageTheme: GrafanaTheme2;
  private mounts = 0;
  private query: HarnessQuery | undefined;
  private panel: { props: PanelViewProps; key: number } | undefined;
  private dashboard: DashboardRuntime | undefined;

  constructor(
    private readonly services: HarnessServices,
    private readonly view: HarnessView,
    pageMode: HarnessTheme,
  ) {
    this.pageTheme = createTheme({ colors: { mode: pageMode } });
  }

  async loadPlugin(id: string): Promise<{ id: string; type: string }> {
    const plugin = await this.services.loader.load(id);
    return { id: plugin.meta.id, type: plugin.meta.type };
  }

  async setVariables(variables: HarnessVariableInput[]): Promise<void> {
    this.services.templateSrv.setVariables(variables);
  }

  async mountDatasourceConfig(uid: string): Promise<void> {
    const { backendSrv, loader, datasourceSrv } = this.services;
    const settings = await backendSrv.get<DataSourceSettings>(`/api/datasources/uid/${encodeURIComponent(uid)}`);
    const plugin = await loader.datasource(settings.type);
    const ConfigEditor = plugin.components.ConfigEditor as
      ComponentType<DataSourcePluginOptionsEditorProps> | undefined;
    if (!ConfigEditor) throw new Error(`datasource plugin ${settings.type} has no ConfigEditor`);
    this.panel = undefined;
    await this.render(
      <DatasourceConfigView
        key={++this.mounts}
        uid={uid}
        initial={settings}
        ConfigEditor={ConfigEditor}
        backendSrv={backendSrv}
        datasourceSrv={datasourceSrv}
      />,
      this.pageTheme,
    );
  }

  async mountQueryEditor(uid: string, query: HarnessQuery, options: MountQueryEditorOptions = {}): Promise<void> {
    const ds = await this.services.datasourceSrv.get(uid);
    const QueryEditor = ds.components?.QueryEditor as
      ComponentType<QueryEditorProps<DataSourceApi, DataQuery>> | undefined;
    if (!QueryEditor) throw new Error(`datasource ${uid} (${ds.type}) has no QueryEditor`);
    const rawRange = options.range ?? DEFAULT_QUERY_RANGE;
    const range = toTimeRange(rawRange);
    this.services.templateSrv.updateTimeRange(range);
    this.query = structuredClone(query);
    this.panel = undefined;
    await this.render(
      <QueryEditorView
        key={++this.mounts}
        ds={ds}
        instanceSettings={this.services.datasourceSrv.getInstanceSettings(uid) as DataSourceInstanceSettings}
        QueryEditor={QueryEditor}
        initialQuery={query}
        rawRange={rawRange}
        range={range}
        onQueryChange={(q) => (this.query = q)}
      />,
      this.pageTheme,
    );
  }

  async mountExplore(uid: string, options: MountExploreOptions = {}): Promise<string> {
    const ds = await this.services.datasourceSrv.get(uid);
    const components = ds.components as { ExploreQueryField?: unknown; QueryEditor?: unknown } | undefined;
    // Explore's query row prefers the data source's Explore editor (QueryEditorRow `getQueryEditor`)
    const QueryEditor = (components?.ExploreQueryField ?? components?.QueryEditor) as
      ComponentType<QueryEditorProps<DataSourceApi, DataQuery>> | undefined;
    if (!QueryEditor) throw new Error(`datasource ${uid} (${ds.type}) has no QueryEditor`);
    const rawRange = options.range ?? DEFAULT_QUERY_RANGE;
    const range = toTimeRange(rawRange);
    this.services.templateSrv.updateTimeRange(range);
    // a new pane's query, as Explore's useStateSync makes it
    const query: HarnessQuery = options.query
      ? structuredClone(options.query)
      : ({ refId: 'A', datasource: ds.getRef(), ...ds.getDefaultQuery?.(CoreApp.Explore) } as HarnessQuery);
    this.query = structuredClone(query);
    this.panel = undefined;
    const width = options.width ?? Math.max(320, document.documentElement.clientWidth - 32);
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const templateSrv = this.services.templateSrv;
    let onSettled: (state: string) => void = () => {};
    const settled = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`mountExplore: no answer from ${uid} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      onSettled = (state) => {
        clearTimeout(timer);
        resolve(state);
      };
    });
    await this.render(
      <ExploreView
        key={++this.mounts}
        services={this.services}
        ds={ds}
        instanceSettings={this.services.datasourceSrv.getInstanceSettings(uid) as DataSourceInstanceSettings}
        QueryEditor={QueryEditor}
        initialQuery={query}
        rawRange={rawRange}
        range={range}
        theme={this.pageTheme}
        width={width}
        eventBus={this.services.appEvents.newScopedBus('explore', { onlyLocal: false })}
        replaceVariables={(value, scopedVars, format) =>
          templateSrv.replace(value, scopedVars as never, format as never)
        }
        onQueryChange={(q) => (this.query = q)}
        onSettled={onSettled}
      />,
      this.pageTheme,
    );
    return settled;
  }

  async getQuery(): Promise<HarnessQuery | undefined> {
    return this.query && (jsonSafe(this.query) as HarnessQuery);
  }

  async runQuery(uid: string, targets: HarnessQuery[], options: HarnessQueryOptions = {}) {
    const ds = await this.services.datasourceSrv.get(uid);
    const request = buildQueryRequest(ds, targets, options);
    this.services.templateSrv.updateTimeRange(request.range);
    const responses = await collectResponses(
      queryResponses(ds, request),
      options.emissions,
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    const serialised = responses.map(serialiseResponse);
    return options.emissions === undefined ? serialised[0]! : serialised;
  }

  async metricFindQuery(uid: string, query: unknown, options: HarnessQueryOptions = {}): Promise<unknown[]> {
    const ds = await this.services.datasourceSrv.get(uid);
    if (!ds.metricFindQuery) throw new Error(`datasource ${uid} (${ds.type}) has no metricFindQuery`);
    const range = toTimeRange(options.range ?? DEFAULT_QUERY_RANGE, options.timezone);
    this.services.templateSrv.updateTimeRange(range);
    const found = await ds.metricFindQuery(query, { range, scopedVars: options.scopedVars as ScopedVars });
    return jsonSafe(found ?? []) as unknown[];
  }

  async runAnnotations(
    uid: string,
    annotation: HarnessAnnotationQuery,
    range: HarnessTimeRange = DEFAULT_QUERY_RANGE,
  ): Promise<HarnessAnnotationEvent[]> {
    const ds = await this.services.datasourceSrv.get(uid);
    this.services.templateSrv.updateTimeRange(toTimeRange(range));
    const events = await runAnnotationQuery(ds, annotation as never, { range }, config.theme2);
    return jsonSafe(events) as HarnessAnnotationEvent[];
  }

  async mountPanel(pluginId: string, options: MountPanelOptions = {}): Promise<void> {
    const theme = options.theme ? createTheme({ colors: { mode: options.theme } }) : this.pageTheme;
    const width = options.width ?? 600;
    const height = options.height ?? 400;
    const title = options.title ?? 'Panel';
    const timeZone = options.timezone ?? 'browser';
    const timeRange = toTimeRange(options.timeRange ?? DEFAULT_PANEL_RANGE, timeZone);
    this.services.templateSrv.updateTimeRange(timeRange);
    const key = ++this.mounts;
    this.panel = undefined;
    try {
      const plugin = await this.services.loader.panel(pluginId);
      const saved = await migrate(plugin, pluginId, title, options);
      const { options: panelOptions, fieldConfig } = optionsWithDefaults(
        plugin,
        saved.options,
        saved.fieldConfig,
        options.options === undefined,
      );
      const frames = options.frames
        ? options.frames.map(toFrame)
        : options.datasourceUid
          ? await this.queryFrames(options.datasourceUid, options.targets ?? [], options.timeRange, timeZone)
          : [];
      const templateSrv = this.services.templateSrv;
      const replaceVariables: InterpolateFunction = (value, scopedVars, format) =>
        templateSrv.replace(value, scopedVars as never, format as never);
      this.panel = {
        key,
        props: {
          plugin,
          options: panelOptions,
          fieldConfig,
          frames,
          width,
          height,
          theme,
          timeRange,
          timeZone,
          title,
          eventBus: this.services.appEvents.newScopedBus('panel', { onlyLocal: false }),
          replaceVariables,
          renderCounter: 1,
          annotations: options.annotations?.map(toFrame),
        },
      };
      await this.renderPanel();
    } catch (err) {
      await this.render(
        <div key={key} data-testid="harness-panel" style={{ width, height }}>
          <PanelError message={errorMessage(err)} />
        </div>,
        theme,
      );
    }
  }

  async resizePanel(width: number, height: number): Promise<void> {
    if (!this.panel) throw new Error('resizePanel: no panel is mounted');
    const props = this.panel.props;
    this.panel.props = { ...props, width, height, renderCounter: props.renderCounter + 1 };
    await this.renderPanel();
  }

  /**
   * A dashboard model, or the uid of one `GET /api/dashboards/uid/:uid` answers, rendered as Grafana's dashboard
   * page renders it (see dashboard/DashboardView.tsx); `onVariablesChange` is for the landing page's URL.
   */
  async mountDashboard(
    dashboard: Record<string, unknown> | string,
    options: MountDashboardOptions = {},
    onVariablesChange?: (variables: ResolvedVariable[]) => void,
  ): Promise<void> {
    const model =
      typeof dashboard === 'string'
        ? (
            await this.services.backendSrv.get<{ dashboard: DashboardJson }>(
              `/api/dashboards/uid/${encodeURIComponent(dashboard)}`,
            )
          ).dashboard
        : (structuredClone(dashboard) as DashboardJson);
    const theme = options.theme ? createTheme({ colors: { mode: options.theme } }) : this.pageTheme;
    const runtime = new DashboardRuntime(this.services);
    this.panel = undefined;
    this.dashboard = runtime;
    await this.render(
      <DashboardView
        key={++this.mounts}
        dashboard={model}
        runtime={runtime}
        theme={theme}
        width={options.width}
        rawRange={options.timeRange ?? model.time ?? DEFAULT_PANEL_RANGE}
        requested={options.variables ?? {}}
        kiosk={options.kiosk ?? false}
        minRefresh={String(config.minRefreshInterval ?? '5s')}
        onVariablesChange={onVariablesChange}
      />,
      theme,
    );
    await runtime.settled(options.timeoutMs ?? DEFAULT_DASHBOARD_TIMEOUT_MS);
  }

  /** The landing page's list of provisioned dashboards. */
  async showDashboardList(dashboards: DashboardHit[], theme?: string): Promise<void> {
    this.panel = undefined;
    await this.render(<DashboardList key={++this.mounts} dashboards={dashboards} theme={theme} />, this.pageTheme);
  }

  async dashboardState(): Promise<DashboardPanelState[]> {
    return this.dashboard?.snapshot() ?? [];
  }

  private async renderPanel(): Promise<void> {
    const { key, props } = this.panel!;
    await this.render(<PanelView key={key} {...props} />, props.theme);
  }

  /** Renders with a theme, and makes it the app's theme (`config.theme2`, boot data, body class) as Grafana does. */
  private render(node: JSX.Element, theme: GrafanaTheme2): Promise<void> {
    if (config.theme2 !== theme) {
      config.theme2 = theme;
      config.theme = theme.v1;
      config.bootData.user.theme = theme.colors.mode;
      config.bootData.user.lightTheme = theme.isLight;
      document.body.className = `theme-${theme.colors.mode}`;
      this.services.appEvents.publish(new ThemeChangedEvent(theme));
    }
    return this.view.render(node, theme);
  }

  /** The frames of the first complete response of a datasource, as a panel's query runner hands them on. */
  private async queryFrames(
    uid: string,
    targets: HarnessQuery[],
    range: HarnessTimeRange | undefined,
    timezone: string,
  ): Promise<DataFrame[]> {
    const ds = await this.services.datasourceSrv.get(uid);
    const request = buildQueryRequest(ds, targets, { range: range ?? DEFAULT_PANEL_RANGE, timezone });
    const [response] = await collectResponses(queryResponses(ds, request), undefined, DEFAULT_TIMEOUT_MS);
    const errors = response?.errors?.length ? response.errors : response?.error ? [response.error] : [];
    if (errors.length) throw new Error(`query failed: ${errors.map((e) => e.message).join('; ')}`);
    return (response?.data ?? []).map((frame) => toDataFrame(frame));
  }
}

/** What went wrong, whether `err` is an Error or Grafana's FetchError `{status, statusText, data: {message}}`. */
function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (isFetchError(err))
    return (err.data as { message?: string } | null)?.message || `HTTP error ${err.statusText ?? err.status}`;
  return String(err);
}

/** DataFrameJSON (`{schema, data}`) or any shape `toDataFrame` reads (`{name, fields: [...]}`, …). */
function toFrame(input: HarnessFrameInput): DataFrame {
  return 'schema' in input ? dataFrameFromJSON(input as DataFrameJSON) : toDataFrame(input);
}

/**
 * A saved panel's options after the plugin's migration handler, which Grafana's PanelModel runs when the saved
 * `pluginVersion` differs from the plugin's (or `shouldMigrate` says so), passing the panel model itself.
 */
export async function migrate(
  plugin: Awaited<ReturnType<HarnessServices['loader']['panel']>>,
  pluginId: string,
  title: string,
  options: MountPanelOptions,
): Promise<{ options?: Record<string, unknown>; fieldConfig?: Partial<FieldConfigSource> }> {
  if (options.options === undefined) return { fieldConfig: options.fieldConfig as Partial<FieldConfigSource> };
  const panel: PanelModel = {
    id: 1,
    type: pluginId,
    title,
    options: structuredClone(options.options),
    fieldConfig: structuredClone({ defaults: {}, overrides: [], ...options.fieldConfig }) as FieldConfigSource,
    pluginVersion: options.pluginVersion,
    targets: structuredClone(options.targets ?? []),
  };
  const version = plugin.meta.info.version;
  if (plugin.onPanelMigration && (version !== panel.pluginVersion || plugin.shouldMigrate?.(panel))) {
    panel.options = await plugin.onPanelMigration(panel);
    panel.pluginVersion = version;
  }
  return { options: panel.options, fieldConfig: panel.fieldConfig };
}
