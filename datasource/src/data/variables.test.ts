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
  });
});
