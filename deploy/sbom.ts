/*
 * CycloneDX SBOMs for the release artifacts, from `npm sbom` (npm ≥ 10; offline: it reads the installed tree and
 * package-lock.json). Written by `npm run package` beside the zips:
 * - `plenum-server-<version>.cdx.json`: backend and model with their dependencies. Without `--omit dev`: npm 11's
 *   omit drops a production package that a dev package also reaches (npm/cli#7909: zod, a peer of the dev-only
 *   zod-validation-error, went missing); backend and model have no devDependencies, so nothing dev gets in;
 * - `<plugin-id>-<version>.cdx.json`: each plugin workspace's runtime dependencies as declared, which includes the
 *   packages Grafana provides at run time (react, @grafana/*): a superset of what the zip bundles.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..');

/** `npm sbom` for the given workspaces, runtime dependencies only, as parsed CycloneDX JSON. */
export function sbom(
  workspaces: string[],
  omitDev: boolean,
): {
  bomFormat: string;
  specVersion: string;
  components: Array<{ name: string; version: string; purl?: string }>;
} {
  const out = execFileSync(
    'npm',
    [
      'sbom',
      '--sbom-format',
      'cyclonedx',
      '--sbom-type',
      'application',
      ...(omitDev ? ['--omit', 'dev'] : []),
      ...workspaces.flatMap((w) => ['-w', w]),
    ],
    { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  return JSON.parse(out);
}

/** Writes the server's SBOM and one per plugin (`plugins`: folder → `<id>-<version>` name) into outDir. */
export function writeSboms(outDir: string, plugins: Array<{ dir: string; name: string }>): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'backend/package.json'), 'utf8')) as {
    version: string;
  };
  const targets = [
    { workspaces: ['backend', 'model'], name: `plenum-server-${version}`, omitDev: false },
    ...plugins.map((p) => ({ workspaces: [p.dir], name: p.name, omitDev: true })),
  ];
  return targets.map((t) => {
    const file = path.join(outDir, `${t.name}.cdx.json`);
    fs.writeFileSync(file, `${JSON.stringify(sbom(t.workspaces, t.omitDev), null, 2)}\n`);
    return file;
  });
}
