import type { Point } from '@plenum/model';
import { pointsFromSeries, mergeTopology } from './catalog-from-series';
import { coveringSelectors } from './selectors';
import { latestSamples } from './prefetch';

const labels = (hall: string, rack: string, signal: string, extra: Record<string, string> = {}) => ({
  __name__: 'plenum_temperature_celsius',
  site: 'dc1',
  hall,
  row: 'A',
  rack,
  asset: 'env',
  signal,
  quantity: 'temperature',
  unit: 'celsius',
  domain: 'OT',
  kind: 'measurement',
  tags: ',inlet,temp,',
  point: `dc1/${hall}/A/${rack}/env/${signal}`,
  ...extra,
});

const series = [
  ...['R01', 'R02', 'R03'].flatMap((r) => [labels('h1', r, 'inlet'), labels('h1', r, 'outlet')]),
  ...['R01', 'R02'].map((r) => labels('h2', r, 'inlet', { edge: 'h2-edge' })),
];
const { points } = pointsFromSeries(series);
const ids = (ps: Point[]) => ps.map((p) => p.id);

describe('pointsFromSeries', () => {
  it('turns value series into points and skips quality and foreign series, naming why', () => {
    const r = pointsFromSeries([
      labels('h1', 'R01', 'inlet'),
      { ...labels('h1', 'R01', 'inlet'), __name__: 'plenum_quality', metric: 'plenum_temperature_celsius' },
      { __name__: 'node_load1', instance: 'x' },
      { ...labels('h1', 'R01', 'x'), quantity: 'weird' },
    ]);
    expect(r.points).toHaveLength(1);
    expect(r.points[0]).toMatchObject({
      id: 'dc1/h1/A/R01/env/inlet',
      unit: '°C',
      grafanaUnit: 'celsius',
      location: { site: 'dc1', hall: 'h1', row: 'A', rack: 'R01', asset: 'env' },
      tags: ['inlet', 'temp'],
      source: { connector: 'hub-store', address: 'plenum_temperature_celsius' },
    });
    expect(r.skipped.map((s) => s.reason)).toEqual(['no point label', 'quantity "weird" is not one of Plenum\'s']);
  });

  it('adds racks the config lacks to the topology', () => {
    const site = mergeTopology(
      { id: 'dc1', halls: [{ id: 'h1', rows: [{ id: 'A', racks: [{ id: 'R01', x: 3, y: 4, assets: [] }] }] }] },
      points,
    );
    expect(site.halls.map((h) => h.id)).toEqual(['h1', 'h2']);
    expect(site.halls[0]!.rows[0]!.racks.map((r) => [r.id, r.x, r.y])).toEqual([
      ['R01', 3, 4],
      ['R02', 4, 4],
      ['R03', 5, 4],
    ]);
  });
});

describe('coveringSelectors', () => {
  it('selects a metric whole without matchers', () => {
    expect(coveringSelectors(points, points, 1000)).toEqual(['{}']);
  });

  it('covers whole (hall, signal) groups by labels and the rest by point regex', () => {
    const wanted = points.filter((p) => p.location.hall === 'h1' && p.id.endsWith('inlet')).concat(points.at(-1)!);
    expect(coveringSelectors(wanted, points, 1000)).toEqual([
      '{site="dc1",hall="h1",signal="inlet"}',
      '{point="dc1/h2/A/R02/env/inlet"}',
    ]);
    expect(
      coveringSelectors(
        points.filter((p) => p.location.hall === 'h1'),
        points,
        1000,
      ),
    ).toEqual(['{site="dc1",hall="h1"}']);
  });

  it('splits point regexes to the budget and escapes regex characters', () => {
    const two = [points[0]!, points[3]!];
    const one = coveringSelectors(two, points, 1000);
    expect(one).toEqual(['{point=~"dc1/h1/A/R01/env/inlet|dc1/h1/A/R02/env/outlet"}']);
    const split = coveringSelectors(two, points, 50);
    expect(split).toEqual(['{point="dc1/h1/A/R01/env/inlet"}', '{point="dc1/h1/A/R02/env/outlet"}']);
    const dotted = { ...points[0]!, id: 'dc1/h1/A/R.1/env/inlet' };
    expect(coveringSelectors([dotted, points[1]!], [...points, dotted], 1000)[0]).toContain('R\\\\.1');
    expect(ids(two)).toHaveLength(2);
  });
});

describe('latestSamples', () => {
  const s = (point: string, stat: string, t: number, v: number) => ({
    metric: { point, plenum_stat: stat },
    value: [t, String(v)] as [number, string],
  });
  it('takes time and quality from the quality series and the value when it is of the same sample', () => {
    const got = latestSamples(
      [
        s('a', 'q', 10, 0),
        s('a', 'qt', 10, 100),
        s('a', 'v', 10, 21.5),
        s('a', 'vt', 10, 100),
        // bad newest sample: the value series stopped at 90 (stale marker)
        s('b', 'q', 10, 2),
        s('b', 'qt', 10, 100),
        s('b', 'v', 10, 3),
        s('b', 'vt', 10, 90),
        // no quality series
        s('c', 'v', 10, 7),
        s('c', 'vt', 10, 80.5),
      ],
      new Set(['a', 'b', 'c']),
    );
    expect(got.get('a')).toEqual({ pointId: 'a', ts: 100_000, value: 21.5, quality: 'good' });
    expect(got.get('b')).toEqual({ pointId: 'b', ts: 100_000, value: NaN, quality: 'bad' });
    expect(got.get('c')).toEqual({ pointId: 'c', ts: 80_500, value: 7, quality: 'good' });
  });
});
