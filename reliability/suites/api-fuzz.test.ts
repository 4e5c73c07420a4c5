import { expectOnTarget } from '../expect';
import { seeds } from '../fuzz/seeds';
import suite, { fuzzedRoutes } from './api-fuzz';

describe('API fuzz (short form)', () => {
  it('has seeds for every route, so that a new route joins the fuzz suite', () => {
    const have = seeds();
    expect(fuzzedRoutes().filter((r) => !have[r.route]?.length)).toEqual([]);
  });

  it('answers 10,000 generated requests without a crash, a 5xx or a 4xx that names no field', async () => {
    expectOnTarget(await suite({ short: true, seed: 1, log: () => {} }));
  }, 120_000);
});
