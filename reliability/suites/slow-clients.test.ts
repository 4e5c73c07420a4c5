import { expectOnTarget } from '../expect';
import suite from './slow-clients';

describe('slow clients (short form)', () => {
  it('keeps answering while 120 slow connections hang on, and closes each within its limit', async () => {
    expectOnTarget(await suite({ short: true, seed: 1, log: () => {} }));
  }, 60_000);
});
