import { expectOnTarget } from '../expect';
import load from './load';

const SPEED = 'a speed figure: measured by npm run reliability, not asserted while CI shares the cores';

it('load (short form): NOC walls and long polls while ingesting drop no sample and keep memory bounded', async () => {
  const r = await load({ short: true, seed: 1, log: () => {} });
  expectOnTarget(r, {
    'Load: query p50 / p99 (NOC wall panels)': SPEED,
    'Load: long-poll answer p50 / p99 (live panels, data arriving continuously)': SPEED,
    'Load: samples/s acknowledged (POST /api/samples)': SPEED,
  });
}, 240_000);
