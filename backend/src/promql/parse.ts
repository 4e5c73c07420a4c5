import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';
import {
  COMPARISON_OPS,
  SET_OPS,
  type AggregateOp,
  type At,
  type BinaryOp,
  type Expr,
  type Matcher,
  type MatchType,
  type ValueType,
  type VectorMatching,
} from './ast';
import { ParseError, UnsupportedError } from './errors';
import { SIGNATURES } from './signatures';
import { unsafeRegexReason } from './regex-safety';

/**
 * PromQL text → ast.ts, with Prometheus 2.42's type checks. The syntax is the official grammar
 * (`@prometheus-io/lezer-promql`); this file only walks its tree. lezer recovers from syntax errors by inserting
 * error nodes, so any error node is a parse error here. Constructs the grammar knows but Plenum does not
 * evaluate (histograms, Prometheus 3 duration arithmetic, fill modifiers, …) raise UnsupportedError naming them.
 */
export function parsePromql(text: string): Expr {
  const tree = parser.parse(text);
  const root = tree.topNode;
  const err = firstError(root);
  if (err) throw new ParseError(`${position(text, err.from)}: parse error: ${describeError(text, err)}`);
  const body = kids(root);
  if (body.length === 0) throw new ParseError('1:1: parse error: no expression found in input');
  if (body.length > 1) throw new ParseError(`${position(text, body[1]!.from)}: parse error: unexpected expression`);
  const p = new Walker(text);
  const expr = p.expr(body[0]!);
  typeOf(expr);
  return expr;
}

function firstError(node: SyntaxNode): SyntaxNode | undefined {
  const c = node.cursor();
  do {
    if (c.type.isError) return c.node;
  } while (c.next());
  return undefined;
}

function describeError(text: string, err: SyntaxNode): string {
  if (err.from >= text.length) return 'unexpected end of input';
  const bad = text.slice(err.from, Math.max(err.to, err.from + 1)).slice(0, 40);
  return `unexpected ${JSON.stringify(bad)}`;
}

function position(text: string, at: number): string {
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  const col = at - before.lastIndexOf('\n');
  return `${line}:${col}`;
}

function kids(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') out.push(c);
  return out;
}

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** A Prometheus duration (`1h30m`, `500ms`) in ms; undefined when it is not one. */
export function parseDuration(s: string): number | undefined {
  const m = DURATION_RE.exec(s);
  if (!m || s === '') return undefined;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[i]!;
  return ms;
}

/** A number literal as Go's strconv.ParseFloat reads it (decimal, hex, Inf, NaN), or undefined. */
export function parseNumber(s: string): number | undefined {
  const t = s.trim();
  const m = /^([+-]?)(inf(?:inity)?|nan)$/i.exec(t);
  if (m) return m[2]!.toLowerCase() === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
  if (/^[+-]?0x[0-9a-f]+$/i.test(t)) return t.startsWith('-') ? -Number(t.slice(1)) : Number(t.replace(/^\+/, ''));
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(t)) return undefined;
  return Number(t);
}

/** Go string literal: "…" with escapes, '…' with escapes, `…` raw. */
export function unquote(lit: string): string {
  const q = lit[0];
  const inner = lit.slice(1, -1);
  if (q === '`') return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const ch = inner[i]!;
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const e = inner[++i];
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\x07',
      b: '\b',
      f: '\f',
      v: '\v',
      '\\': '\\',
      '"': '"',
      "'": "'",
    };
    if (e !== undefined && Object.hasOwn(simple, e)) out += simple[e];
    else if (e === 'x') {
      out += String.fromCharCode(parseInt(inner.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const cp = parseInt(inner.slice(i + 1, i + 1 + n), 16);
      if (!Number.isFinite(cp) || cp > 0x10ffff) throw new ParseError(`invalid escape in string ${lit.slice(0, 40)}`);
      out += String.fromCodePoint(cp);
      i += n;
    } else if (e !== undefined && /[0-7]/.test(e)) {
      out += String.fromCharCode(parseInt(inner.slice(i, i + 3), 8));
      i += 2;
    } else throw new ParseError(`unknown escape sequence \\${e ?? ''} in string ${lit.slice(0, 40)}`);
  }
  return out;
}

