import { PanelPlugin } from '@grafana/data';
import { RackHeatmapPanel } from './components/RackHeatmap/RackHeatmapPanel';
import { migrateOptions } from './migrations';
import { buildOptions } from './options';
import { RackHeatmapOptions } from './types';

export const plugin = new PanelPlugin<RackHeatmapOptions>(RackHeatmapPanel)
  .setPanelOptions(buildOptions)
  .useFieldConfig({ standardOptions: { color: { defaultValue: { mode: 'thresholds' } } } })
  .setMigrationHandler(migrateOptions);
