import { FieldType, toDataFrame } from '@grafana/data';
import { DEFAULT_OPTIONS } from '../types';
import { findLayout, findValueSources } from './fields';

const names = DEFAULT_OPTIONS.fields;
const layout = toDataFrame({
  name: 'layout',
  fields: [
    { name: 'Rack_ID', type: FieldType.string, values: ['A01', 'A02'] },
    { name: 'X', type: FieldType.number, values: [1, 2] },
    { name: 'y', type: FieldType.number, values: [1, 1] },
    { name: 'row', type: FieldType.string, values: ['A', 'A'] },
    { name: 'ratedKw', type: FieldType.number, values: [130, 130] },
  ],
});
const values = toDataFrame({
  name: 'values',
  fields: [
    { name: 'rack', type: FieldType.string, values: ['A02'] },
    { name: 'time', type: FieldType.time, values: [1000] },
    { name: 'inlet', type: FieldType.number, values: [24] },
    { name: 'quality', type: FieldType.string, values: ['good'] },
  ],
});

describe('field detection', () => {
  it('finds layout columns by alias, case-insensitively, and optional ones when present', () => {
    const found = findLayout([values, layout], names)!;
    expect(found.frame).toBe(layout);
    expect([found.rack.name, found.x.name, found.y.name, found.row?.name]).toEqual(['Rack_ID', 'X', 'y', 'row']);
    expect(found.w).toBeUndefined();
  });

  it('takes the names options give over aliases, and finds no layout when a named field is absent', () => {
    const renamed = toDataFrame({
      fields: [
        { name: 'cabinet', type: FieldType.string, values: ['c1'] },
        { name: 'col', type: FieldType.number, values: [3] },
        { name: 'line', type: FieldType.number, values: [4] },
      ],
    });
    expect(findLayout([renamed], names)).toBeUndefined();
    const found = findLayout([renamed], { ...names, rack: 'cabinet', y: 'line' })!;
    expect([found.rack.name, found.x.name, found.y.name]).toEqual(['cabinet', 'col', 'line']);
    expect(findLayout([renamed], { ...names, rack: 'cabinet', y: 'nope' })).toBeUndefined();
  });

  it('colours by the numeric fields of joined frames, with their time and quality columns', () => {
    const found = findLayout([layout, values], names)!;
    const sources = findValueSources([layout, values], found, names);
    expect(sources.map((s) => s.field.name)).toEqual(['inlet']);
    expect(sources[0]!.time?.name).toBe('time');
    expect(sources[0]!.quality?.name).toBe('quality');
  });

  it('falls back to the layout frame’s own numeric fields, never its geometry, and honours a value option', () => {
    const found = findLayout([layout], names)!;
    expect(findValueSources([layout], found, names).map((s) => s.field.name)).toEqual(['ratedKw']);
    expect(findValueSources([layout, values], found, { ...names, value: 'nope' })).toEqual([]);
  });
});
