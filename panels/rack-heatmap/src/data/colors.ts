import {
  Field,
  FieldColorModeId,
  formattedValueToString,
  getFieldColorModeForField,
  getValueFormat,
  MappingType,
  GrafanaTheme2,
  sortThresholds,
  ThresholdsConfig,
  ThresholdsMode,
  ValueMapping,
  ValueMappingResult,
} from '@grafana/data';
import { ColorPreset } from '../types';
import { ASHRAE_BANDS, ashraeThresholds } from './ashrae';
import { BucketRule } from './color-index';

/** Buckets a continuous scheme is quantised into: enough that neighbours look alike, few enough to batch fills. */
export const CONTINUOUS_BUCKETS = 32;

export interface LegendItem {
  color: string;
  label: string;
}

export type LegendModel =
  | { kind: 'steps'; items: LegendItem[] }
  | { kind: 'gradient'; colors: string[]; min: string; max: string }
  | { kind: 'single'; color: string };

/** A field's colours as buckets: built once per field config and data range, applied per value by color-index.ts. */
export interface ColorScale {
  /** CSS colours; bucket b is drawn in palette[b] */
  palette: string[];
  rule: BucketRule;
  /** bucket of a value that a coloured value mapping matches, else -1 */
  mapped?: (v: number) => number;
  legend: LegendModel;
  /** coloured value mappings, for the legend */
  mappingItems: LegendItem[];
}

export interface DataRange {
  min: number;
  max: number;
}

/** Finite min and max over every array; {0, 0} when none has a finite value. */
export function dataRange(arrays: Float64Array[]): DataRange {
  let min = Infinity;
  let max = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (v < min) {
        min = v;
      }
      if (v > max) {
        max = v;
      }
    }
  }
  return min <= max ? { min, max } : { min: 0, max: 0 };
}

/**
 * The colour scale Grafana's field config gives `field` (thresholds, absolute or percent; continuous and single-colour
 * schemes; coloured value mappings first), or the ASHRAE inlet bands when `preset` is 'ashrae'.
 * @param range the data's range, used where the config has no min/max (as Grafana does)
 */
export function buildColorScale(field: Field, theme: GrafanaTheme2, preset: ColorPreset, range: DataRange): ColorScale {
  const config = field.config;
  const min = config.min ?? range.min;
  const max = config.max ?? range.max;
  const format = (v: number) => formattedValueToString(getValueFormat(config.unit ?? 'none')(v, config.decimals));
  const color = (name: string) => theme.visualization.getColorByName(name);

  const { palette, rule, legend } =
    preset === 'ashrae'
      ? thresholdScale(ashraeThresholds(config.unit), min, max, color, format, (i) => ASHRAE_BANDS[i]?.name)
      : fieldScale(field, theme, min, max, format);
  const { mapped, mappingItems } = mappingBuckets(config.mappings ?? [], palette, color);
  return { palette, rule, mapped, legend, mappingItems };
}

type Built = Pick<ColorScale, 'palette' | 'rule' | 'legend'>;

function fieldScale(
  field: Field,
  theme: GrafanaTheme2,
  min: number,
  max: number,
  format: (v: number) => string
): Built {
  const config = field.config;
  const mode = getFieldColorModeForField(field);
  if (mode.id === FieldColorModeId.Thresholds) {
    const thresholds = config.thresholds ?? { mode: ThresholdsMode.Absolute, steps: [] };
    return thresholdScale(thresholds, min, max, (n) => theme.visualization.getColorByName(n), format);
  }
  const calculate = mode.getCalculator(field, theme);
  if (mode.isContinuous && mode.isByValue) {
    const palette = Array.from({ length: CONTINUOUS_BUCKETS }, (_, b) =>
      calculate(NaN, (b + 0.5) / CONTINUOUS_BUCKETS)
    );
    return {
      palette,
      rule: { kind: 'linear', min, max, count: CONTINUOUS_BUCKETS },
      legend: { kind: 'gradient', colors: palette, min: format(min), max: format(max) },
    };
  }
  // fixed, shades and by-series palettes give a field one colour whatever its value
  const single = calculate(NaN, 0);
  return {
    palette: [single],
    rule: { kind: 'steps', bounds: new Float64Array() },
    legend: { kind: 'single', color: single },
  };
}

