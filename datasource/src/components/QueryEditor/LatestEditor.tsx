import React from 'react';
import { Stack } from '@grafana/ui';
import { AGGREGATE_OPTIONS, GROUP_BY_OPTIONS } from '../../data/editor-options';
import type { LatestQuery } from '../../types';
import { ChoiceField } from '../fields/ChoiceField';
import { LiveField } from '../fields/LiveField';
import { SwitchField } from '../fields/SwitchField';
import { AliasField } from './AliasField';
import { SelectorEditor } from './SelectorEditor';
import type { QueryTypeEditorProps } from './types';

export function LatestEditor({ query, datasource, site, onChange }: QueryTypeEditorProps<LatestQuery>) {
  return (
    <Stack direction="column" gap={1}>
      <SelectorEditor
        selector={query.selector}
        datasource={datasource}
        site={site}
        onChange={(selector) => onChange({ ...query, selector })}
      />
      <Stack wrap="wrap" gap={0}>
        <ChoiceField
          label="Group by"
          testId="plenum-group-by"
          value={query.groupBy ?? 'point'}
          options={GROUP_BY_OPTIONS}
          onChange={(groupBy) => onChange({ ...query, groupBy })}
        />
        <ChoiceField
          label="Aggregate"
          tooltip="How the latest values of a group combine"
          testId="plenum-aggregate"
          value={query.aggregate ?? 'avg'}
          options={AGGREGATE_OPTIONS}
          onChange={(aggregate) => onChange({ ...query, aggregate })}
        />
      </Stack>
      <Stack wrap="wrap" gap={0}>
        <AliasField value={query.alias} onCommit={(alias) => onChange({ ...query, alias })} />
        <LiveField value={query.live} onChange={(live) => onChange({ ...query, live })} />
        <SwitchField
          label="Problems only"
          tooltip="Only points whose latest value is bad, uncertain, stale or missing, as one table with a problem column"
          testId="plenum-problems-only"
          value={query.problemsOnly}
          onChange={(problemsOnly) => onChange({ ...query, problemsOnly: problemsOnly || undefined })}
        />
      </Stack>
    </Stack>
  );
}
