import { FieldType, toDataFrame } from '@grafana/data';
import { detectRole, numericSeries, parseMatcher, selectSeries } from './select-series';

const plenumFrame = (name: string, quantity: string, unit: string) =>
  toDataFrame({
    name,
    fields: [
      { name: 'time', type: FieldType.time, values: [1, 2] },
      {
        name: 'value',
        type: FieldType.number,
        values: [1, 2],
        labels: { quantity },
        config: { unit, displayNameFromDS: name },
      },
    ],
  });

const plain = toDataFrame({
  fields: [
    { name: 'time', type: FieldType.time, values: [1, 2] },
    { name: 'first', type: FieldType.number, values: [1, 2] },
    { name: 'second', type: FieldType.number, values: [3, 4] },
    { name: 'label', type: FieldType.string, values: ['a', 'b'] },
  ],
});

describe('selectSeries', () => {
  it('auto-detects Plenum series from their quantity label', () => {
    const frames = [
      plenumFrame('crah1 fan speed', 'speed', 'percent'),
      plenumFrame('A01 PDU power', 'power', 'kwatt'),
      plenumFrame('A01 GPU utilisation', 'utilization', 'percent'),
      plenumFrame('crah1 return air', 'temperature', 'celsius'),
    ];
    const { loads, responses } = selectSeries(frames, '', '');
    expect(loads.map((s) => s.name)).toEqual(['A01 PDU power', 'A01 GPU utilisation']);
    expect(responses.map((s) => s.name)).toEqual(['crah1 fan speed', 'crah1 return air']);
  });

  it('reads units and names when there are no labels, else takes the first series as the load', () => {
    const withUnits = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [1, 2] },
        { name: 'fan', type: FieldType.number, values: [1, 2], config: { unit: 'percent' } },
        { name: 'hall', type: FieldType.number, values: [1, 2], config: { unit: 'watt' } },
      ],
    });
    const s = numericSeries([withUnits]);
    expect(s.map(detectRole)).toEqual(['response', 'load']);
    expect(detectRole({ ...s[0], name: 'GPU utilization', field: { ...s[0].field, config: {} } })).toBe('load');
    const { loads, responses } = selectSeries([plain], '', '');
    expect(loads.map((x) => x.name)).toEqual(['first']);
    expect(responses.map((x) => x.name)).toEqual(['second']);
  });

  it('takes names or a /regex/ from the options', () => {
    const frames = [
      plenumFrame('crah1 fan speed', 'speed', 'percent'),
      plenumFrame('A01 PDU power', 'power', 'kwatt'),
      plain,
    ];
    const byName = selectSeries(frames, 'second', 'crah1 fan speed, first');
    expect(byName.loads.map((x) => x.name)).toEqual(['second']);
    expect(byName.responses.map((x) => x.name)).toEqual(['crah1 fan speed', 'first']);
    const byRegex = selectSeries(frames, '/power$/i', '/^crah/');
    expect(byRegex.loads.map((x) => x.name)).toEqual(['A01 PDU power']);
    expect(byRegex.responses.map((x) => x.name)).toEqual(['crah1 fan speed']);
    expect(parseMatcher('  ')).toBeUndefined();
  });
});
