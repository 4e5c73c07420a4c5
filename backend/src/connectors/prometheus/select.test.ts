import { parseAddress, type PromAddress } from './address';
import { prometheusOptions } from './config';
import {
  aggregate,
  evaluate,
  PROM_STATUS,
  RateTracker,
  selectSeries,
  TopologyMapper,
  type SeriesValue,
} from './select';

const addr = (text: string): PromAddress => {
  const r = parseAddress(text, 'scrape');
  if (!r.ok) throw new Error(r.error);
  return r.address;
};
const s = (labels: Record<string, string>, value: number, ts = 1000, name = 'm'): SeriesValue => ({
  name,
  labels,
  value,
  ts,
});
const ctx = { valueType: 'number' as const, now: 5000, absentStatus: PROM_STATUS.absent };

describe('TopologyMapper', () => {
  const mapper = new TopologyMapper(
    prometheusOptions.parse({
      url: 'http://x/metrics',
      mapping: {
        rack: { label: 'Hostname', table: { 'spare-gpu': 'A10' }, regex: '(?P<rack>[a-z]\\d+)-gpu', case: 'upper' },
        row: { label: 'Hostname', regex: '(?<row>[a-z])\\d+-.*', case: 'upper' },
        hall: { label: 'dc', table: { east: 'hall1' } },
      },
    }).mapping,
  );

  it('maps by table first, then regex with case', () => {
    expect(mapper.levelOf({ Hostname: 'a01-gpu' }, 'rack')).toBe('A01');
    expect(mapper.levelOf({ Hostname: 'spare-gpu' }, 'rack')).toBe('A10');
    expect(mapper.levelOf({ Hostname: 'c07-gpu' }, 'row')).toBe('C');
    expect(mapper.levelOf({ Hostname: 'login1' }, 'rack')).toBeUndefined(); // regex does not match
    expect(mapper.levelOf({ host: 'a01-gpu' }, 'rack')).toBeUndefined(); // no label
    expect(mapper.levelOf({ rack: 'B02' }, 'rack')).toBe('B02'); // no Hostname: the rack label as it is
    expect(mapper.levelOf({ dc: 'east' }, 'hall')).toBe('hall1');
    expect(mapper.levelOf({ dc: 'west' }, 'hall')).toBeUndefined(); // table only: unknown values map nowhere
  });

  it('reads the level-named label as it is when there is no rule', () => {
    const bare = new TopologyMapper({});
    expect(bare.levelOf({ rack: 'B03' }, 'rack')).toBe('B03');
    expect(bare.levelOf({}, 'rack')).toBeUndefined();
  });

  it('selects series by mapped topology', () => {
    const series = [
      s({ Hostname: 'a01-gpu', gpu: '0' }, 1),
      s({ Hostname: 'a01-gpu', gpu: '1' }, 2),
      s({ Hostname: 'a02-gpu', gpu: '0' }, 4),
    ];
    const a = addr('m;by=rack;agg=sum');
    expect(selectSeries(a, series, mapper, { rack: 'A01' }).map((x) => x.value)).toEqual([1, 2]);
    expect(
      selectSeries(addr('m gpu=0;by=row,rack'), series, mapper, { row: 'A', rack: 'A02' }).map((x) => x.value),
    ).toEqual([4]);
    expect(selectSeries(a, series, mapper, { rack: 'B01' })).toEqual([]);
  });
});

