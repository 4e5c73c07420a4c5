import type { z } from 'zod';

/** `['sources', 2, 'points', 5, 'address']` → `sources[2].points[5].address` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
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
    const where = formatPath([...prefix, ...issue.path]) || '(body)';
    lines.push(`${where}: ${issue.message}`);
  }
  return lines;
}
