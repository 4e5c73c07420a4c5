import { TEST_POINTS } from '../testing/site';
import { groupsUnitConfig, groupUnitConfig } from './frames';

/** Two PDUs rated 0–130 kW and two inlet sensors with limits 14–27 °C, the shapes plenum.yaml declares. */
const PDU = TEST_POINTS.find((p) => p.id === 's/h1/A/A01/pdu/power')!;
const INLET = TEST_POINTS.find((p) => p.id === 's/h1/A/A01/env/inlet_temp')!;
const pdu = (rack: string, extra = {}) => ({
  ...PDU,
  id: `s/h1/A/${rack}/pdu/power`,
  min: 0,
  max: 130,
  ...extra,
});
const inlet = (rack: string) => ({
  ...INLET,
  id: `s/h1/A/${rack}/env/inlet_temp`,
  min: 14,
  max: 27,
});

describe('field limits of a value combined across points', () => {
  it('keeps one point’s own limits, whatever the aggregate', () => {
    expect(groupUnitConfig([pdu('A01')], 'sum')).toEqual({ unit: 'kwatt', min: 0, max: 130 });
    expect(groupUnitConfig([inlet('A01')], 'sum')).toEqual({ unit: 'celsius', min: 14, max: 27 });
  });

  it('bounds a sum by the members’ limits summed: 40 PDUs of 130 kW are a 5.2 MW hall, not a 130 kW axis', () => {
    const hall = Array.from({ length: 40 }, (_, i) => pdu(`R${i}`));
    expect(groupUnitConfig(hall, 'sum')).toEqual({ unit: 'kwatt', min: 0, max: 5200 });
    // a sum of only some points (a bucket some miss) is still inside: limits are taken towards zero
    expect(groupUnitConfig([inlet('A01'), inlet('A02')], 'sum')).toEqual({ unit: 'celsius', min: 0, max: 54 });
  });

  it('bounds avg, min, max, last and p95 by the members’ envelope', () => {
    const mixed = [pdu('A01'), pdu('A02', { min: -5, max: 100 })];
    for (const agg of ['avg', 'min', 'max', 'last', 'p95'] as const) {
      expect(groupUnitConfig(mixed, agg)).toEqual({ unit: 'kwatt', min: -5, max: 130 });
    }
  });

  it('drops a limit one member lacks, since the combined value can pass it', () => {
    const { max: _max, ...unbounded } = pdu('A02');
    expect(groupUnitConfig([pdu('A01'), unbounded], 'sum')).toEqual({ unit: 'kwatt', min: 0 });
    expect(groupUnitConfig([pdu('A01'), unbounded], 'max')).toEqual({ unit: 'kwatt', min: 0 });
  });

  it('widens one field of several groups to cover each group’s limits', () => {
    const rowA = [pdu('A01'), pdu('A02')];
    const rowB = [pdu('B01')];
    expect(groupsUnitConfig([rowA, rowB], 'sum')).toEqual({ unit: 'kwatt', min: 0, max: 260 });
    expect(groupsUnitConfig([rowA, rowB], 'avg')).toEqual({ unit: 'kwatt', min: 0, max: 130 });
  });
});
