import { FieldType, toDataFrame } from '@grafana/data';
import { lastHour, seriesByRack } from './sparklines';

const series = (rack: string, labels: Record<string, string>, times: number[]) =>
  toDataFrame({
    name: rack,
    fields: [
      { name: 'time', type: FieldType.time, values: times },
      { name: 'value', type: FieldType.number, labels, values: times.map((t) => t / 1000) },
    ],
  });

describe('sparklines', () => {
  it('indexes time series by their rack label, with and without hall, the first one winning', () => {
    const found = seriesByRack([
      series('a', { Rack: 'A01', hall: 'h1' }, [1]),
      series('b', { rack: 'A01' }, [2]),
      series('c', { rack: 'A02' }, [3]),
      series('d', { row: 'A' }, [4]),
    ]);
    expect([...found.keys()]).toEqual(['h1/A01', 'A01', 'A02']);
    expect(found.get('A01')!.x.values).toEqual([1]);
  });

  it('keeps the last hour before the end, with the range Sparkline scales to', () => {
    const end = 10_000_000;
    const s = seriesByRack([series('a', { rack: 'A01' }, [end - 3_700_000, end - 3_000_000, end - 1000, end + 1])]).get(
      'A01'
    )!;
    const hour = lastHour(s, end)!;
    expect(hour.x.values).toEqual([end - 3_000_000, end - 1000]);
    expect(hour.y.state?.range).toEqual({ min: 7000, max: 9999, delta: 2999 });
    // one point in the hour before end - 3.5e6 ms: no line to draw
    expect(lastHour(s, end - 3_500_000)).toBeUndefined();
  });
});
