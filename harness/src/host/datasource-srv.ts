import { DataSourceApi, type DataSourceInstanceSettings, type DataSourceRef, type ScopedVars } from '@grafana/data';
import { config, type BackendSrv, type DataSourceSrv, type GetDataSourceListFilters } from '@grafana/runtime';
import type { PluginLoader } from './plugin-loader';
import type { HarnessTemplateSrv } from './template-srv';

type Ref = DataSourceRef | string | null | undefined;

/**
 * Grafana's DatasourceSrv over the harness server's data sources: instance settings from the frontend settings
 * (boot data, re-read by `reload()` from `/api/frontend/settings`), instances created on first `get` from the
 * plugin's `DataSourceClass` with `components` attached, one instance per data source until `reload()`.
 */
export class HarnessDataSourceSrv implements DataSourceSrv {
  private byUid = new Map<string, DataSourceInstanceSettings>();
  private byName = new Map<string, DataSourceInstanceSettings>();
  private readonly instances = new Map<string, Promise<DataSourceApi>>();
  private readonly runtime = new Map<string, DataSourceApi>();

  constructor(
    private readonly loader: PluginLoader,
    private readonly backendSrv: BackendSrv,
    private readonly templateSrv: HarnessTemplateSrv,
  ) {
    this.init(config.datasources as Record<string, DataSourceInstanceSettings>);
  }

  private init(datasources: Record<string, DataSourceInstanceSettings>): void {
    this.byUid = new Map();
    this.byName = new Map();
    for (const ds of Object.values(datasources)) {
      this.byUid.set(ds.uid, ds);
      this.byName.set(ds.name, ds);
    }
  }

  getInstanceSettings(ref?: Ref, scopedVars?: ScopedVars): DataSourceInstanceSettings | undefined {
    let key = typeof ref === 'string' ? ref : ref?.uid;
    if (key === undefined || key === null || key === '' || key === 'default') {
      return [...this.byUid.values()].find((ds) => ds.isDefault);
    }
    if (key.startsWith('$')) key = this.templateSrv.replace(key, scopedVars);
    return this.byUid.get(key) ?? this.byName.get(key);
  }

  getList(filters: GetDataSourceListFilters = {}): DataSourceInstanceSettings[] {
    const types = filters.type === undefined ? undefined : ([] as string[]).concat(filters.type);
    return [...this.byUid.values()]
      .filter((ds) => {
        const meta = ds.meta;
        if (filters.metrics && !meta.metrics) return false;
        if (filters.annotations && !meta.annotations) return false;
        if (filters.logs && !meta.logs) return false;
        if (filters.tracing && !meta.tracing) return false;
        if (filters.alerting && !meta.alerting) return false;
        if (filters.pluginId && meta.id !== filters.pluginId) return false;
        if (types && !types.includes(meta.id)) return false;
        return filters.filter ? filters.filter(ds) : true;
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(ref?: Ref, scopedVars?: ScopedVars): Promise<DataSourceApi> {
    const settings = this.getInstanceSettings(ref, scopedVars);
    if (!settings) {
      const runtime =
        typeof ref === 'string' ? this.runtime.get(ref) : ref?.uid ? this.runtime.get(ref.uid) : undefined;
      if (runtime) return runtime;
      throw new Error(`Datasource ${typeof ref === 'string' ? ref : JSON.stringify(ref)} was not found`);
    }
    let instance = this.instances.get(settings.uid);
    if (!instance) {
      instance = this.create(settings);
      this.instances.set(settings.uid, instance);
      instance.catch(() => this.instances.delete(settings.uid));
    }
    return instance;
  }

  async reload(): Promise<void> {
    const settings = await this.backendSrv.get<{ datasources: Record<string, DataSourceInstanceSettings> }>(
      '/api/frontend/settings',
    );
    config.datasources = settings.datasources;
    this.init(settings.datasources);
    this.instances.clear();
  }

  registerRuntimeDataSource(entry: { dataSource: DataSourceApi }): void {
    this.runtime.set(entry.dataSource.uid, entry.dataSource);
  }

  private async create(settings: DataSourceInstanceSettings): Promise<DataSourceApi> {
    const plugin = await this.loader.datasource(settings.type);
    const DataSourceClass = plugin.DataSourceClass as unknown as new (s: DataSourceInstanceSettings) => DataSourceApi;
    const instance = new DataSourceClass(settings);
    instance.components = plugin.components;
    // as Grafana does for plugins whose class does not extend DataSourceApi
    if (!(instance instanceof DataSourceApi)) {
      Object.assign(instance, {
        name: settings.name,
        id: settings.id,
        type: settings.type,
        meta: settings.meta,
        uid: settings.uid,
        getRef: DataSourceApi.prototype.getRef,
      });
    }
    return instance;
  }
}
