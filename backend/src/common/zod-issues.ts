import type { z } from 'zod';

/** `['sources', 2, 'points', 5, 'address']` → `sources[2].points[5].address`; odd keys are quoted (`["a b"]`). */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z0-9_$-]+$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

/** One line per issue, `<path>: <message>`; unknown keys are named one by one. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: ReadonlyArray<PropertyKey> = []): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...prefix, ...issue.path, key])}: unknown field`);
      continue;
    }
    const where = formatPath([...prefix, ...issue.path]) || 'body';
    lines.push(`${where}: ${issue.message}`);
  }
  return lines;
}
