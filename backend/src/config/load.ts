/**
 * Loads `plenum.yaml`: YAML → schema (zod, ./schema.ts) → the checks a schema cannot express → environment
 * overrides → a resolved `SiteConfig` (templates expanded, units resolved, durations in ms, paths absolute).
 *
 * Every problem is collected, not just the first, and thrown as one `ConfigError` whose lines read
 * `plenum.yaml: sources[0].points[3].unit: unknown unit "degF2" for temperature; expected one of …`.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as nodeTls from 'node:tls';
import type { z } from 'zod';
import {
  CANONICAL_UNITS,
  SOURCE_UNITS,
  pointId,
  unitConversion,
  type Asset,
  type AssetType,
  type Location,
  type Point,
  type Quantity,
  type Site,
} from '@plenum/model';
import { formatPath } from '../common/zod-issues';
import { livenessFor, type Liveness } from '../connectors/liveness';
import type { AutomationConfig } from '../automation/config';
import type { RemoteWriteConfig } from '../remote-write/config';
import { resolveBroker, resolveSparkplug, type BrokerConfig, type SparkplugConfig } from '../sparkplug/config';
import { edgeOnlyIssues, type HubConfig, type HubDocument } from '../hub/config';
import type { PredictionConfig } from '../predict/config';
import { powerCapPoints } from '../automation/power-caps';
import { validateAutomation } from '../automation/validate';
import { interpolateEnv } from './interpolate';
import {
  ConfigError,
  errorMap,
  fromZodIssue,
  positioned,
  readYaml,
  type ConfigIssue,
  type PathSeg,
  type RawIssue,
} from './yaml-file';
export { ConfigError, formatIssue, type ConfigIssue } from './yaml-file';
import type { Retention } from '../historian/types';
import {
  AssetSchema,
  DEFAULTS,
  HallSchema,
  KEEP_FOREVER,
  PLACEHOLDERS,
  PlenumConfigSchema,
  PointTemplateSchema,
  RackSchema,
  RowSchema,
  SiteSchema,
  SourceSchema,
  didYouMean,
  type PointTemplate,
} from './schema';

// ---------------------------------------------------------------------------------------------------------------
// public types

export interface LoadOptions {
  /** connector names that exist (`connectors/all.ts`); a source naming another is an error. Unchecked when unset. */
  connectors?: readonly string[];
  /** environment read for PLENUM_DATA, PLENUM_HOST, PLENUM_PORT, @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** `canonical = source * scale + offset`, applied once, at ingest, to numeric values. */
export interface Conversion {
  scale: number;
  offset: number;
}

/** A point as a connector needs it: the model point plus the unit its source speaks and how to convert it. */
export interface ResolvedPoint extends Point {
  /** the unit as written in the config (the canonical symbol when the config gave none) */
  sourceUnit: string;
  conversion: Conversion;
}

export interface ResolvedSource {
  name: string;
  connector: string;
  /** polling or sampling interval in ms */
  intervalMs: number;
  /** connector-specific, as written; the connector validates it in `init` */
  options: Record<string, unknown>;
  /** when the source is silent and when it is rebuilt, ms (defaults filled from the interval) */
  liveness: Liveness;
  points: ResolvedPoint[];
}

/** The API section, resolved: durations in ms, sizes in bytes, TLS files read and checked. */
export interface ApiConfig {
  host: string;
  port: number;
  maxBodyBytes: number;
  maxHeaderBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** hashed tokens from the file (`api.tokens`) */
  tokens: Array<{ name: string; scope: 'jobs' | 'read' | 'operate' | 'admin'; sha256: string }>;
  /** present when the API is served over HTTPS */
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer; requestCert: boolean; rejectUnauthorized: boolean };
}

