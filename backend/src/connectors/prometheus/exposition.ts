/**
 * A parser of the Prometheus text exposition format 0.0.4 (and the OpenMetrics 1.0 text that some exporters send
 * regardless of `Accept`). Pure: text in, series out.
 *
 * Read as Prometheus' own scraper (`model/textparse/promparse`) reads it:
 * - `# HELP <name> <text>` (escapes `\\`, `\n`) and `# TYPE <name> counter|gauge|histogram|summary|untyped`;
 *   other comment lines and blank lines are ignored;
 * - a sample is `name[{label="value",…}] value [timestamp]`, spaces or tabs between tokens and around `{`, `=`,
 *   `,`, `}`; a trailing comma in the label set is allowed;
 * - label values are double-quoted with the escapes `\\`, `\"` and `\n`; any other `\x` is kept as is (as
 *   Prometheus does);
 * - values are Go floats: decimal, exponent, `NaN`, `+Inf`, `-Inf` (any case);
 * - timestamps are integer ms since the epoch (OpenMetrics: float seconds, converted to ms);
 * - histogram and summary series (`_bucket`, `_sum`, `_count`, quantiles) are plain series with their own name;
 *   their `type` is the family's.
 * - OpenMetrics only: `# EOF` ends the text, `# UNIT` is ignored, exemplars (` # {…} v`) are dropped.
 *
 * Any other line is an error naming its line number, and fails the whole text, as it fails a Prometheus scrape.
 */

export const METRIC_TYPES = ['counter', 'gauge', 'histogram', 'summary', 'untyped'] as const;
export type MetricType = (typeof METRIC_TYPES)[number];

export interface Series {
  /** metric name, e.g. `DCGM_FI_DEV_POWER_USAGE` or `http_request_duration_seconds_bucket` */
  name: string;
  labels: Record<string, string>;
  /** may be NaN or ±Infinity */
  value: number;
  /** Unix ms from the exposition, when the line carries one */
  timestampMs?: number;
  /** the family's TYPE, `untyped` when none was declared */
  type: MetricType;
}

export interface Exposition {
  series: Series[];
  /** HELP and TYPE per family name */
  families: Map<string, { type: MetricType; help?: string }>;
}

export class ExpositionError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`line ${line}: ${message}`);
    this.name = 'ExpositionError';
  }
}

export interface ParseOptions {
  /** OpenMetrics text: timestamps in seconds, `# EOF`, exemplars; @default false (format 0.0.4) */
  openMetrics?: boolean;
}

const NAME_START = /[a-zA-Z_:]/;
const NAME_CHAR = /[a-zA-Z0-9_:]/;
const LABEL_START = /[a-zA-Z_]/;
const LABEL_CHAR = /[a-zA-Z0-9_]/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** Parses a Go float as the exposition writes it; undefined when it is none. */
export function parseFloatToken(s: string): number | undefined {
  if (FLOAT.test(s)) return Number(s);
  const lower = s.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+inf' || lower === 'inf' || lower === '+infinity' || lower === 'infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return undefined;
}

/** The family a series name belongs to: itself, or its name without a histogram/summary/counter suffix. */
function familyOf(name: string, families: Exposition['families']): MetricType {
  const own = families.get(name);
  if (own) return own.type;
  for (const suffix of ['_bucket', '_sum', '_count', '_total', '_created', '_gcount', '_gsum']) {
    if (!name.endsWith(suffix)) continue;
    const f = families.get(name.slice(0, -suffix.length));
    if (f) return f.type;
  }
  return 'untyped';
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\'));
}

