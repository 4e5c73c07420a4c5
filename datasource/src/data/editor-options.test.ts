import { AGGREGATES, GROUP_BYS, QUANTITIES, RESOLUTIONS } from '@plenum/model';
import { AGGREGATE_OPTIONS, GROUP_BY_OPTIONS, QUANTITY_OPTIONS, RESOLUTION_OPTIONS } from './editor-options';

describe('editor options', () => {
  it('offers every model constant, described', () => {
    for (const [options, values] of [
      [AGGREGATE_OPTIONS, AGGREGATES],
      [GROUP_BY_OPTIONS, GROUP_BYS],
      [RESOLUTION_OPTIONS, RESOLUTIONS],
      [QUANTITY_OPTIONS, QUANTITIES],
    ] as const) {
      expect(options.map((o) => o.value)).toEqual(values);
      expect(options.every((o) => o.description)).toBe(true);
    }
  });

  it('names the canonical unit of a quantity', () => {
    expect(QUANTITY_OPTIONS.find((o) => o.value === 'temperature')?.description).toBe('temperature, °C');
    expect(QUANTITY_OPTIONS.find((o) => o.value === 'count')?.description).toBe('count');
  });
});
