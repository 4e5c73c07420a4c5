/*
 * Licence allow-list for what Plenum ships (`npm run licences`; run on the real tree by licences.test.ts, so CI
 * checks it through `npm test`). Policy and the reasons for the runtime set: docs/supply-chain.md.
 *
 * Runtime = code that runs on an operator's machine because we shipped it:
 * - the server: backend's (and model's) dependencies, transitively, as Node resolves them on disk, plus tsx, which
 *   the Docker image's CMD runs (a root devDependency, but a runtime one there);
 * - each plugin: the third-party packages webpack bundled into dist/module.js, read from its source map. Grafana
 *   provides the externals (react, @grafana/*, @emotion/css, …) at run time; they are not in our zips.
 */
import fs from 'node:fs';
import path from 'node:path';
import { PLUGIN_DIRS } from './package-plugins';

const REPO = path.resolve(__dirname, '..');

export interface RuntimePackage {
  name: string;
  version: string;
  /** directory relative to the repo, as npm audit's `nodes` names it (`node_modules/x`) */
  dir: string;
  /** the package.json `license` (or legacy `licenses[].type`), undefined when it has none */
  license: string | undefined;
  /** which shipped part pulls it in first: 'server' or a plugin folder */
  part: string;
}

export interface LicencePolicy {
  /** SPDX identifiers accepted on their own */
  allowed: string[];
  /** per package@version, reviewed by hand: the licence actually found (LICENSE file, README) and where */
  exceptions: Array<{ package: string; licence: string; reason: string }>;
}

interface Manifest {
  name?: string;
  version?: string;
  license?: unknown;
  licenses?: Array<{ type?: string }>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Node's lookup: `<from>/node_modules/<name>`, then each parent's, up to (and including) the repo root. */
export function resolvePackage(root: string, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (path.relative(root, dir) === '' || path.dirname(dir) === dir) return undefined;
    dir = path.dirname(dir);
  }
}

function licenseOf(m: Manifest): string | undefined {
  if (typeof m.license === 'string') return m.license;
  if (m.license && typeof m.license === 'object' && 'type' in m.license) return String(m.license.type);
  if (Array.isArray(m.licenses) && m.licenses.length) {
    const types = m.licenses.map((l) => l.type).filter(Boolean);
    return types.length > 1 ? `(${types.join(' OR ')})` : types[0];
  }
  return undefined;
}

/**
 * Every package reachable from `start` (directories) through dependencies, optionalDependencies (when installed) and
 * non-optional peerDependencies. A required dependency that is not installed is an error: the tree is incomplete.
 */
export function closure(root: string, starts: Array<{ dir: string; part: string }>): RuntimePackage[] {
  const seen = new Map<string, RuntimePackage>();
  const queue = starts.map((s) => ({ dir: fs.realpathSync(s.dir), part: s.part }));
  while (queue.length) {
    const { dir, part } = queue.shift()!;
    const rel = path.relative(root, dir).split(path.sep).join('/');
    if (seen.has(rel)) continue;
    const m = readManifest(dir);
    seen.set(rel, {
      name: m.name ?? path.basename(dir),
      version: m.version ?? '',
      dir: rel,
      license: licenseOf(m),
      part,
    });
    const wanted: Array<[string, boolean]> = [
      ...Object.keys(m.dependencies ?? {}).map((n): [string, boolean] => [n, true]),
      ...Object.keys(m.optionalDependencies ?? {}).map((n): [string, boolean] => [n, false]),
      ...Object.keys(m.peerDependencies ?? {}).map((n): [string, boolean] => [
        n,
        !m.peerDependenciesMeta?.[n]?.optional,
      ]),
    ];
    for (const [name, required] of wanted) {
      const found = resolvePackage(root, dir, name);
      if (found) queue.push({ dir: found, part });
      else if (required && !(m.optionalDependencies && name in m.optionalDependencies)) {
        throw new Error(`${name}, a dependency of ${m.name ?? rel}, is not installed: run npm ci`);
      }
    }
  }
  return [...seen.values()];
}