/**
 * `=~` / `!~` values anchored like Prometheus (`^(?:…)$`); a leading `(?i)` becomes the i flag. Patterns that
 * could stall JavaScript's backtracking engine are refused first (regex-safety.ts); `what` names the matcher or
 * function in that error (`the matcher rack=~"(a*)*"`).
 */
export function compileRegex(
  value: string,
  what = `the regular expression ${JSON.stringify(value.slice(0, 80))}`,
): RegExp {
  let src = value;
  let flags = '';
  if (src.startsWith('(?i)')) {
    src = src.slice(4);
    flags = 'i';
  }
  const unsafe = unsafeRegexReason(src);
  if (unsafe) throw new ParseError(`${what} is refused: ${unsafe}`);
  try {
    return new RegExp(`^(?:${src})$`, flags);
  } catch (err) {
    throw new ParseError(`invalid regular expression ${JSON.stringify(value)}: ${(err as Error).message}`);
  }
}

const AGGREGATES: ReadonlySet<string> = new Set([
  'sum',
  'avg',
  'min',
  'max',
  'count',
  'group',
  'stddev',
  'stdvar',
  'quantile',
  'topk',
  'bottomk',
  'count_values',
]);

const BINARY_NODES: Readonly<Record<string, BinaryOp>> = {
  Add: '+',
  Sub: '-',
  Mul: '*',
  Div: '/',
  Mod: '%',
  Pow: '^',
  Atan2: 'atan2',
  Eql: '==',
  Neq: '!=',
  Gtr: '>',
  Lss: '<',
  Gte: '>=',
  Lte: '<=',
  And: 'and',
  Or: 'or',
  Unless: 'unless',
};

const MATCH_OPS: Readonly<Record<string, MatchType>> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };

class Walker {
  /** expressions written in parentheses: a postfix modifier after them applies to them, not to their last operand */
  private readonly parenthesized = new WeakSet<Expr>();

  constructor(private readonly text: string) {}

  /**
   * lezer-promql (an editor grammar) binds `offset`, `@` and `[range:step]` looser than binary and unary operators;
   * Go's parser binds them to the operand they follow. So `a > b offset 5m` is `a > (b offset 5m)`: the modifier
   * goes down to the rightmost operand unless the expression was parenthesized.
   */
  private postfix(e: Expr, apply: (target: Expr) => Expr): Expr {
    if (this.parenthesized.has(e)) return apply(e);
    if (e.kind === 'binary') return { ...e, rhs: this.postfix(e.rhs, apply) };
    if (e.kind === 'unary') return { ...e, expr: this.postfix(e.expr, apply) };
    return apply(e);
  }

  private src(n: SyntaxNode): string {
    return this.text.slice(n.from, n.to);
  }

  expr(n: SyntaxNode): Expr {
    switch (n.name) {
      case 'ParenExpr': {
        const inner = this.expr(kids(n)[0]!);
        this.parenthesized.add(inner);
        return inner;
      }
      case 'NumberDurationLiteral': {
        const v = parseNumber(this.src(n));
        if (v === undefined) throw new UnsupportedError(`the duration ${this.src(n)} used as a number (Prometheus 3)`);
        return { kind: 'number', value: v };
      }
      case 'StringLiteral':
        return { kind: 'string', value: unquote(this.src(n)) };
      case 'UnaryExpr': {
        const [op, e] = kids(n);
        return { kind: 'unary', op: this.src(op!) === '-' ? '-' : '+', expr: this.expr(e!) };
      }
      case 'VectorSelector':
        return this.selector(n);
      case 'MatrixSelector': {
        const [sel, dur] = kids(n);
        const selector = this.expr(sel!);
        if (selector.kind !== 'vector') throw new ParseError('ranges only allowed for vector selectors');
        if (selector.offset !== 0 || selector.at !== undefined)
          throw new ParseError('no offset or @ modifiers allowed before range');
        return { kind: 'matrix', selector, range: this.duration(dur!) };
      }
      case 'SubqueryExpr': {
        const [e, range, step] = kids(n);
        const rangeMs = this.duration(range!);
        const stepMs = step ? this.duration(step) : undefined;
        return this.postfix(this.expr(e!), (inner) => ({
          kind: 'subquery',
          expr: inner,
          range: rangeMs,
          step: stepMs,
          offset: 0,
        }));
      }
      case 'OffsetExpr':
        return this.offset(n);
      case 'StepInvariantExpr':
        return this.at(n);
      case 'AggregateExpr':
        return this.aggregate(n);
      case 'FunctionCall':
        return this.call(n);
      case 'BinaryExpr':
        return this.binary(n);
      default:
        throw new UnsupportedError(`the ${n.name} expression "${this.src(n).slice(0, 60)}"`);
    }
  }