export interface SiteConfig {
  /** absolute path of the config file */
  file: string;
  /** the topology with every default filled */
  site: Site;
  historian: {
    /** absolute path of the data folder */
    dataDir: string;
    /** per resolution, in ms */
    retention: Retention;
    /** ms the event store keeps an event after its end and last change (`historian.retention.events`); null: forever */
    eventRetentionMs: number | null;
  };
  api: ApiConfig;
  sources: ResolvedSource[];
  /** every point of every source, in source order, as the API and the historian see them */
  points: Point[];
  /** automated responses (automation/README.md); absent when the file has none */
  automation?: AutomationConfig;
  /** predictive monitoring (predict/README.md); absent when the file has none */
  prediction?: PredictionConfig;
  /** remote write of stored samples (remote-write/README.md); absent when the file has none */
  remoteWrite?: RemoteWriteConfig;
  /** Sparkplug B edge node and/or primary host (sparkplug/README.md); absent when the file has none */
  sparkplug?: SparkplugConfig;
  /** this backend is a hub over a shared store (hub/README.md); absent when the file has none */
  hub?: HubConfig;
}
// entry points

/** Reads, validates and resolves a config file. Throws `ConfigError` listing every problem. */
export function loadConfig(file: string, opts: LoadOptions = {}): SiteConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    // not `instanceof Error`: fs errors may come from another realm (Jest's sandbox)
    const reason = typeof (e as { message?: unknown })?.message === 'string' ? (e as Error).message : String(e);
    throw new ConfigError(file, [{ origin: 'file', path: '', message: `cannot read the config file (${reason})` }]);
  }
  return parseConfig(text, file, opts);
}

/**
 * Validates and resolves config text. `fileName` prefixes every error and anchors a relative `dataDir` (its
 * folder, resolved against the working directory).
 */
export function parseConfig(text: string, fileName: string, opts: LoadOptions = {}): SiteConfig {
  const env = opts.env ?? process.env;
  const interpolated = interpolateEnv(text, env);
  if (interpolated.issues.length > 0) throw new ConfigError(fileName, interpolated.issues);
  text = interpolated.text;
  const yaml = readYaml(text, fileName);
  const raw = yaml.raw;
  const issues: RawIssue[] = [];
  const full = PlenumConfigSchema.safeParse(raw, { reportInput: true, error: errorMap });
  if (raw === null || raw === undefined) {
    issues.push({
      path: [],
      message: 'the file is empty; expected a mapping with site (required), historian, api, sources',
    });
  } else if (!full.success) issues.push(...full.error.issues.map(fromZodIssue));

  const resolved = checkSemantics(raw, opts, issues);

  const file = nodePath.resolve(fileName);
  const envIssues: ConfigIssue[] = [];
  const overrides = readEnv(env, envIssues);

  if (full.success && full.data.automation) {
    const a = full.data.automation;
    const points = [...resolved.points.flat(), ...(a.powerCaps ? powerCapPoints(full.data.site, a.powerCaps) : [])];
    issues.push(...validateAutomation(a, points));
  }

  const tls =
    full.success && full.data.api.tls ? readTls(full.data.api.tls, nodePath.dirname(file), issues) : undefined;

  const sparkplug =
    full.success && full.data.sparkplug
      ? resolveSparkplug(full.data.sparkplug, full.data.site, nodePath.dirname(file), issues)
      : undefined;

  issues.push(...edgeOnlyIssues(raw));
  const hubBroker =
    full.success && full.data.hub?.broker
      ? resolveBroker(full.data.hub.broker, nodePath.dirname(file), issues, ['hub', 'broker'])
      : undefined;

  const all: ConfigIssue[] = [...positioned(yaml, issues), ...envIssues];
  if (all.length > 0 || !full.success) throw new ConfigError(fileName, all);

  const cfg = full.data;
  const sources = cfg.sources.map((s, i): ResolvedSource => ({
    name: s.name,
    connector: s.connector,
    intervalMs: s.interval,
    options: s.options,
    liveness: livenessFor(s.interval, {
      staleAfterMs: s.liveness?.staleAfter,
      rebuildAfterMs: s.liveness?.rebuildAfter,
    }),
    points: resolved.points[i] ?? [],
  }));
  return {
    file,
    site: cfg.site,
    historian: {
      dataDir: overrides.dataDir ?? nodePath.resolve(nodePath.dirname(file), cfg.historian.dataDir),
      retention: {
        raw: cfg.historian.retention.raw,
        m1: cfg.historian.retention['1m'],
        h1: cfg.historian.retention['1h'],
      },
      eventRetentionMs: cfg.historian.retention.events === KEEP_FOREVER ? null : cfg.historian.retention.events,
    },
    api: {
      host: overrides.host ?? cfg.api.host,
      port: overrides.port ?? cfg.api.port,
      maxBodyBytes: cfg.api.maxBodyBytes,
      maxHeaderBytes: cfg.api.maxHeaderBytes,
      headersTimeoutMs: cfg.api.headersTimeout,
      requestTimeoutMs: cfg.api.requestTimeout,
      keepAliveTimeoutMs: cfg.api.keepAliveTimeout,
      tokens: cfg.api.tokens.map((t) => ({ ...t, sha256: t.sha256.toLowerCase() })),
      ...(tls && { tls }),
    },
    sources,
    points: sources.flatMap((s) => s.points.map(toModelPoint)),
    ...(cfg.automation && { automation: cfg.automation }),
    ...(cfg.prediction && { prediction: cfg.prediction }),
    ...(cfg.remoteWrite && { remoteWrite: cfg.remoteWrite }),
    ...(sparkplug && { sparkplug }),
    ...(cfg.hub && { hub: resolvedHub(cfg.hub, hubBroker) }),
  };
}

