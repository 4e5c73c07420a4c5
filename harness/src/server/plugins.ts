import fs from 'node:fs';
import path from 'node:path';
import type { PluginRoute } from './proxy-routes';
import type { PluginSource } from './types';

/** The parts of a built plugin's `plugin.json` the harness reads. */
export interface PluginJson {
  id: string;
  type: 'datasource' | 'panel' | 'app';
  name: string;
  info?: { version?: string; logos?: { small?: string; large?: string }; [key: string]: unknown };
  routes?: PluginRoute[];
  [key: string]: unknown;
}

/** Reads `plugin.json` of each served plugin on every call, so a rebuilt plugin is seen without a restart. */
export class PluginCatalog {
  private readonly dirs = new Map<string, string>();

  constructor(plugins: PluginSource[]) {
    for (const p of plugins) {
      if (this.dirs.has(p.id)) throw new Error(`plugin "${p.id}" is listed twice`);
      this.dirs.set(p.id, path.resolve(p.dir));
    }
  }

  ids(): string[] {
    return [...this.dirs.keys()];
  }

  dir(id: string): string | undefined {
    return this.dirs.get(id);
  }

  /** The plugin's `plugin.json`, or undefined when the plugin is not served or not built. */
  json(id: string): PluginJson | undefined {
    const dir = this.dirs.get(id);
    if (!dir) return undefined;
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, 'plugin.json'), 'utf8');
    } catch {
      return undefined;
    }
    const json = JSON.parse(text) as PluginJson;
    if (json.id !== id) throw new Error(`${dir}/plugin.json has id "${json.id}", served as "${id}"`);
    return json;
  }

  /**
   * The plugin meta Grafana's frontend settings carry (`DataSourcePluginMeta` / `PanelPluginMeta`): plugin.json
   * plus where it is served. Paths are relative to the page's `<base href>`, as Grafana's are.
   */
  meta(id: string): Record<string, unknown> | undefined {
    const json = this.json(id);
    if (!json) return undefined;
    const { routes: _routes, ...rest } = json;
    const baseUrl = `public/plugins/${id}`;
    const logos = json.info?.logos ?? {};
    return {
      ...rest,
      info: {
        ...json.info,
        logos: {
          small: logos.small ? `${baseUrl}/${logos.small}` : 'public/img/icn-datasource.svg',
          large: logos.large ? `${baseUrl}/${logos.large}` : 'public/img/icn-datasource.svg',
        },
      },
      module: `${baseUrl}/module.js`,
      baseUrl,
      signature: 'internal',
    };
  }
}
