import fs from 'node:fs';
import path from 'node:path';
import { writeSboms } from './sbom';
import { zip } from './zip';

const REPO = path.resolve(__dirname, '..');

/** The plugins `npm run package` archives, by source folder. */
export const PLUGIN_DIRS = ['datasource', 'panels/rack-heatmap', 'panels/cooling-correlation', 'panels/automation'];

/** Every file below `dir`, relative, sorted (so archives are reproducible). */
function files(dir: string, rel = ''): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(dir, path.join(rel, e.name)) : [path.join(rel, e.name)]))
    .sort();
}

/**
 * One zip per plugin as Grafana installs it (`grafana cli --pluginUrl …`, or unzip into the plugins folder): a
 * top folder named after the plugin id holding the built `dist/` — `plugin.json`, `module.js`, logo, README —
 * named `<id>-<version>.zip` under `artifacts/`. Source maps stay out (they double the size).
 */
export function packagePlugins(outDir = path.join(REPO, 'artifacts')): string[] {
  fs.mkdirSync(outDir, { recursive: true });
  return PLUGIN_DIRS.map((dir) => {
    const dist = path.join(REPO, dir, 'dist');
    const metaFile = path.join(dist, 'plugin.json');
    if (!fs.existsSync(metaFile)) throw new Error(`${dir}/dist/plugin.json is missing: run npm run build`);
    const { id, info } = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { id: string; info: { version: string } };
    const entries = files(dist)
      .filter((f) => !f.endsWith('.map'))
      .map((f) => ({ name: `${id}/${f.split(path.sep).join('/')}`, data: fs.readFileSync(path.join(dist, f)) }));
    const out = path.join(outDir, `${id}-${info.version}.zip`);
    fs.writeFileSync(out, zip(entries));
    return out;
  });
}

if (require.main === module) {
  const zips = packagePlugins();
  // the release's SBOMs (CycloneDX, deploy/sbom.ts): one for the server, one per plugin zip, named like it
  const sboms = writeSboms(
    path.join(REPO, 'artifacts'),
    zips.map((z, i) => ({ dir: PLUGIN_DIRS[i]!, name: path.basename(z, '.zip') })),
  );
  for (const f of [...zips, ...sboms]) console.log(`wrote ${path.relative(REPO, f)} (${fs.statSync(f).size} bytes)`);
}
