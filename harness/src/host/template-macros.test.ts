import type { DataFrame } from '@grafana/data';
import { HarnessTemplateSrv } from './template-srv';

describe('data-link macros in the harness TemplateSrv', () => {
  const frame = {
    name: 'values',
    refId: 'R',
    length: 2,
    fields: [
      { name: 'rack', type: 'string', config: {}, values: ['A01', 'B 02'] },
      { name: 'time', type: 'time', config: {}, values: [1000, 2000] },
      {
        name: 'value',
        type: 'number',
        config: { displayName: 'Inlet' },
        labels: { hall: 'hall1' },
        values: [21.5, 30.25],
        display: (v: unknown) => ({ text: Number(v).toFixed(1), numeric: Number(v), suffix: ' °C' }),
      },
    ],
  } as unknown as DataFrame;
  const value = frame.fields[2]!;
  const srv = new HarnessTemplateSrv();
  const context = (rowIndex?: number) => ({ __dataContext: { value: { frame, field: value, rowIndex } } }) as never;

  it('reads the row a link was built for: __data.fields, __value, __field, __series', () => {
    expect(srv.replace('/d/rack?var-rack=${__data.fields.rack}', context(1))).toBe('/d/rack?var-rack=B 02');
    expect(srv.replace('${__data.fields.Inlet} ${__data.fields.Inlet.raw}', context(1))).toBe('30.3 °C 30.25');
    expect(srv.replace('${__value.raw} ${__value.time} ${__value.text}', context(0))).toBe('21.5 1000 21.5 °C');
    expect(srv.replace('${__field.displayName} ${__field.labels.hall} ${__series.name}', context(0))).toBe(
      'Inlet hall1 values',
    );
  });

  it('applies the format a link asks for, and leaves macros without a context as written', () => {
    expect(srv.replace('${__data.fields.rack}', context(1), 'percentencode')).toBe('B%2002');
    // what getLinksSupplier asks for; the format applies to the value, not to the link's own text
    expect(srv.replace("/d/x?r=${__data.fields.rack}&q=(it's)", context(1), 'uriencode')).toBe(
      "/d/x?r=B%2002&q=(it's)",
    );
    expect(srv.replace('${__data.fields.rack}')).toBe('${__data.fields.rack}');
  });
});
