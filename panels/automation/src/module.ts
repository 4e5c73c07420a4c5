import { PanelPlugin } from '@grafana/data';
import { AutomationPanel } from './components/AutomationPanel/AutomationPanel';
import { migrationHandler } from './migrations';
import { buildOptions } from './options';
import type { AutomationOptions } from './types';

export const plugin = new PanelPlugin<AutomationOptions>(AutomationPanel)
  .setPanelOptions(buildOptions)
  .setMigrationHandler(migrationHandler);
