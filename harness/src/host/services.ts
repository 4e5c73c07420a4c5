import { EventBusSrv, standardEditorsRegistry, standardFieldConfigEditorRegistry } from '@grafana/data';
import {
  setAppEvents,
  setBackendSrv,
  setDataSourceSrv,
  setEchoSrv,
  setPluginComponentHook,
  setPluginComponentsHook,
  setPluginFunctionsHook,
  setPluginLinksHook,
  setTemplateSrv,
  type EchoEvent,
  type EchoSrv,
  type TemplateSrv,
} from '@grafana/runtime';
import { HarnessBackendSrv } from './backend-srv';
import { HarnessDataSourceSrv } from './datasource-srv';
import { standardFieldConfigs } from './field-config';
import { optionEditors } from './option-editors';
import { PluginLoader } from './plugin-loader';
import { HarnessTemplateSrv } from './template-srv';

/** Echo (analytics) events plugins report, kept for inspection instead of being sent anywhere. */
class RecordingEchoSrv implements EchoSrv {
  readonly events: Omit<EchoEvent, 'meta'>[] = [];
  flush(): void {}
  addBackend(): void {}
  addEvent<T extends EchoEvent>(event: Omit<T, 'meta'>): void {
    this.events.push(event);
  }
}

export interface HarnessServices {
  backendSrv: HarnessBackendSrv;
  templateSrv: HarnessTemplateSrv;
  datasourceSrv: HarnessDataSourceSrv;
  loader: PluginLoader;
  appEvents: EventBusSrv;
}

/**
 * What Grafana's app sets up before it loads any plugin: the option and field config registries, and the runtime
 * services plugins reach through `@grafana/runtime` (`getBackendSrv()`, `getTemplateSrv()`, …). Plugin extensions
 * are answered as "none registered". `setLocationService` refuses to run outside tests, so the default stays.
 */
export function setUpServices(): HarnessServices {
  standardEditorsRegistry.setInit(optionEditors);
  standardFieldConfigEditorRegistry.setInit(standardFieldConfigs);

  const backendSrv = new HarnessBackendSrv();
  const templateSrv = new HarnessTemplateSrv();
  const appEvents = new EventBusSrv();
  const loader = new PluginLoader(backendSrv);
  const datasourceSrv = new HarnessDataSourceSrv(loader, backendSrv, templateSrv);
  setBackendSrv(backendSrv);
  setTemplateSrv(templateSrv as unknown as TemplateSrv);
  setAppEvents(appEvents);
  setEchoSrv(new RecordingEchoSrv());
  setDataSourceSrv(datasourceSrv);

  setPluginLinksHook(() => ({ isLoading: false, links: [] }));
  setPluginComponentsHook(() => ({ isLoading: false, components: [] }));
  setPluginComponentHook(() => ({ isLoading: false, component: null }));
  setPluginFunctionsHook(() => ({ isLoading: false, functions: [] }));
  return { backendSrv, templateSrv, datasourceSrv, loader, appEvents };
}
