import type { FieldColorModeId, ThresholdsConfig, ThresholdsMode, VariableModel } from '@grafana/schema';
import { queryVariable } from './build';

/** Shared pieces of the Plenum dashboards: variables, units and colours every dashboard uses the same way. */

/**
 * The site: one value on an edge (its own site, preselected as the only option), every site a hub's topology
 * lists. Every other topology variable is narrowed by it, so one data source and these dashboards serve many halls.
 */
export const siteVariable = (): VariableModel => queryVariable('site', 'Site', { kind: 'sites' });

/** The halls of the selected site: one on an edge. @default single-valued, the first hall */
export const hallVariable = (opts: { multi?: boolean; includeAll?: boolean } = {}): VariableModel =>
  queryVariable('hall', 'Hall', { kind: 'halls', site: '$site' }, opts);

/** `site`, then `hall` depending on it: the pair every per-hall dashboard starts with. */
export const siteAndHall = (): VariableModel[] => [siteVariable(), hallVariable()];

export const rowVariable = (): VariableModel =>
  queryVariable('row', 'Row', { kind: 'rows', site: '$site', hall: '$hall' }, { multi: true, includeAll: true });

export const rackVariable = (): VariableModel =>
  queryVariable('rack', 'Rack', { kind: 'racks', site: '$site', hall: '$hall' });

/** Absolute thresholds from `[colour, lower bound]` pairs; the first bound is null (−∞), as Grafana saves it. */
export const thresholds = (...steps: Array<[string, number | null]>): ThresholdsConfig => ({
  mode: 'absolute' as ThresholdsMode,
  steps: steps.map(([color, value]) => ({ color, value: value as number })),
});

export const fixedColor = (color: string) => ({ mode: 'fixed' as FieldColorModeId, fixedColor: color });

export const BY_THRESHOLDS = { mode: 'thresholds' as FieldColorModeId };

/** ASHRAE TC 9.9 inlet bands: recommended 18–27 °C, allowable up to 32 °C (A1). */
export const INLET_THRESHOLDS = thresholds(['blue', null], ['green', 18], ['orange', 27], ['red', 32]);

/** Connector, event and detector states coloured the same on every table. */
export const STATE_MAPPINGS = [
  {
    type: 'value',
    options: {
      up: { color: 'green', index: 0 },
      starting: { color: 'blue', index: 1 },
      degraded: { color: 'orange', index: 2 },
      down: { color: 'red', index: 3 },
      stopped: { color: 'text', index: 4 },
      critical: { color: 'red', index: 5 },
      warning: { color: 'orange', index: 6 },
      info: { color: 'blue', index: 7 },
      bad: { color: 'red', index: 8 },
      uncertain: { color: 'orange', index: 9 },
      stale: { color: 'orange', index: 10 },
      'no data': { color: 'red', index: 11 },
      // prediction detectors
      learning: { color: 'blue', index: 12 },
      normal: { color: 'green', index: 13 },
      alarm: { color: 'red', index: 14 },
    },
  },
];

/** A table column coloured by its text value (state, severity, problem). */
export const colouredColumn = (name: string) => ({
  matcher: { id: 'byName', options: name },
  properties: [
    { id: 'mappings', value: STATE_MAPPINGS },
    { id: 'custom.cellOptions', value: { type: 'color-text' } },
  ],
});

/** Stat options readable across a room: value only, large, coloured background by thresholds. */
export const WALL_STAT = {
  reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
  colorMode: 'background',
  graphMode: 'none',
  justifyMode: 'center',
  textMode: 'value',
  orientation: 'auto',
  wideLayout: true,
  showPercentChange: false,
};

/**
 * A wall stat of the `value` column only (not `count` or `rawStatus`). Grafana matches `fields` against display
 * names, and the value field's is `value <quantity>` (its labels), hence the prefix match.
 */
export const VALUE_STAT = { ...WALL_STAT, reduceOptions: { ...WALL_STAT.reduceOptions, fields: '/^value/' } };

/** Columns of an events table to hide, by field name. */
export const hiddenColumns = (...names: string[]) =>
  names.map((name) => ({
    matcher: { id: 'byName', options: name },
    properties: [{ id: 'custom.hidden', value: true }],
  }));

/** A column shown under another name. */
export const renamedColumn = (name: string, displayName: string) => ({
  matcher: { id: 'byName', options: name },
  properties: [{ id: 'displayName', value: displayName }],
});