/** The hub section with its broker resolved (TLS files read) in place of the document's. */
function resolvedHub(doc: HubDocument, broker: BrokerConfig | undefined): HubConfig {
  const { broker: _doc, ...rest } = doc;
  return { ...rest, ...(broker && { broker }) };
}

/**
 * Reads `api.tls` files (relative to the config file's folder) and checks that they make a TLS context: a
 * missing file, a file that is not PEM, or a key that does not fit the certificate is an error naming the field.
 */
function readTls(
  t: { cert: string; key: string; ca?: string; requestCert: boolean; rejectUnauthorized: boolean },
  dir: string,
  issues: RawIssue[],
): ApiConfig['tls'] {
  const read = (field: 'cert' | 'key' | 'ca', p: string): Buffer | undefined => {
    const abs = nodePath.resolve(dir, p);
    try {
      const b = fs.readFileSync(abs);
      if (!b.toString('latin1').includes('-----BEGIN ')) {
        issues.push({ path: ['api', 'tls', field], message: `${abs} is not a PEM file (no "-----BEGIN" line)` });
        return undefined;
      }
      return b;
    } catch (e) {
      const reason = typeof (e as { code?: unknown })?.code === 'string' ? (e as { code: string }).code : String(e);
      issues.push({ path: ['api', 'tls', field], message: `cannot read ${abs} (${reason})` });
      return undefined;
    }
  };
  const cert = read('cert', t.cert);
  const key = read('key', t.key);
  const ca = t.ca === undefined ? undefined : read('ca', t.ca);
  if (!cert || !key || (t.ca !== undefined && !ca)) return undefined;
  try {
    nodeTls.createSecureContext({ cert, key, ...(ca && { ca }) });
  } catch (e) {
    const msg = typeof (e as { message?: unknown })?.message === 'string' ? (e as Error).message : String(e);
    issues.push({ path: ['api', 'tls', 'key'], message: `cert and key do not make a TLS context (${msg})` });
    return undefined;
  }
  return { cert, key, ...(ca && { ca }), requestCert: t.requestCert, rejectUnauthorized: t.rejectUnauthorized };
}

/** The model point alone, without the ingest-only fields. */
function toModelPoint(p: ResolvedPoint): Point {
  const { sourceUnit: _u, conversion: _c, ...point } = p;
  return point;
}

// ---------------------------------------------------------------------------------------------------------------
// environment

