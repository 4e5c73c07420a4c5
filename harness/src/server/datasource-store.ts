import type { DatasourceDto, DatasourceSettings } from './types';

/** An HTTP answer from the store: status and JSON body, shaped as Grafana's datasource API answers. */
export interface StoreAnswer {
  status: number;
  body: unknown;
}

interface StoredDatasource {
  id: number;
  version: number;
  settings: DatasourceSettings;
  secrets: Record<string, string>;
}

/**
 * Data source settings as Grafana keeps them: secrets stay here and are only reported as `secureJsonFields`.
 * A PUT replaces the settings; a secret absent from its `secureJsonData` keeps its old value, a secret set to ''
 * is kept as '' and so no longer reported (Grafana's `fillWithSecureJSONData` and `secureJsonFields` rules).
 */
export class DatasourceStore {
  private readonly byUid = new Map<string, StoredDatasource>();

  /** @param logoFor the plugin logo URL for a type, shown as `typeLogoUrl` */
  constructor(
    initial: DatasourceSettings[],
    private readonly logoFor: (type: string) => string = () => '',
  ) {
    let id = 1;
    for (const ds of initial) {
      if (this.byUid.has(ds.uid)) throw new Error(`data source uid "${ds.uid}" is provisioned twice`);
      const { secureJsonData, ...settings } = ds;
      this.byUid.set(ds.uid, { id: id++, version: 1, settings, secrets: { ...secureJsonData } });
    }
  }

  list(): DatasourceDto[] {
    return [...this.byUid.values()].map((ds) => this.toDto(ds));
  }

  get(uid: string): DatasourceDto | undefined {
    const ds = this.byUid.get(uid);
    return ds && this.toDto(ds);
  }

  /** The plain settings and decrypted secrets, for the data source proxy only. */
  internal(uid: string): { settings: DatasourceSettings; secrets: Record<string, string> } | undefined {
    const ds = this.byUid.get(uid);
    return ds && { settings: ds.settings, secrets: { ...ds.secrets } };
  }

  /** `PUT /api/datasources/uid/:uid` with Grafana's answers (200, 400, 403, 404, 409). */
  update(uid: string, body: unknown): StoreAnswer {
    const ds = this.byUid.get(uid);
    if (!ds) return { status: 404, body: { message: 'Data source not found' } };
    if (ds.settings.readOnly) return { status: 403, body: { message: 'Cannot update read-only data source' } };
    const problem = validateUpdate(body);
    if (problem) return { status: 400, body: { message: `bad request data: ${problem}` } };
    const cmd = body as UpdateCommand;
    if (typeof cmd.version === 'number' && cmd.version !== 0 && ds.version > cmd.version) {
      return {
        status: 409,
        body: { message: 'Datasource has already been updated by someone else. Please reload and try again' },
      };
    }
    const clash = [...this.byUid.values()].find((other) => other !== ds && other.settings.name === cmd.name);
    if (clash) return { status: 409, body: { message: 'data source with the same name already exists' } };

    const secrets = { ...ds.secrets, ...cmd.secureJsonData };
    ds.secrets = secrets;
    ds.version += 1;
    ds.settings = {
      uid: ds.settings.uid,
      type: cmd.type ?? ds.settings.type,
      name: cmd.name,
      access: cmd.access,
      url: cmd.url ?? '',
      user: cmd.user ?? '',
      database: cmd.database ?? '',
      basicAuth: cmd.basicAuth ?? false,
      basicAuthUser: cmd.basicAuthUser ?? '',
      withCredentials: cmd.withCredentials ?? false,
      isDefault: cmd.isDefault ?? false,
      readOnly: false,
      jsonData: cmd.jsonData ?? {},
    };
    const dto = this.toDto(ds);
    return { status: 200, body: { datasource: dto, id: dto.id, message: 'Datasource updated', name: dto.name } };
  }

  private toDto(ds: StoredDatasource): DatasourceDto {
    const s = ds.settings;
    const secureJsonFields: Record<string, boolean> = {};
    for (const [key, value] of Object.entries(ds.secrets)) if (value.length > 0) secureJsonFields[key] = true;
    return {
      id: ds.id,
      uid: s.uid,
      orgId: 1,
      name: s.name,
      type: s.type,
      typeLogoUrl: this.logoFor(s.type),
      access: s.access ?? 'proxy',
      url: s.url ?? '',
      user: s.user ?? '',
      database: s.database ?? '',
      basicAuth: s.basicAuth ?? false,
      basicAuthUser: s.basicAuthUser ?? '',
      withCredentials: s.withCredentials ?? false,
      isDefault: s.isDefault ?? false,
      jsonData: structuredClone(s.jsonData ?? {}),
      secureJsonFields,
      version: ds.version,
      readOnly: s.readOnly ?? false,
    };
  }
}

/** The body of Grafana's `UpdateDataSourceCommand`, as the settings page sends it. */
interface UpdateCommand {
  name: string;
  type?: string;
  access: 'proxy' | 'direct';
  url?: string;
  user?: string;
  database?: string;
  basicAuth?: boolean;
  basicAuthUser?: string;
  withCredentials?: boolean;
  isDefault?: boolean;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
  version?: number;
}

/** What is wrong with a PUT body, or undefined; Grafana binds `name` and `access` as required. */
function validateUpdate(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b.name !== 'string' || b.name === '') return 'name is required';
  if (b.access !== 'proxy' && b.access !== 'direct') return 'access must be "proxy" or "direct"';
  if (
    b.jsonData !== undefined &&
    b.jsonData !== null &&
    (typeof b.jsonData !== 'object' || Array.isArray(b.jsonData))
  ) {
    return 'jsonData must be an object';
  }
  if (b.secureJsonData !== undefined && b.secureJsonData !== null) {
    if (typeof b.secureJsonData !== 'object' || Array.isArray(b.secureJsonData))
      return 'secureJsonData must be an object';
    for (const [key, value] of Object.entries(b.secureJsonData)) {
      if (typeof value !== 'string') return `secureJsonData.${key} must be a string`;
    }
  }
  return undefined;
}
