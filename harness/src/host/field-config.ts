import {
  dataLinksOverrideProcessor,
  displayNameOverrideProcessor,
  FieldType,
  identityOverrideProcessor,
  numberOverrideProcessor,
  standardEditorsRegistry,
  stringOverrideProcessor,
  thresholdsOverrideProcessor,
  ThresholdsMode,
  valueMappingsOverrideProcessor,
  type FieldConfigPropertyItem,
  type FieldOverrideContext,
} from '@grafana/data';

/**
 * The standard field options Grafana's app registers in `standardFieldConfigEditorRegistry` (unit, min, max,
 * decimals, display name, colour scheme, no value, data links, value mappings, thresholds), each with the override
 * processor from @grafana/data and the defaults Grafana uses (thresholds green / red at 80). Needs the option editors
 * registered first: each property reuses one.
 */
export function standardFieldConfigs(): FieldConfigPropertyItem[] {
  const editor = (id: string) => standardEditorsRegistry.get(id).editor as FieldConfigPropertyItem['editor'];
  const category = ['Standard options'];
  const anyField = () => true;
  const numeric = (field: { type: FieldType }) => field.type === FieldType.number;
  const item = (
    id: string,
    name: string,
    editorId: string,
    process: (value: never, context: FieldOverrideContext, settings: never) => unknown,
    rest: Partial<FieldConfigPropertyItem> = {},
  ): FieldConfigPropertyItem => ({
    id,
    path: id,
    name,
    description: '',
    editor: editor(editorId),
    override: editor(editorId),
    process: process as FieldConfigPropertyItem['process'],
    shouldApply: anyField,
    category,
    ...rest,
  });
  return [
    item('unit', 'Unit', 'unit', stringOverrideProcessor, { settings: { placeholder: 'none' } }),
    item('min', 'Min', 'number', numberOverrideProcessor, { settings: { placeholder: 'auto' }, shouldApply: numeric }),
    item('max', 'Max', 'number', numberOverrideProcessor, { settings: { placeholder: 'auto' }, shouldApply: numeric }),
    item('decimals', 'Decimals', 'number', numberOverrideProcessor, {
      settings: { placeholder: 'auto', min: 0, max: 15, integer: true },
      shouldApply: numeric,
    }),
    item('displayName', 'Display name', 'text', displayNameOverrideProcessor, {
      settings: { placeholder: 'none', expandTemplateVars: true },
    }),
    item('color', 'Color scheme', 'fieldColor', identityOverrideProcessor, {
      settings: { byValueSupport: true, preferThresholdsMode: true },
    }),
    item('noValue', 'No value', 'text', stringOverrideProcessor, { settings: { placeholder: '-' } }),
    item('links', 'Data links', 'links', dataLinksOverrideProcessor, {
      category: ['Data links'],
      settings: { placeholder: '-' },
    }),
    item('mappings', 'Value mappings', 'mappings', valueMappingsOverrideProcessor, {
      category: ['Value mappings'],
      settings: {},
      defaultValue: [],
      shouldApply: (field) => field.type !== FieldType.time,
    }),
    item('thresholds', 'Thresholds', 'thresholds', thresholdsOverrideProcessor, {
      category: ['Thresholds'],
      settings: {},
      defaultValue: {
        mode: ThresholdsMode.Absolute,
        steps: [
          { value: -Infinity, color: 'green' },
          { value: 80, color: 'red' },
        ],
      },
    }),
  ];
}
