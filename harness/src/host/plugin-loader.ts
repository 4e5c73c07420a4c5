import type {
  DataSourceApi,
  DataSourcePlugin,
  DataSourcePluginMeta,
  GrafanaPlugin,
  PanelPlugin,
  PanelPluginMeta,
  PluginMeta,
} from '@grafana/data';
import type { BackendSrv } from '@grafana/runtime';

type AnyDataSourcePlugin = DataSourcePlugin<DataSourceApi>;

/**
 * Imports built plugins as Grafana does: the meta from `/api/plugins/<id>/settings`, the module from `meta.module`
 * through SystemJS (resolved against the page's base), `plugin.meta` set on the loaded plugin. One import per id.
 */
export class PluginLoader {
  private readonly loading = new Map<string, Promise<GrafanaPlugin>>();

  constructor(private readonly backendSrv: BackendSrv) {}

  load(id: string): Promise<GrafanaPlugin> {
    let p = this.loading.get(id);
    if (!p) {
      p = this.importPlugin(id);
      this.loading.set(id, p);
      // a failed import (e.g. not built yet) is retried on the next call
      p.catch(() => this.loading.delete(id));
    }
    return p;
  }

  async datasource(id: string): Promise<AnyDataSourcePlugin> {
    const plugin = await this.load(id);
    if (plugin.meta.type !== 'datasource') throw new Error(`plugin ${id} is a ${plugin.meta.type}, not a datasource`);
    return plugin as unknown as AnyDataSourcePlugin;
  }

  async panel(id: string): Promise<PanelPlugin> {
    const plugin = await this.load(id);
    if (plugin.meta.type !== 'panel') throw new Error(`plugin ${id} is a ${plugin.meta.type}, not a panel`);
    return plugin as unknown as PanelPlugin;
  }

  private async importPlugin(id: string): Promise<GrafanaPlugin> {
    const meta = await this.backendSrv.get<PluginMeta>(`/api/plugins/${encodeURIComponent(id)}/settings`);
    const exports = await importPluginModule(meta.module);
    const plugin = (await exports.plugin) as GrafanaPlugin;
    if (!plugin || typeof plugin !== 'object') throw new Error(`${meta.module} exports no "plugin"`);
    plugin.meta = meta as DataSourcePluginMeta & PanelPluginMeta;
    return plugin;
  }
}

/**
 * `System.import` of a plugin module by its URL: `meta.module` (`public/plugins/<id>/module.js`) is relative to the
 * app's base, which SystemJS would take for a bare specifier, so it is resolved against the page's `<base href>`
 * first, as Grafana prefixes it with `appSubUrl`. A module with top-level await comes back as
 * `{default: Promise<exports>}` (webpack's async module in an AMD wrapper): unwrap `default` until `plugin`
 * appears, as Grafana does.
 */
export async function importPluginModule(path: string): Promise<{ plugin?: unknown }> {
  const url = new URL(path, document.baseURI).href;
  let exports: Record<string, unknown> = await window.System.import(url);
  for (let depth = 0; !('plugin' in exports) && exports.default && depth < 5; depth++) {
    exports = (await exports.default) as Record<string, unknown>;
  }
  return exports;
}
