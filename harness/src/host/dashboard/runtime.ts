import type { FieldConfigSource, PanelPlugin } from '@grafana/data';
import type { DashboardPanelState } from '../api';
import { optionsWithDefaults } from '../panel-defaults';
import { migrate } from '../session';
import type { HarnessServices } from '../services';
import { corePanel, CORE_PANEL_TYPES } from './core-panels';
import type { PanelJson } from './model';

/** A panel ready to mount: its plugin, and options and field config after migration and defaults. */
export interface PreparedPanel {
  plugin: PanelPlugin;
  options: Record<string, unknown>;
  fieldConfig: FieldConfigSource;
}

/**
 * What the panels of one mounted dashboard share outside React: plugin loading (core stand-ins or built plugins),
 * and each panel's state as `dashboardState()` reports it, with a wait for all of them to leave `loading`.
 */
export class DashboardRuntime {
  /** keys of the panels on the grid now, in grid order; undefined until variables are resolved and laid out */
  private layout: string[] | undefined;
  private readonly states = new Map<string, DashboardPanelState>();
  private listeners: (() => void)[] = [];

  constructor(readonly services: HarnessServices) {}

  /** The plugin of a panel type: a core stand-in, else a built plugin loaded as Grafana loads it. */
  async prepare(panel: PanelJson): Promise<PreparedPanel> {
    const plugin = corePanel(panel.type) ?? (await this.loadPlugin(panel.type));
    const saved = await migrate(plugin, panel.type, panel.title ?? '', {
      options: panel.options ?? {},
      fieldConfig: panel.fieldConfig,
      pluginVersion: panel.pluginVersion,
      targets: panel.targets as never,
    });
    return { plugin, ...optionsWithDefaults(plugin, saved.options, saved.fieldConfig, false) };
  }

  private async loadPlugin(type: string): Promise<PanelPlugin> {
    try {
      return await this.services.loader.panel(type);
    } catch (err) {
      throw new Error(
        `Panel plugin not found: ${type} (${err instanceof Error ? err.message : String(err)}; the harness stands in ` +
          `for the core panels ${CORE_PANEL_TYPES.join(', ')})`,
      );
    }
  }

  setLayout(keys: string[]): void {
    this.layout = keys;
    for (const key of [...this.states.keys()]) if (!keys.includes(key)) this.states.delete(key);
    this.changed();
  }

  report(key: string, state: DashboardPanelState): void {
    this.states.set(key, state);
    this.changed();
  }

  snapshot(): DashboardPanelState[] {
    return (this.layout ?? []).map((key) => this.states.get(key)).filter((s): s is DashboardPanelState => !!s);
  }

  /** Resolves once the grid is laid out and no panel is loading; rejects after `timeoutMs` naming the laggards. */
  settled(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!this.layout) return false;
        const pending = this.layout.filter((key) => (this.states.get(key)?.state ?? 'loading') === 'loading');
        return pending.length === 0;
      };
      if (check()) return resolve();
      const listener = () => {
        if (!check()) return;
        done();
        resolve();
      };
      const timer = setTimeout(() => {
        done();
        const loading = (this.layout ?? [])
          .filter((key) => (this.states.get(key)?.state ?? 'loading') === 'loading')
          .map((key) => this.states.get(key)?.title ?? key);
        reject(
          new Error(
            this.layout
              ? `dashboard: panels still loading after ${timeoutMs} ms: ${loading.join(', ')}`
              : `dashboard: variables not resolved after ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      this.listeners.push(listener);
    });
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }
}
