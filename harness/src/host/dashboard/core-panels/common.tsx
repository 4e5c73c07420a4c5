import {
  FieldColorModeId,
  FieldConfigProperty,
  FieldType,
  getFieldDisplayName,
  identityOverrideProcessor,
  PluginType,
  type DataFrame,
  type DisplayValue,
  type Field,
  type FieldConfigEditorBuilder,
  type InterpolateFunction,
  type PanelOptionsEditorBuilder,
  type PanelPluginMeta,
  type ScopedVars,
} from '@grafana/data';
import { useTheme2 } from '@grafana/ui';
import { createContext, useContext, useEffect } from 'react';
import { reduceValues } from '../reduce';

/** Options have no editor here (no options pane): registered only so their defaults and saved values apply. */
const NoEditor = () => null;

/** Registers a panel option by path with its default, as Grafana's core panel declares it. */
export function option(builder: PanelOptionsEditorBuilder<never>, path: string, defaultValue: unknown): void {
  builder.addCustomEditor({ id: path, path, name: path, editor: NoEditor, defaultValue: defaultValue as never });
}

/** Registers a custom field config property (`custom.<path>`), kept by applyFieldOverrides and overrides. */
export function customField(builder: FieldConfigEditorBuilder<never>, path: string, defaultValue: unknown): void {
  builder.addCustomEditor({
    id: path,
    path,
    name: path,
    editor: NoEditor,
    override: NoEditor,
    process: identityOverrideProcessor,
    shouldApply: () => true,
    defaultValue: defaultValue as never,
  });
}

/** What Grafana's plugin settings give a core panel, enough for the panel mount path. */
export function coreMeta(id: string, name: string, skipDataQuery = false): PanelPluginMeta {
  return {
    id,
    name,
    type: PluginType.panel,
    module: `core:plugin/${id}`,
    baseUrl: `public/app/plugins/panel/${id}`,
    sort: 0,
    skipDataQuery,
    info: {
      author: { name: 'Grafana Labs (harness stand-in)' },
      description: `Stand-in for Grafana's core ${name} panel`,
      links: [],
      logos: { small: '', large: '' },
      screenshots: [],
      updated: '',
      version: '',
    },
  } as PanelPluginMeta;
}

/**
 * Told whether a stand-in shows its no-data view, so the dashboard reports the panel as `nodata` even when the
 * answer had rows but nothing the options select (a `fields` pattern matching no field, no time field…).
 */
export const NoDataReport = createContext<(shown: boolean) => void>(() => {});

/** Grafana's PanelDataErrorView for an empty answer: "No data", centred. */
export function NoData({ message = 'No data' }: { message?: string }) {
  const theme = useTheme2();
  const report = useContext(NoDataReport);
  useEffect(() => {
    report(true);
    return () => report(false);
  }, [report]);
  return (
    <div
      data-testid="harness-core-panel-nodata"
      style={{
        display: 'flex',
        alignItems: 'center',
        justifyContent: 'center',
        height: '100%',
        color: theme.colors.text.secondary,
      }}
    >
      {message}
    </div>
  );
}

/** `reduceOptions` of stat, gauge and bar gauge. */
/** Field config of the panels that reduce a field to one value (stat, bar gauge): colour by value, thresholds. */
export const REDUCED_VALUE_FIELD_CONFIG = {
  standardOptions: {
    [FieldConfigProperty.Color]: {
      settings: { byValueSupport: true, bySeriesSupport: true, preferThresholdsMode: true },
      defaultValue: { mode: FieldColorModeId.Thresholds },
    },
  },
};

/** Grafana's default `reduceOptions`: the last non-null value of every numeric field. */
export const DEFAULT_REDUCE_OPTIONS = { values: false, calcs: ['lastNotNull'], fields: '' };

export interface ReduceOptions {
  /** every value instead of one per field. @default false */
  values?: boolean;
  /** the first is used. @default ['lastNotNull'] */
  calcs?: string[];
  /** `''` numeric fields, a field name, or `/regex/` on display names. @default '' */
  fields?: string;
  /** with `values`: at most this many. @default 5000 */
  limit?: number;
}

/** One value to show: its display (text, colour by thresholds, title), the field, and the field's frame. */
export interface ReducedValue {
  display: DisplayValue;
  field: Field;
  frame: DataFrame;
}

/**
 * The title of one row's value (`reduceOptions.values`), as Grafana's `getSmartDisplayNameForRow` gives it: a
 * display name the field config sets, interpolated for that row (`\${__data.fields.hall}`), else the row's text
 * values joined, followed by the field's display name when the frame has other number fields (or no text).
 */
function rowTitle(
  series: DataFrame[],
  frame: DataFrame,
  field: Field,
  rowIndex: number,
  name: string,
  replace?: InterpolateFunction,
): string {
  const template = field.config.displayName;
  if (template) {
    const scopedVars = { __dataContext: { value: { data: series, frame, field, rowIndex } } } as unknown as ScopedVars;
    return replace ? replace(template, scopedVars) : template;
  }
  const parts: string[] = [];
  let otherNumbers = 0;
  for (const other of frame.fields) {
    if (other === field) continue;
    if (other.type === FieldType.string) {
      const value = other.values[rowIndex] ?? '';
      const text = other.display ? other.display(value).text : String(value);
      if (text.length > 0) parts.push(text);
    } else if (other.type === FieldType.number) otherNumbers++;
  }
  if (otherNumbers > 0 || parts.length === 0) parts.push(name);
  return parts.join(' ');
}

/**
 * Grafana's `getFieldDisplayValues` reduced to what the stand-ins need: the chosen fields of every frame, each
 * reduced by the first calc (or, with `values`, each value), formatted by the field's display processor (unit,
 * decimals, mappings, thresholds) and titled by its display name (with `values`, by its row: `rowTitle`).
 * `replace` is the panel's `replaceVariables`, for row titles from a display name template.
 */
export function reducedValues(
  series: DataFrame[],
  reduce: ReduceOptions = {},
  replace?: InterpolateFunction,
): ReducedValue[] {
  const calc = reduce.calcs?.[0] ?? 'lastNotNull';
  const pattern = reduce.fields ? /^\/(.*)\/([a-z]*)$/.exec(reduce.fields) : null;
  const result: ReducedValue[] = [];
  for (const frame of series) {
    for (const field of frame.fields) {
      const name = getFieldDisplayName(field, frame, series);
      const wanted = !reduce.fields
        ? field.type === FieldType.number
        : pattern
          ? new RegExp(pattern[1]!, pattern[2]).test(name)
          : reduce.fields === name || reduce.fields === field.name;
      if (!wanted || field.config.custom?.hideFrom?.viz) continue;
      const display = field.display ?? ((v: unknown) => ({ text: String(v ?? ''), numeric: Number(v) }));
      if (reduce.values) {
        field.values.slice(0, reduce.limit ?? 5000).forEach((value, row) =>
          result.push({
            display: { ...display(value), title: rowTitle(series, frame, field, row, name, replace) },
            field,
            frame,
          }),
        );
        continue;
      }
      result.push({ display: { ...display(reduceValues(field.values, calc)), title: name }, field, frame });
    }
  }
  return result;
}
