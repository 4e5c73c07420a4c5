import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The parts of docker-compose.yml the tests read. */
export interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

export interface ComposeFile {
  name: string;
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

export const REPO = path.resolve(__dirname, '..');

/**
 * A compose file of the repository (docker-compose.yml unless `file` is given, e.g. docker-compose.scale.yml)
 * with `${VAR:-default}` expanded as compose does (from `env`, else the default), so the tests see the values
 * containers would.
 */
export function readCompose(env: NodeJS.ProcessEnv = {}, file = 'docker-compose.yml'): ComposeFile {
  const text = fs.readFileSync(path.join(REPO, file), 'utf8');
  const expanded = text.replace(
    /\$\{(\w+)(?::-([^}]*))?\}/g,
    (_, name: string, def?: string) => env[name] || def || '',
  );
  return parse(expanded) as ComposeFile;
}

/** A bind mount's host path, resolved against the repository; undefined for named volumes. */
export function bindSource(volume: string): string | undefined {
  const [src] = volume.split(':');
  return src && (src.startsWith('./') || src.startsWith('/')) ? path.resolve(REPO, src) : undefined;
}