describe('evaluate', () => {
  it('aggregates, scales, and dates a sample by its newest series', () => {
    const series = [s({ gpu: '0' }, 100, 1000), s({ gpu: '1' }, 300, 2000)];
    expect(evaluate(addr('m;agg=sum;scale=0.001'), series, ctx)).toEqual({
      kind: 'sample',
      ts: 2000,
      value: 0.4,
      quality: 'good',
    });
    expect(evaluate(addr('m;agg=avg'), series, ctx)).toMatchObject({ value: 200 });
    expect(evaluate(addr('m;agg=max'), series, ctx)).toMatchObject({ value: 300 });
    expect(evaluate(addr('m;agg=min'), series, ctx)).toMatchObject({ value: 100 });
    expect(evaluate(addr('m;agg=count'), series, ctx)).toMatchObject({ value: 2 });
    expect(evaluate(addr('m'), [s({}, 7, 1000)], ctx)).toEqual({ kind: 'sample', ts: 1000, value: 7, quality: 'good' });
  });

  it('marks absent, ambiguous and non-finite values bad with their codes', () => {
    const bad = (rawStatus: number, ts = 5000) => ({ kind: 'sample', ts, value: 0, quality: 'bad', rawStatus });
    expect(evaluate(addr('m'), [], ctx)).toEqual(bad(1));
    expect(evaluate(addr('m;agg=sum'), [], { ...ctx, absentStatus: 503 })).toEqual(bad(503));
    expect(evaluate(addr('m'), [s({ a: '1' }, 1), s({ a: '2' }, 2)], ctx)).toEqual(bad(2));
    expect(evaluate(addr('m'), [s({}, NaN, 900)], ctx)).toEqual(bad(3, 900));
    expect(evaluate(addr('m;agg=sum'), [s({}, 1), s({ a: '1' }, Infinity)], ctx)).toEqual(bad(3, 1000));
    expect(evaluate(addr('m;agg=max'), [s({}, 1), s({ a: '1' }, NaN)], ctx)).toMatchObject({ rawStatus: 3 });
    // counting nothing is 0, unless a target that may hold the series failed
    expect(evaluate(addr('m;agg=count'), [], ctx)).toEqual({ kind: 'sample', ts: 5000, value: 0, quality: 'good' });
    expect(evaluate(addr('m;agg=count'), [], { ...ctx, absentStatus: 5 })).toEqual(bad(5));
  });

  it('gives booleans and label values', () => {
    expect(evaluate(addr('up'), [s({}, 1)], { ...ctx, valueType: 'boolean' })).toMatchObject({ value: true });
    expect(evaluate(addr('up'), [s({}, 0)], { ...ctx, valueType: 'boolean' })).toMatchObject({ value: false });
    expect(evaluate(addr('up'), [], { ...ctx, valueType: 'boolean' })).toMatchObject({ value: false, quality: 'bad' });
    expect(
      evaluate(addr('info;label=version'), [s({ version: '1.2' }, 1, 10)], { ...ctx, valueType: 'string' }),
    ).toEqual({
      kind: 'sample',
      ts: 10,
      value: '1.2',
      quality: 'good',
    });
    expect(evaluate(addr('info;label=nope'), [s({}, 1)], { ...ctx, valueType: 'string' })).toMatchObject({
      value: '',
      rawStatus: 1,
    });
  });

  it('aggregate of nothing', () => {
    expect(aggregate('sum', [])).toBe(0);
    expect(aggregate('count', [])).toBe(0);
  });
});

describe('RateTracker', () => {
  const rateOf = (tracker: RateTracker, series: SeriesValue[], text = 'm;rate;agg=sum') =>
    evaluate(addr(text), series, { ...ctx, rates: { tracker, pointId: 'p' } });

  it('yields nothing on the first scrape, then per-second rates summed over series', () => {
    const t = new RateTracker();
    expect(rateOf(t, [s({ gpu: '0' }, 100, 0), s({ gpu: '1' }, 1000, 0)])).toEqual({ kind: 'none' });
    expect(rateOf(t, [s({ gpu: '0' }, 110, 2000), s({ gpu: '1' }, 1100, 2000)])).toEqual({
      kind: 'sample',
      ts: 2000,
      value: 5 + 50,
      quality: 'good',
    });
  });

  it('counts a reset as a restart from 0', () => {
    const t = new RateTracker();
    rateOf(t, [s({}, 500, 0)], 'm;rate');
    expect(rateOf(t, [s({}, 20, 1000)], 'm;rate')).toMatchObject({ value: 20 });
    expect(rateOf(t, [s({}, 50, 2000)], 'm;rate')).toMatchObject({ value: 30 });
  });

  it('skips series the source has not updated, starts over when time runs backwards, forgets vanished series', () => {
    const t = new RateTracker();
    rateOf(t, [s({ a: '1' }, 10, 1000), s({ a: '2' }, 10, 1000)]);
    // a: 1 unchanged timestamp → no rate from it; a: 2 advanced
    expect(rateOf(t, [s({ a: '1' }, 10, 1000), s({ a: '2' }, 30, 2000)])).toMatchObject({ value: 20 });
    expect(rateOf(t, [s({ a: '1' }, 20, 3000), s({ a: '2' }, 40, 3000)])).toMatchObject({ value: 5 + 10 });
    expect(rateOf(t, [s({ a: '1' }, 0, 500)])).toEqual({ kind: 'none' }); // clock went back: new baseline
    expect(rateOf(t, [s({ a: '1' }, 10, 1500), s({ a: '2' }, 41, 3100)])).toMatchObject({ value: 10 }); // a: 2 is new again
  });

  it('forgets the history when the series are absent', () => {
    const t = new RateTracker();
    rateOf(t, [s({}, 10, 1000)]);
    expect(rateOf(t, [])).toMatchObject({ quality: 'bad', rawStatus: 1 });
    expect(rateOf(t, [s({}, 20, 2000)])).toEqual({ kind: 'none' });
  });
});
