import type { ConfigIssue } from './load';

/**
 * `${NAME}` and `${NAME:-default}` in the config text are replaced by environment variables before the YAML is
 * read, as docker-compose does: one file serves a laptop (`127.0.0.1`) and a compose network (`SIM_HOST=sim`).
 * `$$` writes a literal `$`. Replacement happens on the text, so numbers stay numbers (`port: ${P:-5020}`).
 * A variable that is unset (or empty) and has no default is an error naming it and its line.
 */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv): { text: string; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const out = text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}\n]*))?\}/g,
    (match, name: string | undefined, def: string | undefined, offset: number) => {
      if (match === '$$') return '$';
      const value = env[name!];
      if (value !== undefined && value !== '') return value;
      if (def !== undefined) return def;
      const before = text.slice(0, offset).split('\n');
      issues.push({
        origin: 'env',
        path: name!,
        message: `is not set and ${match} at line ${before.length} has no default; set it or write \${${name}:-<default>}`,
        line: before.length,
        col: before.at(-1)!.length + 1,
      });
      return '';
    },
  );
  return { text: out, issues };
}
