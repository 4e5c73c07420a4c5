import {
  CoreApp,
  DataSourcePluginContextProvider,
  FieldType,
  LoadingState,
  standardTransformers,
  type DataFrame,
  type DataQuery,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type EventBus,
  type GrafanaTheme2,
  type InterpolateFunction,
  type PanelData,
  type QueryEditorProps,
  type TimeRange,
} from '@grafana/data';
import { Alert, Button } from '@grafana/ui';
import { lastValueFrom, of } from 'rxjs';
import { useCallback, useEffect, useMemo, useRef, useState, type ComponentType } from 'react';
import type { HarnessQuery, HarnessTimeRange } from '../api';
import { corePanel } from '../dashboard/core-panels';
import { errorText, hasData, runPanelQuery, type PanelQueryResult } from '../dashboard/panel-query';
import type { HarnessServices } from '../services';
import { optionsWithDefaults } from '../panel-defaults';
import { PanelView } from './PanelView';

/** Explore's graph draws the first 20 series until the user asks for all (`MAX_NUMBER_OF_TIME_SERIES`). */
export const MAX_EXPLORE_SERIES = 20;
/** px, the height of Explore's graph */
const GRAPH_HEIGHT = 400;

/** The field config of Explore's graph (ExploreGraph.tsx): what a series' own config does not set. */
const GRAPH_FIELD_CONFIG = {
  defaults: {
    unit: 'short',
    color: { mode: 'palette-classic' },
    custom: { drawStyle: 'line', fillOpacity: 0, pointSize: 5 },
  },
  overrides: [],
};
const GRAPH_OPTIONS = {
  legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
  tooltip: { mode: 'single', sort: 'none' },
};

/** Explore's idea of a time series (decorators.ts `isTimeSeries`): one time field, number fields, nothing else. */
export function isTimeSeries(frame: DataFrame): boolean {
  const types = new Set(frame.fields.map((f) => f.type));
  return (
    types.size === 2 &&
    frame.fields.filter((f) => f.type === FieldType.time).length === 1 &&
    types.has(FieldType.number)
  );
}

/**
 * Explore's split of an answer (`decorateWithFrameTypeMetadata`): frames that prefer the graph or the table go
 * there; any other time series goes to both, everything else to the table. Logs, traces, node graphs and flame
 * graphs have no view here and show as tables.
 */
export function splitFrames(series: DataFrame[]): { graph: DataFrame[]; table: DataFrame[] } {
  const graph: DataFrame[] = [];
  const table: DataFrame[] = [];
  for (const frame of series) {
    const preferred = frame.meta?.preferredVisualisationType;
    if (preferred === 'graph') graph.push(frame);
    else if (preferred === undefined && isTimeSeries(frame)) {
      graph.push(frame);
      table.push(frame);
    } else table.push(frame);
  }
  return { graph, table };
}

/**
 * Explore's table result (`decorateWithTableResult`): frames sorted by refId, then joined on time when all are time
 * series, else merged into as few frames as their fields allow.
 */
export async function tableResult(frames: DataFrame[]): Promise<DataFrame[]> {
  if (frames.length === 0) return [];
  const sorted = [...frames].sort((a, b) => (a.refId ?? '').localeCompare(b.refId ?? ''));
  const ctx = { interpolate: (v: string) => v };
  const transformer = sorted.every(isTimeSeries)
    ? standardTransformers.joinByFieldTransformer.operator({}, ctx)
    : standardTransformers.mergeTransformer.operator({}, ctx);
  return lastValueFrom(of(sorted).pipe(transformer));
}

export interface ExploreViewProps {
  services: HarnessServices;
  ds: DataSourceApi;
  instanceSettings: DataSourceInstanceSettings;
  QueryEditor: ComponentType<QueryEditorProps<DataSourceApi, DataQuery>>;
  /** the pane's query: from the caller, else `{refId: 'A', datasource, ...getDefaultQuery(CoreApp.Explore)}` */
  initialQuery: HarnessQuery;
  rawRange: HarnessTimeRange;
  range: TimeRange;
  theme: GrafanaTheme2;
  /** px of the pane: the graph's width and the request's `maxDataPoints` */
  width: number;
  eventBus: EventBus;
  replaceVariables: InterpolateFunction;
  /** told of every change, so `harness.getQuery()` can answer */
  onQueryChange: (query: HarnessQuery) => void;
  /** told of the first answer that is not Loading (or of the run's failure) */
  onSettled: (state: LoadingState) => void;
}

/**
 * One Explore pane as Grafana 13 shows it: the data source's query editor (app `explore`), run at once on mount as
 * `initializeExplore` does and again on the editor's `onRunQuery` or "Run query"; the answer as a graph of its time
 * series (at most 20) and a table (each in a PanelChrome), streaming answers updating both.
 */
