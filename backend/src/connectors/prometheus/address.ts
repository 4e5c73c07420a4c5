/**
 * Point addresses of the prometheus connector (README "Point address"). Pure.
 *
 * ```
 * DCGM_FI_DEV_POWER_USAGE rack={rack} gpu=0          brace-free selector (no {{ }} needed in plenum.yaml)
 * DCGM_FI_DEV_POWER_USAGE{rack="A01",gpu=~"[0-3]"}   PromQL selector (write {{ }} in plenum.yaml)
 * DCGM_FI_DEV_POWER_USAGE;by=rack;agg=sum            series whose mapped rack is the point's rack, summed
 * sum by (rack) (DCGM_FI_DEV_POWER_USAGE);by=rack    api mode: any PromQL expression
 * DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION gpu=0;rate;scale=0.001    scrape mode: counter → per-second rate
 * ```
 */
import { didYouMean } from '../../config/schema';
import { isMetricName } from './exposition';

export const MATCH_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatchOp = (typeof MATCH_OPS)[number];

export interface LabelMatcher {
  label: string;
  op: MatchOp;
  value: string;
  /** compiled, anchored, for `=~` and `!~` */
  re?: RegExp;
}

export const AGGREGATIONS = ['sum', 'avg', 'max', 'min', 'count'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** Topology levels a series can be mapped to (options.mapping) and a point matched by (`by=`). */
export const LEVELS = ['hall', 'row', 'rack'] as const;
export type Level = (typeof LEVELS)[number];

export const MODES = ['scrape', 'api'] as const;
export type Mode = (typeof MODES)[number];

export interface PromAddress {
  /** scrape mode: the exact metric name, when the selector names one */
  metric?: string;
  /** scrape mode: every matcher of the selector (`__name__` ones included) */
  matchers: LabelMatcher[];
  /** api mode: the PromQL expression sent to `/api/v1/query` */
  query?: string;
  /** combine several series into one value */
  agg?: Aggregation;
  /** scrape mode: per-second rate of a counter between successive scrapes */
  rate: boolean;
  /** keep only series whose mapped topology equals the point's location at these levels */
  by: Level[];
  /** value × scale, before the ingest unit conversion; @default 1 */
  scale: number;
  /** deliver this label's value as a string (string points) */
  label?: string;
}

export type ParseResult = { ok: true; address: PromAddress } | { ok: false; error: string };

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const OPTION_KEYS = ['agg', 'rate', 'by', 'scale', 'label'] as const;

export const ADDRESS_EXAMPLE =
  'expected e.g. "DCGM_FI_DEV_POWER_USAGE rack=A01 gpu=0", "DCGM_FI_DEV_POWER_USAGE{rack="A01"}" or "DCGM_FI_DEV_POWER_USAGE;by=rack;agg=sum"';

/**
 * Compiles a Prometheus (RE2) regular expression as Prometheus anchors it: the whole value must match. Accepts
 * RE2's `(?P<name>…)` groups and a leading `(?i)`; other RE2-only syntax fails with JavaScript's message.
 */
export function compileRe2(source: string, anchored = true): RegExp {
  let flags = '';
  let body = source;
  const inline = /^\(\?([imsU]+)\)/.exec(body);
  if (inline) {
    for (const f of inline[1] as string) {
      if (f === 'i' || f === 's') flags += flags.includes(f) ? '' : f;
      else throw new Error(`inline flag (?${f}) is not supported; expected (?i) or (?s)`);
    }
    body = body.slice(inline[0].length);
  }
  body = body.replace(/\(\?P</g, '(?<');
  return new RegExp(anchored ? `^(?:${body})$` : body, flags);
}

/**
 * Reads a quoted string starting at `s[i]` (`"…"` and `'…'` with backslash escapes, `` `…` `` raw, as PromQL
 * strings); returns the value and the index after the closing quote, or undefined when unterminated.
 */
export function readQuoted(s: string, i: number): { value: string; end: number } | undefined {
  const q = s[i];
  let value = '';
  for (let j = i + 1; j < s.length; j++) {
    const c = s[j] as string;
    if (c === q) return { value, end: j + 1 };
    if (c === '\\' && q !== '`') {
      const e = s[++j];
      if (e === undefined) return undefined;
      value +=
        e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '\\' || e === '"' || e === "'" ? e : `\\${e}`;
    } else value += c;
  }
  return undefined;
}

/** Splits at `sep` outside quoted strings; undefined when a quote is unterminated. */
function splitOutsideQuotes(s: string, isSep: (c: string) => boolean): string[] | undefined {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length;) {
    const c = s[i] as string;
    if (c === '"' || c === "'" || c === '`') {
      const q = readQuoted(s, i);
      if (!q) return undefined;
      cur += s.slice(i, q.end);
      i = q.end;
    } else if (isSep(c)) {
      parts.push(cur);
      cur = '';
      i++;
    } else {
      cur += c;
      i++;
    }
  }
  parts.push(cur);
  return parts;
}

/** `label op value` with a bare or quoted value (`rack=A01`, `Hostname=~"a0.-gpu"`); a string is an error. */
function parseMatcher(text: string, quotedOnly: boolean, compile: boolean): LabelMatcher | string {
  const m = /^([a-zA-Z_][a-zA-Z0-9_]*)[ \t]*(=~|!~|!=|=)[ \t]*(.*)$/s.exec(text.trim());
  if (!m) {
    return `bad label matcher ${JSON.stringify(text.trim())}; expected label=value, label!=value, label=~regex or label!~regex`;
  }
  const [, label, op, raw] = m as unknown as [string, string, MatchOp, string];
  let value: string;
  if (raw.startsWith('"') || raw.startsWith("'") || raw.startsWith('`')) {
    const q = readQuoted(raw, 0);
    if (!q || q.end !== raw.length) return `bad quoted value in label matcher ${JSON.stringify(text.trim())}`;
    value = q.value;
  } else if (quotedOnly) {
    return `label matcher ${JSON.stringify(text.trim())} needs a quoted value inside {…}, e.g. ${label}${op}"${raw}"`;
  } else value = raw;
  const matcher: LabelMatcher = { label, op, value };
  if (compile && (op === '=~' || op === '!~')) {
    try {
      matcher.re = compileRe2(value);
    } catch (e) {
      return `bad regular expression in ${label}${op}${JSON.stringify(value)}: ${(e as Error).message}`;
    }
  }
  return matcher;
}

interface Selector {
  metric?: string;
  matchers: LabelMatcher[];
}

function parseMatchers(parts: readonly string[], quotedOnly: boolean, compile: boolean): LabelMatcher[] | string {
  const out: LabelMatcher[] = [];
  for (const part of parts) {
    const r = parseMatcher(part, quotedOnly, compile);
    if (typeof r === 'string') return r;
    out.push(r);
  }
  return out;
}

/** `metric{a="b",c=~"d"}` or `{__name__="m"}`; undefined when the text is not shaped so, a string on an error. */
function parseBraced(text: string, compile: boolean): Selector | string | undefined {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?[ \t]*\{(.*)\}$/s.exec(text);
  if (!m) return undefined;
  const inner = splitOutsideQuotes(m[2] as string, (c) => c === ',');
  if (!inner) return `unterminated quote in ${JSON.stringify(text)}`;
  if (inner.length > 0 && (inner[inner.length - 1] as string).trim() === '') inner.pop(); // trailing comma
  const matchers = parseMatchers(inner, true, compile);
  if (typeof matchers === 'string') return matchers;
  return { ...(m[1] !== undefined ? { metric: m[1] } : {}), matchers };
}

/** `metric label=value label=~"re"`; undefined when the text is not shaped so, a string on an error. */
function parsePlain(text: string, compile: boolean): Selector | string | undefined {
  const tokens = splitOutsideQuotes(text, (c) => c === ' ' || c === '\t');
  if (!tokens) return `unterminated quote in ${JSON.stringify(text)}`;
  const [metric, ...rest] = tokens.filter((t) => t !== '');
  if (metric === undefined || !isMetricName(metric)) return undefined;
  if (!rest.every((t) => /^[a-zA-Z_][a-zA-Z0-9_]*(=~|!~|!=|=)/.test(t))) return undefined;
  const matchers = parseMatchers(rest, false, compile);
  if (typeof matchers === 'string') return matchers;
  return { metric, matchers };
}

function promqlString(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** The PromQL selector of a metric and matchers. */
export function toPromQL(metric: string | undefined, matchers: readonly LabelMatcher[]): string {
  const inner = matchers.map((m) => `${m.label}${m.op}${promqlString(m.value)}`).join(',');
  return `${metric ?? ''}${inner || metric === undefined ? `{${inner}}` : ''}`;
}

/** Parses a point address for `mode`; the error says what is wrong and what is expected. */
export function parseAddress(text: string, mode: Mode): ParseResult {
  const fail = (error: string): ParseResult => ({ ok: false, error });
  const parts = splitOutsideQuotes(text, (c) => c === ';');
  if (!parts) return fail(`unterminated quote; ${ADDRESS_EXAMPLE}`);
  const selector = (parts[0] as string).trim();
  if (selector === '') return fail(`no selector; ${ADDRESS_EXAMPLE}`);

  const address: PromAddress = { matchers: [], rate: false, by: [], scale: 1 };
  const seen = new Set<string>();
  for (const raw of parts.slice(1)) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? undefined : part.slice(eq + 1).trim();
    if (!(OPTION_KEYS as readonly string[]).includes(key)) {
      return fail(
        `unknown part ${JSON.stringify(part)}${didYouMean(key, OPTION_KEYS)}; expected agg=<${AGGREGATIONS.join('|')}>, rate, by=<${LEVELS.join(',')}>, scale=<number> or label=<name>`,
      );
    }
    if (seen.has(key)) return fail(`${key} given twice`);
    seen.add(key);
    if (key === 'rate') {
      if (value !== undefined) return fail(`rate takes no value; got ${JSON.stringify(part)}`);
      if (mode === 'api') {
        return fail('rate applies to scrape mode; in api mode write the rate in PromQL, e.g. rate(metric[1m])');
      }
      address.rate = true;
      continue;
    }
    if (value === undefined || value === '') return fail(`${key} needs a value, e.g. ${exampleOf(key)}`);
    if (key === 'agg') {
      const agg = value.toLowerCase();
      if (!(AGGREGATIONS as readonly string[]).includes(agg)) {
        return fail(
          `unknown aggregation "${value}"${didYouMean(agg, AGGREGATIONS)}; expected one of ${AGGREGATIONS.join(', ')}`,
        );
      }
      address.agg = agg as Aggregation;
    } else if (key === 'by') {
      for (const l of value.split(',').map((x) => x.trim().toLowerCase())) {
        if (!(LEVELS as readonly string[]).includes(l)) {
          return fail(
            `unknown level "${l}" in by=${value}${didYouMean(l, LEVELS)}; expected a list of ${LEVELS.join(', ')}`,
          );
        }
        if (address.by.includes(l as Level)) return fail(`level ${l} given twice in by=${value}`);
        address.by.push(l as Level);
      }
    } else if (key === 'scale') {
      const n = Number(value);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value) || !Number.isFinite(n) || n === 0) {
        return fail(`scale=${value}: expected a non-zero number such as 0.001`);
      }
      address.scale = n;
    } else if (key === 'label') {
      if (!LABEL_NAME.test(value)) return fail(`label=${value}: expected a label name such as modelName`);
      address.label = value;
    }
  }
  if (address.label !== undefined && (address.agg !== undefined || address.rate || seen.has('scale'))) {
    return fail('label= delivers a label value as a string; it cannot be combined with agg, rate or scale');
  }

  if (mode === 'api') {
    // a brace selector is PromQL already: sent as written; a brace-free one is translated; anything else is an
    // expression for Prometheus to judge
    const braced = parseBraced(selector, false);
    const plain = braced === undefined ? parsePlain(selector, false) : undefined;
    address.query =
      plain !== undefined && typeof plain !== 'string' ? toPromQL(plain.metric, plain.matchers) : selector;
    return { ok: true, address };
  }
  const braced = parseBraced(selector, true);
  if (typeof braced === 'string') return fail(braced);
  const plain = braced === undefined ? parsePlain(selector, true) : undefined;
  if (typeof plain === 'string') return fail(plain);
  const sel = braced ?? plain;
  if (!sel) {
    return fail(
      `${JSON.stringify(selector)} is not a series selector; scrape mode takes a metric name with label matchers (PromQL expressions need mode: api); ${ADDRESS_EXAMPLE}`,
    );
  }
  const hasName = sel.metric !== undefined || sel.matchers.some((m) => m.label === '__name__');
  if (!hasName) return fail(`no metric name; ${ADDRESS_EXAMPLE}`);
  if (sel.metric !== undefined) address.metric = sel.metric;
  address.matchers = sel.matchers;
  return { ok: true, address };
}

function exampleOf(key: string): string {
  return key === 'agg' ? 'agg=sum' : key === 'by' ? 'by=rack' : key === 'scale' ? 'scale=0.001' : 'label=modelName';
}

/** Whether a series (name + labels) satisfies every matcher; a missing label reads as "" (as in PromQL). */
export function matchesAll(
  name: string,
  labels: Readonly<Record<string, string>>,
  ms: readonly LabelMatcher[],
): boolean {
  for (const m of ms) {
    const v = m.label === '__name__' ? name : (labels[m.label] ?? '');
    switch (m.op) {
      case '=':
        if (v !== m.value) return false;
        break;
      case '!=':
        if (v === m.value) return false;
        break;
      case '=~':
        if (!(m.re as RegExp).test(v)) return false;
        break;
      case '!~':
        if ((m.re as RegExp).test(v)) return false;
        break;
    }
  }
  return true;
}
