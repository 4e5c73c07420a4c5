import type { DataFrameJSON } from '@plenum/model';
import { LiveBuffer } from './live-buffer';

const series = (name: string, times: number[], values: number[]): DataFrameJSON => ({
  schema: {
    name,
    fields: [
      { name: 'time', type: 'time' },
      { name: 'value', type: 'number', labels: { rack: name } },
    ],
  },
  data: { values: [times, values] },
});

describe('LiveBuffer', () => {
  it('replaces rows from the answer’s start on, appends new ones and keeps older rows', () => {
    const b = new LiveBuffer(60_000);
    b.replace('A', [series('A01', [1000, 2000, 3000], [1, 2, 3])]);
    b.merge('A', [series('A01', [3000, 4000], [3.5, 4])], 2500, 4000);
    expect(b.frames(['A'])[0]!.data.values).toEqual([
      [1000, 2000, 3000, 4000],
      [1, 2, 3.5, 4],
    ]);
  });

  it('drops rows older than the panel’s window so a wall left running stays flat in memory', () => {
    const b = new LiveBuffer(2000);
    b.replace('A', [series('A01', [1000, 2000, 3000], [1, 2, 3])]);
    b.merge('A', [series('A01', [4000], [4])], 3500, 4000);
    expect(b.frames(['A'])[0]!.data.values[0]).toEqual([2000, 3000, 4000]);
  });

  it('adds series that appear and forgets series with no rows left in the window', () => {
    const b = new LiveBuffer(1000);
    b.replace('A', [series('A01', [1000], [1])]);
    b.merge('A', [series('A02', [5000], [7])], 4500, 5000);
    expect(b.frames(['A']).map((f) => f.schema.name)).toEqual(['A02']);
  });

  it('keeps frames per refId in the order asked', () => {
    const b = new LiveBuffer(10_000);
    b.replace('B', [series('B01', [1], [1])]);
    b.replace('A', [series('A01', [1], [1])]);
    expect(b.frames(['A', 'B']).map((f) => f.schema.name)).toEqual(['A01', 'B01']);
  });
});