  private duration(n: SyntaxNode): number {
    const parts = kids(n);
    const only = parts.length === 1 ? parts[0]! : n;
    const text = this.src(only);
    const ms = parseDuration(text);
    if (ms === undefined) throw new UnsupportedError(`the duration expression "${this.src(n)}" (Prometheus 3)`);
    return ms;
  }

  private selector(n: SyntaxNode): Expr {
    const matchers: Matcher[] = [];
    for (const k of kids(n)) {
      if (k.name === 'Identifier') matchers.push({ name: '__name__', type: '=', value: this.src(k) });
      else if (k.name === 'LabelMatchers') {
        for (const m of kids(k)) {
          if (m.name !== 'UnquotedLabelMatcher' && m.name !== 'QuotedLabelMatcher')
            throw new UnsupportedError(`the label matcher "${this.src(m)}"`);
          const [nameNode, opNode, valueNode] = kids(m);
          if (!opNode || !valueNode)
            throw new UnsupportedError(`the quoted metric name "${this.src(m)}" (Prometheus 3)`);
          const name = nameNode!.name === 'QuotedLabelName' ? unquote(this.src(nameNode!)) : this.src(nameNode!);
          const opName = kids(opNode)[0]?.name ?? '';
          const type = MATCH_OPS[opName];
          if (!type) throw new UnsupportedError(`the match operator "${this.src(opNode)}"`);
          const value = unquote(this.src(valueNode));
          const regex = type === '=~' || type === '!~';
          const what = `the matcher ${name}${this.src(opNode)}${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`;
          matchers.push({ name, type, value, ...(regex && { re: compileRegex(value, what) }) });
        }
      } else throw new UnsupportedError(`"${this.src(k)}" in a selector`);
    }
    if (matchers.filter((m) => m.name === '__name__').length > 1 && kids(n)[0]?.name === 'Identifier')
      throw new ParseError(`metric name must not be set twice: ${JSON.stringify(this.src(n).slice(0, 80))}`);
    if (!matchers.some((m) => !matchesValue(m, '')))
      throw new ParseError('vector selector must contain at least one non-empty matcher');
    return { kind: 'vector', matchers, offset: 0 };
  }

  private offset(n: SyntaxNode): Expr {
    const [e, , dur] = kids(n);
    const target = this.expr(e!);
    let sign = 1;
    let d = dur!;
    while (d.name === 'OffsetDurationExpr' && kids(d)[0]?.name === 'UnaryOp') {
      if (this.src(kids(d)[0]!) === '-') sign = -sign;
      d = kids(d)[1]!;
    }
    const ms = sign * this.duration(d);
    return this.postfix(target, (t) => this.setOffset(t, ms));
  }

