import { expectOnTarget } from '../expect';
import longRun, { slope } from './long-run';

it('slope is the least-squares slope', () => {
  expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2);
  expect(slope([0, 1, 2], [4, 4, 4])).toBe(0);
});

it('long run (short form): simulated days with retention, disk and memory flat in the second half', async () => {
  const r = await longRun({ short: true, seed: 1, log: (l) => console.log(l) });
  console.log(JSON.stringify(r.figures, null, 2), r.notes);
  expectOnTarget(r);
}, 240_000);
