import { PanelPlugin } from '@grafana/data';
import { CorrelationPanel } from './components/CorrelationPanel/CorrelationPanel';
import { migrationHandler } from './migrations';
import { buildOptions } from './options';
import type { CorrelationOptions } from './types';

export const plugin = new PanelPlugin<CorrelationOptions>(CorrelationPanel)
  .setPanelOptions(buildOptions)
  .setMigrationHandler(migrationHandler)
  .useFieldConfig();
