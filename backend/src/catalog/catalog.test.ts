import fc from 'fast-check';
import type { Point, Selector, Site } from '@plenum/model';
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

describe('Catalog.select through its index', () => {
  // a catalog with every field repeated across points, and points added after the first select (Sparkplug births)
  const halls = ['h1', 'h2', 'h3'];
  const racks = ['A01', 'A02', 'B01', 'Z01'];
  const many: Point[] = [];
  for (const h of halls)
    for (const r of racks)
      for (const [asset, signal, quantity, tags] of [
        ['env', 'inlet_temp', 'temperature', ['temp', 'inlet']],
        ['env', 'exhaust_temp', 'temperature', ['temp']],
        ['pdu', 'power', 'power', ['power', 'it']],
        ['pdu', 'breaker', 'state', []],
      ] as const)
        many.push(
          point(h, r[0]!, r, asset, signal, {
            quantity,
            tags: [...tags],
            domain: asset === 'pdu' ? 'IT' : 'OT',
            kind: signal === 'breaker' ? 'status' : 'measurement',
            name: `${r} ${signal}`,
          }),
        );
  const late = [point('h9', 'Q', 'Q01', 'env', 'inlet_temp', { tags: ['temp', 'inlet'] })];

  /** the selector's meaning, by a scan of every point */
  const scan = (pts: readonly Point[], sel: Selector) => {
    const has = (l: readonly string[] | undefined, v: string | undefined) =>
      !l?.length || (v !== undefined && l.includes(v));
    return pts
      .filter(
        (p) =>
          (!sel.ids?.length || sel.ids.some((g) => globToRegExp(g).test(p.id))) &&
          has(sel.hall, p.location.hall) &&
          has(sel.row, p.location.row) &&
          has(sel.rack, p.location.rack) &&
          has(sel.asset, p.location.asset) &&
          has(sel.quantity, p.quantity) &&
          has(sel.domain, p.domain) &&
          has(sel.kind, p.kind) &&
          (sel.tags ?? []).every((t) => p.tags.includes(t)) &&
          (!sel.text || `${p.id}\n${p.name ?? ''}`.toLowerCase().includes(sel.text.trim().toLowerCase())),
      )
      .map((p) => p.id)
      .sort();
  };
  const some = <T>(values: readonly T[]) => fc.option(fc.subarray([...values]), { nil: undefined });
  const selector: fc.Arbitrary<Selector> = fc.record(
    {
      ids: some([
        's/h1/A/A01/env/inlet_temp',
        's/h2/**',
        's/*/B/*/pdu/*',
        's/h1/A/A0?/env/*',
        '**/power',
        's/h9/Q/Q01/env/inlet_temp',
        'nope',
      ]),
      hall: some([...halls, 'h9', 'hx']),
      row: some(['A', 'B', 'Q']),
      rack: some([...racks, 'Q01']),
      asset: some(['env', 'pdu', 'crah']),
      quantity: some(['temperature', 'power', 'state'] as const),
      domain: some(['IT', 'OT'] as const),
      kind: some(['measurement', 'status'] as const),
      tags: some(['temp', 'inlet', 'power', 'it']),
      text: fc.option(fc.constantFrom('a02', ' BREAKER ', 'h2/z'), { nil: undefined }),
    },
    { requiredKeys: [] },
  );

  it('selects what a scan of every point selects, in id order, before and after points are added', () => {
    const cat = new Catalog(site, many);
    fc.assert(
      fc.property(selector, (sel) => {
        expect(cat.select(sel).map((p) => p.id)).toEqual(scan(many, sel));
      }),
      { numRuns: 400, seed: 7 },
    );
    cat.add(late);
    fc.assert(
      fc.property(selector, (sel) => {
        expect(cat.select(sel).map((p) => p.id)).toEqual(scan([...many, ...late], sel));
      }),
      { numRuns: 200, seed: 8 },
    );
  });
});

describe('Catalog.select answers again from its cache', () => {
  it('gives each caller its own array, and sees points added since', () => {
    const cat = new Catalog(site, points);
    const sel: Selector = { hall: ['h1'], quantity: ['temperature'] };
    const first = cat.select(sel);
    expect(first).toHaveLength(3);
    first.length = 0;
    expect(cat.select(sel)).toHaveLength(3);
    cat.add([point('h1', 'B', 'B01', 'env', 'exhaust_temp')]);
    expect(cat.select(sel).map((p) => p.id)).toContain('s/h1/B/B01/env/exhaust_temp');
    expect(cat.select({ ...sel })).toEqual(cat.select(sel));
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
