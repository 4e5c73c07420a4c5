import fs from 'node:fs';
import path from 'node:path';

/** `harness/`, whether this file runs from source (tsx, Jest) or not. */
export const HARNESS_DIR = path.resolve(__dirname, '..', '..');

/** The repository root (`/work/main`). */
export const REPO_DIR = path.resolve(HARNESS_DIR, '..');

/** Where `npm run build -w harness` writes `host.js`, `host.css` and the font files they reference. */
export const HOST_DIST_DIR = path.join(HARNESS_DIR, 'dist');

/** The installed directory of an npm package, found from here as Node would find it. */
export function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`, { paths: [HARNESS_DIR] }));
}

/** The version field of an installed package. */
export function packageVersion(name: string): string {
  const json = JSON.parse(fs.readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')) as { version: string };
  return json.version;
}
