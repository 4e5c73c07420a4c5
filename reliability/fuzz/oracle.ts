/**
 * What every answer to a fuzzed request must be: never a 5xx the route does not document (a 500 is always ours),
 * and every 4xx a JSON `{error}` that says where the problem is — a field (`body.samples[3].ts: …`), the
 * authorization, the route (`no route …`) or the named thing that is missing (`no rule "x"`).
 */

export interface Answer {
  status: number;
  contentType: string;
  text: string;
}

/** `where: what` — the where a field path, a header, or a few words naming a thing (`proposal id: …`). */
const NAMES_WHERE = /^(?:[\w$.[\]*/-]+(?: [\w$.[\]#*/-]+){0,3}): \S/;
/** a quoted odd key in a field path, `query["a b"]` (common/zod-issues.ts), or a quoted name (`rule "x"`): one word */
const QUOTED = /"(?:[^"\\]|\\.)*"/g;
const NAMES_MISSING = /^(?:no|unknown) \S/;

/** Why an answer breaks the contract, or undefined when it keeps it. `documented` are the route's statuses. */
export function breach(a: Answer, documented: readonly string[]): string | undefined {
  if (a.status >= 500 && !documented.includes(String(a.status))) return `${a.status} ${a.text.slice(0, 300)}`;
  if (a.status < 400 || a.status >= 500) return undefined;
  // node's own answers before any handler runs, whose status line names the header: 431 (headers too large),
  // 417 (an Expect other than 100-continue)
  if (a.status === 431 || a.status === 417) return undefined;
  if (!a.contentType.includes('application/json')) return `${a.status} without a JSON body (${a.contentType})`;
  let error: unknown;
  try {
    error = (JSON.parse(a.text) as { error?: unknown }).error;
  } catch {
    return `${a.status} with a body that is not JSON: ${a.text.slice(0, 200)}`;
  }
  if (typeof error !== 'string' || error === '') return `${a.status} without an error message: ${a.text.slice(0, 200)}`;
  const unquoted = error.replace(QUOTED, 'q');
  if (!NAMES_WHERE.test(unquoted) && !NAMES_MISSING.test(unquoted))
    return `${a.status} error names no field: ${error.slice(0, 200)}`;
  return undefined;
}

/** A failure's shape, so that one bug found 10,000 times is reported once: status and message without values. */
export function shape(route: string, why: string): string {
  return `${route}: ${why
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 160)}`;
}
