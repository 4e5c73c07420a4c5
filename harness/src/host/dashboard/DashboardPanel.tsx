import {
  LoadingState,
  type DataFrame,
  type EventBus,
  type GrafanaTheme2,
  type InterpolateFunction,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import { ErrorBoundary, PanelChrome } from '@grafana/ui';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { DashboardPanelState, HarnessTimeRange } from '../api';
import { PanelContent } from '../views/PanelView';
import { NoDataReport } from './core-panels/common';
import type { PixelRect } from './grid-layout';
import type { LayoutItem } from './model';
import { errorText, hasData, runPanelQuery, type PanelQueryResult } from './panel-query';
import type { DashboardRuntime, PreparedPanel } from './runtime';

export interface DashboardPanelProps {
  item: LayoutItem;
  rect: PixelRect;
  runtime: DashboardRuntime;
  theme: GrafanaTheme2;
  rawRange: HarnessTimeRange;
  timeRange: TimeRange;
  timeZone: string;
  /** changes when anything the panel's queries read changes: referenced variables, refresh, time range */
  queryKey: string;
  annotations: DataFrame[];
  eventBus: EventBus;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  const data = (err as { data?: { message?: string } } | undefined)?.data;
  return data?.message ?? String(err);
}

/**
 * One panel on the grid: Grafana's PanelChrome (title, loading bar, error indicator) around the plugin's
 * component, mounted as `mountPanel` mounts it, with data from running the panel's targets (again whenever
 * `queryKey` changes). Its state goes to the runtime as `dashboardState()` reports it.
 */
export function DashboardPanel(props: DashboardPanelProps) {
  const { item, rect, runtime, theme, timeRange, timeZone } = props;
  const { panel } = item;
  const [prepared, setPrepared] = useState<PreparedPanel | undefined>();
  const [setupError, setSetupError] = useState<string | undefined>();
  const [result, setResult] = useState<PanelQueryResult | undefined>();
  const [renderError, setRenderError] = useState<string | undefined>();
  const [showsNoData, setShowsNoData] = useState(false);
  const { templateSrv, datasourceSrv } = runtime.services;

  const scopedVars: ScopedVars = useMemo(
    () =>
      item.repeatValue
        ? { [item.repeatValue.name]: { text: item.repeatValue.text, value: item.repeatValue.value } }
        : {},
    [item.repeatValue],
  );
  const replaceVariables: InterpolateFunction = useMemo(
    () => (value, extra, format) => templateSrv.replace(value, { ...scopedVars, ...extra } as never, format as never),
    [templateSrv, scopedVars],
  );
  const title = replaceVariables(panel.title ?? '');

  useEffect(() => {
    let live = true;
    runtime.prepare(panel).then(
      (p) => live && setPrepared(p),
      (err: unknown) => live && setSetupError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [runtime, panel]);

  // the width at query time: Grafana asks for as many points as the panel has pixels, and does not re-query on resize
  const width = useRef(rect.width);
  width.current = rect.width;
  const skipQuery = prepared?.plugin.meta.skipDataQuery === true;
  useEffect(() => {
    if (!prepared || skipQuery) return;
    const subscription = runPanelQuery(panel, {
      datasourceSrv,
      templateSrv,
      range: props.rawRange,
      timezone: timeZone,
      width: width.current,
      scopedVars,
    }).subscribe((r) => {
      if (r.state !== LoadingState.Loading) setResult(r);
    });
    return () => subscription.unsubscribe();
    // queryKey stands for everything else a query reads
  }, [prepared, skipQuery, panel, props.queryKey, datasourceSrv, templateSrv, timeZone, scopedVars, props.rawRange]);

  const series = useMemo(() => result?.series ?? [], [result]);
  const queryError = result?.errors.length ? errorText(result.errors) : undefined;
  const error = setupError ?? queryError ?? renderError;
  const state: DashboardPanelState['state'] = error
    ? 'error'
    : !prepared || (!skipQuery && !result)
      ? 'loading'
      : skipQuery || (hasData(series) && !showsNoData)
        ? 'ok'
        : 'nodata';

  useEffect(() => {
    runtime.report(item.key, { title, type: panel.type, state, ...(error ? { error } : {}) });
  }, [runtime, item.key, title, panel.type, state, error]);

  return (
    <div
      data-testid="harness-dashboard-panel"
      data-title={title}
      data-type={panel.type}
      data-state={state}
      style={{ position: 'absolute', left: rect.left, top: rect.top, width: rect.width, height: rect.height }}
    >
      <PanelChrome
        width={rect.width}
        height={rect.height}
        title={title}
        description={panel.description ? replaceVariables(panel.description) : undefined}
        displayMode={panel.transparent ? 'transparent' : 'default'}
        padding={prepared?.plugin.noPadding ? 'none' : 'md'}
        loadingState={state === 'loading' ? LoadingState.Loading : result?.state}
        statusMessage={error}
        titleItems={<PanelLinks links={panel.links} replaceVariables={replaceVariables} />}
      >
        {(innerWidth, innerHeight) =>
          error && (!prepared || !hasData(series) || renderError) ? (
            <div
              data-testid="harness-dashboard-panel-error"
              role="alert"
              style={{ color: theme.colors.error.text, whiteSpace: 'pre-wrap', overflow: 'auto', height: '100%' }}
            >
              {error}
            </div>
          ) : prepared && (skipQuery || result) ? (
            <ErrorBoundary
              dependencies={[series, prepared]}
              onError={(e) => setRenderError(e.message)}
              onRecover={() => setRenderError(undefined)}
            >
              {({ error: caught }) =>
                caught ? null : (
                  <NoDataReport.Provider value={setShowsNoData}>
                    <PanelContent
                      plugin={prepared.plugin}
                      options={prepared.options}
                      fieldConfig={prepared.fieldConfig}
                      frames={series}
                      width={innerWidth}
                      height={innerHeight}
                      theme={theme}
                      timeRange={result?.timeRange ?? timeRange}
                      timeZone={timeZone}
                      title={title}
                      id={panel.id}
                      transparent={panel.transparent}
                      annotations={props.annotations}
                      loadingState={result?.state ?? LoadingState.Done}
                      eventBus={props.eventBus}
                      replaceVariables={replaceVariables}
                      renderCounter={1}
                      onOptionsChange={() => {}}
                      onFieldConfigChange={() => {}}
                      onTimeRangeChange={() => {}}
                    />
                  </NoDataReport.Provider>
                )
              }
            </ErrorBoundary>
          ) : null
        }
      </PanelChrome>
    </div>
  );
}

/** The panel's links, as the link icon menu of Grafana's header shows them (here: plain links after the title). */
function PanelLinks({
  links,
  replaceVariables,
}: {
  links: LayoutItem['panel']['links'];
  replaceVariables: InterpolateFunction;
}) {
  if (!links?.length) return null;
  return (
    <span data-testid="harness-dashboard-panel-links" style={{ display: 'inline-flex', gap: 8, fontSize: 12 }}>
      {links.map((link, i) => (
        <a
          key={i}
          href={replaceVariables(link.url ?? '')}
          target={link.targetBlank ? '_blank' : undefined}
          rel="noreferrer"
        >
          {link.title ?? link.url}
        </a>
      ))}
    </span>
  );
}