function readEnv(env: NodeJS.ProcessEnv, issues: ConfigIssue[]): { dataDir?: string; host?: string; port?: number } {
  const out: { dataDir?: string; host?: string; port?: number } = {};
  const data = env.PLENUM_DATA?.trim();
  // relative to the working directory: that is where whoever set the variable stood
  if (data) out.dataDir = nodePath.resolve(data);
  const host = env.PLENUM_HOST?.trim();
  if (host) out.host = host;
  const port = env.PLENUM_PORT?.trim();
  if (port) {
    const n = /^\d+$/.test(port) ? Number(port) : NaN;
    if (Number.isInteger(n) && n >= 0 && n <= 65535)
      out.port = n; // 0: the OS picks a free port (tests)
    else
      issues.push({
        origin: 'env',
        path: 'PLENUM_PORT',
        message: `expected an integer 0–65535 (it overrides api.port; 0 picks a free port); got ${JSON.stringify(env.PLENUM_PORT)}`,
      });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// semantic checks: what the schema cannot say

/** Asset types whose points are IT by default; every other asset's are OT. */
const IT_ASSET_TYPES: readonly AssetType[] = ['server', 'gpu-server', 'switch'];

interface AssetMatch {
  hall: string;
  /** unset for a hall-level asset */
  row?: string;
  rack?: string;
  asset: Asset;
}

function checkSemantics(raw: unknown, opts: LoadOptions, issues: RawIssue[]): { points: ResolvedPoint[][] } {
  const add = (path: readonly PathSeg[], message: string) => issues.push({ path, message });
  const points: ResolvedPoint[][] = [];
  if (!isRecord(raw)) return { points };

  // Each part is checked when it is itself valid, so one bad rack does not hide a bad point elsewhere. When the
  // topology has schema errors, references into it are not judged: the missing asset may be the broken one.
  const parsedSite = SiteSchema.safeParse(raw.site);
  /** index in the file of a salvaged element (its index in the salvaged list may be lower) */
  const fileIndex = new WeakMap<object, number>();
  const site = parsedSite.success ? parsedSite.data : salvageSite(raw.site, fileIndex);
  if (site) checkTopology(site, add, (obj, i) => fileIndex.get(obj) ?? i);

  const rawSources = Array.isArray(raw.sources) ? (raw.sources as unknown[]) : [];
  const sourceNames = new Map<string, number>();
  const pointIds = new Map<string, string>();
  const locations = new Map<string, Location>();
  rawSources.forEach((rawSource, si) => {
    const out: ResolvedPoint[] = [];
    points.push(out);
    if (!isRecord(rawSource)) return;
    const name = SourceSchema.shape.name.safeParse(rawSource.name).data;
    const connector = SourceSchema.shape.connector.safeParse(rawSource.connector).data;
    if (name !== undefined) {
      const first = sourceNames.get(name);
      if (first !== undefined)
        add(
          ['sources', si, 'name'],
          `duplicate source name "${name}" (first at sources[${first}]); expected unique names`,
        );
      else sourceNames.set(name, si);
    }
    if (connector !== undefined && opts.connectors && !opts.connectors.includes(connector)) {
      add(
        ['sources', si, 'connector'],
        `unknown connector "${connector}"${didYouMean(connector, opts.connectors)}; expected one of ${opts.connectors.join(', ')}`,
      );
    }
    const rawPoints = Array.isArray(rawSource.points) ? (rawSource.points as unknown[]) : [];
    rawPoints.forEach((rawPoint, pi) => {
      const tpl = PointTemplateSchema.safeParse(rawPoint).data;
      if (!tpl || !site) return;
      const at = (...rest: PathSeg[]): PathSeg[] => ['sources', si, 'points', pi, ...rest];
      out.push(
        ...expandTemplate(site, tpl, {
          sourceName: name ?? '?',
          connector: connector ?? '?',
          at,
          add,
          pointIds,
          judgeReferences: parsedSite.success,
          locations,
        }),
      );
    });
  });
  return { points };
}

/** The valid parts of an invalid topology (invalid halls, rows, racks and assets left out), for further checks. */
function salvageSite(raw: unknown, fileIndex: WeakMap<object, number>): SiteDoc | undefined {
  if (!isRecord(raw)) return undefined;
  const pick = <T extends object>(list: unknown, parse: (v: unknown) => T | undefined): T[] => {
    if (!Array.isArray(list)) return [];
    const out: T[] = [];
    list.forEach((v, i) => {
      const parsed = parse(v);
      if (parsed === undefined) return;
      fileIndex.set(parsed, i);
      out.push(parsed);
    });
    return out;
  };
  // children are parsed on their own and attached after the parent parsed (zod copies what it parses, which
  // would lose the file indices recorded on them)
  const asset = (v: unknown) => AssetSchema.safeParse(v).data;
  const rack = (v: unknown) => {
    const r = isRecord(v) ? RackSchema.safeParse({ ...v, assets: [] }).data : undefined;
    return r && isRecord(v) ? { ...r, assets: pick(v.assets, asset) } : undefined;
  };
  const row = (v: unknown) => {
    const r = isRecord(v) ? RowSchema.safeParse({ ...v, racks: [] }).data : undefined;
    return r && isRecord(v) ? { ...r, racks: pick(v.racks, rack) } : undefined;
  };
  const hall = (v: unknown) => {
    const h = isRecord(v) ? HallSchema.safeParse({ ...v, assets: [], rows: [] }).data : undefined;
    return h && isRecord(v) ? { ...h, assets: pick(v.assets, asset), rows: pick(v.rows, row) } : undefined;
  };
  return {
    id: SiteSchema.shape.id.safeParse(raw.id).data ?? '-',
    timezone: DEFAULTS.timezone,
    halls: pick(raw.halls, hall),
  };
}

type AddIssue = (path: readonly PathSeg[], message: string) => void;
type SiteDoc = z.output<typeof SiteSchema>;

/** `ix(element, listIndex)`: the element's index in the file. */
function checkTopology(site: SiteDoc, add: AddIssue, ix: (obj: object, i: number) => number): void {
  const dups = <T extends { id: string }>(list: readonly T[], report: (i: number, first: number, id: string) => void) =>
    unique(list, (i, first) => report(ix(list[i] as T, i), ix(list[first] as T, first), (list[i] as T).id));
  dups(site.halls, (i, first, id) =>
    add(['site', 'halls', i, 'id'], dupMessage('hall', id, 'the site', `site.halls[${first}]`)),
  );
  site.halls.forEach((hall, hallIndex) => {
    const hi = ix(hall, hallIndex);
    const hallPath = `site.halls[${hi}]`;
    dups(hall.assets, (i, first, id) =>
      add(
        ['site', 'halls', hi, 'assets', i, 'id'],
        dupMessage('asset', id, `hall "${hall.id}"`, `${hallPath}.assets[${first}]`),
      ),
    );
    dups(hall.rows, (i, first, id) =>
      add(
        ['site', 'halls', hi, 'rows', i, 'id'],
        dupMessage('row', id, `hall "${hall.id}"`, `${hallPath}.rows[${first}]`),
      ),
    );
    /** floor tile "x,y" → the rack on it */
    const tiles = new Map<string, { name: string; path: string }>();
    hall.rows.forEach((row, rowIndex) => {
      const ri = ix(row, rowIndex);
      const rowPath = `${hallPath}.rows[${ri}]`;
      dups(row.racks, (i, first, id) =>
        add(
          ['site', 'halls', hi, 'rows', ri, 'racks', i, 'id'],
          dupMessage('rack', id, `row "${hall.id}/${row.id}"`, `${rowPath}.racks[${first}]`),
        ),
      );
      row.racks.forEach((rack, rackIndex) => {
        const ki = ix(rack, rackIndex);
        const rackPath = `${rowPath}.racks[${ki}]`;
        dups(rack.assets, (i, first, id) =>
          add(
            ['site', 'halls', hi, 'rows', ri, 'racks', ki, 'assets', i, 'id'],
            dupMessage('asset', id, `rack "${hall.id}/${row.id}/${rack.id}"`, `${rackPath}.assets[${first}]`),
          ),
        );
        const name = `${row.id}/${rack.id}`;
        let reported = false;
        for (let dx = 0; dx < rack.w && !reported; dx++) {
          for (let dy = 0; dy < rack.h && !reported; dy++) {
            const key = `${rack.x + dx},${rack.y + dy}`;
            const other = tiles.get(key);
            if (other) {
              add(
                ['site', 'halls', hi, 'rows', ri, 'racks', ki],
                `rack ${name} (x=${rack.x}, y=${rack.y}, ${rack.w}×${rack.h} tiles) overlaps rack ${other.name} (${other.path}) ` +
                  `on tile x=${rack.x + dx}, y=${rack.y + dy}; expected racks of hall "${hall.id}" on distinct floor tiles`,
              );
              reported = true;
            } else tiles.set(key, { name, path: rackPath });
          }
        }
      });
    });
  });
}

function dupMessage(level: string, id: string, parent: string, firstPath: string): string {
  return `duplicate ${level} id "${id}" in ${parent} (first at ${firstPath}); expected ids unique within their parent`;
}

/** Calls `dup(index, firstIndex)` for every element whose id an earlier one has. */
function unique(list: readonly { id: string }[], dup: (i: number, first: number) => void): void {
  const seen = new Map<string, number>();
  list.forEach(({ id }, i) => {
    const first = seen.get(id);
    if (first === undefined) seen.set(id, i);
    else dup(i, first);
  });
}

interface ExpandContext {
  sourceName: string;
  connector: string;
  at: (...rest: PathSeg[]) => PathSeg[];
  add: AddIssue;
  /** point id → where it was first defined */
  pointIds: Map<string, string>;
  /** false when the topology itself is invalid: an asset that matches nothing may be the broken one */
  judgeReferences: boolean;
  /** one location object per asset, shared by its points (a hall has ~50 000 points on ~3 000 assets) */
  locations: Map<string, Location>;
}

function expandTemplate(site: SiteDoc, tpl: PointTemplate, ctx: ExpandContext): ResolvedPoint[] {
  const { at, add } = ctx;
  let ok = true;
  const fail = (path: PathSeg[], message: string) => {
    add(path, message);
    ok = false;
  };

  // per template, not per match: one mistake, one message
  const { matches, problem } = matchAssets(site, tpl.asset);
  if (problem && ctx.judgeReferences) fail(at('asset'), problem);

  let sourceUnit = CANONICAL_UNITS[tpl.quantity].symbol;
  let conversion: Conversion = { scale: 1, offset: 0 };
  if (tpl.unit !== undefined) {
    try {
      const c = unitConversion(tpl.unit, tpl.quantity);
      sourceUnit = tpl.unit;
      conversion = { scale: c.scale, offset: c.offset };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      fail(at('unit'), msg.includes('expected') ? msg : `${msg}; expected one of ${unitsFor(tpl.quantity).join(', ')}`);
    }
    if (ok && tpl.valueType !== 'number' && (conversion.scale !== 1 || conversion.offset !== 0)) {
      fail(
        at('unit'),
        `unit "${tpl.unit}" converts values but valueType is ${tpl.valueType}; expected no unit or "${CANONICAL_UNITS[tpl.quantity].symbol}"`,
      );
    }
  }
  if (tpl.writable && tpl.kind !== 'setpoint' && tpl.kind !== 'command') {
    fail(at('writable'), `writable: true with kind ${tpl.kind}; expected kind setpoint or command, or writable: false`);
  }
  if (tpl.min !== undefined && tpl.max !== undefined && tpl.min > tpl.max) {
    fail(at('min'), `min ${tpl.min} is above max ${tpl.max}; expected min ≤ max`);
  }
  if ((tpl.min !== undefined || tpl.max !== undefined) && tpl.valueType !== 'number') {
    fail(at(tpl.min !== undefined ? 'min' : 'max'), `limits need valueType number; got valueType ${tpl.valueType}`);
  }
  const probe = Object.fromEntries(PLACEHOLDERS.map((p) => [p, '']));
  if (tpl.writeAddress !== undefined && !tpl.writable) {
    fail(
      at('writeAddress'),
      'writeAddress on a point that is not writable; expected writable: true, or no writeAddress',
    );
  }
  for (const field of ['address', 'writeAddress', 'name'] as const) {
    const text = tpl[field];
    if (text === undefined) continue;
    const err = expandPlaceholders(text, probe).error;
    if (err) fail(at(field), err);
  }
  const where = formatPath(at());
  const out: ResolvedPoint[] = [];
  let duplicates = 0;
  let firstDuplicate = '';
  // shared by every point of the template (and of an asset): read-only after loading, and per-point copies were
  // ~10 % of a hall's catalog memory (issue 14)
  const tags = [...new Set(tpl.tags)];
  matches.forEach((m, i) => {
    const locKey = `${m.hall}/${m.row ?? ''}/${m.rack ?? ''}/${m.asset.id}`;
    let location = ctx.locations.get(locKey);
    if (!location) {
      location = { site: site.id, hall: m.hall };
      if (m.row !== undefined) location.row = m.row;
      if (m.rack !== undefined) location.rack = m.rack;
      location.asset = m.asset.id;
      ctx.locations.set(locKey, location);
    }
    const id = pointId(location, tpl.signal);
    // ids are claimed even when this template has other errors, so duplicates are reported in the same run
    const first = ctx.pointIds.get(id);
    if (first !== undefined) {
      // the same template twice on one id means duplicate asset ids, reported on the topology already
      if (first !== where && duplicates++ === 0) firstDuplicate = `point id "${id}" is already defined by ${first}`;
      return;
    }
    ctx.pointIds.set(id, where);
    if (!ok) return;
    const vars: Record<string, string> = {
      site: site.id,
      hall: m.hall,
      row: m.row ?? '-',
      rack: m.rack ?? '-',
      asset: m.asset.id,
      signal: tpl.signal,
      n: String(i + 1),
    };
    const unit = CANONICAL_UNITS[tpl.quantity];
    out.push({
      id,
      ...(tpl.name !== undefined ? { name: expandPlaceholders(tpl.name, vars).text } : {}),
      domain: tpl.domain ?? (IT_ASSET_TYPES.includes(m.asset.type) ? 'IT' : 'OT'),
      quantity: tpl.quantity,
      unit: unit.symbol,
      grafanaUnit: unit.grafanaUnit,
      valueType: tpl.valueType,
      kind: tpl.kind,
      writable: tpl.writable,
      location,
      tags,
      source: {
        connector: ctx.connector,
        source: ctx.sourceName,
        address: expandPlaceholders(tpl.address, vars).text,
        ...(tpl.writeAddress !== undefined && { writeAddress: expandPlaceholders(tpl.writeAddress, vars).text }),
      },
      ...(tpl.min !== undefined ? { min: tpl.min } : {}),
      ...(tpl.max !== undefined ? { max: tpl.max } : {}),
      sourceUnit,
      conversion,
    });
  });
  if (duplicates > 0) {
    const more = duplicates > 1 ? ` (and ${duplicates - 1} more ids of this template)` : '';
    add(at(), `${firstDuplicate}${more}; expected point ids unique across all sources`);
  }
  return ok ? out : [];
}

/** Source units that convert to `quantity`, for error messages. */
function unitsFor(quantity: Quantity): string[] {
  return Object.keys(SOURCE_UNITS)
    .filter((u) => {
      try {
        unitConversion(u, quantity);
        return true;
      } catch {
        return false;
      }
    })
    .map((u) => JSON.stringify(u));
}

/**
 * Replaces `{name}` with `vars[name]`; `{{` and `}}` are literal braces. `error` names the first unknown
 * placeholder or stray brace.
 */
function expandPlaceholders(text: string, vars: Readonly<Record<string, string>>): { text: string; error?: string } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if ((c === '{' || c === '}') && text[i + 1] === c) {
      out += c;
      i++;
    } else if (c === '{') {
      const end = text.indexOf('}', i);
      const name = end < 0 ? undefined : text.slice(i + 1, end);
      const expected = `expected one of ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')} (write {{ and }} for literal braces)`;
      if (name === undefined) return { text: out, error: `unclosed "{" at character ${i + 1}; ${expected}` };
      const value = vars[name];
      if (value === undefined) return { text: out, error: `unknown placeholder {${name}}; ${expected}` };
      out += value;
      i = end;
    } else if (c === '}') {
      return { text: out, error: `stray "}" at character ${i + 1}; write }} for a literal brace` };
    } else out += c;
  }
  return { text: out };
}

