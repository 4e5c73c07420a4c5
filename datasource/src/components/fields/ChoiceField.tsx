import React, { useId } from 'react';
import { Combobox, InlineField, type ComboboxOption } from '@grafana/ui';
import type { EditorOption } from '../../data/editor-options';
import { LABEL_WIDTH } from './layout';

interface Props<T extends string> {
  /** also the control's accessible name */
  label: string;
  tooltip?: string;
  testId: string;
  value: T;
  options: EditorOption[];
  onChange: (value: T) => void;
  labelWidth?: number;
}

/** One value from a fixed list (aggregate, group by, …). */
export function ChoiceField<T extends string>({
  label,
  tooltip,
  testId,
  value,
  options,
  onChange,
  labelWidth,
}: Props<T>) {
  const id = useId();
  return (
    <InlineField label={label} tooltip={tooltip} labelWidth={labelWidth ?? LABEL_WIDTH} htmlFor={id}>
      <Combobox<T>
        id={id}
        data-testid={testId}
        options={options as Array<ComboboxOption<T>>}
        value={value}
        onChange={(o) => onChange(o.value)}
        width="auto"
        minWidth={12}
      />
    </InlineField>
  );
}
