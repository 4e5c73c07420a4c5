import React from 'react';
import { Stack } from '@grafana/ui';
import type { DataSource } from '../datasource';
import {
  editableVariableQuery,
  filtersOf,
  withFilter,
  withKind,
  type VariableFilter,
} from '../data/editor-variable-query';
import { variableDefinition } from '../data/variables';
import { VARIABLE_KINDS, type VariableKind, type VariableQuery } from '../types';
import { ChoiceField } from './fields/ChoiceField';
import { TextField } from './fields/TextField';

interface Props {
  query: VariableQuery;
  /** `definition` is what Grafana lists for the variable, e.g. `racks(hall=$hall)` */
  onChange: (query: VariableQuery, definition: string) => void;
  datasource: DataSource;
}

/** Free text, so a filter can hold another variable; `label` is also the input's accessible name. */
const FILTER_FIELDS: Record<VariableFilter, { label: string; placeholder: string }> = {
  site: { label: 'Site', placeholder: 'dc1 or $site' },
  hall: { label: 'Hall', placeholder: 'h1 or $hall' },
  row: { label: 'Row', placeholder: 'a or $row' },
  rack: { label: 'Rack', placeholder: 'r01 or $rack' },
  quantity: { label: 'Quantity', placeholder: 'temperature or $quantity' },
  domain: { label: 'Domain', placeholder: 'IT, OT or $domain' },
  tags: { label: 'Tags', placeholder: 'inlet or $tags' },
};

const KIND_OPTIONS = VARIABLE_KINDS.map(({ value, label, description }) => ({ value, label, description }));

/** Template-variable query editor: what to list, and the filters that narrow it. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const current = editableVariableQuery(query);
  const save = (next: VariableQuery) => onChange(next, variableDefinition(next));
  return (
    <Stack direction="column" gap={0}>
      <ChoiceField<VariableKind>
        label="List"
        tooltip="What the variable's values are"
        testId="plenum-variable-kind"
        value={current.kind}
        options={KIND_OPTIONS}
        onChange={(kind) => save(withKind(current, kind))}
      />
      {filtersOf(current.kind).map((filter) => (
        <TextField
          key={filter}
          label={FILTER_FIELDS[filter].label}
          tooltip="A value, or a variable such as $hall (multi-value and All included); empty for any"
          testId={`plenum-variable-${filter}`}
          value={current[filter]}
          placeholder={FILTER_FIELDS[filter].placeholder}
          onCommit={(text) => save(withFilter(current, filter, text))}
          width={30}
        />
      ))}
    </Stack>
  );
}
