import React from 'react';
import { Stack } from '@grafana/ui';
import { MINUTE_MS } from '../../data/editor-query';
import type { ForecastQuery } from '../../types';
import { NumberField } from '../fields/NumberField';
import { AliasField } from './AliasField';
import { SelectorEditor } from './SelectorEditor';
import type { QueryTypeEditorProps } from './types';

/** limits of the backend's forecast query (backend/src/query/request-schema.ts), in the units shown here */
const HORIZON_MIN = { min: 1, max: 7 * 24 * 60 };
const WINDOW_MIN = { min: 1, max: 24 * 60 };
const TOP = { min: 1, max: 200, integer: true };

export function ForecastEditor({ query, datasource, site, onChange }: QueryTypeEditorProps<ForecastQuery>) {
  return (
    <Stack direction="column" gap={1}>
      <SelectorEditor
        selector={query.selector}
        datasource={datasource}
        site={site}
        onChange={(selector) => onChange({ ...query, selector })}
      />
      <Stack wrap="wrap" gap={0}>
        <NumberField
          label="Limit"
          tooltip="The value to forecast the time to, in the points' unit (°C, kW, …); no time to limit when empty"
          testId="plenum-forecast-limit"
          value={query.limit}
          placeholder="none"
          rule={{}}
          onCommit={(limit) => onChange({ ...query, limit })}
        />
        <NumberField
          label="Horizon (min)"
          tooltip="How far ahead the line is drawn and a time to limit is given, in minutes; 60 when empty"
          testId="plenum-forecast-horizon"
          value={query.horizonMs}
          placeholder="60"
          rule={HORIZON_MIN}
          scale={MINUTE_MS}
          onCommit={(horizonMs) => onChange({ ...query, horizonMs })}
        />
        <NumberField
          label="Window (min)"
          tooltip="The recent history the line is fitted on, in minutes; 30 when empty"
          testId="plenum-forecast-window"
          value={query.windowMs}
          placeholder="30"
          rule={WINDOW_MIN}
          scale={MINUTE_MS}
          onCommit={(windowMs) => onChange({ ...query, windowMs })}
        />
        <NumberField
          label="Top"
          tooltip="At most this many points, soonest to the limit first (steepest rise without a limit); 10 when empty"
          testId="plenum-forecast-top"
          value={query.top}
          placeholder="10"
          rule={TOP}
          onCommit={(top) => onChange({ ...query, top })}
        />
      </Stack>
      <AliasField value={query.alias} onCommit={(alias) => onChange({ ...query, alias })} />
    </Stack>
  );
}
