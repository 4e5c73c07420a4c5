import type { DataFrameJSON } from '@plenum/model';
import { toDataFrame, toDataQueryResponse } from './frames';

/** one forecast frame as the backend's forecast query writes it (backend/src/query/forecast.ts) */
const forecastFrame = (name: string): DataFrameJSON =>
  ({
    schema: {
      name,
      refId: 'F',
      fields: [
        { name: 'time', type: 'time' },
        { name: 'value', type: 'number', config: { unit: 'celsius', displayNameFromDS: name } },
        { name: 'forecast', type: 'number', config: { unit: 'celsius', displayNameFromDS: `${name} forecast` } },
        { name: 'lower', type: 'number', config: { unit: 'celsius', displayNameFromDS: `${name} lower (90 %)` } },
        { name: 'upper', type: 'number', config: { unit: 'celsius', displayNameFromDS: `${name} upper (90 %)` } },
      ],
      meta: {
        custom: { pointId: `dc1/h1/a/${name}/env/inlet`, limit: 27, timeToLimit: { minutes: 14, lo: 10, hi: 19 } },
      },
    },
    data: {
      values: [
        [1, 2, 3],
        [25, 25.5, null],
        [null, 25.5, 26],
        [null, 25.4, 25.7],
        [null, 25.6, 26.3],
      ],
    },
  }) as unknown as DataFrameJSON;

const field = (frame: ReturnType<typeof toDataFrame>, name: string) => frame.fields.find((f) => f.name === name)!;

describe('toDataFrame, forecast frames', () => {
  it('fills each point’s band from its own upper to its own lower, by the unique display name', () => {
    const frame = toDataFrame(forecastFrame('A05 inlet'), 'forecast');
    // Grafana looks the target up in the panel's joined frame, where every point has a field named `lower`
    expect(field(frame, 'upper').config.custom).toMatchObject({
      fillBelowTo: 'A05 inlet lower (90 %)',
      fillOpacity: 20,
      lineWidth: 0,
      hideFrom: { legend: true, tooltip: false, viz: false },
    });
    expect(field(frame, 'lower').config.custom).toMatchObject({ fillOpacity: 0, lineWidth: 0 });
    expect(field(frame, 'forecast').config.custom).toMatchObject({ lineStyle: { fill: 'dash' } });
    expect(field(frame, 'value').config.custom).toBeUndefined();
    // the backend's config and meta are kept
    expect(field(frame, 'upper').config.unit).toBe('celsius');
    expect(frame.meta?.custom).toMatchObject({ timeToLimit: { minutes: 14, lo: 10, hi: 19 } });
  });

  it('colours a point’s history, forecast and band alike, and each point of the answer differently', () => {
    const res = toDataQueryResponse(
      { results: { F: { frames: [forecastFrame('A05 inlet'), forecastFrame('B02 inlet')] } } },
      [{ refId: 'F', queryType: 'forecast' }]
    );
    const colours = res.data.map((f) => [
      ...new Set(
        f.fields
          .filter((x: { type: string }) => x.type === 'number')
          .map((x: { config: { color?: { fixedColor?: string } } }) => x.config.color?.fixedColor)
      ),
    ]);
    expect(colours).toEqual([['green'], ['yellow']]);
  });

  it('leaves what the backend already styled, and frames of other query types, alone', () => {
    const styled = forecastFrame('A05 inlet');
    const upper = styled.schema!.fields[4]!;
    upper.config = {
      ...upper.config,
      custom: { fillOpacity: 50 },
      color: { mode: 'fixed', fixedColor: 'red' },
    } as never;
    const frame = toDataFrame(styled, 'forecast');
    expect(field(frame, 'upper').config.custom).toMatchObject({
      fillOpacity: 50,
      fillBelowTo: 'A05 inlet lower (90 %)',
    });
    expect(field(frame, 'upper').config.color).toEqual({ mode: 'fixed', fixedColor: 'red' });
    const other = toDataFrame(forecastFrame('A05 inlet'), 'timeseries');
    expect(field(other, 'upper').config.custom).toBeUndefined();
    expect(field(other, 'upper').config.color).toBeUndefined();
  });

  it('draws no band when the lower field has no display name to aim at', () => {
    const bare = forecastFrame('A05 inlet');
    delete (bare.schema!.fields[3]!.config as { displayNameFromDS?: string }).displayNameFromDS;
    expect(field(toDataFrame(bare, 'forecast'), 'upper').config.custom).toBeUndefined();
  });
});
