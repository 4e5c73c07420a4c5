import type { GrafanaTheme2 } from '@grafana/data';
import { Icon } from '@grafana/ui';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { HarnessTimeRange } from '../api';
import { toTimeRange } from '../query-runner';
import { ALL_VARIABLE_VALUE } from '../template-formats';
import { annotationsForPanel, runDashboardAnnotations, type AnnotationLayer } from './dashboard-annotations';
import { DashboardPanel } from './DashboardPanel';
import { gridHeight, gridToPixels } from './grid-layout';
import { refreshPeriodMs } from './interval';
import { layoutDashboard, type DashboardJson, type LayoutItem } from './model';
import type { DashboardRuntime } from './runtime';
import { resolveVariables } from './variable-resolver';
import { dependentsOf, referencedNames, selectedValues, selectOptions, type ResolvedVariable } from './variables';
import { VariablesBar } from './VariablesBar';

export interface DashboardViewProps {
  dashboard: DashboardJson;
  runtime: DashboardRuntime;
  theme: GrafanaTheme2;
  /** px; without it the dashboard fills its container's width and follows it */
  width?: number;
  rawRange: HarnessTimeRange;
  /** selected values by variable name (URL `var-…` or API) */
  requested: Record<string, string | string[]>;
  /** Grafana's kiosk mode: no variables bar */
  kiosk: boolean;
  /** Grafana's `min_refresh_interval`. @default '5s' */
  minRefresh?: string;
  onVariablesChange?: (variables: ResolvedVariable[]) => void;
}

/** px around the grid, as Grafana pads the dashboard body */
const PADDING = 16;

/**
 * A dashboard as Grafana's dashboard page shows it in view mode: variables bar, then the 24-column grid of
 * panels and rows. Variables resolve first (panels wait for them, as in Grafana); a changed variable re-resolves
 * the variables depending on it and re-runs the panels whose queries read any changed value; `refresh` re-runs
 * every query (and the annotations) against a range recomputed from the relative time.
 */
