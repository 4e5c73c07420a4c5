import { FieldType, PanelPlugin, type PanelProps } from '@grafana/data';
import {
  BigValue,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueJustifyMode,
  BigValueTextMode,
  useTheme2,
} from '@grafana/ui';
import {
  coreMeta,
  DEFAULT_REDUCE_OPTIONS,
  NoData,
  option,
  REDUCED_VALUE_FIELD_CONFIG,
  reducedValues,
  type ReduceOptions,
} from './common';

/** The stat options the stand-in honours, with Grafana's defaults. */
interface StatOptions {
  reduceOptions: ReduceOptions;
  /** `value`, `background`, `background_solid` or `none` */
  colorMode: BigValueColorMode;
  /** `area` (sparkline) or `none` */
  graphMode: BigValueGraphMode;
  /** `auto`, `value`, `value_and_name`, `name` or `none` */
  textMode: BigValueTextMode;
  justifyMode: BigValueJustifyMode;
  /** `auto` (side by side when wider than tall), `horizontal` (side by side) or `vertical` (stacked) */
  orientation: 'auto' | 'horizontal' | 'vertical';
  text?: { titleSize?: number; valueSize?: number };
}

/** px between values, as Grafana's VizRepeater spaces them */
const SPACING = 8;

function StatPanel({ data, options, width, height, timeRange, replaceVariables }: PanelProps<StatOptions>) {
  const theme = useTheme2();
  const values = reducedValues(data.series, options.reduceOptions, replaceVariables);
  if (values.length === 0) return <NoData />;
  const side = options.orientation === 'horizontal' || (options.orientation !== 'vertical' && width > height);
  const count = values.length;
  const itemWidth = side ? (width - SPACING * (count - 1)) / count : width;
  const itemHeight = side ? height : (height - SPACING * (count - 1)) / count;
  return (
    <div style={{ display: 'flex', flexDirection: side ? 'row' : 'column', gap: SPACING, width, height }}>
      {values.map(({ display, field, frame }, i) => {
        const time = frame.fields.find((f) => f.type === FieldType.time);
        const sparkline =
          options.graphMode === BigValueGraphMode.Area && time && field.values.length > 1
            ? { y: field, x: time, timeRange }
            : undefined;
        return (
          <BigValue
            key={i}
            theme={theme}
            width={itemWidth}
            height={itemHeight}
            value={display}
            sparkline={sparkline}
            colorMode={options.colorMode}
            graphMode={options.graphMode}
            textMode={
              count === 1 && options.textMode === BigValueTextMode.Auto ? BigValueTextMode.Value : options.textMode
            }
            justifyMode={options.justifyMode}
            text={options.text}
            count={count}
          />
        );
      })}
    </div>
  );
}

/** Grafana's `stat` panel, drawn with @grafana/ui's BigValue. */
export function statPlugin(): PanelPlugin {
  const plugin = new PanelPlugin<StatOptions>(StatPanel)
    .useFieldConfig(REDUCED_VALUE_FIELD_CONFIG)
    .setPanelOptions((builder) => {
      option(builder as never, 'reduceOptions', DEFAULT_REDUCE_OPTIONS);
      option(builder as never, 'colorMode', BigValueColorMode.Value);
      option(builder as never, 'graphMode', BigValueGraphMode.Area);
      option(builder as never, 'textMode', BigValueTextMode.Auto);
      option(builder as never, 'justifyMode', BigValueJustifyMode.Auto);
      option(builder as never, 'orientation', 'auto');
    });
  plugin.meta = coreMeta('stat', 'Stat');
  return plugin as unknown as PanelPlugin;
}
