/** A data source as provisioned into the harness: the fields of Grafana's provisioning file that the harness uses. */
export interface DatasourceSettings {
  uid: string;
  name: string;
  /** the plugin id, e.g. `plenum-itot-datasource` */
  type: string;
  /** `proxy` (through the data source proxy, the default) or `direct` (the browser calls `url` itself) */
  access?: 'proxy' | 'direct';
  /** used by the proxy only when no plugin route matches, as in Grafana */
  url?: string;
  isDefault?: boolean;
  readOnly?: boolean;
  user?: string;
  database?: string;
  basicAuth?: boolean;
  basicAuthUser?: string;
  withCredentials?: boolean;
  jsonData?: Record<string, unknown>;
  /** kept server side; the browser only ever sees `secureJsonFields` */
  secureJsonData?: Record<string, string>;
}

/** A built plugin to serve: its id and the directory holding `plugin.json` and `module.js` (a `dist/`). */
export interface PluginSource {
  id: string;
  dir: string;
}

/** What Grafana's `GET /api/datasources/uid/:uid` answers: the settings without secrets. */
export interface DatasourceDto {
  id: number;
  uid: string;
  orgId: number;
  name: string;
  type: string;
  typeLogoUrl: string;
  access: 'proxy' | 'direct';
  url: string;
  user: string;
  database: string;
  basicAuth: boolean;
  basicAuthUser: string;
  withCredentials: boolean;
  isDefault: boolean;
  jsonData: Record<string, unknown>;
  /** `true` for each secret that is set (non-empty); the values never leave the server */
  secureJsonFields: Record<string, boolean>;
  version: number;
  readOnly: boolean;
}
