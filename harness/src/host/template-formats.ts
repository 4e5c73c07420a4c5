import moment from 'moment';

/** The value of the "All" option of a variable with `includeAll`. */
export const ALL_VARIABLE_VALUE = '$__all';
/** The text of the "All" option. */
export const ALL_VARIABLE_TEXT = 'All';

/** The parts of a dashboard variable the formats read. */
export interface FormatVariable {
  name?: string;
  current?: { text?: string | string[]; value?: string | string[] };
}

export interface FormatOptions {
  value: unknown;
  /** the variable's text for this value (an array for a multi-value selection) */
  text: unknown;
  /** arguments after the format name, e.g. `iso` in `${__from:date:iso}` */
  args: string[];
}

type Formatter = (options: FormatOptions, variable: FormatVariable) => string;

/**
 * Grafana's variable formats (`public/app/features/templating/formatRegistry.ts`), by the id used in
 * `${var:<id>}`: how a single value and a multi-value selection (an array) turn into text.
 */
export const FORMATS: Record<string, Formatter> = {
  lucene: ({ value }) => {
    if (typeof value === 'string') return luceneEscape(value);
    if (Array.isArray(value) && value.length === 0) return '__empty__';
    return `(${asArray(value)
      .map((v) => `"${luceneEscape(String(v))}"`)
      .join(' OR ')})`;
  },
  raw: ({ value }) => String(value),
  regex: ({ value }) => {
    if (typeof value === 'string') return regexEscape(value);
    const escaped = asArray(value).map((v) => regexEscape(String(v)));
    return escaped.length === 1 ? (escaped[0] as string) : `(${escaped.join('|')})`;
  },
  pipe: ({ value }) => (typeof value === 'string' ? value : asArray(value).join('|')),
  distributed: ({ value }, variable) => {
    if (typeof value === 'string') return value;
    return asArray(value)
      .map((v, i) => (i === 0 ? String(v) : `${variable.name}=${v}`))
      .join(',');
  },
  csv: ({ value }) => (Array.isArray(value) ? value.join(',') : String(value)),
  html: ({ value }) => escapeHtml(Array.isArray(value) ? value.join(', ') : String(value)),
  json: ({ value }) => JSON.stringify(value),
  percentencode: ({ value }) =>
    Array.isArray(value) ? encodeURIComponentStrict(`{${value.join(',')}}`) : encodeURIComponentStrict(String(value)),
  // what data links are interpolated with (getLinksSupplier): encodeURI, plus !'()* as Grafana's encodeURIStrict
  uriencode: ({ value }) => encodeURIStrict(Array.isArray(value) ? `{${value.join(',')}}` : String(value)),
  singlequote: ({ value }) => quoteEach(value, "'", "\\'"),
  doublequote: ({ value }) => quoteEach(value, '"', '\\"'),
  sqlstring: ({ value }) => quoteEach(value, "'", "''"),
  date: ({ value, args }) => {
    const ms = parseInt(String(value), 10);
    const arg = args[0] ?? 'iso';
    if (arg === 'ms') return String(value);
    if (arg === 'seconds') return String(Math.round(ms / 1000));
    if (arg === 'iso') return new Date(ms).toISOString();
    return moment(ms).format(arg);
  },
  glob: ({ value }) => (Array.isArray(value) && value.length > 1 ? `{${value.join(',')}}` : String(value)),
  text: ({ value, text }, variable) => {
    if (typeof text === 'string') return value === ALL_VARIABLE_VALUE ? ALL_VARIABLE_TEXT : text;
    const current = variable.current;
    if (!current) return String(value);
    return Array.isArray(current.text) ? current.text.join(' + ') : String(current.text ?? '');
  },
  queryparam: ({ value }, variable) =>
    asArray(value)
      .map((v) => `var-${variable.name}=${encodeURIComponentStrict(String(v))}`)
      .join('&'),
};

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function quoteEach(value: unknown, quote: string, escaped: string): string {
  return asArray(value)
    .map((v) => `${quote}${String(v).split(quote).join(escaped)}${quote}`)
    .join(',');
}

/** Grafana's `kbn.regexEscape` */
export function regexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

function luceneEscape(value: string): string {
  if (!isNaN(Number(value))) return value;
  return value.replace(/([!*+\-=<>\s&|()[\]{}^~?:\\/"])/g, '\\$1');
}

/** RFC 3986: like `encodeURIComponent`, and `!'()*` encoded too. */
function encodeURIComponentStrict(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);
}

function encodeURIStrict(s: string): string {
  return encodeURI(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
