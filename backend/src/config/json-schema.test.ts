import { interpolateEnv } from './interpolate';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ASSET_TYPES, DOMAINS, FACINGS, POINT_KINDS, QUANTITIES, VALUE_TYPES } from '@plenum/model';
import {
  JSON_SCHEMA_FILE,
  JSON_SCHEMA_ID,
  SCENARIO_SCHEMA_FILE,
  formatJson,
  plenumJsonSchema,
  publishedSchemas,
  renderJsonSchema,
  scenarioJsonSchema,
} from './json-schema';
import { DEFAULTS, PlenumConfigSchema } from './schema';

const SAMPLE = path.resolve(__dirname, '../../../plenum.yaml');
type Json = Record<string, unknown>;

/**
 * A validator for the subset of JSON Schema 2020-12 that zod emits here. It throws on any keyword it does not
 * know, so the schema cannot grow a construct this check silently ignores.
 */
function validate(schema: Json, value: unknown, at = '$'): string[] {
  const known = new Set([
    ...['$schema', '$id', 'title', 'description', 'default', 'type', 'properties', 'required'],
    ...['additionalProperties', 'propertyNames', 'items', 'enum', 'pattern', 'anyOf', 'minItems', 'minLength'],
    ...['maxItems', 'maxLength'],
    ...['minimum', 'maximum', 'exclusiveMinimum', 'format'],
  ]);
  for (const k of Object.keys(schema))
    if (!known.has(k)) throw new Error(`validator does not know keyword ${k} at ${at}`);
  const errors: string[] = [];
  const fail = (msg: string) => errors.push(`${at}: ${msg}`);
  if (schema.anyOf) {
    const ok = (schema.anyOf as Json[]).some((s) => validate(s, value, at).length === 0);
    if (!ok) fail('matches no anyOf branch');
  }
  const t = schema.type as string | undefined;
  const typeOk =
    t === undefined ||
    (t === 'object' && typeof value === 'object' && value !== null && !Array.isArray(value)) ||
    (t === 'array' && Array.isArray(value)) ||
    (t === 'string' && typeof value === 'string') ||
    (t === 'number' && typeof value === 'number') ||
    (t === 'integer' && Number.isInteger(value)) ||
    (t === 'boolean' && typeof value === 'boolean') ||
    (t === 'null' && value === null);
  if (!typeOk) return [...errors, `${at}: expected ${t}`];
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) fail(`not in enum`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern as string).test(value)) fail(`does not match ${schema.pattern}`);
    if (schema.format === 'uri' && !URL.canParse(value)) fail('is not a URI');
    else if (schema.format !== undefined && schema.format !== 'uri') fail(`unknown format ${String(schema.format)}`);
    if (schema.minLength !== undefined && value.length < (schema.minLength as number)) fail('too short');
    if (schema.maxLength !== undefined && value.length > (schema.maxLength as number)) fail('too long');
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < (schema.minimum as number)) fail('below minimum');
    if (schema.maximum !== undefined && value > (schema.maximum as number)) fail('above maximum');
    if (schema.exclusiveMinimum !== undefined && value <= (schema.exclusiveMinimum as number))
      fail('not above exclusiveMinimum');
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < (schema.minItems as number)) fail('too few items');
    if (schema.maxItems !== undefined && value.length > (schema.maxItems as number)) fail('too many items');
    if (schema.items) value.forEach((v, i) => errors.push(...validate(schema.items as Json, v, `${at}[${i}]`)));
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const obj = value as Json;
    const props = (schema.properties ?? {}) as Record<string, Json>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in obj)) fail(`missing ${r}`);
    for (const [k, v] of Object.entries(obj)) {
      if (schema.propertyNames) errors.push(...validate(schema.propertyNames as Json, k, `${at}.${k}(name)`));
      if (props[k]) errors.push(...validate(props[k], v, `${at}.${k}`));
      else if (schema.additionalProperties === false) fail(`unknown key ${k}`);
      else if (typeof schema.additionalProperties === 'object')
        errors.push(...validate(schema.additionalProperties as Json, v, `${at}.${k}`));
    }
  }
  return errors;
}

/** Follows `properties` / `items` / `anyOf` down a path of keys. */
function at(schema: Json, ...keys: string[]): Json {
  let s = schema;
  for (const k of keys) {
    const next = k === '[]' ? s.items : (s.properties as Record<string, Json> | undefined)?.[k];
    if (next === undefined) throw new Error(`no ${k} in schema`);
    s = next as Json;
  }
  return s;
}

