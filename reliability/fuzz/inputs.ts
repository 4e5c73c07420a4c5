import fc from 'fast-check';
import type { Seed } from './seeds';

/**
 * Generated HTTP requests: a valid seed of a route, mutated the ways clients and attackers get things wrong —
 * a value swapped for a hostile one (huge and tiny numbers, 2^63, empty and 100 kB strings, lone surrogates, NUL,
 * path traversal, globs, template variables), a field dropped or added (prototype-pollution keys among them), an
 * array blown up; or the body replaced by random JSON, JSON nested 100,000 deep, truncated JSON, binary garbage;
 * wrong content types and charsets, odd path parameters and query strings, tokens of every scope and broken
 * Authorization headers.
 */

export interface FuzzRequest {
  method: string;
  /** path with query string, already encoded */
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** which mutation produced it, for the failure report */
  how: string;
}

const HUGE_STRING = 'A'.repeat(100_000);
const HOSTILE: unknown[] = [
  1e308,
  -1e308,
  2 ** 63,
  -(2 ** 63),
  2 ** 53 + 1,
  5e-324,
  -0,
  0,
  -1,
  1.5,
  '',
  ' ',
  'now',
  'now-99999999999d',
  'now+1w',
  '9223372036854775808',
  '1e308',
  'NaN',
  'Infinity',
  '2026-13-45T99:99:99Z',
  '__proto__',
  'constructor',
  'prototype',
  '\u0000',
  '\ud800',
  '%00',
  '../../../../etc/passwd',
  "'; DROP TABLE samples; --",
  '*',
  '**/*',
  '[',
  '{{hall}}',
  '$hall',
  'A'.repeat(1000),
  HUGE_STRING,
  null,
  true,
  false,
  [],
  {},
  [null],
  { __proto__: null },
];
export const KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'polluted',
  'toString',
  'hasOwnProperty',
  '',
  'x'.repeat(300),
];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export const hostile = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Paths to every value inside `v` (the root is []). */
function paths(v: unknown, at: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

/** Sets an own, enumerable property, so that `__proto__` becomes a key of the JSON rather than a prototype. */
function put(o: Record<string | number, unknown>, k: string | number, value: unknown) {
  Object.defineProperty(o, k, { value, enumerable: true, configurable: true, writable: true });
}

export function mutate(seed: unknown, pick: number, op: number, value: unknown, key: string, times: number): unknown {
  const copy = structuredClone(seed ?? {}) as Json;
  const all = paths(copy);
  const at = all[pick % all.length]!;
  if (at.length === 0) {
    return op % 2 === 0 ? value : copy && typeof copy === 'object' ? (put(copy as never, key, value), copy) : value;
  }
  const parent = at.slice(0, -1).reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], copy) as Record<
    string | number,
    unknown
  >;
  const last = at[at.length - 1]!;
  switch (op % 5) {
    case 0:
      put(parent, last, value);
      break;
    case 1:
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      break;
    case 2:
      if (Array.isArray(parent)) parent.push(value);
      else put(parent, key, value);
      break;
    case 3:
      put(parent, last, [parent[last]]);
      break;
    default:
      put(
        parent,
        last,
        Array.from({ length: times }, () => parent[last]),
      );
  }
  return copy;
}

function deep(depth: number, open: string, close: string): string {
  return open.repeat(depth) + close.repeat(depth);
}

const bodyArb = (seed: Seed) =>
  fc.oneof(
    {
      weight: 14,
      arbitrary: fc
        .tuple(fc.nat(), fc.nat(), hostile, fc.constantFrom(...KEYS), fc.constantFrom(2, 50, 5000))
        .map(([p, o, v, k, n]) => ({
          how: `mutated #${o % 5}`,
          text: JSON.stringify(mutate(seed.body, p, o, v, k, n)),
        })),
    },
    { weight: 2, arbitrary: fc.constant({ how: 'seed', text: JSON.stringify(seed.body ?? {}) }) },
    {
      weight: 2,
      arbitrary: fc
        .constant(JSON.stringify(seed.body ?? {}))
        .chain((t) =>
          fc.nat({ max: Math.max(0, t.length - 1) }).map((cut) => ({ how: 'truncated', text: t.slice(0, cut) })),
        ),
    },
    {
      weight: 2,
      arbitrary: fc.jsonValue({ maxDepth: 4 }).map((j) => ({ how: 'random json', text: JSON.stringify(j) })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(100, 10_000, 100_000), fc.boolean()).map(([d, arr]) => ({
        how: `nested ${d}`,
        text: arr ? deep(d, '[', ']') : deep(d, '{"a":', '}').replace(/:}/, ':1}'),
      })),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 200 }).map((b) => ({ how: 'garbage', bytes: Buffer.from(b) })),
    },
  );