/** A short excerpt of a line for messages. */
function excerpt(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 77)}...` : line);
}

/** Parses a whole exposition; throws `ExpositionError` naming the first bad line. */
export function parseExposition(text: string, opts: ParseOptions = {}): Exposition {
  const families: Exposition['families'] = new Map();
  const series: Series[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const lineNo = i + 1;
    if (/^[ \t]*$/.test(line)) continue;
    if (line.startsWith('#')) {
      const m = /^#[ \t]+(HELP|TYPE|EOF|UNIT)(?:[ \t]+(\S+))?(?:[ \t]+(.*))?$/.exec(line);
      if (!m) continue; // a plain comment
      const [, keyword, name, rest] = m;
      if (keyword === 'EOF') {
        if (opts.openMetrics) break;
        continue;
      }
      if (keyword === 'UNIT') continue;
      if (name === undefined || !isMetricName(name)) {
        throw new ExpositionError(lineNo, `# ${keyword} needs a metric name; got ${excerpt(line)}`);
      }
      const family = families.get(name) ?? { type: 'untyped' as MetricType };
      if (keyword === 'HELP') family.help = unescapeHelp(rest ?? '');
      else {
        const type = (rest ?? '').trim().toLowerCase();
        // OpenMetrics' extra types read as plain series
        const known = (METRIC_TYPES as readonly string[]).includes(type)
          ? (type as MetricType)
          : opts.openMetrics && ['gaugehistogram', 'stateset', 'info', 'unknown'].includes(type)
            ? 'untyped'
            : undefined;
        if (known === undefined) {
          throw new ExpositionError(
            lineNo,
            `unknown metric type ${JSON.stringify(rest ?? '')}; expected one of ${METRIC_TYPES.join(', ')}`,
          );
        }
        family.type = known;
      }
      families.set(name, family);
      continue;
    }
    series.push(parseSampleLine(line, lineNo, families, opts));
  }
  return { series, families };
}

export function isMetricName(s: string): boolean {
  return /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s);
}

function parseSampleLine(line: string, lineNo: number, families: Exposition['families'], opts: ParseOptions): Series {
  let at = 0;
  const fail = (what: string): never => {
    throw new ExpositionError(lineNo, `${what} at character ${at + 1} of ${excerpt(line)}`);
  };
  const skipBlanks = () => {
    while (line[at] === ' ' || line[at] === '\t') at++;
  };
  skipBlanks();
  const start = at;
  if (!NAME_START.test(line[at] ?? '')) fail('expected a metric name');
  while (NAME_CHAR.test(line[at] ?? '')) at++;
  const name = line.slice(start, at);
  const labels: Record<string, string> = {};
  const afterName = at;
  skipBlanks();
  if (line[at] !== '{' && at === afterName && at < line.length)
    fail('expected "{", a space or a tab after the metric name');
  if (line[at] === '{') {
    at++;
    for (;;) {
      skipBlanks();
      if (line[at] === '}') {
        at++;
        break;
      }
      const ls = at;
      if (!LABEL_START.test(line[at] ?? '')) fail('expected a label name or "}"');
      while (LABEL_CHAR.test(line[at] ?? '')) at++;
      const label = line.slice(ls, at);
      skipBlanks();
      if (line[at] !== '=') fail(`expected "=" after label ${label}`);
      at++;
      skipBlanks();
      if (line[at] !== '"') fail(`expected a quoted value for label ${label}`);
      at++;
      let value = '';
      for (;;) {
        const c = line[at];
        if (c === undefined) fail(`unterminated value of label ${label}`);
        at++;
        if (c === '"') break;
        if (c === '\\') {
          const e = line[at];
          if (e === undefined) fail(`unterminated value of label ${label}`);
          at++;
          value += e === 'n' ? '\n' : e === '\\' || e === '"' ? e : `\\${e}`;
        } else value += c;
      }
      if (label in labels) fail(`label ${label} given twice`);
      labels[label] = value;
      skipBlanks();
      if (line[at] === ',') at++;
      else if (line[at] !== '}') fail('expected "," or "}"');
    }
  }
  let rest = line.slice(at);
  if (opts.openMetrics) {
    const hash = rest.indexOf('#');
    if (hash >= 0) rest = rest.slice(0, hash); // exemplar
  }
  const tokens = rest.split(/[ \t]+/).filter((t) => t !== '');
  if (tokens.length === 0) fail('expected a value');
  if (tokens.length > 2) fail(`expected a value and an optional timestamp; got ${tokens.length} tokens`);
  const value = parseFloatToken(tokens[0] as string);
  if (value === undefined) fail(`expected a number (or NaN, +Inf, -Inf); got ${JSON.stringify(tokens[0])}`);
  const out: Series = { name, labels, value: value as number, type: familyOf(name, families) };
  if (tokens[1] !== undefined) {
    const t = tokens[1];
    if (opts.openMetrics) {
      const s = FLOAT.test(t) ? Number(t) : NaN;
      if (!Number.isFinite(s)) fail(`expected a timestamp in seconds; got ${JSON.stringify(t)}`);
      out.timestampMs = Math.round(s * 1000);
    } else {
      if (!INTEGER.test(t)) fail(`expected a timestamp in integer ms; got ${JSON.stringify(t)}`);
      out.timestampMs = Number(t);
    }
  }
  return out;
}
