import { Catalog } from '../catalog/catalog';
import type { QueryContext } from '../query/context';
import { TEST_POINTS, TEST_SITE } from '../testing/site';
import { watchedPoints } from './stream-request';

/** The test hall twice (h1, h2): a long poll must watch only the hall its panel shows. */
const h1 = TEST_SITE.halls[0]!;
const site = { ...TEST_SITE, halls: [h1, { ...h1, id: 'h2' }] };
const points = TEST_POINTS.flatMap((p) => [
  p,
  { ...p, id: p.id.replace('/h1/', '/h2/'), location: { ...p.location, hall: 'h2' } },
]);
const ctx = { catalog: new Catalog(site, points) } as unknown as QueryContext;
const inlets = { quantity: ['temperature'], tags: ['inlet'] };

describe('the points a long poll watches', () => {
  it("narrows a rackLayout's selector to the query's halls, as the floor map shows them", () => {
    const all = watchedPoints(ctx, [{ refId: 'A', queryType: 'rackLayout', selector: inlets }]);
    expect([...all!].sort()).toEqual([
      's/h1/A/A01/env/inlet_temp',
      's/h1/A/A02/env/inlet_temp',
      's/h2/A/A01/env/inlet_temp',
      's/h2/A/A02/env/inlet_temp',
    ]);
    const h2 = watchedPoints(ctx, [{ refId: 'A', queryType: 'rackLayout', hall: ['h2'], selector: inlets }]);
    expect([...h2!].sort()).toEqual(['s/h2/A/A01/env/inlet_temp', 's/h2/A/A02/env/inlet_temp']);
    // a hall in both: the halls they share
    const both = watchedPoints(ctx, [
      { refId: 'A', queryType: 'rackLayout', hall: ['h1'], selector: { ...inlets, hall: ['h1', 'h2'] } },
    ]);
    expect([...both!].sort()).toEqual(['s/h1/A/A01/env/inlet_temp', 's/h1/A/A02/env/inlet_temp']);
  });

  it('watches a whole hall for a rackLayout without a selector, every point only when no hall is named', () => {
    const hall = watchedPoints(ctx, [{ refId: 'A', queryType: 'rackLayout', hall: ['h1'] }]);
    expect([...hall!].every((id) => id.startsWith('s/h1/'))).toBe(true);
    expect(hall!.size).toBe(TEST_POINTS.length);
    expect(watchedPoints(ctx, [{ refId: 'A', queryType: 'rackLayout' }])).toBeNull();
  });
});