export function DashboardView(props: DashboardViewProps) {
  const { dashboard, runtime, theme, rawRange, kiosk } = props;
  const { datasourceSrv, templateSrv, appEvents } = runtime.services;
  const definitions = useMemo(() => dashboard.templating?.list ?? [], [dashboard]);
  const timeZone = dashboard.timezone || 'browser';
  const [variables, setVariables] = useState<ResolvedVariable[] | undefined>();
  const [variableErrors, setVariableErrors] = useState<Record<string, string>>({});
  const [tick, setTick] = useState(0);
  const [expandedRows, setExpandedRows] = useState<ReadonlySet<string>>(new Set());
  const [collapsedRows, setCollapsedRows] = useState<ReadonlySet<string>>(new Set());
  const [layers, setLayers] = useState<AnnotationLayer[]>([]);
  const [measured, ref] = useWidth();
  const width = props.width ?? measured;
  const eventBus = useMemo(() => appEvents.newScopedBus('dashboard', { onlyLocal: false }), [appEvents]);

  // `tick` too: a relative range moves with every refresh
  const timeRange = useMemo(() => toTimeRange(rawRange, timeZone), [rawRange, timeZone, tick]);
  useEffect(() => templateSrv.updateTimeRange(timeRange), [templateSrv, timeRange]);

  const reportError = useCallback((name: string, err: unknown) => {
    const message = err instanceof Error ? err.message : String((err as { message?: string })?.message ?? err);
    console.warn(`dashboard: variable ${name}: ${message}`);
    setVariableErrors((errors) => ({ ...errors, [name]: message }));
  }, []);

  useEffect(() => {
    let live = true;
    const ctx = { datasourceSrv, templateSrv, range: toTimeRange(rawRange, timeZone) };
    resolveVariables(definitions, ctx, props.requested, [], reportError).then(
      (resolved) => live && setVariables(resolved),
    );
    return () => {
      live = false;
    };
    // resolved once per mount (the dashboard is the key); later changes go through onVariableChange
  }, [definitions]);

  const { onVariablesChange } = props;
  useEffect(() => {
    if (variables) onVariablesChange?.(variables);
  }, [variables, onVariablesChange]);

  const onVariableChange = useCallback(
    (name: string, value: string | string[]) => {
      if (!variables) return;
      const definition = definitions.find((d) => d.name === name);
      const current = variables.find((v) => v.name === name);
      if (!definition || !current) return;
      const changed =
        current.type === 'textbox'
          ? {
              ...current,
              current: { text: String(value), value: String(value) },
              options: [{ text: String(value), value: String(value) }],
            }
          : selectOptions(
              definition,
              current.options.filter((o) => o.value !== ALL_VARIABLE_VALUE),
              value,
            );
      const stale = new Set(dependentsOf(definitions, [name]).map((d) => d.name));
      const kept = variables.filter((v) => !stale.has(v.name)).map((v) => (v.name === name ? changed : v));
      const ctx = { datasourceSrv, templateSrv, range: timeRange };
      resolveVariables(definitions, ctx, {}, kept, reportError).then(setVariables);
    },
    [variables, definitions, datasourceSrv, templateSrv, timeRange, reportError],
  );

  useEffect(() => {
    const period = refreshPeriodMs(dashboard.refresh, props.minRefresh);
    if (period === undefined) return;
    const timer = setInterval(() => setTick((n) => n + 1), period);
    return () => clearInterval(timer);
  }, [dashboard.refresh, props.minRefresh]);

  const annotationKey = variables ? valuesKey(variables, referencedNames(dashboard.annotations?.list)) : undefined;
  useEffect(() => {
    if (annotationKey === undefined) return;
    let live = true;
    runDashboardAnnotations(dashboard.annotations?.list ?? [], datasourceSrv, rawRange, theme, (name, err) =>
      console.warn(`dashboard: annotation ${name}: ${err instanceof Error ? err.message : String(err)}`),
    ).then((found) => live && setLayers(found));
    return () => {
      live = false;
    };
  }, [annotationKey, tick, dashboard, datasourceSrv, rawRange, theme]);

  const layout = useMemo(
    () =>
      variables &&
      layoutDashboard(dashboard, {
        expandedRows,
        collapsedRows,
        repeatValues: (name) => selectedValues(variables.find((v) => v.name === name)),
      }),
    [dashboard, variables, expandedRows, collapsedRows],
  );
  useEffect(() => {
    if (layout) runtime.setLayout(layout.filter((i) => i.kind === 'panel').map((i) => i.key));
  }, [runtime, layout]);

  const toggleRow = (item: LayoutItem) => {
    const flip = (set: ReadonlySet<string>) => {
      const next = new Set(set);
      if (!next.delete(item.key)) next.add(item.key);
      return next;
    };
    if (item.panel.collapsed) setExpandedRows(flip);
    else setCollapsedRows(flip);
  };

  const gridWidth = Math.max(0, width - 2 * PADDING);
  return (
    <div
      ref={ref}
      data-testid="harness-dashboard"
      data-uid={dashboard.uid}
      style={{ width: props.width ?? '100%', padding: PADDING, boxSizing: 'border-box' }}
    >
      {!kiosk && variables && (
        <VariablesBar variables={variables} errors={variableErrors} onChange={onVariableChange} />
      )}
      {layout && gridWidth > 0 && (
        <div style={{ position: 'relative', height: gridHeight(layout.map((i) => i.gridPos)) }}>
          {layout.map((item) => {
            const rect = gridToPixels(item.gridPos, gridWidth);
            if (item.kind === 'row') {
              return (
                <DashboardRow
                  key={item.key}
                  item={item}
                  rect={rect}
                  title={templateSrv.replace(item.panel.title ?? '')}
                  onToggle={() => toggleRow(item)}
                />
              );
            }
            return (
              <DashboardPanel
                key={item.key}
                item={item}
                rect={rect}
                runtime={runtime}
                theme={theme}
                rawRange={rawRange}
                timeRange={timeRange}
                timeZone={timeZone}
                queryKey={`${tick}|${valuesKey(variables!, referencedNames([item.panel.targets, item.panel.datasource, item.panel.interval]))}`}
                annotations={annotationsForPanel(layers, item.panel.id)}
                eventBus={eventBus}
              />
            );
          })}
        </div>
      )}
    </div>
  );
}

/** The current values of the named variables, as one string that changes when any of them does. */
function valuesKey(variables: ResolvedVariable[], names: string[]): string {
  return JSON.stringify(names.map((n) => variables.find((v) => v.name === n)?.current.value ?? null));
}

function DashboardRow({
  item,
  rect,
  title,
  onToggle,
}: {
  item: LayoutItem;
  rect: ReturnType<typeof gridToPixels>;
  title: string;
  onToggle: () => void;
}) {
  return (
    <button
      type="button"
      data-testid="harness-dashboard-row"
      data-title={title}
      data-collapsed={item.collapsed ? 'true' : 'false'}
      onClick={onToggle}
      style={{
        position: 'absolute',
        left: rect.left,
        top: rect.top,
        width: rect.width,
        height: rect.height,
        display: 'flex',
        alignItems: 'center',
        gap: 8,
        background: 'none',
        border: 'none',
        color: 'inherit',
        font: 'inherit',
        fontSize: 16,
        fontWeight: 500,
        cursor: 'pointer',
        padding: 0,
      }}
    >
      <Icon name={item.collapsed ? 'angle-right' : 'angle-down'} />
      {title}
    </button>
  );
}

/** The element's width in px, followed through resizes (the landing page's full-width dashboard). */
function useWidth(): [number, (el: HTMLDivElement | null) => void] {
  const [width, setWidth] = useState(0);
  const observer = useRef<ResizeObserver | undefined>(undefined);
  const [el, setEl] = useState<HTMLDivElement | null>(null);
  useLayoutEffect(() => {
    if (!el) return;
    setWidth(el.getBoundingClientRect().width);
    observer.current = new ResizeObserver(([entry]) => entry && setWidth(entry.contentRect.width + 2 * PADDING));
    observer.current.observe(el);
    return () => observer.current?.disconnect();
  }, [el]);
  return [width, setEl];
}
