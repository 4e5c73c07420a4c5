import type { PanelPlugin } from '@grafana/data';
import { barGaugePlugin, gaugePlugin } from './bargauge';
import { statPlugin } from './stat';
import { tablePlugin } from './table';
import { textPlugin } from './text';
import { timeSeriesPlugin } from './timeseries';

/** Stand-ins for the Grafana core panels dashboards commonly use (core panels ship with Grafana, not as plugins). */
const FACTORIES: Record<string, () => PanelPlugin> = {
  timeseries: timeSeriesPlugin,
  stat: statPlugin,
  table: tablePlugin,
  bargauge: barGaugePlugin,
  gauge: gaugePlugin,
  text: textPlugin,
};

const made = new Map<string, PanelPlugin>();

/** The stand-in for a core panel type, made once; undefined for any other type (a plugin to load). */
export function corePanel(type: string): PanelPlugin | undefined {
  const factory = FACTORIES[type];
  if (!factory) return undefined;
  let plugin = made.get(type);
  if (!plugin) {
    plugin = factory();
    made.set(type, plugin);
  }
  return plugin;
}

export const CORE_PANEL_TYPES = Object.keys(FACTORIES);