/** `*` any run of characters, `?` one character, within one path segment. */
function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** A short list of ids for a message: `A01, A02, …, A10 (40 in all)`. */
function listIds(ids: readonly string[]): string {
  const uniq = [...new Set(ids)];
  if (uniq.length === 0) return '(none)';
  if (uniq.length <= 12) return uniq.join(', ');
  return `${uniq.slice(0, 10).join(', ')}, …, ${uniq[uniq.length - 1]} (${uniq.length} in all)`;
}

/**
 * The assets a reference names, in document order (halls, then a hall's rows, racks, assets). `problem` says
 * at which level nothing matched and what exists there.
 */
function matchAssets(site: SiteDoc, ref: string): { matches: AssetMatch[]; problem?: string } {
  const [h = '', r = '', k = '', a = ''] = ref.split('/');
  const what = `"${ref}" matches no asset`;
  if ((r === '-') !== (k === '-')) {
    return {
      matches: [],
      problem: `"${ref}": row and rack must both be "-" (a hall-level asset) or both name a rack; expected "<hall>/<row>/<rack>/<asset>" or "<hall>/-/-/<asset>"`,
    };
  }
  const halls = site.halls.filter((x) => globRegExp(h).test(x.id));
  if (halls.length === 0) {
    const ids = site.halls.map((x) => x.id);
    return { matches: [], problem: `${what}: no hall "${h}"${didYouMean(h, ids)}; expected one of ${listIds(ids)}` };
  }
  const hallNames = halls.map((x) => x.id).join(', ');
  const assetRe = globRegExp(a);
  if (r === '-') {
    const matches = halls.flatMap((hall) =>
      hall.assets.filter((x) => assetRe.test(x.id)).map((asset): AssetMatch => ({ hall: hall.id, asset })),
    );
    if (matches.length > 0) return { matches };
    const ids = halls.flatMap((x) => x.assets.map((y) => y.id));
    return {
      matches,
      problem: `${what}: no hall-level asset "${a}" in ${hallNames}${didYouMean(a, ids)}; expected one of ${listIds(ids)}`,
    };
  }
  const rowRe = globRegExp(r);
  const rows = halls.flatMap((hall) => hall.rows.filter((x) => rowRe.test(x.id)).map((row) => ({ hall, row })));
  if (rows.length === 0) {
    const ids = halls.flatMap((x) => x.rows.map((y) => y.id));
    return {
      matches: [],
      problem: `${what}: no row "${r}" in ${hallNames}${didYouMean(r, ids)}; expected one of ${listIds(ids)}`,
    };
  }
  const rackRe = globRegExp(k);
  const racks = rows.flatMap((x) => x.row.racks.filter((y) => rackRe.test(y.id)).map((rack) => ({ ...x, rack })));
  if (racks.length === 0) {
    const ids = rows.flatMap((x) => x.row.racks.map((y) => y.id));
    return {
      matches: [],
      problem: `${what}: no rack "${k}" in row(s) ${listIds(rows.map((x) => `${x.hall.id}/${x.row.id}`))}${didYouMean(k, ids)}; expected one of ${listIds(ids)}`,
    };
  }
  const matches = racks.flatMap(({ hall, row, rack }) =>
    rack.assets
      .filter((x) => assetRe.test(x.id))
      .map((asset): AssetMatch => ({ hall: hall.id, row: row.id, rack: rack.id, asset })),
  );
  if (matches.length > 0) return { matches };
  const ids = racks.flatMap((x) => x.rack.assets.map((y) => y.id));
  return {
    matches,
    problem: `${what}: no asset "${a}" in the ${racks.length} matching rack(s)${didYouMean(a, ids)}; expected one of ${listIds(ids)}`,
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
