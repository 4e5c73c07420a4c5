import { compileRe2, matchesAll, parseAddress, toPromQL, type PromAddress } from './address';

function ok(text: string, mode: 'scrape' | 'api' = 'scrape'): PromAddress {
  const r = parseAddress(text, mode);
  if (!r.ok) throw new Error(r.error);
  return r.address;
}
function err(text: string, mode: 'scrape' | 'api' = 'scrape'): string {
  const r = parseAddress(text, mode);
  if (r.ok) throw new Error(`"${text}" parsed`);
  return r.error;
}
const brief = (a: PromAddress) => ({
  metric: a.metric,
  matchers: a.matchers.map((m) => `${m.label}${m.op}${m.value}`),
  agg: a.agg,
  rate: a.rate,
  by: a.by,
  scale: a.scale,
});

describe('parseAddress, scrape mode', () => {
  it('reads the brace-free selector, with bare and quoted values', () => {
    expect(brief(ok('DCGM_FI_DEV_POWER_USAGE rack=A01  gpu!=0 Hostname=~"a0.-gpu" x!~`a b`'))).toEqual({
      metric: 'DCGM_FI_DEV_POWER_USAGE',
      matchers: ['rack=A01', 'gpu!=0', 'Hostname=~a0.-gpu', 'x!~a b'],
      agg: undefined,
      rate: false,
      by: [],
      scale: 1,
    });
  });

  it('reads the PromQL selector, as the loader leaves it after {{ }}', () => {
    expect(brief(ok('DCGM_FI_DEV_POWER_USAGE{rack="A01", gpu=~"[0-3]",};agg=sum'))).toMatchObject({
      metric: 'DCGM_FI_DEV_POWER_USAGE',
      matchers: ['rack=A01', 'gpu=~[0-3]'],
      agg: 'sum',
    });
    expect(brief(ok('{__name__="up",job="x"}'))).toMatchObject({
      metric: undefined,
      matchers: ['__name__=up', 'job=x'],
    });
    expect(ok('m{a="x;y\\"z",b="{}"};rate').matchers.map((m) => m.value)).toEqual(['x;y"z', '{}']);
  });

  it('reads options in any order and case', () => {
    expect(brief(ok('m gpu=0 ; RATE ; Agg=MAX ; by=hall,Rack ; scale=1e-3'))).toEqual({
      metric: 'm',
      matchers: ['gpu=0'],
      agg: 'max',
      rate: true,
      by: ['hall', 'rack'],
      scale: 0.001,
    });
    expect(ok('DCGM_FI_DRIVER_VERSION;label=driver_version').label).toBe('driver_version');
  });

  it('explains mistakes', () => {
    expect(err('m;agg=summ')).toBe(
      'unknown aggregation "summ" (did you mean "sum"?); expected one of sum, avg, max, min, count',
    );
    expect(err('m;aggr=sum')).toMatch(/^unknown part "aggr=sum" \(did you mean "agg"\?\); expected agg=<sum\|avg/);
    expect(err('m;by=racks')).toBe(
      'unknown level "racks" in by=racks (did you mean "rack"?); expected a list of hall, row, rack',
    );
    expect(err('m;rate=1')).toBe('rate takes no value; got "rate=1"');
    expect(err('m;agg')).toBe('agg needs a value, e.g. agg=sum');
    expect(err('m;agg=sum;agg=max')).toBe('agg given twice');
    expect(err('m;scale=0')).toBe('scale=0: expected a non-zero number such as 0.001');
    expect(err('m;label=a;agg=sum')).toMatch(/^label= delivers a label value as a string/);
    expect(err('sum(m)')).toMatch(
      /^"sum\(m\)" is not a series selector; scrape mode takes .* \(PromQL expressions need mode: api\)/,
    );
    expect(err('m{a=1}')).toBe('label matcher "a=1" needs a quoted value inside {…}, e.g. a="1"');
    expect(err('m a=~"[" ')).toMatch(/^bad regular expression in a=~"\[": Invalid regular expression/);
    expect(err('m{a="x}')).toMatch(/^unterminated quote/);
    expect(err('{a="x"}')).toMatch(/^no metric name/);
    expect(err(';agg=sum')).toMatch(/^no selector/);
  });
});

describe('parseAddress, api mode', () => {
  it('sends PromQL as written and translates the brace-free selector', () => {
    expect(ok('sum by (rack) (DCGM_FI_DEV_POWER_USAGE{rack="A01"});by=rack', 'api')).toMatchObject({
      query: 'sum by (rack) (DCGM_FI_DEV_POWER_USAGE{rack="A01"})',
      by: ['rack'],
    });
    expect(ok('DCGM_FI_DEV_POWER_USAGE rack=A01 gpu=~"0|1";agg=sum', 'api')).toMatchObject({
      query: 'DCGM_FI_DEV_POWER_USAGE{rack="A01",gpu=~"0|1"}',
      agg: 'sum',
    });
    expect(ok('up', 'api').query).toBe('up');
    expect(ok('m{a="1"} + on() n{b="x;y"}', 'api').query).toBe('m{a="1"} + on() n{b="x;y"}');
    expect(ok('x > 5', 'api').query).toBe('x > 5');
  });

  it('refuses rate (write it in PromQL)', () => {
    expect(err('m;rate', 'api')).toBe(
      'rate applies to scrape mode; in api mode write the rate in PromQL, e.g. rate(metric[1m])',
    );
  });
});

describe('matchers', () => {
  it('match as PromQL does: anchored regexes, a missing label reads as ""', () => {
    const ms = ok('m a=~"b|c" d="" e!~"x.*"').matchers;
    expect(matchesAll('m', { a: 'b' }, ms)).toBe(true);
    expect(matchesAll('m', { a: 'bc' }, ms)).toBe(false);
    expect(matchesAll('m', { a: 'c', d: 'y' }, ms)).toBe(false);
    expect(matchesAll('m', { a: 'c', e: 'xy' }, ms)).toBe(false);
    expect(matchesAll('m', { a: 'c', e: 'yx' }, ms)).toBe(true);
    expect(matchesAll('up', {}, ok('{__name__=~"u."}').matchers)).toBe(true);
  });

  it('compile RE2 named groups and (?i)', () => {
    expect(compileRe2('(?P<rack>[a-z]\\d+)-gpu').exec('a01-gpu')?.groups?.rack).toBe('a01');
    expect(compileRe2('(?i)abc').test('ABC')).toBe(true);
    expect(() => compileRe2('(?U)a')).toThrow('inline flag (?U) is not supported');
  });

  it('write PromQL with escapes', () => {
    expect(toPromQL('m', ok('m a="x\\"y" b=~"\\\\d"').matchers)).toBe('m{a="x\\"y",b=~"\\\\d"}');
    expect(toPromQL('m', [])).toBe('m');
  });
});
