import type { HarnessApi } from './api';

/** The slice of SystemJS 6 the host uses (`dist/system.js` with the AMD and named-register extras). */
export interface SystemJSLike {
  import(id: string, parentUrl?: string): Promise<Record<string, unknown>>;
  set(id: string, module: object): unknown;
  addImportMap(map: { imports?: Record<string, string> }): void;
  resolve(id: string, parentUrl?: string): string;
}

declare global {
  interface Window {
    /** written by the host page before any script runs (see server/host-page.ts) */
    grafanaBootData: {
      user: { theme: string; lightTheme: boolean; timezone: string; [key: string]: unknown };
      settings: { appSubUrl: string; datasources: Record<string, unknown>; [key: string]: unknown };
      [key: string]: unknown;
    };
    /** where Grafana's own assets are, e.g. `/preview/public/` */
    __grafana_public_path__?: string;
    /** called by the host page once SystemJS and its extras have loaded */
    __plenumHarnessStart: () => void;
    harness: HarnessApi;
    System: SystemJSLike;
  }
}