const schema = plenumJsonSchema();
const sampleText = fs.readFileSync(SAMPLE, 'utf8');
// `${VAR:-default}` as the loader resolves it with no variables set
const sample: unknown = parseYaml(interpolateEnv(sampleText, {}).text, { merge: true });

describe('schema/plenum.schema.json', () => {
  it('is checked in exactly as write-json-schema.ts would write it now', () => {
    const onDisk = fs.readFileSync(JSON_SCHEMA_FILE, 'utf8');
    // same content first (the useful diff), then the same bytes
    expect(JSON.parse(onDisk)).toEqual(schema);
    expect(onDisk).toBe(renderJsonSchema());
  });

  it('is draft 2020-12 with an $id, a title and a description', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(JSON_SCHEMA_ID);
    expect(schema.title).toEqual(expect.stringContaining('plenum.yaml'));
    expect(schema.description).toEqual(expect.any(String));
  });

  it('requires what zod requires and rejects unknown keys everywhere except connector options', () => {
    expect(schema.required).toEqual(['site']);
    expect(at(schema, 'site').required).toEqual(['id', 'halls']);
    expect(at(schema, 'site', 'halls', '[]').required).toEqual(['id']);
    expect(at(schema, 'site', 'halls', '[]', 'rows', '[]', 'racks', '[]').required).toEqual(['id', 'x', 'y']);
    expect(at(schema, 'sources', '[]').required).toEqual(['name', 'connector']);
    expect(at(schema, 'sources', '[]', 'points', '[]').required).toEqual(['asset', 'signal', 'quantity']);
    const open: string[] = [];
    (function walk(s: unknown, where: string): void {
      if (Array.isArray(s)) return s.forEach((x, i) => walk(x, `${where}[${i}]`));
      if (typeof s !== 'object' || s === null) return;
      const o = s as Json;
      if (o.type === 'object' && o.additionalProperties !== false) open.push(where);
      for (const [k, v] of Object.entries(o)) walk(v, `${where}/${k}`);
    })(schema, '#');
    expect(open).toEqual([
      '#/properties/sources/items/properties/options',
      '#/properties/automation/properties/rules/items/properties/options',
      // the site's own Alertmanager labels: any name
      '#/properties/prediction/properties/alertmanager/properties/labels',
      // remote write: any request header (X-Scope-OrgID), any external label name (checked by the schema's refine)
      '#/properties/remoteWrite/properties/headers',
      '#/properties/remoteWrite/properties/externalLabels',
      // the hub's requests to the shared store: any header, as remote write's
      '#/properties/hub/properties/store/properties/headers',
    ]);
  });

  it('uses the model constants for every enum', () => {
    const rack = at(schema, 'site', 'halls', '[]', 'rows', '[]', 'racks', '[]');
    const point = at(schema, 'sources', '[]', 'points', '[]');
    expect(at(rack, 'facing').enum).toEqual([...FACINGS]);
    expect(at(rack, 'assets', '[]', 'type').enum).toEqual([...ASSET_TYPES]);
    expect(at(schema, 'site', 'halls', '[]', 'assets', '[]', 'type').enum).toEqual([...ASSET_TYPES]);
    expect(at(point, 'quantity').enum).toEqual([...QUANTITIES]);
    expect(at(point, 'domain').enum).toEqual([...DOMAINS]);
    expect(at(point, 'kind').enum).toEqual([...POINT_KINDS]);
    expect(at(point, 'valueType').enum).toEqual([...VALUE_TYPES]);
  });

  it('states the defaults, and every described default matches DEFAULTS', () => {
    expect(at(schema, 'site', 'timezone').default).toBe(DEFAULTS.timezone);
    expect(at(schema, 'historian', 'dataDir').default).toBe(DEFAULTS.historian.dataDir);
    expect(at(schema, 'historian', 'retention', 'raw').default).toBe(DEFAULTS.historian.retention.raw);
    expect(at(schema, 'historian', 'retention', '1m').default).toBe(DEFAULTS.historian.retention['1m']);
    expect(at(schema, 'historian', 'retention', '1h').default).toBe(DEFAULTS.historian.retention['1h']);
    expect(at(schema, 'historian', 'retention', 'events').default).toBe(DEFAULTS.historian.retention.events);
    expect(at(schema, 'api', 'host').default).toBe(DEFAULTS.api.host);
    expect(at(schema, 'api', 'port').default).toBe(DEFAULTS.api.port);
    expect(at(schema, 'api', 'maxBodyBytes').default).toBe(DEFAULTS.api.maxBodyBytes);
    expect(at(schema, 'sources', '[]', 'interval').default).toBe(DEFAULTS.interval);
    expect(at(schema, 'sources', '[]', 'points', '[]', 'kind').default).toBe(DEFAULTS.kind);
    expect(at(schema, 'sources', '[]', 'points', '[]', 'writable').default).toBe(DEFAULTS.writable);
    // every default in the schema is also written into its description, so editor hovers show it
    (function walk(s: unknown, where: string): void {
      if (Array.isArray(s)) return s.forEach((x) => walk(x, where));
      if (typeof s !== 'object' || s === null) return;
      const o = s as Json;
      if ('default' in o && where !== '#/historian' && where !== '#/api' && where !== '#/historian/retention') {
        expect([where, o.description]).toEqual([where, expect.stringContaining('@default')]);
      }
      for (const [k, v] of Object.entries((o.properties ?? {}) as Json)) walk(v, `${where}/${k}`);
      if (o.items) walk(o.items, where);
    })(schema, '#');
  });

  it('accepts the sample plenum.yaml, which carries the $schema modeline', () => {
    expect(sampleText.split('\n')[0]).toBe('# yaml-language-server: $schema=./schema/plenum.schema.json');
    expect(validate(schema, sample)).toEqual([]);
    expect(PlenumConfigSchema.safeParse(sample).success).toBe(true);
  });

  it('agrees with zod on what is valid', () => {
    const site = { id: 's', halls: [{ id: 'h', rows: [{ id: 'r', racks: [{ id: 'k', x: 0, y: 0 }] }] }] };
    const cases: unknown[] = [
      { site },
      { site, api: { port: 8080, maxBodyBytes: 2048 }, historian: { retention: { raw: 3600000, '1h': '2w' } } },
      {
        site,
        sources: [{ name: 'a', connector: 'x', points: [{ asset: 'h/r/k/*', signal: 'p', quantity: 'power' }] }],
      },
      { site: { ...site, colour: 'red' } },
      { site: { ...site, id: '-x' } },
      { site: { ...site, halls: [] } },
      { site, api: { port: 0 } },
      { site, api: { port: 1.5 } },
      { site, historian: { retention: { raw: '14 days' } } },
      { site, historian: { retention: { events: 'forever' } } },
      { site, historian: { retention: { events: '400d' } } },
      { site, historian: { retention: { events: 'never' } } },
      { site, sources: [{ name: 'a', connector: 'x', interval: '1 fortnight' }] },
      { site, sources: [{ name: 'a', connector: 'x', points: [{ asset: 'h/k', signal: 'p', quantity: 'power' }] }] },
      { site, sources: [{ name: 'a', connector: 'x', points: [{ asset: 'h/r/k/a', signal: 'p', quantity: 'heat' }] }] },
      { site, sources: [{ name: 'a', connector: 'x', options: { anything: [1, { deep: true }] } }] },
    ];
    for (const c of cases) {
      const zodOk = PlenumConfigSchema.safeParse(c).success;
      expect([c, validate(schema, c).length === 0]).toEqual([c, zodOk]);
    }
  });
});

