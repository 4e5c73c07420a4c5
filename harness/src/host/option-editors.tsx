import {
  fieldColorModeRegistry,
  FieldColorModeId,
  getFieldDisplayName,
  type FieldColor,
  type SelectableValue,
  type StandardEditorProps,
  type StandardEditorsRegistryItem,
} from '@grafana/data';
import {
  ColorPickerInput,
  DataLinksInlineEditor,
  Input,
  MultiSelect,
  RadioButtonGroup,
  Select,
  Slider,
  StatsPicker,
  Switch,
  TextArea,
  TimeZonePicker,
  UnitPicker,
} from '@grafana/ui';
import { useState } from 'react';

/*
 * The option editors Grafana's app registers in `standardEditorsRegistry` (core/components/OptionsUI/registry.tsx):
 * options builders (`addTextInput`, `addRadio`, …) look editors up by these ids when a plugin's defaults are read.
 * @grafana/ui components where they exist; small stand-ins for the editors that live in Grafana's app (number,
 * string array, field colour, field name, value mappings, thresholds), marked below. The harness shows no options
 * pane, so these render only if a test renders them.
 */

type Props<T, S = Record<string, unknown>> = StandardEditorProps<T, S>;
type Options = { options?: SelectableValue[] };

function TextEditor({ value, onChange, item }: Props<string, { placeholder?: string; useTextarea?: boolean }>) {
  const [draft, setDraft] = useState(value ?? '');
  const settings = item.settings ?? {};
  // Grafana commits text on blur, not on every key
  const commit = () => draft !== (value ?? '') && onChange(draft === '' ? undefined : draft);
  return settings.useTextarea ? (
    <TextArea
      value={draft}
      placeholder={settings.placeholder}
      onChange={(e) => setDraft(e.currentTarget.value)}
      onBlur={commit}
    />
  ) : (
    <Input
      value={draft}
      placeholder={settings.placeholder}
      onChange={(e) => setDraft(e.currentTarget.value)}
      onBlur={commit}
    />
  );
}

/** stand-in for the app's NumberValueEditor */
function NumberEditor({
  value,
  onChange,
  item,
}: Props<number, { placeholder?: string; min?: number; max?: number; step?: number; integer?: boolean }>) {
  const s = item.settings ?? {};
  return (
    <Input
      type="number"
      defaultValue={value ?? ''}
      placeholder={s.placeholder}
      min={s.min}
      max={s.max}
      step={s.step ?? (s.integer ? 1 : 'any')}
      onBlur={(e) => {
        const text = e.currentTarget.value;
        const n = s.integer ? parseInt(text, 10) : parseFloat(text);
        onChange(text === '' || Number.isNaN(n) ? undefined : n);
      }}
    />
  );
}

function SliderEditor({ value, onChange, item }: Props<number, { min?: number; max?: number; step?: number }>) {
  const s = item.settings ?? {};
  return <Slider min={s.min ?? 0} max={s.max ?? 100} step={s.step ?? 1} value={value} onChange={(v) => onChange(v)} />;
}

function BooleanEditor({ value, onChange, id }: Props<boolean>) {
  return <Switch id={id} value={Boolean(value)} onChange={(e) => onChange(e.currentTarget.checked)} />;
}

function RadioEditor({ value, onChange, item }: Props<unknown, Options>) {
  return <RadioButtonGroup value={value} options={item.settings?.options ?? []} onChange={(v) => onChange(v)} />;
}

function SelectEditor({
  value,
  onChange,
  item,
}: Props<unknown, Options & { allowCustomValue?: boolean; isClearable?: boolean }>) {
  const s = item.settings ?? {};
  return (
    <Select
      value={value as string}
      options={s.options ?? []}
      allowCustomValue={s.allowCustomValue}
      isClearable={s.isClearable}
      onChange={(e) => onChange(e?.value)}
    />
  );
}

function MultiSelectEditor({ value, onChange, item }: Props<unknown[], Options>) {
  return (
    <MultiSelect
      value={(value ?? []) as string[]}
      options={item.settings?.options ?? []}
      onChange={(selected) => onChange(selected.map((o) => o.value))}
    />
  );
}

function UnitEditor({ value, onChange }: Props<string>) {
  return <UnitPicker value={value} onChange={(unit) => onChange(unit)} />;
}

function ColorEditor({ value, onChange }: Props<string>) {
  return <ColorPickerInput value={value} onChange={(color) => onChange(color)} />;
}

