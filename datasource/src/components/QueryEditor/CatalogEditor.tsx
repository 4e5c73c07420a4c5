import React from 'react';
import { Stack } from '@grafana/ui';
import type { CatalogQuery } from '../../types';
import { LimitField } from '../fields/LimitField';
import { SelectorEditor } from './SelectorEditor';
import type { QueryTypeEditorProps } from './types';

export function CatalogEditor({ query, datasource, site, onChange }: QueryTypeEditorProps<CatalogQuery>) {
  return (
    <Stack direction="column" gap={1}>
      <SelectorEditor
        selector={query.selector}
        datasource={datasource}
        site={site}
        onChange={(selector) => onChange({ ...query, selector })}
      />
      <LimitField value={query.limit} onCommit={(limit) => onChange({ ...query, limit })} />
    </Stack>
  );
}
