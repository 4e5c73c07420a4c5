import React, { useId, useMemo } from 'react';
import { InlineField, MultiCombobox } from '@grafana/ui';
import type { EditorOption } from '../../data/editor-options';
import { LABEL_WIDTH } from './layout';
import { useVariableOptions } from './useVariableOptions';

type Options = EditorOption[] | ((input: string) => Promise<EditorOption[]>);

interface Props {
  /** also the control's accessible name */
  label: string;
  tooltip?: string;
  testId: string;
  values?: string[];
  /** a list, or a loader called when the menu opens and as the user types */
  options: Options;
  /** empty selection arrives as an empty list */
  onChange: (values: string[]) => void;
  /** accept typed values that are not options: globs, tags, ids the topology does not list */
  custom?: boolean;
  /** offer the dashboard's variables; off for enums the backend checks strictly (event types, severities) */
  variables?: boolean;
  placeholder?: string;
}

const matching = (options: EditorOption[], input: string) =>
  options.filter((o) => o.value.toLowerCase().includes(input.toLowerCase()));

/** A multi-value list; values inside it are alternatives (OR). */
export function ListField({
  label,
  tooltip,
  testId,
  values,
  options,
  onChange,
  custom,
  variables = true,
  placeholder,
}: Props) {
  const id = useId();
  const variableOptions = useVariableOptions();
  const offered = useMemo<Options>(() => {
    const extra = variables ? variableOptions : [];
    if (typeof options !== 'function') {
      return [...options, ...extra];
    }
    return async (input: string) => [...(await options(input)), ...matching(extra, input)];
  }, [options, variables, variableOptions]);
  return (
    <InlineField label={label} tooltip={tooltip} labelWidth={LABEL_WIDTH} htmlFor={id}>
      <MultiCombobox
        id={id}
        data-testid={testId}
        options={offered}
        value={values ?? []}
        onChange={(selected) => onChange(selected.map((o) => o.value))}
        createCustomValue={custom}
        placeholder={placeholder ?? 'any'}
        isClearable
        width="auto"
        minWidth={20}
        maxWidth={80}
      />
    </InlineField>
  );
}