  private setOffset(target: Expr, ms: number): Expr {
    const sel = modifiable(target);
    if (!sel)
      throw new ParseError(
        'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
    if (sel.offset !== 0) throw new ParseError('offset may not be set multiple times');
    sel.offset = ms;
    return target;
  }

  private at(n: SyntaxNode): Expr {
    const [e, , t] = kids(n);
    const target = this.expr(e!);
    let at: At;
    if (t!.name === 'AtModifierPreprocessors') at = kids(t!)[0]?.name === 'AtEnd' ? 'end' : 'start';
    else {
      const v = this.expr(t!);
      const num =
        v.kind === 'number'
          ? v.value
          : v.kind === 'unary' && v.expr.kind === 'number'
            ? v.op === '-'
              ? -v.expr.value
              : v.expr.value
            : NaN;
      if (!Number.isFinite(num)) throw new ParseError(`@ timestamp must be a finite number: "${this.src(t!)}"`);
      at = Math.round(num * 1000);
    }
    return this.postfix(target, (x) => this.setAt(x, at));
  }

  private setAt(target: Expr, at: At): Expr {
    const sel = modifiable(target);
    if (!sel)
      throw new ParseError(
        '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery',
      );
    if (sel.at !== undefined) throw new ParseError('@ <timestamp> may not be set multiple times');
    sel.at = at;
    return target;
  }

  private grouping(n: SyntaxNode): string[] {
    return kids(n).map((l) => (l.name === 'QuotedLabelName' ? unquote(this.src(l)) : this.src(l)));
  }

  private aggregate(n: SyntaxNode): Expr {
    let op = '';
    let without = false;
    let grouping: string[] = [];
    let args: SyntaxNode[] = [];
    for (const k of kids(n)) {
      if (k.name === 'AggregateOp') op = this.src(k);
      else if (k.name === 'AggregateModifier') {
        const [kw, labels] = kids(k);
        without = kw!.name === 'Without';
        grouping = labels ? this.grouping(labels) : [];
      } else if (k.name === 'FunctionCallBody') args = kids(k);
    }
    if (!AGGREGATES.has(op)) throw new UnsupportedError(`the aggregation ${op}()`);
    const withParam = op === 'quantile' || op === 'topk' || op === 'bottomk' || op === 'count_values';
    if (args.length !== (withParam ? 2 : 1))
      throw new ParseError(
        `wrong number of arguments for aggregate expression provided, expected ${withParam ? 2 : 1}, got ${args.length}`,
      );
    const exprs = args.map((a) => this.expr(a));
    return {
      kind: 'aggregate',
      op: op as AggregateOp,
      expr: exprs[exprs.length - 1]!,
      ...(withParam && { param: exprs[0] }),
      without,
      grouping,
    };
  }

  private call(n: SyntaxNode): Expr {
    const [id, body] = kids(n);
    const name = this.src(id!);
    const sig = SIGNATURES[name];
    if (!sig) throw new UnsupportedError(`the function ${name}()`);
    const args = body ? kids(body).map((a) => this.expr(a)) : [];
    return { kind: 'call', name, args };
  }

  private binary(n: SyntaxNode): Expr {
    const parts = kids(n);
    const lhs = this.expr(parts[0]!);
    const rhs = this.expr(parts[parts.length - 1]!);
    let op: BinaryOp | undefined;
    let returnBool = false;
    const matching: VectorMatching = { card: 'one-to-one', on: false, labels: [], include: [] };
    for (const k of parts.slice(1, -1)) {
      if (BINARY_NODES[k.name]) op = BINARY_NODES[k.name];
      else if (k.name === 'BoolModifier') returnBool = true;
      else if (k.name === 'MatchingModifierClause') {
        let seenGroup = false;
        for (const m of kids(k)) {
          if (m.name === 'On') matching.on = true;
          else if (m.name === 'Ignoring') matching.on = false;
          else if (m.name === 'GroupLeft' || m.name === 'GroupRight') {
            matching.card = m.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
            seenGroup = true;
          } else if (m.name === 'GroupingLabels') {
            if (seenGroup) matching.include = this.grouping(m);
            else matching.labels = this.grouping(m);
          } else throw new UnsupportedError(`the vector matching modifier "${this.src(m)}" (Prometheus 3)`);
        }
      } else throw new UnsupportedError(`"${this.src(k)}" in a binary expression (Prometheus 3)`);
    }
    if (!op) throw new UnsupportedError(`the binary operator in "${this.src(n).slice(0, 60)}"`);
    if (SET_OPS.has(op)) {
      if (matching.card !== 'one-to-one') throw new ParseError(`no grouping allowed for "${op}" operation`);
      matching.card = 'many-to-many';
    }
    if (returnBool && !COMPARISON_OPS.has(op))
      throw new ParseError('bool modifier can only be used on comparison operators');
    return { kind: 'binary', op, lhs, rhs, returnBool, matching };
  }
}

function modifiable(e: Expr): { offset: number; at?: At } | undefined {
  if (e.kind === 'vector' || e.kind === 'subquery') return e;
  if (e.kind === 'matrix') return e.selector;
  return undefined;
}

export function matchesValue(m: Matcher, v: string): boolean {
  switch (m.type) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return m.re!.test(v);
    case '!~':
      return !m.re!.test(v);
  }
}

