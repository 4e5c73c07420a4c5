import React from 'react';
import type { StandardEditorProps } from '@grafana/data';
import { DataSourcePicker } from '@grafana/runtime';
import { DATASOURCE_TYPE } from '../../types';

/** The options pane's data source picker, offering Plenum data sources only; stores the uid ('' = the default). */
export function DatasourceEditor({ value, onChange }: StandardEditorProps<string>) {
  return (
    <DataSourcePicker
      pluginId={DATASOURCE_TYPE}
      current={value || null}
      noDefault={false}
      variables
      placeholder="Default Plenum data source"
      onChange={(ds) => onChange(ds.uid)}
      onClear={() => onChange('')}
    />
  );
}
