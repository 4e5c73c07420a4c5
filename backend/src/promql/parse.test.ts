import { parsePromql } from './parse';
import { formatFloat } from './api';

describe('parsePromql', () => {
  it('binds offset, @ and subqueries to the operand they follow, as Go’s parser does', () => {
    const e = parsePromql('a > b offset 5m');
    expect(e).toMatchObject({
      kind: 'binary',
      lhs: { kind: 'vector', offset: 0 },
      rhs: { kind: 'vector', offset: 300_000 },
    });
    expect(parsePromql('-a @ 100')).toMatchObject({ kind: 'unary', expr: { kind: 'vector', at: 100_000 } });
    expect(() => parsePromql('(a - b) offset 5m')).toThrow(/offset modifier must be preceded/);
  });

  it('reads every matcher type, anchoring regexes', () => {
    const e = parsePromql('x{a="1", b!="2", c=~"3|4", d!~"5.*"}');
    expect(e.kind === 'vector' && e.matchers.map((m) => m.type)).toEqual(['=', '=', '!=', '=~', '!~']);
    expect(e.kind === 'vector' && e.matchers[3]!.re!.test('34')).toBe(false);
  });

  it('types like Prometheus and names what it does not support', () => {
    expect(() => parsePromql('rate(x)')).toThrow(
      'expected type range vector in call to function "rate", got instant vector',
    );
    expect(() => parsePromql('1 > 2')).toThrow('comparisons between scalars must use BOOL modifier');
    expect(() => parsePromql('x and 1')).toThrow('set operator "and" not allowed in binary scalar expression');
    expect(() => parsePromql('{a=""}')).toThrow('at least one non-empty matcher');
    expect(() => parsePromql('histogram_quantile(0.9, x)')).toThrow(
      'unsupported by Plenum: the function histogram_quantile()',
    );
    expect(() => parsePromql('x > 1m')).toThrow('unsupported by Plenum: the duration 1m used as a number');
    expect(() => parsePromql('sum(')).toThrow(/^1:5: parse error/);
  });
});

describe('formatFloat', () => {
  it('writes numbers as Go’s FormatFloat(v, "f", -1), never with an exponent', () => {
    expect([1e21, 1.5e-7, -2.5e22, 0.1, NaN, Infinity, -Infinity, 42].map(formatFloat)).toEqual([
      '1000000000000000000000',
      '0.00000015',
      '-25000000000000000000000',
      '0.1',
      'NaN',
      '+Inf',
      '-Inf',
      '42',
    ]);
  });
});