describe('formatJson', () => {
  it('lays out like Prettier: objects expanded, short scalar arrays inline, long ones one item per line', () => {
    expect(formatJson({ a: [1, 'b'], e: [], o: {}, n: null, x: [{ y: 1 }] })).toBe(
      '{\n  "a": [1, "b"],\n  "e": [],\n  "o": {},\n  "n": null,\n  "x": [\n    {\n      "y": 1\n    }\n  ]\n}\n',
    );
    expect(formatJson({ k: ['aaaa', 'bbbb', 'cccc'] }, 20)).toBe(
      '{\n  "k": [\n    "aaaa",\n    "bbbb",\n    "cccc"\n  ]\n}\n',
    );
  });
});

describe('schema/scenario.schema.json', () => {
  it('is checked in exactly as write-json-schema.ts would write it now, beside plenum.schema.json', () => {
    expect(publishedSchemas().map((p) => path.basename(p.file))).toEqual([
      'plenum.schema.json',
      'scenario.schema.json',
    ]);
    expect(fs.readFileSync(SCENARIO_SCHEMA_FILE, 'utf8')).toBe(formatJson(scenarioJsonSchema()));
  });

  it('is named by the modeline of every shipped scenario', () => {
    const dir = path.resolve(__dirname, '../../../scenarios');
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml')))
      expect(fs.readFileSync(path.join(dir, f), 'utf8').split('\n')[0]).toBe(
        '# yaml-language-server: $schema=../schema/scenario.schema.json',
      );
  });
});
