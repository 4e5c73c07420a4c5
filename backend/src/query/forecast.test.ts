import type { DataFrameJSON } from '@plenum/model';
import { openTestBed, type TestBed } from '../testing/fixture';
import { runQueries } from './engine';

const T0 = Date.UTC(2026, 10, 25, 10, 0, 0);
const A01 = 's/h1/A/A01';
const A02 = 's/h1/A/A02';
const col = (f: DataFrameJSON, name: string) => f.data.values[f.schema.fields.findIndex((x) => x.name === name)]!;

describe('forecast queries', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = openTestBed(() => T0 + 3_600_000);
    // 30 min at 10 s: A01 power rises 1 kW/min from 40 kW, A02 holds 50 kW
    const samples = [];
    for (let i = 0; i < 180; i++) {
      const ts = T0 + i * 10_000;
      samples.push(
        { pointId: `${A01}/pdu/power`, ts, value: 40 + i / 6 + (i % 2 ? 0.2 : -0.2), quality: 'good' as const },
        { pointId: `${A02}/pdu/power`, ts, value: 50 + (i % 2 ? 0.2 : -0.2), quality: 'good' as const },
      );
    }
    expect((await bed.ingest.fromSource(samples)).rejected).toEqual([]);
  });
  afterAll(() => bed.close());

  const run = (q: object) =>
    runQueries(bed.ctx, {
      range: { from: T0, to: T0 + 1_800_000 },
      queries: [{ refId: 'F', queryType: 'forecast', ...q }],
    }).results.F!;

  it('draws history, the line and its band, and says when the limit is reached (soonest first)', () => {
    const r = run({ selector: { quantity: ['power'] }, limit: 100 });
    expect(r.error).toBeUndefined();
    const [first, second] = r.frames;
    expect(first!.schema.meta?.custom?.pointId).toBe(`${A01}/pdu/power`);
    // at 70 kW rising 1 kW/min: 100 kW in ~30 min
    const ttl = first!.schema.meta?.custom?.timeToLimit as { minutes: number; lo: number; hi: number };
    expect(ttl.minutes).toBeGreaterThan(28);
    expect(ttl.minutes).toBeLessThan(32);
    expect(ttl.lo).toBeLessThanOrEqual(ttl.minutes);
    expect(ttl.hi).toBeGreaterThanOrEqual(ttl.minutes);
    const fc = col(first!, 'forecast').filter((v) => v !== null) as number[];
    const lower = col(first!, 'lower').filter((v) => v !== null) as number[];
    const upper = col(first!, 'upper').filter((v) => v !== null) as number[];
    expect(fc.at(-1)).toBeCloseTo(130, 0); // +60 min at 1 kW/min
    expect(lower.every((v, i) => v < fc[i]! && upper[i]! > fc[i]!)).toBe(true);
    // a flat A02 never reaches 100 kW: no time to limit, listed after
    expect(second!.schema.meta?.custom?.timeToLimit).toBeUndefined();
  });

  it('names a bad field, and returns nothing for points without history', () => {
    expect(run({ selector: {}, horizonMs: 5 }).error).toMatch(/horizonMs/);
    expect(run({ selector: { ids: ['nothing/**'] } }).frames).toEqual([]);
  });
});
