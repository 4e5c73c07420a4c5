import {
  applyFieldOverrides,
  CoreApp,
  dateTime,
  LoadingState,
  PluginContextProvider,
  type DataFrame,
  type EventBus,
  type FieldConfigSource,
  type GrafanaTheme2,
  type InterpolateFunction,
  type PanelData,
  type PanelPlugin,
  type TimeRange,
} from '@grafana/data';
import { ErrorBoundary, PanelChrome, PanelContextProvider, type PanelContext } from '@grafana/ui';
import { useMemo, useState } from 'react';

export interface PanelViewProps {
  plugin: PanelPlugin;
  /** options and field config with the plugin's defaults applied (see panel-defaults.ts) */
  options: Record<string, unknown>;
  fieldConfig: FieldConfigSource;
  /** frames as a query returned them, before field overrides */
  frames: DataFrame[];
  width: number;
  height: number;
  theme: GrafanaTheme2;
  timeRange: TimeRange;
  timeZone: string;
  title: string;
  eventBus: EventBus;
  replaceVariables: InterpolateFunction;
  renderCounter: number;
  /** the panel's id on its dashboard. @default 1 */
  id?: number;
  /** annotation frames (`data.annotations`). @default none */
  annotations?: DataFrame[];
  /** the query's state (`data.state`). @default Done */
  loadingState?: LoadingState;
  /** @default false */
  transparent?: boolean;
}

/** The panel's own error, shown where Grafana shows it (the panel body) and findable by tests. */
export function PanelError({ message }: { message: string }) {
  return (
    <div data-testid="harness-panel-error" role="alert" style={{ padding: 8, whiteSpace: 'pre-wrap' }}>
      {message}
    </div>
  );
}

/**
 * A dashboard panel: PanelChrome (title, padding unless the plugin sets `noPadding`) around an error boundary, the
 * panel context and the plugin's component, given field-overridden series and options kept in state (so
 * `onOptionsChange` from the panel takes effect, as in Grafana).
 */
export function PanelView(props: PanelViewProps) {
  const { plugin, width, height, title } = props;
  const [options, setOptions] = useState(props.options);
  const [fieldConfig, setFieldConfig] = useState(props.fieldConfig);
  const [timeRange, setTimeRange] = useState(props.timeRange);
  const [error, setError] = useState<Error | undefined>();
  return (
    <div data-testid="harness-panel" style={{ width, height }}>
      <PanelChrome
        width={width}
        height={height}
        title={title}
        padding={plugin.noPadding ? 'none' : 'md'}
        statusMessage={error?.message}
      >
        {(innerWidth, innerHeight) => (
          <ErrorBoundary
            dependencies={[props.frames, plugin, options, fieldConfig]}
            onError={setError}
            onRecover={() => setError(undefined)}
          >
            {({ error: caught }) =>
              caught ? (
                <PanelError message={caught.message} />
              ) : (
                <PanelContent
                  {...props}
                  options={options}
                  fieldConfig={fieldConfig}
                  timeRange={timeRange}
                  width={innerWidth}
                  height={innerHeight}
                  onOptionsChange={setOptions}
                  onFieldConfigChange={setFieldConfig}
                  onTimeRangeChange={setTimeRange}
                />
              )
            }
          </ErrorBoundary>
        )}
      </PanelChrome>
    </div>
  );
}

export interface PanelContentProps extends PanelViewProps {
  onOptionsChange: (options: Record<string, unknown>) => void;
  onFieldConfigChange: (config: FieldConfigSource) => void;
  onTimeRangeChange: (range: TimeRange) => void;
}

/** Inside the boundary, so a throw from field overrides or from the panel lands in the boundary too. */
export function PanelContent(props: PanelContentProps) {
  const { plugin, options, fieldConfig, frames, theme, timeRange, timeZone, eventBus, replaceVariables } = props;
  const series = useMemo(
    () =>
      applyFieldOverrides({
        data: frames,
        fieldConfig,
        fieldConfigRegistry: plugin.fieldConfigRegistry,
        replaceVariables,
        theme,
        timeZone,
      }),
    [frames, fieldConfig, plugin, replaceVariables, theme, timeZone],
  );
  const { annotations, loadingState } = props;
  const data: PanelData = useMemo(
    () => ({ state: loadingState ?? LoadingState.Done, series, annotations: annotations ?? [], timeRange }),
    [series, timeRange, annotations, loadingState],
  );
  const context: PanelContext = useMemo(
    () => ({ eventsScope: '__global_', eventBus, app: CoreApp.Dashboard, canAddAnnotations: () => false }),
    [eventBus],
  );
  const Panel = plugin.panel;
  if (!Panel) throw new Error(`panel plugin ${plugin.meta.id} has no panel component`);
  return (
    <PluginContextProvider meta={plugin.meta}>
      <PanelContextProvider value={context}>
        <Panel
          id={props.id ?? 1}
          data={data}
          title={props.title}
          timeRange={timeRange}
          timeZone={timeZone}
          options={options}
          fieldConfig={fieldConfig}
          transparent={props.transparent ?? false}
          width={props.width}
          height={props.height}
          renderCounter={props.renderCounter}
          eventBus={eventBus}
          onOptionsChange={props.onOptionsChange}
          onFieldConfigChange={props.onFieldConfigChange}
          replaceVariables={replaceVariables}
          onChangeTimeRange={(range) => {
            // a zoom or brush selection: the dashboard's time becomes that absolute range
            const from = dateTime(range.from);
            const to = dateTime(range.to);
            props.onTimeRangeChange({ from, to, raw: { from, to } });
          }}
        />
      </PanelContextProvider>
    </PluginContextProvider>
  );
}