/** stand-in for the app's StringArrayEditor: one value per line */
function StringsEditor({ value, onChange }: Props<string[]>) {
  return (
    <TextArea
      defaultValue={(value ?? []).join('\n')}
      onBlur={(e) => onChange(e.currentTarget.value.split('\n').filter((line) => line !== ''))}
    />
  );
}

function StatsEditor({ value, onChange, item }: Props<string[], { allowMultiple?: boolean; defaultStat?: string }>) {
  const s = item.settings ?? {};
  return s.allowMultiple ? (
    <StatsPicker stats={value ?? []} onChange={onChange} allowMultiple defaultStat={s.defaultStat} />
  ) : (
    <StatsPicker stats={value ?? []} onChange={onChange} defaultStat={s.defaultStat} />
  );
}

function TimeZoneEditor({ value, onChange }: Props<string>) {
  return <TimeZonePicker value={value} onChange={(tz) => onChange(tz)} />;
}

/** stand-in for the app's FieldColorEditor: the colour mode, plus the colour for the fixed modes */
function FieldColorEditor({ value, onChange }: Props<FieldColor>) {
  const modes = fieldColorModeRegistry.list().map((m) => ({ value: m.id, label: m.name, description: m.description }));
  const mode = value?.mode ?? FieldColorModeId.Thresholds;
  const fixed = mode === FieldColorModeId.Fixed || mode === FieldColorModeId.Shades;
  return (
    <>
      <Select value={mode} options={modes} onChange={(e) => onChange({ ...value, mode: e.value ?? mode })} />
      {fixed && (
        <ColorPickerInput
          value={value?.fixedColor}
          onChange={(fixedColor) => onChange({ ...value, mode, fixedColor })}
        />
      )}
    </>
  );
}

/** stand-in for the app's FieldNamePicker: the display names of the fields in the panel's data */
function FieldNameEditor({ value, onChange, context }: Props<string>) {
  const names = new Set<string>();
  for (const frame of context.data ?? [])
    for (const field of frame.fields) names.add(getFieldDisplayName(field, frame));
  return (
    <Select
      value={value}
      allowCustomValue
      isClearable
      options={[...names].map((n) => ({ value: n, label: n }))}
      onChange={(e) => onChange(e?.value)}
    />
  );
}

function LinksEditor({ value, onChange, context }: Props<Parameters<typeof DataLinksInlineEditor>[0]['links']>) {
  return (
    <DataLinksInlineEditor links={value} onChange={onChange} data={context.data ?? []} getSuggestions={() => []} />
  );
}

/** stand-in for the app's value mappings and thresholds editors: the JSON, applied when it parses */
function JsonEditor({ value, onChange }: Props<unknown>) {
  return (
    <TextArea
      rows={6}
      defaultValue={JSON.stringify(value ?? null, null, 2)}
      onBlur={(e) => {
        try {
          onChange(JSON.parse(e.currentTarget.value));
        } catch {
          // keep the last valid value, as an editor that cannot express an invalid state would
        }
      }}
    />
  );
}

type Editor = StandardEditorsRegistryItem['editor'];

/** Every option editor by the id options builders use. */
export function optionEditors(): StandardEditorsRegistryItem[] {
  const item = (id: string, name: string, editor: unknown): StandardEditorsRegistryItem => ({
    id,
    name,
    description: '',
    editor: editor as Editor,
  });
  return [
    item('text', 'Text', TextEditor),
    item('number', 'Number', NumberEditor),
    item('slider', 'Slider', SliderEditor),
    item('boolean', 'Boolean', BooleanEditor),
    item('radio', 'Radio', RadioEditor),
    item('select', 'Select', SelectEditor),
    item('multi-select', 'Multi select', MultiSelectEditor),
    item('unit', 'Unit', UnitEditor),
    item('color', 'Color', ColorEditor),
    item('fieldColor', 'Field Color', FieldColorEditor),
    item('links', 'Links', LinksEditor),
    item('stats-picker', 'Stats Picker', StatsEditor),
    item('strings', 'String array', StringsEditor),
    item('timezone', 'Time zone', TimeZoneEditor),
    item('field-name', 'Field name', FieldNameEditor),
    item('dashboard-uid', 'Dashboard', TextEditor),
    item('mappings', 'Mappings', JsonEditor),
    item('thresholds', 'Thresholds', JsonEditor),
  ];
}
