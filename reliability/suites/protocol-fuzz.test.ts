// node-opcua requires hexy, an ES module Jest's CommonJS runtime cannot load: the stand-in opcua.test.ts uses
jest.mock('hexy', () => ({ hexy: (b: Buffer) => b.toString('hex') }));

import { expectOnTarget } from '../expect';
import protocolFuzz from './protocol-fuzz';

jest.setTimeout(120_000);

it('protocol fuzz (short): every wrong answer gives bad quality and a named error, no crash, no growth', async () => {
  const lines: string[] = [];
  const t0 = Date.now();
  const r = await protocolFuzz({ short: true, seed: 1, log: (l) => lines.push(l) });
  console.log([...lines, JSON.stringify(r, null, 1)].join('\n'));
  expect(Date.now() - t0).toBeLessThan(90_000);
  expectOnTarget(r);
});