export function ExploreView(props: ExploreViewProps) {
  const { services, ds, instanceSettings, QueryEditor, rawRange, range, theme, width, onQueryChange } = props;
  const [query, setQuery] = useState<HarnessQuery>(props.initialQuery);
  // editors often call onChange then onRunQuery in one handler, before a re-render: run what onChange last gave
  const latest = useRef<HarnessQuery>(props.initialQuery);
  const [run, setRun] = useState(0);
  const [result, setResult] = useState<PanelQueryResult | undefined>();
  const [tables, setTables] = useState<DataFrame[]>([]);
  const settled = useRef(props.onSettled);

  const onChange = useCallback(
    (next: DataQuery) => {
      latest.current = next as HarnessQuery;
      setQuery(next as HarnessQuery);
      onQueryChange(next as HarnessQuery);
    },
    [onQueryChange],
  );
  const onRunQuery = useCallback(() => setRun((n) => n + 1), []);

  useEffect(() => {
    setResult((r) => r && { ...r, state: LoadingState.Loading });
    const subscription = runPanelQuery({ targets: [latest.current as DataQuery], datasource: ds.getRef() } as never, {
      datasourceSrv: services.datasourceSrv,
      templateSrv: services.templateSrv,
      range: rawRange,
      timezone: 'browser',
      width,
      scopedVars: {},
      app: CoreApp.Explore,
    }).subscribe((r) => {
      if (r.state === LoadingState.Loading) return;
      setResult(r);
      settled.current(r.state);
      settled.current = () => {};
    });
    return () => subscription.unsubscribe();
  }, [run, ds, services, rawRange, width]);

  const series = useMemo(() => result?.series ?? [], [result]);
  const split = useMemo(() => splitFrames(series), [series]);
  useEffect(() => {
    let live = true;
    tableResult(split.table).then(
      (frames) => live && setTables(frames),
      () => live && setTables(split.table),
    );
    return () => {
      live = false;
    };
  }, [split]);

  const data: PanelData | undefined = result && {
    state: result.state,
    series,
    errors: result.errors,
    timeRange: result.timeRange ?? range,
  };
  const graphFrames = split.graph.slice(0, MAX_EXPLORE_SERIES);
  const timeRange = result?.timeRange ?? range;
  return (
    <div
      style={{ padding: 16, display: 'flex', flexDirection: 'column', gap: 16 }}
      data-testid="harness-explore"
      data-state={result?.state ?? LoadingState.Loading}
    >
      <div style={{ display: 'flex', gap: 8, alignItems: 'flex-start' }}>
        <div style={{ flex: 1 }} data-testid="harness-query-editor">
          <DataSourcePluginContextProvider instanceSettings={instanceSettings}>
            <QueryEditor
              datasource={ds}
              query={query}
              queries={[query]}
              onChange={onChange}
              onRunQuery={onRunQuery}
              range={range}
              data={data}
              app={CoreApp.Explore}
            />
          </DataSourcePluginContextProvider>
        </div>
        <Button icon="sync" onClick={onRunQuery} data-testid="harness-explore-run">
          Run query
        </Button>
      </div>
      <details>
        <summary>Query model</summary>
        <pre data-testid="harness-query-json">{JSON.stringify(query, null, 2)}</pre>
      </details>
      {result?.errors.length ? (
        <Alert title="Query error" severity="error" data-testid="harness-explore-error">
          {errorText(result.errors)}
        </Alert>
      ) : null}
      {result && !hasData(series) && !result.errors.length ? (
        <div data-testid="harness-explore-nodata" style={{ color: theme.colors.text.secondary }}>
          No data
        </div>
      ) : null}
      {graphFrames.length > 0 && (
        <div data-testid="harness-explore-graph">
          {split.graph.length > MAX_EXPLORE_SERIES && (
            <Alert title="" severity="warning" data-testid="harness-explore-series-limit">
              Showing only {MAX_EXPLORE_SERIES} of {split.graph.length} series, as Explore does until you ask for all.
            </Alert>
          )}
          <ExplorePanel
            type="timeseries"
            title="Graph"
            options={GRAPH_OPTIONS}
            fieldConfig={GRAPH_FIELD_CONFIG}
            frames={graphFrames}
            height={GRAPH_HEIGHT}
            {...{ width, theme, timeRange, eventBus: props.eventBus, replaceVariables: props.replaceVariables }}
            loadingState={result?.state}
          />
        </div>
      )}
      {tables.map((frame, i) => (
        <div key={i} data-testid="harness-explore-table">
          <ExplorePanel
            type="table"
            title={tables.length > 1 ? `Table - ${frame.name ?? frame.refId ?? i + 1}` : 'Table'}
            options={{ showHeader: true, cellHeight: 'sm' }}
            fieldConfig={{ defaults: {}, overrides: [] }}
            frames={[frame]}
            height={Math.min(600, Math.max(300, frame.length * 36 + 80))}
            {...{ width, theme, timeRange, eventBus: props.eventBus, replaceVariables: props.replaceVariables }}
            loadingState={result?.state}
          />
        </div>
      ))}
    </div>
  );
}

interface ExplorePanelProps {
  type: 'timeseries' | 'table';
  title: string;
  options: Record<string, unknown>;
  fieldConfig: { defaults: Record<string, unknown>; overrides: unknown[] };
  frames: DataFrame[];
  width: number;
  height: number;
  theme: GrafanaTheme2;
  timeRange: TimeRange;
  eventBus: EventBus;
  replaceVariables: InterpolateFunction;
  loadingState?: LoadingState;
}

/** Explore's graph or table: the harness's stand-in for the core panel, in a PanelChrome with Explore's title. */
function ExplorePanel(props: ExplorePanelProps) {
  const plugin = corePanel(props.type)!;
  const { options, fieldConfig } = useMemo(
    () => optionsWithDefaults(plugin, props.options, props.fieldConfig as never, false),
    [plugin, props.options, props.fieldConfig],
  );
  return (
    <PanelView
      plugin={plugin}
      options={options}
      fieldConfig={fieldConfig}
      frames={props.frames}
      width={props.width}
      height={props.height}
      theme={props.theme}
      timeRange={props.timeRange}
      timeZone="browser"
      title={props.title}
      eventBus={props.eventBus}
      replaceVariables={props.replaceVariables}
      renderCounter={1}
      loadingState={props.loadingState}
    />
  );
}