/** Package names webpack bundled into `<pluginDir>/dist/module.js`, from its source map (externals excluded). */
export function bundledPackages(pluginDir: string): string[] {
  const mapFile = path.join(pluginDir, 'dist', 'module.js.map');
  if (!fs.existsSync(mapFile)) throw new Error(`${mapFile} is missing: run npm run build`);
  const { sources } = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources: string[] };
  const names = new Set<string>();
  for (const s of sources) {
    const i = s.lastIndexOf('node_modules/');
    if (i < 0 || s.includes('/external ')) continue;
    const parts = s.slice(i + 'node_modules/'.length).split('/');
    // grafana-public-path.js is a virtual module of the generated webpack config, not a package
    if (parts.length < 2) continue;
    names.add(parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return [...names].sort();
}

/**
 * The runtime set of the real tree (see the header). A plugin not built yet (npm audit runs before npm test's build
 * in CI) fails, or with `unbuilt: 'declared'` counts its declared dependencies instead: a superset of the bundle.
 */
export function runtimePackages(
  root = REPO,
  plugins = PLUGIN_DIRS,
  unbuilt: 'throw' | 'declared' = 'throw',
): RuntimePackage[] {
  const tsx = resolvePackage(root, root, 'tsx');
  const starts = [
    { dir: path.join(root, 'backend'), part: 'server' },
    { dir: path.join(root, 'model'), part: 'server' },
    ...(tsx ? [{ dir: tsx, part: 'server' }] : []),
  ];
  for (const p of plugins) {
    const dir = path.join(root, p);
    if (unbuilt === 'declared' && !fs.existsSync(path.join(dir, 'dist', 'module.js.map'))) {
      starts.push({ dir, part: p });
      continue;
    }
    for (const name of bundledPackages(dir)) {
      const found = resolvePackage(root, dir, name);
      if (!found) throw new Error(`${name}, bundled into ${p}/dist/module.js, is not installed: run npm ci`);
      starts.push({ dir: found, part: p });
    }
  }
  // our own workspaces are Apache-2.0 by the root package.json; they are not third-party code
  return closure(root, starts).filter((p) => !p.name.startsWith('@plenum/'));
}

/** Tokens of an SPDX expression: ids, `(`, `)`, AND, OR, WITH. */
function tokens(expr: string): string[] {
  return expr.replace(/[()]/g, ' $& ').trim().split(/\s+/).filter(Boolean);
}

/**
 * Whether an SPDX expression is acceptable: an OR needs one allowed side, an AND both, `X WITH exception` needs X.
 * Throws on an expression it cannot parse (so a malformed field fails rather than passes).
 */
export function satisfies(expr: string, allowed: ReadonlySet<string>): boolean {
  const t = tokens(expr);
  let i = 0;
  const primary = (): boolean => {
    const tok = t[i++];
    if (tok === undefined) throw new Error(`incomplete licence expression "${expr}"`);
    if (tok === '(') {
      const v = or();
      if (t[i++] !== ')') throw new Error(`unbalanced licence expression "${expr}"`);
      return v;
    }
    if (/^(AND|OR|WITH|\))$/i.test(tok)) throw new Error(`unexpected "${tok}" in licence expression "${expr}"`);
    if (t[i]?.toUpperCase() === 'WITH') i += 2;
    return allowed.has(tok.replace(/\+$/, ''));
  };
  const and = (): boolean => {
    let v = primary();
    while (t[i]?.toUpperCase() === 'AND') {
      i++;
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (t[i]?.toUpperCase() === 'OR') {
      i++;
      v = and() || v;
    }
    return v;
  };
  const v = or();
  if (i !== t.length) throw new Error(`trailing "${t[i]}" in licence expression "${expr}"`);
  return v;
}

export interface LicenceResult {
  problems: string[];
  /** licence (as declared, or the exception's) → packages */
  byLicence: Map<string, string[]>;
  /** exceptions that matched no installed package@version: stale, to delete */
  unusedExceptions: string[];
}

/** The policy applied to a package list: pure. */
export function checkLicences(pkgs: RuntimePackage[], policy: LicencePolicy): LicenceResult {
  const allowed = new Set(policy.allowed);
  const exceptions = new Map(policy.exceptions.map((e) => [e.package, e]));
  const used = new Set<string>();
  const problems: string[] = [];
  const byLicence = new Map<string, string[]>();
  const ids = new Set<string>();
  for (const p of pkgs) {
    const id = `${p.name}@${p.version}`;
    if (ids.has(id)) continue;
    ids.add(id);
    const exception = exceptions.get(id);
    if (exception) used.add(id);
    const licence = exception?.licence ?? p.license;
    byLicence.set(licence ?? '(none)', [...(byLicence.get(licence ?? '(none)') ?? []), id]);
    if (!licence) {
      problems.push(`${id} (${p.dir}, ${p.part}) declares no licence: read its LICENSE and record an exception`);
      continue;
    }
    let ok: boolean;
    try {
      ok = satisfies(licence, allowed);
    } catch (e) {
      problems.push(`${id} (${p.dir}, ${p.part}): ${(e as Error).message}`);
      continue;
    }
    if (!ok) problems.push(`${id} (${p.dir}, ${p.part}) is "${licence}", not on the allow-list`);
  }
  return { problems, byLicence, unusedExceptions: [...exceptions.keys()].filter((k) => !used.has(k)) };
}

export function loadPolicy(file = path.join(__dirname, 'licences-allow.json')): LicencePolicy {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as LicencePolicy;
}

if (require.main === module) {
  const pkgs = runtimePackages();
  const { problems, byLicence, unusedExceptions } = checkLicences(pkgs, loadPolicy());
  const parts = [...new Set(pkgs.map((p) => p.part))].map(
    (part) => `${part} ${pkgs.filter((p) => p.part === part).length}`,
  );
  console.log(`${pkgs.length} runtime packages (${parts.join(', ')})`);
  for (const [licence, ids] of [...byLicence].sort((a, b) => b[1].length - a[1].length)) {
    console.log(`  ${String(ids.length).padStart(4)}  ${licence}${ids.length <= 3 ? `  (${ids.join(', ')})` : ''}`);
  }
  for (const u of unusedExceptions) console.log(`stale exception (no such package installed): ${u}`);
  for (const p of problems) console.error(`licence: ${p}`);
  process.exit(problems.length ? 1 : 0);
}
