import { startBareHub } from '../fuzz/hub-bed';
import { expectOnTarget } from '../expect';
import { hubSeeds, seeds } from '../fuzz/seeds';
import suite, { fuzzedHubRoutes, fuzzedRoutes } from './api-fuzz';

describe('API fuzz (short form)', () => {
  it('has seeds for every route, so that a new route joins the fuzz suite', () => {
    const have = seeds();
    expect(fuzzedRoutes().filter((r) => !have[r.route]?.length)).toEqual([]);
  });

  it("has seeds for every route the hub's app registers, so that a new hub route joins the fuzz suite", async () => {
    const bare = await startBareHub(() => {});
    try {
      const routes = fuzzedHubRoutes(bare.hub.url);
      // the four routes of hub.ts today: a reading that found none would make the check above pass vacuously
      expect(routes.map((r) => r.route)).toEqual(
        expect.arrayContaining(['GET /api/health', 'POST /api/events', 'GET /api/topology', 'POST /api/query']),
      );
      const have = hubSeeds();
      expect(routes.filter((r) => !have[r.route]?.length)).toEqual([]);
    } finally {
      await bare.stop();
    }
  });

  it('answers 10,000 generated requests at the edge and 2,000 at the hub without a crash, a 5xx or a 4xx that names no field', async () => {
    expectOnTarget(await suite({ short: true, seed: 1, log: () => {} }));
  }, 240_000);
});
