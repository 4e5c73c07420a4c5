import { expectOnTarget } from '../expect';
import crash from './crash';

describe('crash suite (short form)', () => {
  it('loses no acknowledged record and reopens after every kill -9, and the backend starts afterwards', async () => {
    const r = await crash({ short: true, seed: 1, log: () => {} });
    expectOnTarget(r);
  }, 90_000);
});
