// node-opcua (the OPC UA target) loads hexy, an ES module jest does not transform
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));
import { expectOnTarget } from '../expect';
import faults from './faults';

// the CI form: every fault once against each connector, in parallel, within 90 s
jest.setTimeout(120_000);

it('faults (short): every connector back within 5 s of each fault, the gap marked bad, nothing leaked', async () => {
  const lines: string[] = [];
  const t0 = Date.now();
  const r = await faults({ short: true, seed: 1, log: (l) => lines.push(l) });
  console.log([...lines, JSON.stringify(r.figures, null, 1)].join('\n'));
  expect(Date.now() - t0).toBeLessThan(90_000);
  expectOnTarget(r);
});
