import type { Rack, Site } from '@plenum/model';
import { topologyOptions } from './editor-topology';

const rack = (id: string, assets: string[]): Rack => ({
  id,
  x: 0,
  y: 0,
  assets: assets.map((a) => ({ id: a, type: 'server' })),
});

const site: Site = {
  id: 'dc1',
  halls: [
    {
      id: 'h1',
      name: 'Hall 1',
      assets: [{ id: 'crah1', type: 'crah', name: 'CRAH 1' }],
      rows: [
        { id: 'a', racks: [rack('r01', ['s1']), rack('r02', ['s2'])] },
        { id: 'b', racks: [rack('r01', ['s3'])] },
      ],
    },
    { id: 'h2', rows: [{ id: 'a', racks: [rack('r09', ['s9'])] }] },
  ],
};

const values = (options: Array<{ value: string }>) => options.map((o) => o.value);

describe('topologyOptions', () => {
  it('lists every level when nothing is chosen, one option per id', () => {
    const o = topologyOptions(site);
    expect(values(o.hall)).toEqual(['h1', 'h2']);
    expect(values(o.row)).toEqual(['a', 'b']);
    expect(values(o.rack)).toEqual(['r01', 'r02', 'r09']);
    expect(values(o.asset)).toEqual(['crah1', 's1', 's2', 's3', 's9']);
  });

  it('says where a repeated id occurs and what it is', () => {
    const o = topologyOptions(site);
    expect(o.rack[0]).toEqual({ value: 'r01', label: 'r01', description: 'h1/a, h1/b' });
    expect(o.hall[0].description).toBe('Hall 1 · dc1');
    expect(o.asset[0].description).toBe('CRAH 1 · h1');
  });

  it('narrows rows, racks and assets by the chosen halls and rows', () => {
    const o = topologyOptions(site, { hall: ['h2'] });
    expect(values(o.row)).toEqual(['a']);
    expect(values(o.rack)).toEqual(['r09']);
    expect(values(o.hall)).toEqual(['h1', 'h2']);

    const byRow = topologyOptions(site, { hall: ['h1'], row: ['b'] });
    expect(values(byRow.rack)).toEqual(['r01']);
    // a chosen row leaves hall-level assets out: they sit in no row
    expect(values(byRow.asset)).toEqual(['s3']);
  });

  it('narrows assets by the chosen racks', () => {
    expect(values(topologyOptions(site, { rack: ['r02'] }).asset)).toEqual(['s2']);
  });

  it('does not narrow by a level that holds a variable', () => {
    expect(values(topologyOptions(site, { hall: ['$hall'] }).rack)).toEqual(['r01', 'r02', 'r09']);
  });
});