function thresholdScale(
  thresholds: ThresholdsConfig,
  min: number,
  max: number,
  color: (name: string) => string,
  format: (v: number) => string,
  bandName: (index: number) => string | undefined = () => undefined
): Built {
  const steps = sortThresholds(thresholds.steps.length ? thresholds.steps : [{ value: -Infinity, color: 'green' }]);
  // percent thresholds are relative to min..max, as Grafana's getActiveThresholdForValue reads them
  const absolute = (v: number) =>
    thresholds.mode === ThresholdsMode.Percentage && Number.isFinite(v) ? min + ((max - min) * v) / 100 : v;
  const edges = steps.map((s) => absolute(s.value));
  const palette = steps.map((s) => color(s.color));
  const items = steps.map((_, i) => {
    const from = edges[i]!;
    const to = edges[i + 1];
    const range =
      i === 0 && to !== undefined
        ? `< ${format(to)}`
        : to === undefined
          ? `≥ ${format(from)}`
          : `${format(from)} – ${format(to)}`;
    const name = bandName(i);
    return { color: palette[i]!, label: name ? `${range} ${name}` : range };
  });
  return {
    palette,
    // the first step is -Infinity (Grafana's base): its edge is not a bound
    rule: { kind: 'steps', bounds: Float64Array.from(edges.slice(1)) },
    legend: steps.length === 1 ? { kind: 'single', color: palette[0]! } : { kind: 'steps', items },
  };
}

/** Colour and legend text of each coloured result of a mapping. */
function mappingResults(m: ValueMapping): Array<{ color: string; text: string }> {
  const entry = (r: ValueMappingResult, fallback: string) =>
    r.color ? [{ color: r.color, text: r.text ?? fallback }] : [];
  switch (m.type) {
    case MappingType.ValueToText:
      return Object.entries(m.options).flatMap(([value, r]) => entry(r, value));
    case MappingType.RangeToText:
      return entry(m.options.result, `${m.options.from ?? '-∞'} – ${m.options.to ?? '∞'}`);
    case MappingType.RegexToText:
      return entry(m.options.result, m.options.pattern);
    case MappingType.SpecialValue:
      return entry(m.options.result, String(m.options.match));
    default:
      return [];
  }
}

/**
 * Colour of the first mapping that matches a number, in Grafana's order and rules (getValueMappingResult in
 * @grafana/data, which is not exported): value by its text, range inclusive, regex on the text. Special values
 * (null, NaN, booleans, empty) never match a number that has a value: those racks are drawn as missing instead.
 */
function mappedColor(mappings: ValueMapping[], v: number): string | undefined {
  for (const m of mappings) {
    switch (m.type) {
      case MappingType.ValueToText: {
        const r = m.options[String(v)];
        if (r) {
          return r.color;
        }
        break;
      }
      case MappingType.RangeToText:
        if (v >= (m.options.from ?? -Infinity) && v <= (m.options.to ?? Infinity)) {
          return m.options.result.color;
        }
        break;
      case MappingType.RegexToText:
        if (m.options.pattern && new RegExp(m.options.pattern).test(String(v))) {
          return m.options.result.color;
        }
        break;
    }
  }
  return undefined;
}

/**
 * Coloured value mappings win over the scale, as in Grafana's display processor: each of their colours gets a bucket
 * after the scale's, appended to `palette` here, once per field config.
 */
function mappingBuckets(
  mappings: ValueMapping[],
  palette: string[],
  color: (name: string) => string
): Pick<ColorScale, 'mapped' | 'mappingItems'> {
  const coloured = mappings.filter((m) => mappingResults(m).length > 0);
  if (coloured.length === 0) {
    return { mappingItems: [] };
  }
  const bucketOfColor = new Map<string, number>();
  const mappingItems: LegendItem[] = [];
  for (const { color: name, text } of coloured.flatMap(mappingResults)) {
    const css = color(name);
    if (!bucketOfColor.has(css)) {
      bucketOfColor.set(css, palette.length);
      palette.push(css);
    }
    mappingItems.push({ color: css, label: text });
  }
  return {
    mappingItems,
    mapped: (v: number) => {
      // all mappings: an uncoloured one that matches first leaves the scale's colour, as in Grafana
      const name = mappedColor(mappings, v);
      return name ? (bucketOfColor.get(color(name)) ?? -1) : -1;
    },
  };
}
