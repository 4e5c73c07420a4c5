import type { ConfigIssue } from './load';

/**
 * `${NAME}` and `${NAME:-default}` in the config text are replaced by environment variables before the YAML is
 * read, as docker-compose does: one file serves a laptop (`127.0.0.1`) and a compose network (`SIM_HOST=sim`).
 * `$$` writes a literal `$`. Replacement happens on the text, so numbers stay numbers (`port: ${P:-5020}`).
 * A variable that is unset (or empty) and has no default is an error naming it and its line. Comments are left
 * as they are: a commented-out `password: ${BMC_PASSWORD}` must not make the file fail.
 */
export function interpolateEnv(text: string, env: NodeJS.ProcessEnv): { text: string; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const comments = commentRanges(text);
  const inComment = (offset: number) => comments.some(([a, b]) => offset >= a && offset < b);
  const out = text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}\n]*))?\}/g,
    (match, name: string | undefined, def: string | undefined, offset: number) => {
      if (inComment(offset)) return match;
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

/**
 * Where YAML comments are in `text`, as [start, end) offsets: a `#` at the start of a line or after white space,
 * outside single- and double-quoted scalars, to the end of its line. (A `#` line inside a block scalar is content
 * to YAML; such a line keeps its `${…}` unexpanded here — the config has no block scalars that need them.)
 */
function commentRanges(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === '"') {
      if (c === '\\') i++;
      else if (c === '"') quote = undefined;
    } else if (quote === "'") {
      if (c === "'" && text[i + 1] === "'") i++;
      else if (c === "'") quote = undefined;
    } else if (c === '"' || c === "'") {
      // a quote opens a scalar only where a value can begin (not inside a plain word like it's)
      const prev = text[i - 1];
      if (prev === undefined || /[\s:[{,-]/.test(prev)) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] as string))) {
      const end = text.indexOf('\n', i);
      out.push([i, end < 0 ? text.length : end]);
      i = end < 0 ? text.length : end;
    }
  }
  return out;
}
