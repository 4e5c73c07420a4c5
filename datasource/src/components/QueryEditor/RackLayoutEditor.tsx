import React, { useMemo } from 'react';
import { Stack } from '@grafana/ui';
import { AGGREGATE_OPTIONS, MEASURE_OPTIONS } from '../../data/editor-options';
import { listValue } from '../../data/editor-query';
import { topologyOptions } from '../../data/editor-topology';
import type { RackLayoutQuery } from '../../types';
import { ChoiceField } from '../fields/ChoiceField';
import { ListField } from '../fields/ListField';
import { LiveField } from '../fields/LiveField';
import { SelectorEditor } from './SelectorEditor';
import type { QueryTypeEditorProps } from './types';

export function RackLayoutEditor({ query, datasource, site, onChange }: QueryTypeEditorProps<RackLayoutQuery>) {
  const halls = useMemo(() => (site ? topologyOptions(site).hall : []), [site]);
  return (
    <Stack direction="column" gap={1}>
      <ListField
        label="Halls"
        tooltip="Halls to draw; all when empty"
        testId="plenum-layout-halls"
        options={halls}
        custom
        placeholder="all"
        values={query.hall}
        onChange={(hall) => onChange({ ...query, hall: listValue(hall) })}
      />
      <SelectorEditor
        selector={query.selector ?? {}}
        datasource={datasource}
        site={site}
        onChange={(selector) => onChange({ ...query, selector })}
      />
      <Stack wrap="wrap" gap={0}>
        <ChoiceField
          label="Aggregate"
          tooltip="How the latest values of the points in one rack combine into the rack's value"
          testId="plenum-aggregate"
          value={query.aggregate ?? 'avg'}
          options={AGGREGATE_OPTIONS}
          onChange={(aggregate) => onChange({ ...query, aggregate })}
        />
        <ChoiceField
          label="Measure"
          testId="plenum-measure"
          value={query.measure ?? 'value'}
          options={MEASURE_OPTIONS}
          onChange={(measure) => onChange({ ...query, measure })}
        />
        <LiveField value={query.live} onChange={(live) => onChange({ ...query, live })} />
      </Stack>
    </Stack>
  );
}
