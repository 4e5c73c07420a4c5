import * as path from 'node:path';

/**
 * The site config file every entry point reads (backend, simulator, launcher): `--config`, else the
 * environment variable PLENUM_CONFIG, else `plenum.yaml` — relative paths against the working directory, which
 * for the npm scripts is the repository root. One function, so the three cannot disagree.
 */
export function configPath(flag: string | undefined, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  return path.resolve(cwd, flag || env.PLENUM_CONFIG || 'plenum.yaml');
}
