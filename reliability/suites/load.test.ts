import { expectOnTarget } from '../expect';
import load from './load';

it('load (short form): NOC walls and long polls while ingesting, on target', async () => {
  const r = await load({ short: true, seed: 1, log: (l) => console.log(l) });
  console.log(JSON.stringify(r.figures, null, 2), r.notes);
  expectOnTarget(r);
}, 240_000);
