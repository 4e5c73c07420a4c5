import { z } from 'zod';

/**
 * Grafana's plugin metadata rules (`plugin.json`), re-expressed from the schema Grafana publishes
 * (docs/sources/developers/plugins/plugin.schema.json in grafana/grafana, draft-07): the required fields, the id
 * pattern, the version and date patterns, and the shape of proxy routes. Strict where Grafana's schema says
 * `additionalProperties: false`, so a misspelt key fails here instead of being ignored by Grafana.
 */

const ID = /^[0-9a-z]+-([0-9a-z]+-)?(app|panel|datasource|secretsmanager|transformer)$/;
/** `%VERSION%` and `%TODAY%` are placeholders create-plugin's webpack replaces in dist/plugin.json */
const VERSION = /^((0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)|%VERSION%)$/;
const UPDATED = /^(\d{4}-\d{2}-\d{2}|%TODAY%)$/;
const GRAFANA_DEPENDENCY =
  /^(<=|>=|<|>|=|~|\^)?([0-9]+)(\.[0-9x*]+)(\.[0-9x*]+)?(\s(<=|>=|<|=>)?([0-9]+)(\.[0-9x]+)(\.[0-9x]+))?$/;

const route = z.strictObject({
  path: z.string().min(1),
  method: z.string().optional(),
  url: z.string().min(1),
  reqSignedIn: z.boolean().optional(),
  /** Grafana's `org.RoleType`; the proxy answers 403 to a user below it */
  reqRole: z.enum(['Viewer', 'Editor', 'Admin', 'None']).optional(),
  reqAction: z.string().optional(),
  headers: z.array(z.strictObject({ name: z.string().min(1), content: z.string() })).optional(),
  body: z.record(z.string(), z.unknown()).optional(),
  tokenAuth: z.record(z.string(), z.unknown()).optional(),
  jwtTokenAuth: z.record(z.string(), z.unknown()).optional(),
  urlParams: z.array(z.strictObject({ name: z.string(), content: z.string() })).optional(),
});

export const pluginJsonSchema = z.strictObject({
  $schema: z.string().optional(),
  type: z.enum(['app', 'datasource', 'panel', 'renderer', 'secretsmanager', 'transformer']),
  name: z.string().min(1),
  id: z.string().regex(ID, 'must look like <org>-<name>-<type>, lower case (Grafana plugin id pattern)'),
  info: z.strictObject({
    author: z
      .strictObject({ name: z.string().optional(), email: z.string().optional(), url: z.url().optional() })
      .optional(),
    build: z.record(z.string(), z.unknown()).optional(),
    description: z.string().optional(),
    keywords: z.array(z.string()).min(1),
    links: z.array(z.strictObject({ name: z.string().optional(), url: z.url().optional() })).optional(),
    logos: z.strictObject({ small: z.string().min(1), large: z.string().min(1) }),
    screenshots: z.array(z.strictObject({ name: z.string().optional(), path: z.string().optional() })).optional(),
    updated: z.string().regex(UPDATED, 'must be YYYY-MM-DD or %TODAY%'),
    version: z.string().regex(VERSION, 'must be semver x.y.z or %VERSION%'),
  }),
  dependencies: z.strictObject({
    grafanaVersion: z.string().optional(),
    grafanaDependency: z.string().regex(GRAFANA_DEPENDENCY, 'must be a semver range such as >=11.0.0'),
    plugins: z
      .array(z.object({ id: z.string().regex(ID), type: z.string(), name: z.string(), version: z.string() }))
      .optional(),
    extensions: z.record(z.string(), z.unknown()).optional(),
  }),
  alerting: z.boolean().optional(),
  annotations: z.boolean().optional(),
  backend: z.boolean().optional(),
  /** written into dist/plugin.json by create-plugin's BuildModeWebpackPlugin (production | development) */
  buildMode: z.string().optional(),
  category: z
    .enum(['tsdb', 'logging', 'cloud', 'tracing', 'profiling', 'sql', 'enterprise', 'iot', 'other'])
    .optional(),
  executable: z.string().optional(),
  includes: z.array(z.record(z.string(), z.unknown())).optional(),
  logs: z.boolean().optional(),
  metrics: z.boolean().optional(),
  preload: z.boolean().optional(),
  queryOptions: z
    .strictObject({
      maxDataPoints: z.boolean().optional(),
      minInterval: z.boolean().optional(),
      cacheTimeout: z.boolean().optional(),
    })
    .optional(),
  routes: z.array(route).optional(),
  skipDataQuery: z.boolean().optional(),
  state: z.enum(['alpha', 'beta', 'stable', 'deprecated']).optional(),
  streaming: z.boolean().optional(),
  tracing: z.boolean().optional(),
});

export type PluginJson = z.infer<typeof pluginJsonSchema>;

/** Every problem of a plugin.json as `file: path: message` lines; empty when valid. */
export function checkPluginJson(json: unknown, file: string): string[] {
  const r = pluginJsonSchema.safeParse(json);
  if (r.success) return [];
  return r.error.issues.map((i) => `${file}: ${i.path.join('.') || '(root)'}: ${i.message}`);
}
