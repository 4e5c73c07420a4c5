import { PanelPlugin, VizOrientation, type PanelProps } from '@grafana/data';
import { BarGaugeNamePlacement, BarGaugeValueMode } from '@grafana/schema';
import { BarGauge, BarGaugeDisplayMode, useTheme2 } from '@grafana/ui';
import {
  coreMeta,
  DEFAULT_REDUCE_OPTIONS,
  NoData,
  option,
  REDUCED_VALUE_FIELD_CONFIG,
  reducedValues,
  type ReduceOptions,
} from './common';

interface BarGaugeOptions {
  reduceOptions: ReduceOptions;
  /** `auto` (bars side by side when wider than tall), `horizontal` or `vertical` */
  orientation: VizOrientation;
  /** `gradient`, `lcd` or `basic` */
  displayMode: BarGaugeDisplayMode;
  showUnfilled: boolean;
  text?: { titleSize?: number; valueSize?: number };
}

/** px between bars */
const SPACING = 8;

function BarGaugePanel({ data, options, width, height, replaceVariables }: PanelProps<BarGaugeOptions>) {
  const theme = useTheme2();
  const values = reducedValues(data.series, options.reduceOptions, replaceVariables);
  if (values.length === 0) return <NoData />;
  const orientation =
    options.orientation === VizOrientation.Auto
      ? width > height
        ? VizOrientation.Vertical
        : VizOrientation.Horizontal
      : options.orientation;
  // vertical bars stand side by side; horizontal bars are stacked
  const side = orientation === VizOrientation.Vertical;
  const count = values.length;
  const itemWidth = side ? (width - SPACING * (count - 1)) / count : width;
  const itemHeight = side ? height : (height - SPACING * (count - 1)) / count;
  return (
    <div style={{ display: 'flex', flexDirection: side ? 'row' : 'column', gap: SPACING, width, height }}>
      {values.map(({ display, field }, i) => (
        <BarGauge
          key={i}
          theme={theme}
          width={itemWidth}
          height={itemHeight}
          value={display}
          display={field.display}
          // without a configured min/max the bar spans the data's range, as Grafana's global range does
          field={{
            ...field.config,
            min: field.config.min ?? field.state?.range?.min ?? 0,
            max: field.config.max ?? field.state?.range?.max ?? 100,
          }}
          orientation={orientation}
          displayMode={options.displayMode}
          showUnfilled={options.showUnfilled}
          namePlacement={BarGaugeNamePlacement.Auto}
          valueDisplayMode={BarGaugeValueMode.Color}
          text={options.text}
          itemSpacing={SPACING}
        />
      ))}
    </div>
  );
}

function barGaugeLike(id: string, name: string, displayMode: BarGaugeDisplayMode): PanelPlugin {
  const plugin = new PanelPlugin<BarGaugeOptions>(BarGaugePanel)
    .useFieldConfig(REDUCED_VALUE_FIELD_CONFIG)
    .setPanelOptions((builder) => {
      option(builder as never, 'reduceOptions', DEFAULT_REDUCE_OPTIONS);
      option(builder as never, 'orientation', VizOrientation.Auto);
      option(builder as never, 'displayMode', displayMode);
      option(builder as never, 'showUnfilled', true);
    });
  plugin.meta = coreMeta(id, name);
  return plugin as unknown as PanelPlugin;
}

/** Grafana's `bargauge` panel, drawn with @grafana/ui's BarGauge. */
export function barGaugePlugin(): PanelPlugin {
  return barGaugeLike('bargauge', 'Bar gauge', BarGaugeDisplayMode.Gradient);
}

/**
 * Grafana's `gauge` panel: @grafana/ui 13.1.1 does not export its `Gauge`, so a basic BarGauge stands in (same
 * value, unit, thresholds colour; a bar instead of an arc).
 */
export function gaugePlugin(): PanelPlugin {
  return barGaugeLike('gauge', 'Gauge', BarGaugeDisplayMode.Basic);
}
