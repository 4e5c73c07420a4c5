/**
 * Panel options. Every field name is '' for "detect automatically" (see data/fields.ts); defaults live in
 * DEFAULT_OPTIONS only, and saved panels are completed from it by migrations.ts.
 */

/** Columns the panel reads; a layout frame has rack, x, y (grid tiles) and optionally the rest. */
export interface FieldNames {
  rack: string;
  x: string;
  y: string;
  /** the value to colour by; '' = every numeric field of the values frame(s), the first one unless split */
  value: string;
  w: string;
  h: string;
  row: string;
  hall: string;
  facing: string;
  label: string;
  /** time of each value, for stale detection; '' = the values frame's first time field */
  time: string;
}

export type ColorPreset = 'field' | 'ashrae';
export type LegendPlacement = 'bottom' | 'right';

export interface LayoutOptions {
  /** only this hall; '' = every hall, side by side */
  hall: string;
  /** several values per rack (e.g. top/middle/bottom inlet) drawn as stacked slices of one tile */
  splitValues: boolean;
  showAisles: boolean;
  showRowNames: boolean;
}

export interface TextOptions {
  showLabels: boolean;
  showValues: boolean;
  /** NOC wall: large type, no hover tooltip, a "last updated" time */
  tvMode: boolean;
}

export interface ColorOptions {
  /** 'field' = the field config (thresholds, scheme, mappings); 'ashrae' = ASHRAE inlet bands over it */
  preset: ColorPreset;
  /** a value older than this (Grafana interval, e.g. '10m') at the end of the time range is stale; '' = never */
  staleAfter: string;
}

export interface LegendOptions {
  show: boolean;
  placement: LegendPlacement;
}

export interface InteractionOptions {
  tooltip: boolean;
  /** sparkline of the last hour in the tooltip, from any time series labelled with the rack */
  sparkline: boolean;
  /** dashboard variable (name without `$`) set to the rack a click selects; '' = none */
  variable: string;
  /** wheel zoom, drag pan, double-click reset */
  zoom: boolean;
}

export interface PredictionOptions {
  /**
   * mark racks with an open prediction (a corner badge in its severity colour) and list them in the tooltip, when a
   * predictions frame is present (e.g. Plenum's events query for open `prediction` events); see data/predictions.ts
   */
  show: boolean;
}

export interface RackHeatmapOptions {
  fields: FieldNames;
  layout: LayoutOptions;
  text: TextOptions;
  color: ColorOptions;
  legend: LegendOptions;
  interaction: InteractionOptions;
  predictions: PredictionOptions;
}

export const DEFAULT_OPTIONS: RackHeatmapOptions = {
  fields: { rack: '', x: '', y: '', value: '', w: '', h: '', row: '', hall: '', facing: '', label: '', time: '' },
  layout: { hall: '', splitValues: false, showAisles: true, showRowNames: true },
  text: { showLabels: true, showValues: true, tvMode: false },
  color: { preset: 'field', staleAfter: '10m' },
  legend: { show: true, placement: 'bottom' },
  interaction: { tooltip: true, sparkline: true, variable: '', zoom: true },
  predictions: { show: true },
};
