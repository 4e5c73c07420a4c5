import { z } from 'zod';
import { formatIssues } from '../../common/zod-issues';

/**
 * Building blocks of connector options schemas, so every connector's errors read alike: the field, what is
 * wrong and what is expected (`retries cannot be negative; expected a whole number 0–10`).
 */

/** A strict object whose unknown-key error names the key, suggests the nearest one and lists the keys it accepts. */
export { strict } from '../../config/schema-parts';

/** An integer in [min, max]; `what` says what is expected in the message. */
export const wholeNumber = (field: string, min: number, max: number, what: string) =>
  z
    .number({ error: `${field}: expected ${what}` })
    .int(`${field}: expected ${what}`)
    .min(min, min === 0 ? `${field} cannot be negative; expected ${what}` : `${field} is too small; expected ${what}`)
    .max(max, `${field} is too large; expected ${what}`);

/** A duration in whole milliseconds in [min, max]. */
export const ms = (field: string, min: number, max: number) =>
  wholeNumber(field, min, max, `a whole number of milliseconds ${min}–${max}`);

/**
 * Refuses a second item with a name already used in the list (`path` its place in the object refined, `what` its
 * noun, `label` the list as the message names it): `duplicate device name "a" (first at devices[0]); expected
 * unique names`.
 */
export function uniqueNames(
  ctx: z.RefinementCtx,
  items: ReadonlyArray<{ name: string }>,
  path: readonly string[],
  what: string,
  label = path.join('.'),
): void {
  const first = new Map<string, number>();
  items.forEach((item, i) => {
    const at = first.get(item.name);
    if (at === undefined) first.set(item.name, i);
    else
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'name'],
        message: `duplicate ${what} name "${item.name}" (first at ${label}[${at}]); expected unique names`,
      });
  });
}

/**
 * Validates a configured source's `options` against its connector's schema (the one place this happens, for
 * start-up and for the golden tests). Errors read `sources[i].options.<field>: … (source "<name>")`.
 */
export function parseSourceOptions<O>(
  schema: z.ZodType<O>,
  source: { name: string; options?: unknown },
  index: number,
): { ok: true; options: O } | { ok: false; errors: string[] } {
  const parsed = schema.safeParse(source.options ?? {});
  if (parsed.success) return { ok: true, options: parsed.data };
  return {
    ok: false,
    errors: formatIssues(parsed.error.issues, ['sources', index, 'options']).map(
      (m) => `${m} (source "${source.name}")`,
    ),
  };
}