const segmentArb = fc.oneof(
  fc.constantFrom(
    '1',
    '0',
    '-1',
    '99999999999999999999',
    '1e308',
    'NaN',
    '%00',
    '%zz',
    '..',
    '%2e%2e%2f',
    'A'.repeat(2000),
  ),
  fc.constantFrom('__proto__', 'constructor', 'feed-forward', 'inlet-high', 'fuzz-rule', 'cooling-fault'),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);

const queryArb = (seed: Seed) =>
  fc
    .tuple(
      fc.boolean(),
      fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(...Object.keys(seed.query ?? {}), ...KEYS, 'limit', 'from', 'to'),
            fc.string({ maxLength: 10 }),
          ),
          fc.oneof(
            hostile.map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))),
            fc.string({ maxLength: 10 }),
          ),
        ),
        { maxLength: 4 },
      ),
    )
    .map(([keep, extra]) => {
      const q = new URLSearchParams(keep ? (seed.query ?? {}) : {});
      for (const [k, v] of extra) q.append(k, v.length > 5000 ? v.slice(0, 5000) : v);
      const s = q.toString();
      return s ? `?${s}` : '';
    });

export interface TokenSet {
  read: string;
  operate: string;
  admin: string;
  jobs: string;
}

const authArb = (t: TokenSet) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(`Bearer ${t.admin}`, `Bearer ${t.operate}`, `Bearer ${t.read}`) },
    { weight: 1, arbitrary: fc.constant(`Bearer ${t.jobs}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        'Bearer',
        'Bearer ',
        `bearer ${t.admin}`,
        'Basic YTpi',
        `Bearer ${'x'.repeat(4000)}`,
      ),
    },
  );

const typeArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/json; charset=nonsense',
      'application/xml',
      '',
    ),
  },
);

/** printable ASCII only: the HTTP client refuses anything else before it reaches the server */
const headerValue = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '1e308', 'A'.repeat(20_000), '*/*', 'gzip', 'x; y=z', '../..', '%00'),
  fc.string({ maxLength: 40 }).map((v) => v.replace(/[^\x20-\x7e]/g, '')),
);
const extraHeaderArb = fc.option(
  fc.tuple(
    fc.constantFrom(
      'content-encoding',
      'accept',
      'accept-charset',
      'accept-encoding',
      'x-forwarded-for',
      'x-grafana-org-id',
      'origin',
      'expect',
      'if-none-match',
      'range',
      'x-http-method-override',
      'cookie',
    ),
    headerValue,
  ),
  { freq: 3 },
);

/** Requests for one route: `route` is `METHOD /express/:path`, `seeds` its valid examples. */
export function requestsFor(route: string, routeSeeds: Seed[], tokens: TokenSet): fc.Arbitrary<FuzzRequest> {
  const [method, pattern] = route.split(' ') as [string, string];
  const params = pattern.split('/').flatMap((s, i) => (s.startsWith(':') ? [i] : []));
  const hasBody = method === 'POST' || method === 'PUT';
  return fc
    .tuple(
      fc.constantFrom(...routeSeeds),
      fc.boolean(),
      segmentArb,
      authArb(tokens),
      typeArb,
      fc.nat(),
      fc.boolean(),
      extraHeaderArb,
    )
    .chain(([seed, swapParam, seg, auth, type, which, withQuery, extra]) =>
      fc.tuple(hasBody ? bodyArb(seed) : fc.constant(undefined), queryArb(seed)).map(([b, q]) => {
        let p = seed.path;
        if (params.length && swapParam) {
          const parts = p.split('/');
          parts[params[which % params.length]!] = seg;
          p = parts.join('/');
        }
        const headers: Record<string, string> = {};
        if (auth) headers.authorization = auth;
        if (extra) headers[extra[0]] = extra[1];
        let body: Buffer | undefined;
        if (b) {
          body = 'bytes' in b ? b.bytes : Buffer.from(b.text);
          if (type) headers['content-type'] = type;
        }
        const url = withQuery ? p + q : p + (seed.query ? `?${new URLSearchParams(seed.query)}` : '');
        return {
          method,
          url,
          headers,
          body,
          how: [
            b?.how,
            swapParam && params.length ? `param ${seg.slice(0, 30)}` : '',
            withQuery ? `query ${q.slice(0, 60)}` : '',
            type !== 'application/json' ? `type ${type}` : '',
          ]
            .filter(Boolean)
            .join(', '),
        };
      }),
    );
}
