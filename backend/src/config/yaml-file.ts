/**
 * YAML files validated by a zod schema with errors that name the file, the line and the field — the site config
 * (load.ts) and the twin's scenarios (scenario/load.ts) read alike.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { PlenumError } from '../common/errors';
import { formatPath } from '../common/zod-issues';
import { didYouMean } from './schema';

export interface ConfigIssue {
  /** `file`: a value in the config file; `env`: an environment variable that overrides one */
  origin: 'file' | 'env';
  /** `sources[2].points[5].address` ('' for the file as a whole), or the variable name for `env` */
  path: string;
  /** what is wrong and what is expected */
  message: string;
  /** 1-based position in the file, when known */
  line?: number;
  col?: number;
}

/** An invalid configuration: every problem found, one per line in `message`. */
export class ConfigError extends PlenumError {
  override readonly name = 'ConfigError';
  constructor(
    /** the file name as given, used as the prefix of every line */
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
    /** put the line and column before the field too (`file:12:5: jobs[0].kw: …`) */
    withLines = false,
  ) {
    super('config', issues.map((i) => formatIssue(file, i, withLines)).join('\n'));
  }
}

export function formatIssue(file: string, issue: ConfigIssue, withLine = false): string {
  if (issue.origin === 'env') return `${file}: environment variable ${issue.path}: ${issue.message}`;
  if (withLine && issue.line !== undefined && issue.path !== '')
    return `${file}:${issue.line}:${issue.col ?? 1}: ${issue.path}: ${issue.message}`;
  if (issue.path === '') {
    return issue.line !== undefined
      ? `${file}:${issue.line}:${issue.col ?? 1}: ${issue.message}`
      : `${file}: ${issue.message}`;
  }
  return `${file}: ${issue.path}: ${issue.message}`;
}

// ---------------------------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------------------------
// zod issues → messages

export type PathSeg = PropertyKey;
export interface RawIssue {
  path: readonly PathSeg[];
  message: string;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  null: 'null',
};

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') {
    // its keys say which shape it was meant as (a misspelt trigger: `thresold`)
    const keys = Object.keys(v as object);
    if (!keys.length) return 'an empty mapping';
    return `a mapping with ${keys.length === 1 ? 'key' : 'keys'} ${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''}`;
  }
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

/** Default messages for the issues whose schema did not set one; never mentions the input (added later). */
export const errorMap: z.core.$ZodErrorMap = (iss) => {
  switch (iss.code) {
    case 'invalid_type':
      if (iss.input === undefined) return `missing; expected ${TYPE_NAMES[iss.expected] ?? iss.expected}`;
      return `expected ${TYPE_NAMES[iss.expected] ?? iss.expected}`;
    case 'invalid_value': {
      const values = iss.values.map((v) => String(v));
      const hint = typeof iss.input === 'string' ? didYouMean(iss.input, values) : '';
      return `expected one of ${values.join(', ')}${hint}`;
    }
    case 'too_small':
    case 'too_big': {
      const small = iss.code === 'too_small';
      const bound = small ? iss.minimum : iss.maximum;
      if (iss.origin === 'array')
        return `expected ${small ? 'at least' : 'at most'} ${bound} item${Number(bound) === 1 ? '' : 's'}`;
      if (iss.origin === 'string')
        return `expected ${small ? 'at least' : 'at most'} ${bound} character${Number(bound) === 1 ? '' : 's'}`;
      const op = small ? (iss.inclusive ? '≥' : '>') : iss.inclusive ? '≤' : '<';
      return `expected ${iss.origin === 'int' ? 'an integer' : 'a number'} ${op} ${bound}`;
    }
    default:
      return undefined;
  }
};

export function fromZodIssue(iss: z.core.$ZodIssue): RawIssue {
  if (iss.code === 'unrecognized_keys') {
    // one unknown key: point at the key itself
    return iss.keys.length === 1 ? { path: [...iss.path, iss.keys[0] as string], message: iss.message } : iss;
  }
  const input = (iss as { input?: unknown }).input;
  // a check across fields (min above max) says what is wrong itself; the mapping it looked at adds nothing
  const plain = input === undefined || (iss.code === 'custom' && typeof input === 'object' && input !== null);
  const got = plain ? '' : `; got ${describeValue(input)}`;
  return { path: iss.path, message: `${iss.message}${got}` };
}

/** Line and column of the deepest node of `path` found in the document (the key, for a mapping entry). */
export function locate(doc: Document, lc: LineCounter, path: readonly PathSeg[]): { line?: number; col?: number } {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      offset = (isScalar(pair.key) ? pair.key.range?.[0] : undefined) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (item === undefined) break;
      offset = (item as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? {} : lc.linePos(offset);
}

export function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

/** A parsed YAML document with its line positions and its plain value; syntax errors are a ConfigError. */
export interface YamlFile {
  doc: Document;
  lineCounter: LineCounter;
  raw: unknown;
}

export function readYaml(text: string, fileName: string): YamlFile {
  const lineCounter = new LineCounter();
  // merge: YAML 1.1 `<<: *anchor` merge keys, handy for repeated rack or point blocks
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      fileName,
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return { origin: 'file', path: '', message: `YAML syntax error: ${firstLine(e.message)}`, line, col };
      }),
    );
  }
  try {
    // the default alias limit (100) guards against billion-laughs input; a site file that reuses one rack's
    // asset list across hundreds of racks is legitimate and still far below this one
    return { doc, lineCounter, raw: doc.toJS({ maxAliasCount: 100_000 }) };
  } catch (e) {
    const message = typeof (e as { message?: unknown })?.message === 'string' ? (e as Error).message : String(e);
    throw new ConfigError(fileName, [{ origin: 'file', path: '', message: `YAML error: ${message}` }]);
  }
}

/** Raw issues as ConfigIssues with the line and column of the field they name. */
export function positioned(f: YamlFile, issues: readonly RawIssue[]): ConfigIssue[] {
  return issues
    .map((i): ConfigIssue => ({
      origin: 'file',
      path: formatPath(i.path),
      message: i.message,
      // a position for the file as a whole (line 1) would only be noise
      ...(i.path.length > 0 ? locate(f.doc, f.lineCounter, i.path) : {}),
    }))
    .sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0));
}

/** Validates a YAML file's value against `schema`; throws a ConfigError listing every problem with its line. */
export function parseYamlAs<S extends z.ZodType>(
  text: string,
  fileName: string,
  schema: S,
  empty: string,
): z.output<S> {
  const f = readYaml(text, fileName);
  if (f.raw === null || f.raw === undefined)
    throw new ConfigError(fileName, [{ origin: 'file', path: '', message: empty }], true);
  const r = schema.safeParse(f.raw, { reportInput: true, error: errorMap });
  if (!r.success) throw new ConfigError(fileName, positioned(f, r.error.issues.map(fromZodIssue)), true);
  return r.data;
}
