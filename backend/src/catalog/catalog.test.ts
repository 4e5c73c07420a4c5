import type { Point, Site } from '@plenum/model';
import { Catalog } from './catalog';
import { globToRegExp } from './glob';

const site: Site = {
  id: 's',
  halls: [
    {
      id: 'h1',
      rows: [
        {
          id: 'A',
          racks: [
            { id: 'A01', x: 1, y: 1, assets: [] },
            { id: 'A02', x: 2, y: 1, assets: [] },
          ],
        },
        { id: 'B', racks: [{ id: 'B01', x: 1, y: 3, assets: [] }] },
      ],
    },
    { id: 'h2', rows: [{ id: 'A', racks: [{ id: 'Z01', x: 1, y: 1, assets: [] }] }] },
  ],
};

const point = (
  hall: string,
  row: string,
  rack: string,
  asset: string,
  signal: string,
  extra: Partial<Point> = {},
): Point => ({
  id: `s/${hall}/${row}/${rack}/${asset}/${signal}`,
  domain: 'OT',
  quantity: 'temperature',
  unit: '°C',
  grafanaUnit: 'celsius',
  valueType: 'number',
  kind: 'measurement',
  writable: false,
  location: { site: 's', hall, row, rack, asset },
  tags: [],
  source: { connector: 'generator', source: 'gen', address: '' },
  ...extra,
});

const points = [
  point('h1', 'A', 'A01', 'env', 'inlet_temp', { tags: ['temp', 'inlet'] }),
  point('h1', 'A', 'A01', 'pdu', 'power', { quantity: 'power', unit: 'kW', domain: 'IT', tags: ['power'] }),
  point('h1', 'A', 'A02', 'env', 'inlet_temp', { tags: ['temp', 'inlet'], name: 'Rack A02 inlet' }),
  point('h1', 'B', 'B01', 'env', 'inlet_temp', { tags: ['temp'] }),
  point('h2', 'A', 'Z01', 'pdu', 'power', { quantity: 'power', unit: 'kW', domain: 'IT' }),
];

describe('Catalog.select', () => {
  const cat = new Catalog(site, points);
  const ids = (sel: Parameters<Catalog['select']>[0]) => cat.select(sel).map((p) => p.id);

  it('selects all with an empty selector, in id order', () => {
    expect(ids({})).toEqual(points.map((p) => p.id).sort());
  });

  it('ANDs fields and ORs values', () => {
    expect(ids({ hall: ['h1'], quantity: ['power'] })).toEqual(['s/h1/A/A01/pdu/power']);
    expect(ids({ rack: ['A01', 'B01'], quantity: ['temperature'] })).toEqual([
      's/h1/A/A01/env/inlet_temp',
      's/h1/B/B01/env/inlet_temp',
    ]);
    expect(ids({ domain: ['IT'] })).toHaveLength(2);
  });

  it('requires every tag', () => {
    expect(ids({ tags: ['temp', 'inlet'] })).toHaveLength(2);
  });

  it('matches id globs and text', () => {
    expect(ids({ ids: ['s/h1/*/*/env/*'] })).toHaveLength(3);
    expect(ids({ ids: ['s/**/power'] })).toHaveLength(2);
    expect(ids({ text: 'rack a02' })).toEqual(['s/h1/A/A02/env/inlet_temp']);
  });

  it('pages search results', () => {
    const p = cat.search({ page: 2, pageSize: 2 });
    expect(p).toMatchObject({ total: 5, page: 2, pageSize: 2 });
    expect(p.points.map((x) => x.id)).toEqual(ids({}).slice(2, 4));
  });

  it('lists rack placements per hall', () => {
    expect(cat.rackPlacements(['h2']).map((r) => r.rack.id)).toEqual(['Z01']);
    expect(cat.rackPlacements()).toHaveLength(4);
  });
});

describe('globToRegExp', () => {
  it('keeps * inside a segment and escapes regex characters', () => {
    expect(globToRegExp('a/*/c').test('a/b/c')).toBe(true);
    expect(globToRegExp('a/*/c').test('a/b/x/c')).toBe(false);
    expect(globToRegExp('a.b').test('axb')).toBe(false);
    expect(globToRegExp('a?c').test('abc')).toBe(true);
  });
});
