import type { PointPage, Site } from '@plenum/model';
import { catalogValues, topologyValues, variableDefinition, type VariableFilters } from './variables';

const rack = (id: string, assets: string[]) => ({
  id,
  x: 0,
  y: 0,
  assets: assets.map((a) => ({ id: a, type: 'pdu' as const })),
});
const site: Site = {
  id: 's',
  halls: [
    {
      id: 'hall1',
      rows: [{ id: 'A', racks: [rack('A02', ['pdu']), rack('A10', ['gpu']), rack('A01', [])] }],
      assets: [{ id: 'crah1', type: 'crah' }],
    },
    { id: 'hall2', rows: [{ id: 'B', racks: [rack('B01', [])] }] },
  ],
};
const none: VariableFilters = { hall: [], row: [], rack: [], quantity: [], domain: [], tags: [] };

describe('variable values', () => {
  it('lists topology levels narrowed by parents, sorted naturally', () => {
    expect(topologyValues(site, 'halls', none).map((v) => v.value)).toEqual(['hall1', 'hall2']);
    expect(topologyValues(site, 'racks', { ...none, hall: ['hall1'] }).map((v) => v.value)).toEqual([
      'A01',
      'A02',
      'A10',
    ]);
    expect(topologyValues(site, 'assets', { ...none, hall: ['hall1'] }).map((v) => v.value)).toEqual([
      'crah1',
      'gpu',
      'pdu',
    ]);
    expect(topologyValues(site, 'assets', { ...none, rack: ['A02'] }).map((v) => v.value)).toEqual(['pdu']);
  });

  it('lists sites, and narrows every level below to the sites given', () => {
    expect(topologyValues({ ...site, name: 'Site S' }, 'sites', none)).toEqual([{ text: 'Site S', value: 's' }]);
    expect(topologyValues(site, 'halls', { ...none, site: ['s'] }).map((v) => v.value)).toEqual(['hall1', 'hall2']);
    expect(topologyValues(site, 'halls', { ...none, site: ['other'] })).toEqual([]);
    expect(topologyValues(site, 'racks', { ...none, site: ['other'] })).toEqual([]);
    // a topology of several sites (a hub over more than one): each hall under its own site
    const two: Site[] = [site, { id: 't', halls: [{ id: 'hall9', rows: [] }] }];
    expect(topologyValues(two, 'sites', none).map((v) => v.value)).toEqual(['s', 't']);
    expect(topologyValues(two, 'halls', { ...none, site: ['t'] }).map((v) => v.value)).toEqual(['hall9']);
    expect(topologyValues(two, 'halls', { ...none, site: ['s', 't'], hall: ['hall2', 'hall9'] })).toHaveLength(2);
  });

  it('drops catalog points of other sites (the point search has no site field)', async () => {
    const page: PointPage = {
      total: 2,
      page: 1,
      pageSize: 1000,
      points: [
        { id: 'a/h1/-/-/x/t', quantity: 'temperature', location: { site: 'a', hall: 'h1' } },
        { id: 'b/h1/-/-/x/p', quantity: 'power', location: { site: 'b', hall: 'h1' } },
      ] as never,
    };
    expect(await catalogValues('quantities', { ...none, site: ['b'] }, async () => page)).toEqual([
      { text: 'power', value: 'power' },
    ]);
    expect(await catalogValues('quantities', none, async () => page)).toHaveLength(2);
  });

  it('pages through the catalog for points and quantities', async () => {
    const asked: unknown[] = [];
    const pages: Record<number, PointPage> = {
      1: {
        total: 3,
        page: 1,
        pageSize: 2,
        points: [
          { id: 'p1', name: 'A01 inlet', quantity: 'temperature' },
          { id: 'p2', quantity: 'power' },
        ] as never,
      },
      2: { total: 3, page: 2, pageSize: 2, points: [{ id: 'p3', quantity: 'temperature' }] as never },
    };
    const fetch = async (q: { page?: number }) => {
      asked.push(q);
      return pages[q.page ?? 1]!;
    };
    expect(await catalogValues('quantities', { ...none, hall: ['hall1'] }, fetch)).toEqual([
      { text: 'power', value: 'power' },
      { text: 'temperature', value: 'temperature' },
    ]);
    expect(asked[0]).toEqual({ hall: ['hall1'], pageSize: 1000, page: 1 });
    expect((await catalogValues('points', none, fetch)).map((v) => v.text)).toEqual(['A01 inlet', 'p2', 'p3']);
  });

  it('describes a variable query for Grafana’s list', () => {
    expect(variableDefinition({ kind: 'racks', hall: '$hall', row: 'A' })).toBe('racks(hall=$hall, row=A)');
    expect(variableDefinition({ kind: 'halls', site: '$site' })).toBe('halls(site=$site)');
  });
});
