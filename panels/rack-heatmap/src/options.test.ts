import { FieldType, PanelOptionsEditorBuilder, standardEditorsRegistry, toDataFrame } from '@grafana/data';
import { buildOptions } from './options';
import { DEFAULT_OPTIONS, RackHeatmapOptions } from './types';

// Grafana's app fills the editor registry; the builder only needs the ids to exist
standardEditorsRegistry.setInit(() =>
  ['field-name', 'text', 'boolean', 'radio'].map((id) => ({ id, name: id, editor: () => null }))
);

describe('options', () => {
  const builder = new PanelOptionsEditorBuilder<RackHeatmapOptions>();
  buildOptions(builder);
  const items = builder.getItems();
  const item = (path: string) => items.find((i) => i.path === path)!;

  it('takes every default from DEFAULT_OPTIONS', () => {
    for (const i of items) {
      const [group, key] = i.path.split('.') as [keyof RackHeatmapOptions, string];
      expect([i.path, i.defaultValue]).toEqual([
        i.path,
        (DEFAULT_OPTIONS[group] as unknown as Record<string, unknown>)[key],
      ]);
    }
  });

  it('offers the predictions toggle, on by default, where the data has a predictions frame', () => {
    const show = item('predictions.show');
    expect(show.defaultValue).toBe(true);
    expect(show.category).toEqual(['Predictions']);
    const layout = toDataFrame({
      fields: [
        { name: 'rack', type: FieldType.string, values: ['A01'] },
        { name: 'x', type: FieldType.number, values: [1] },
        { name: 'y', type: FieldType.number, values: [1] },
      ],
    });
    const events = toDataFrame({
      fields: [
        { name: 'rack', type: FieldType.string, values: ['A01'] },
        { name: 'severity', type: FieldType.string, values: ['warning'] },
        { name: 'title', type: FieldType.string, values: ['A01: recirculation'] },
      ],
    });
    expect(show.showIf!(DEFAULT_OPTIONS, [layout])).toBe(false);
    expect(show.showIf!(DEFAULT_OPTIONS, [layout, events])).toBe(true);
  });
});
