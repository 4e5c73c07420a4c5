import { FieldColorModeId, FieldConfigProperty, FieldType, PanelPlugin, type PanelProps } from '@grafana/data';
import { LegendDisplayMode, TimeSeries, type VizLegendOptions } from '@grafana/ui';
import { coreMeta, customField, NoData, option } from './common';

interface TimeSeriesOptions {
  legend: VizLegendOptions;
}

function TimeSeriesPanel({ data, options, width, height, timeRange, timeZone }: PanelProps<TimeSeriesOptions>) {
  const frames = data.series.filter(
    (frame) =>
      frame.fields.some((f) => f.type === FieldType.time) && frame.fields.some((f) => f.type === FieldType.number),
  );
  if (!data.series.some((frame) => frame.length > 0)) return <NoData />;
  if (frames.length === 0) return <NoData message="Data does not have a time field" />;
  return (
    <TimeSeries
      frames={frames}
      structureRev={data.structureRev}
      width={width}
      height={height}
      timeRange={timeRange}
      timeZone={timeZone}
      legend={options.legend}
      options={options}
    />
  );
}

/**
 * Grafana's graph field config defaults (`defaultGraphConfig` + `getGraphFieldConfig` of the timeseries panel):
 * registered so saved values survive the defaults merge and reach uPlot's config builder.
 */
const GRAPH_DEFAULTS: Record<string, unknown> = {
  drawStyle: 'line',
  lineInterpolation: 'linear',
  lineWidth: 1,
  lineStyle: { fill: 'solid' },
  fillOpacity: 0,
  gradientMode: 'none',
  barAlignment: 0,
  barWidthFactor: 0.6,
  showPoints: 'auto',
  pointSize: 5,
  spanNulls: false,
  insertNulls: false,
  stacking: { mode: 'none', group: 'A' },
  axisPlacement: 'auto',
  axisLabel: '',
  axisColorMode: 'text',
  axisBorderShow: false,
  axisCenteredZero: false,
  axisGridShow: true,
  axisSoftMin: undefined,
  axisSoftMax: undefined,
  scaleDistribution: { type: 'linear' },
  hideFrom: { legend: false, tooltip: false, viz: false },
  thresholdsStyle: { mode: 'off' },
  showValues: false,
};

/** Grafana's `timeseries` panel, drawn with @grafana/ui's TimeSeries (uPlot) and its legend. */
export function timeSeriesPlugin(): PanelPlugin {
  const plugin = new PanelPlugin<TimeSeriesOptions>(TimeSeriesPanel)
    .useFieldConfig({
      standardOptions: {
        [FieldConfigProperty.Color]: {
          settings: { byValueSupport: true, bySeriesSupport: true, preferThresholdsMode: false },
          defaultValue: { mode: FieldColorModeId.PaletteClassic },
        },
      },
      useCustomConfig: (builder) => {
        for (const [path, value] of Object.entries(GRAPH_DEFAULTS)) customField(builder as never, path, value);
      },
    })
    .setPanelOptions((builder) => {
      option(builder as never, 'legend', {
        showLegend: true,
        displayMode: LegendDisplayMode.List,
        placement: 'bottom',
        calcs: [],
      });
    });
  plugin.meta = coreMeta('timeseries', 'Time series');
  return plugin as unknown as PanelPlugin;
}
