import { createTheme, Field, FieldColorModeId, FieldType, MappingType, ThresholdsMode } from '@grafana/data';
import { bucketOf } from './color-index';
import { buildColorScale, CONTINUOUS_BUCKETS, dataRange } from './colors';

const theme = createTheme({ colors: { mode: 'dark' } });
const field = (config: Field['config']): Field => ({ name: 'v', type: FieldType.number, config, values: [] });
const colour = (name: string) => theme.visualization.getColorByName(name);

describe('colour resolution from field config', () => {
  it('takes absolute thresholds with theme colours, and labels their ranges with the unit', () => {
    const scale = buildColorScale(
      field({
        unit: 'celsius',
        decimals: 0,
        color: { mode: FieldColorModeId.Thresholds },
        thresholds: {
          mode: ThresholdsMode.Absolute,
          steps: [
            { value: -Infinity, color: 'green' },
            { value: 30, color: 'red' },
          ],
        },
      }),
      theme,
      'field',
      { min: 0, max: 50 }
    );
    expect(scale.palette).toEqual([colour('green'), colour('red')]);
    expect([29.9, 30].map((v) => bucketOf(scale.rule, v))).toEqual([0, 1]);
    expect(scale.legend).toEqual({
      kind: 'steps',
      items: [
        { color: colour('green'), label: '< 30 °C' },
        { color: colour('red'), label: '≥ 30 °C' },
      ],
    });
  });

  it('reads percentage thresholds against min/max from the config, else the data', () => {
    const config = {
      color: { mode: FieldColorModeId.Thresholds },
      thresholds: {
        mode: ThresholdsMode.Percentage,
        steps: [
          { value: -Infinity, color: 'green' },
          { value: 50, color: 'red' },
        ],
      },
    };
    const fromData = buildColorScale(field(config), theme, 'field', { min: 100, max: 200 });
    expect([149, 150].map((v) => bucketOf(fromData.rule, v))).toEqual([0, 1]);
    const fromConfig = buildColorScale(field({ ...config, min: 0, max: 10 }), theme, 'field', { min: 100, max: 200 });
    expect(bucketOf(fromConfig.rule, 6)).toBe(1);
  });

  it('quantises continuous schemes between min and max, and gives fixed colours one bucket', () => {
    const scheme = buildColorScale(field({ color: { mode: FieldColorModeId.ContinuousGrYlRd } }), theme, 'field', {
      min: 0,
      max: 10,
    });
    expect(scheme.palette).toHaveLength(CONTINUOUS_BUCKETS);
    expect(scheme.palette[0]).not.toEqual(scheme.palette[CONTINUOUS_BUCKETS - 1]);
    expect(scheme.legend).toMatchObject({ kind: 'gradient', min: '0', max: '10' });
    const fixed = buildColorScale(
      field({ color: { mode: FieldColorModeId.Fixed, fixedColor: 'purple' } }),
      theme,
      'field',
      {
        min: 0,
        max: 1,
      }
    );
    expect(fixed.palette).toEqual([colour('purple')]);
  });

  it('applies the ASHRAE preset in the field’s unit, converting °F', () => {
    const c = buildColorScale(field({ unit: 'celsius' }), theme, 'ashrae', { min: 0, max: 1 });
    expect([14, 15, 18, 26.9, 27, 32].map((v) => bucketOf(c.rule, v))).toEqual([0, 1, 2, 2, 3, 4]);
    expect(c.palette[2]).toBe(colour('green'));
    expect(c.legend.kind === 'steps' && c.legend.items[2]!.label).toMatch(/^18.* – 27.* recommended$/);
    const f = buildColorScale(field({ unit: 'fahrenheit' }), theme, 'ashrae', { min: 0, max: 1 });
    expect([64.3, 64.4, 80.6].map((v) => bucketOf(f.rule, v))).toEqual([1, 2, 3]);
  });

  it('lets the first matching value mapping with a colour win, as Grafana’s display processor does', () => {
    const scale = buildColorScale(
      field({
        mappings: [
          { type: MappingType.ValueToText, options: { '0': { text: 'off' } } },
          { type: MappingType.RangeToText, options: { from: -1, to: 1, result: { text: 'idle', color: 'blue' } } },
        ],
      }),
      theme,
      'field',
      { min: 0, max: 100 }
    );
    const blue = scale.palette.indexOf(colour('blue'));
    expect(blue).toBeGreaterThan(0);
    expect([scale.mapped!(0), scale.mapped!(0.5), scale.mapped!(5)]).toEqual([-1, blue, -1]);
    expect(scale.mappingItems).toEqual([{ color: colour('blue'), label: 'idle' }]);
  });

  it('finds the data range over every array, ignoring NaN', () => {
    expect(dataRange([Float64Array.from([3, NaN, 1]), Float64Array.from([7])])).toEqual({ min: 1, max: 7 });
    expect(dataRange([Float64Array.from([NaN])])).toEqual({ min: 0, max: 0 });
  });
});
