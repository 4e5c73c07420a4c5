import { createTheme, FieldType, toDataFrame } from '@grafana/data';
import { DEFAULT_OPTIONS, RackHeatmapOptions } from '../types';
import { BUCKET_MISSING, BUCKET_STALE } from './color-index';
import { buildFloorModel, channelScales, combinedPalette, lastUpdated, paintSlices } from './model';

const now = 1_700_000_000_000;
const layout = toDataFrame({
  fields: [
    { name: 'rack', type: FieldType.string, values: ['A01', 'A02', 'A03'] },
    { name: 'x', type: FieldType.number, values: [1, 2, 3] },
    { name: 'y', type: FieldType.number, values: [1, 1, 1] },
  ],
});
const values = (name: string, v: Array<number | null>) =>
  toDataFrame({
    name,
    fields: [
      { name: 'rack', type: FieldType.string, values: ['A01', 'A02', 'A03'] },
      { name: 'time', type: FieldType.time, values: [now - 1000, now - 3_600_000, now - 1000] },
      { name, type: FieldType.number, config: { unit: 'celsius' }, values: v },
    ],
  });
const options = (patch: Partial<RackHeatmapOptions> = {}): RackHeatmapOptions => ({ ...DEFAULT_OPTIONS, ...patch });
const theme = createTheme();

describe('floor model', () => {
  it('says what is missing instead of drawing nothing', () => {
    expect(buildFloorModel([], options())).toEqual({ empty: 'No data' });
    expect(buildFloorModel([values('inlet', [1, 2, 3])], options())).toEqual({
      empty: 'No frame has the rack layout fields (rack, x, y): choose them under Fields',
    });
    expect(buildFloorModel([layout], options({ layout: { ...DEFAULT_OPTIONS.layout, hall: 'h9' } }))).toEqual({
      empty: 'No racks in hall "h9"',
    });
  });

  it('paints stale and missing racks apart from the scale, and each split slice with its own palette', () => {
    const result = buildFloorModel(
      [layout, values('top', [20, 21, null]), values('bottom', [30, 31, 32])],
      options({
        layout: { ...DEFAULT_OPTIONS.layout, splitValues: true },
        color: { preset: 'ashrae', staleAfter: '10m' },
      })
    );
    if (!('model' in result)) {
      throw new Error(result.empty);
    }
    const scales = channelScales(result.model, theme, options({ color: { preset: 'ashrae', staleAfter: '10m' } }));
    const [top, bottom] = paintSlices(result.model, scales, now);
    expect([...top!]).toEqual([2, BUCKET_STALE, BUCKET_MISSING]);
    // the second channel's buckets follow the first's five ASHRAE colours
    expect([...bottom!]).toEqual([5 + 3, BUCKET_STALE, 5 + 4]);
    expect(combinedPalette(scales)).toHaveLength(10);
    expect(lastUpdated(result.model)).toBe(now - 1000);
  });

  it('warns about a bad stale interval and a value field that is not there, and still draws the racks', () => {
    const result = buildFloorModel(
      [layout],
      options({ fields: { ...DEFAULT_OPTIONS.fields, value: 'power' }, color: { preset: 'field', staleAfter: 'soon' } })
    );
    expect('model' in result && result.model.warnings).toEqual([
      'No numeric field named "power"',
      'stale after: "soon" is not an interval like 10m',
    ]);
    expect('model' in result && [...paintSlices(result.model, [], now)[0]!]).toEqual([
      BUCKET_MISSING,
      BUCKET_MISSING,
      BUCKET_MISSING,
    ]);
  });
});
