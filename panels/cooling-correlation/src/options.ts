/** The panel's options in Grafana's options pane, grouped by category; defaults come from DEFAULT_OPTIONS. */
import type { PanelOptionsEditorBuilder } from '@grafana/data';
import { DEFAULT_OPTIONS as D, type CorrelationOptions } from './types';

const SERIES = ['Series'];
const ANALYSIS = ['Analysis'];
const EVENTS = ['Events'];
const DISPLAY = ['Display'];

export function buildOptions(builder: PanelOptionsEditorBuilder<CorrelationOptions>): void {
  builder
    .addTextInput({
      path: 'loadFields',
      name: 'Load',
      description:
        'IT power, GPU power or utilisation: names (comma-separated) or /regex/. Empty: detected from units and quantities.',
      category: SERIES,
      defaultValue: D.loadFields,
      settings: { placeholder: 'auto: power, utilisation' },
    })
    .addTextInput({
      path: 'responseFields',
      name: 'Response',
      description: 'Cooling signals (fan, valve, flow, temperatures): names or /regex/. Empty: every other series.',
      category: SERIES,
      defaultValue: D.responseFields,
      settings: { placeholder: 'auto: every other series' },
    })
    .addRadio({
      path: 'loadCombine',
      name: 'Combine loads',
      description: 'Several load series become one: power adds up, utilisation averages.',
      category: SERIES,
      defaultValue: D.loadCombine,
      settings: {
        options: [
          { value: 'auto', label: 'Auto' },
          { value: 'sum', label: 'Sum' },
          { value: 'mean', label: 'Mean' },
        ],
      },
    })
    .addNumberInput({
      path: 'maxLagS',
      name: 'Maximum lag (s)',
      description: 'Longest lag searched, either way.',
      category: ANALYSIS,
      defaultValue: D.maxLagS,
      settings: { min: 1, integer: true },
    })
    .addNumberInput({
      path: 'resolutionS',
      name: 'Resolution (s)',
      description: 'Grid step the series are resampled to. 0: the coarsest sampling interval among them.',
      category: ANALYSIS,
      defaultValue: D.resolutionS,
      settings: { min: 0 },
    })
    .addNumberInput({
      path: 'maxGapS',
      name: 'Longest gap bridged (s)',
      description: 'Samples further apart leave a gap. 0: five sampling intervals of each series.',
      category: ANALYSIS,
      defaultValue: D.maxGapS,
      settings: { min: 0 },
    })
    .addNumberInput({
      path: 'lagThresholdS',
      name: 'Lag threshold (s)',
      description: 'Periods where the response lags more than this are shaded on the time chart. 0: off.',
      category: ANALYSIS,
      defaultValue: D.lagThresholdS,
      settings: { min: 0 },
    })
    .addNumberInput({
      path: 'windowS',
      name: 'Window for lag over time (s)',
      description: 'Length of the windows the lag is re-estimated in. 0: four times the maximum lag.',
      category: ANALYSIS,
      defaultValue: D.windowS,
      settings: { min: 0 },
      showIf: (o) => o.lagThresholdS > 0,
    })
    .addBooleanSwitch({
      path: 'showEvents',
      name: 'Show events',
      description: 'Annotations (job starts) as markers on the time chart.',
      category: EVENTS,
      defaultValue: D.showEvents,
    })
    .addTextInput({
      path: 'eventFilter',
      name: 'Event filter',
      description: 'Only annotations whose title, text or tags contain this. Empty: all.',
      category: EVENTS,
      defaultValue: D.eventFilter,
      settings: { placeholder: 'e.g. job' },
      showIf: (o) => o.showEvents,
    })
    .addRadio({
      path: 'layout',
      name: 'Layout',
      category: DISPLAY,
      defaultValue: D.layout,
      settings: {
        options: [
          { value: 'auto', label: 'Auto' },
          { value: 'stacked', label: 'Stacked' },
          { value: 'row', label: 'Side by side' },
          { value: 'time', label: 'Time' },
          { value: 'scatter', label: 'Scatter' },
          { value: 'lag', label: 'Lag curve' },
        ],
      },
    })
    .addBooleanSwitch({
      path: 'showSummary',
      name: 'Summary',
      description: 'Lag, r and slope as large numbers.',
      category: DISPLAY,
      defaultValue: D.showSummary,
    })
    .addRadio({
      path: 'summarySize',
      name: 'Summary size',
      category: DISPLAY,
      defaultValue: D.summarySize,
      settings: {
        options: [
          { value: 'compact', label: 'Compact' },
          { value: 'large', label: 'Large' },
          { value: 'wall', label: 'Wall' },
        ],
      },
      showIf: (o) => o.showSummary,
    })
    .addTextInput({
      path: 'primaryResponse',
      name: 'Primary response',
      description: 'The response the summary and scatter show first. Empty: the best correlated.',
      category: DISPLAY,
      defaultValue: D.primaryResponse,
    });
}
