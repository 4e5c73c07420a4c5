import { FieldType, toDataFrame } from '@grafana/data';
import { DEFAULT_OPTIONS } from '../types';
import { findLayout, findValueSources } from './fields';
import { joinRacks } from './join';

const layout = toDataFrame({
  name: 'layout',
  fields: [
    { name: 'rack', type: FieldType.string, values: ['A01', 'A01', 'A02', 'A03', 'A01'] },
    { name: 'hall', type: FieldType.string, values: ['h1', 'h1', 'h1', 'h1', 'h2'] },
    { name: 'x', type: FieldType.number, values: [1, 9, 2, null, 1] },
    { name: 'y', type: FieldType.number, values: [1, 9, 1, 1, 1] },
    { name: 'w', type: FieldType.number, values: [2, 1, null, 1, 1] },
  ],
});

function join(valueFrames: Array<ReturnType<typeof toDataFrame>>, hall = '') {
  const frames = [layout, ...valueFrames];
  const found = findLayout(frames, DEFAULT_OPTIONS.fields)!;
  return joinRacks(found, findValueSources(frames, found, DEFAULT_OPTIONS.fields), hall);
}

describe('joinRacks', () => {
  it('keeps one placed rack per hall and id, defaults size to one tile, and counts what it left out', () => {
    const t = join([]);
    expect(t.id).toEqual(['A01', 'A02', 'A01']);
    expect(t.hall).toEqual(['h1', 'h1', 'h2']);
    expect([...t.w]).toEqual([2, 1, 1]);
    expect(t.skipped).toBe(2);
    expect(join([], 'h2').id).toEqual(['A01']);
  });

  it('joins values on hall and rack when both frames have a hall; missing rows and nulls are NaN', () => {
    const values = toDataFrame({
      fields: [
        { name: 'rack', type: FieldType.string, values: ['A01', 'A01', 'A02'] },
        { name: 'hall', type: FieldType.string, values: ['h2', 'h1', 'h1'] },
        { name: 'time', type: FieldType.time, values: [10, 20, 30] },
        { name: 'value', type: FieldType.number, values: [30, 21, null] },
      ],
    });
    const [c] = join([values]).channels;
    expect([...c!.value]).toEqual([21, NaN, 30]);
    expect([...c!.time]).toEqual([20, 30, 10]);
    expect([...c!.rowOf]).toEqual([1, 2, 0]);
  });

  it('joins on rack alone when the values frame has no hall, the last row of a rack winning', () => {
    const values = toDataFrame({
      fields: [
        { name: 'rack', type: FieldType.string, values: ['A02', 'A02'] },
        { name: 'kw', type: FieldType.number, values: [5, 7] },
      ],
    });
    const [c] = join([values]).channels;
    expect([...c!.value]).toEqual([NaN, 7, NaN]);
    expect([...c!.time].every(Number.isNaN)).toBe(true);
  });
});