const TYPE_NAMES: Record<ValueType, string> = {
  scalar: 'scalar',
  vector: 'instant vector',
  matrix: 'range vector',
  string: 'string',
};

/** Prometheus' type checks (parser.checkAST): the expression's type, or a ParseError saying what does not fit. */
export function typeOf(e: Expr): ValueType {
  switch (e.kind) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vector':
      return 'vector';
    case 'matrix':
      return 'matrix';
    case 'subquery': {
      const t = typeOf(e.expr);
      if (t !== 'vector')
        throw new ParseError(`subquery is only allowed on instant vector, got ${TYPE_NAMES[t]} instead`);
      return 'matrix';
    }
    case 'unary': {
      const t = typeOf(e.expr);
      if (t !== 'vector' && t !== 'scalar')
        throw new ParseError(
          `unary expression only allowed on expressions of type scalar or instant vector, got "${TYPE_NAMES[t]}"`,
        );
      return t;
    }
    case 'aggregate': {
      if (typeOf(e.expr) !== 'vector')
        throw new ParseError(
          `expected type instant vector in aggregation expression, got ${TYPE_NAMES[typeOf(e.expr)]}`,
        );
      if (e.param) {
        const want = e.op === 'count_values' ? 'string' : 'scalar';
        const got = typeOf(e.param);
        if (got !== want)
          throw new ParseError(`expected type ${TYPE_NAMES[want]} in aggregation parameter, got ${TYPE_NAMES[got]}`);
      }
      if (e.op === 'count_values') throw new UnsupportedError('the aggregation count_values()');
      return 'vector';
    }
    case 'call': {
      const sig = SIGNATURES[e.name]!;
      const min = sig.args.length - (sig.optional ?? 0);
      if (e.args.length < min || e.args.length > sig.args.length)
        throw new ParseError(
          `expected ${min === sig.args.length ? '' : 'at least '}${min} argument(s) in call to "${e.name}", got ${e.args.length}`,
        );
      e.args.forEach((a, i) => {
        const got = typeOf(a);
        const want = sig.args[i]!;
        if (got !== want)
          throw new ParseError(
            `expected type ${TYPE_NAMES[want]} in call to function "${e.name}", got ${TYPE_NAMES[got]}`,
          );
      });
      return sig.ret;
    }
    case 'binary': {
      const l = typeOf(e.lhs);
      const r = typeOf(e.rhs);
      for (const t of [l, r])
        if (t !== 'scalar' && t !== 'vector')
          throw new ParseError('binary expression must contain only scalar and instant vector types');
      if (SET_OPS.has(e.op) && (l !== 'vector' || r !== 'vector'))
        throw new ParseError(`set operator "${e.op}" not allowed in binary scalar expression`);
      if (COMPARISON_OPS.has(e.op) && l === 'scalar' && r === 'scalar' && !e.returnBool)
        throw new ParseError('comparisons between scalars must use BOOL modifier');
      const hasModifier = e.matching.on || e.matching.labels.length > 0 || e.matching.card !== 'one-to-one';
      if ((l !== 'vector' || r !== 'vector') && hasModifier && !SET_OPS.has(e.op))
        throw new ParseError('vector matching only allowed between instant vectors');
      if (e.matching.card === 'many-to-one' || e.matching.card === 'one-to-many') {
        const clash = e.matching.include.find((x) => e.matching.on && e.matching.labels.includes(x));
        if (clash) throw new ParseError(`label "${clash}" must not occur in ON and GROUP clause at once`);
      }
      return l === 'vector' || r === 'vector' ? 'vector' : 'scalar';
    }
  }
}
