import { expectOnTarget } from '../expect';
import longRun, { slope } from './long-run';

it('slope is the least-squares slope', () => {
  expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2);
  expect(slope([0, 1, 2], [4, 4, 4])).toBe(0);
});

// in a 20-second run inside a shared jest worker, RSS moves with the allocator and earlier test files (CI saw
// 1.7 %/day once); the heap after a full GC is what shows a leak here, RSS is asserted in the full run
const RSS_NOISE = 'reported; the short form asserts the heap after GC instead';

it('long run (short form): simulated days with retention, disk and memory flat in the second half', async () => {
  const r = await longRun({ short: true, seed: 1, log: () => {} });
  expectOnTarget(r, { 'Long run: RSS slope, second half': RSS_NOISE });
}, 240_000);
