// node-opcua requires hexy, an ES module Jest's CommonJS runtime cannot load (plain Node 20.20 can): a stand-in
// for its only use, hex dumps in debug output
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));
import { expectOnTarget } from '../expect';
import suite from './file-fuzz';

describe('file fuzz (short form)', () => {
  it('loads or names file and field for 1,500 mutated configs, scenarios and certificates', async () => {
    expectOnTarget(await suite({ short: true, seed: 1, log: () => {} }));
  }, 120_000);
});
