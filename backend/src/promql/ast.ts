/**
 * The PromQL expression tree Plenum evaluates, built from `@prometheus-io/lezer-promql`'s syntax tree by parse.ts.
 * Offsets, ranges and steps are in ms; `at` is a Unix ms time or the query's start/end.
 */

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  type: MatchType;
  value: string;
  /** for =~ and !~: the value anchored as Prometheus does (`^(?:value)$`) */
  re?: RegExp;
}

export type At = number | 'start' | 'end';

export interface VectorSelector {
  kind: 'vector';
  matchers: Matcher[];
  /** ms, may be negative */
  offset: number;
  at?: At;
}

export interface MatrixSelector {
  kind: 'matrix';
  selector: VectorSelector;
  /** ms */
  range: number;
}

export interface Subquery {
  kind: 'subquery';
  expr: Expr;
  /** ms */
  range: number;
  /** ms; undefined: the default evaluation interval (1 min, as Prometheus' global evaluation_interval) */
  step?: number;
  offset: number;
  at?: At;
}

export type AggregateOp =
  | 'sum'
  | 'avg'
  | 'min'
  | 'max'
  | 'count'
  | 'group'
  | 'stddev'
  | 'stdvar'
  | 'quantile'
  | 'topk'
  | 'bottomk'
  | 'count_values';

export interface Aggregate {
  kind: 'aggregate';
  op: AggregateOp;
  expr: Expr;
  /** φ of quantile, k of topk/bottomk, the label of count_values */
  param?: Expr;
  /** `by (…)` when false, `without (…)` when true */
  without: boolean;
  grouping: string[];
}

export interface Call {
  kind: 'call';
  name: string;
  args: Expr[];
}

export type BinaryOp =
  '+' | '-' | '*' | '/' | '%' | '^' | 'atan2' | '==' | '!=' | '>' | '<' | '>=' | '<=' | 'and' | 'or' | 'unless';

export interface VectorMatching {
  /** one-to-one, many-to-one (group_left), one-to-many (group_right), many-to-many (set operators) */
  card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  /** `on (…)` when true, `ignoring (…)` (or nothing) when false */
  on: boolean;
  labels: string[];
  /** labels copied from the "one" side: `group_left (…)` */
  include: string[];
}

export interface Binary {
  kind: 'binary';
  op: BinaryOp;
  lhs: Expr;
  rhs: Expr;
  /** the `bool` modifier of a comparison */
  returnBool: boolean;
  matching: VectorMatching;
}

export interface Unary {
  kind: 'unary';
  op: '-' | '+';
  expr: Expr;
}

export interface NumberLiteral {
  kind: 'number';
  value: number;
}

export interface StringLiteral {
  kind: 'string';
  value: string;
}

export type Expr =
  VectorSelector | MatrixSelector | Subquery | Aggregate | Call | Binary | Unary | NumberLiteral | StringLiteral;

export const COMPARISON_OPS: ReadonlySet<BinaryOp> = new Set(['==', '!=', '>', '<', '>=', '<=']);
export const SET_OPS: ReadonlySet<BinaryOp> = new Set(['and', 'or', 'unless']);
