import React, { useMemo } from 'react';
import { Stack } from '@grafana/ui';
import type { EventType, Severity } from '@plenum/model';
import { EVENT_TYPE_OPTIONS, SEVERITY_OPTIONS } from '../../data/editor-options';
import { listValue } from '../../data/editor-query';
import { topologyOptions } from '../../data/editor-topology';
import type { EventsQuery } from '../../types';
import { LimitField } from '../fields/LimitField';
import { ListField } from '../fields/ListField';
import { SwitchField } from '../fields/SwitchField';
import { TextField } from '../fields/TextField';
import type { QueryTypeEditorProps } from './types';

export function EventsEditor({ query, site, onChange }: QueryTypeEditorProps<EventsQuery>) {
  const topology = useMemo(() => (site ? topologyOptions(site, { hall: query.hall }) : undefined), [site, query.hall]);
  return (
    <Stack direction="column" gap={0}>
      <Stack wrap="wrap" gap={0}>
        <ListField
          label="Event types"
          testId="plenum-event-types"
          options={EVENT_TYPE_OPTIONS}
          variables={false}
          values={query.types}
          onChange={(types) => onChange({ ...query, types: listValue(types as EventType[]) })}
        />
        <ListField
          label="Severity"
          testId="plenum-severity"
          options={SEVERITY_OPTIONS}
          variables={false}
          values={query.severity}
          onChange={(severity) => onChange({ ...query, severity: listValue(severity as Severity[]) })}
        />
      </Stack>
      <Stack wrap="wrap" gap={0}>
        <ListField
          label="Hall"
          testId="plenum-hall"
          options={topology?.hall ?? []}
          custom
          values={query.hall}
          onChange={(hall) => onChange({ ...query, hall: listValue(hall) })}
        />
        <ListField
          label="Rack"
          testId="plenum-rack"
          options={topology?.rack ?? []}
          custom
          values={query.rack}
          onChange={(rack) => onChange({ ...query, rack: listValue(rack) })}
        />
        <ListField
          label="Tags"
          tooltip="Every tag must be present"
          testId="plenum-tags"
          options={[]}
          custom
          values={query.tags}
          onChange={(tags) => onChange({ ...query, tags: listValue(tags) })}
        />
      </Stack>
      <Stack wrap="wrap" gap={0}>
        <TextField
          label="Text"
          tooltip="Case-insensitive part of the title or text"
          testId="plenum-text"
          value={query.text}
          onCommit={(text) => onChange({ ...query, text: text || undefined })}
          width={24}
        />
        <LimitField value={query.limit} onCommit={(limit) => onChange({ ...query, limit })} />
        <SwitchField
          label="Open only"
          tooltip="Only events without an end — running jobs, unresolved alarms — however long ago they started"
          testId="plenum-open-only"
          value={query.open}
          onChange={(open) => onChange({ ...query, open: open || undefined })}
        />
      </Stack>
    </Stack>
  );
}
