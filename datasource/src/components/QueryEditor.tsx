import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Stack, Text } from '@grafana/ui';
import type { DataSource } from '../datasource';
import { editableQuery, queryOfType } from '../data/editor-query';
import { QUERY_TYPES, type PlenumOptions, type PlenumQuery, type QueryType } from '../types';
import { ChoiceField } from './fields/ChoiceField';
import { CatalogEditor } from './QueryEditor/CatalogEditor';
import { EventsEditor } from './QueryEditor/EventsEditor';
import { ForecastEditor } from './QueryEditor/ForecastEditor';
import { LatestEditor } from './QueryEditor/LatestEditor';
import { PredictionsEditor } from './QueryEditor/PredictionsEditor';
import { RackLayoutEditor } from './QueryEditor/RackLayoutEditor';
import { TimeseriesEditor } from './QueryEditor/TimeseriesEditor';
import type { QueryTypeEditorProps } from './QueryEditor/types';
import { useTopology } from './QueryEditor/useTopology';

type Props = QueryEditorProps<DataSource, PlenumQuery, PlenumOptions>;

const TYPE_OPTIONS = QUERY_TYPES.map(({ value, label, description }) => ({ value, label, description }));

export function QueryEditor({ query, datasource, onChange, onRunQuery }: Props) {
  const current = editableQuery(query);
  const { site, error } = useTopology(datasource);
  const commit = (next: PlenumQuery) => {
    onChange(next);
    onRunQuery();
  };
  const props = { datasource, site, onChange: commit };
  return (
    <Stack direction="column" gap={1}>
      <ChoiceField<QueryType>
        label="Query type"
        tooltip={QUERY_TYPES.find((t) => t.value === current.queryType)?.description}
        testId="plenum-query-type"
        value={current.queryType}
        options={TYPE_OPTIONS}
        onChange={(type) => {
          if (type !== current.queryType) {
            commit(queryOfType(current, type));
          }
        }}
      />
      {error && (
        <Text color="warning">
          The site topology is unavailable ({error}); type ids or use variables in the hall, row, rack and asset lists.
        </Text>
      )}
      <TypeEditor query={current} {...props} />
    </Stack>
  );
}

function TypeEditor({ query, ...props }: QueryTypeEditorProps<PlenumQuery>) {
  switch (query.queryType) {
    case 'timeseries':
      return <TimeseriesEditor query={query} {...props} />;
    case 'latest':
      return <LatestEditor query={query} {...props} />;
    case 'rackLayout':
      return <RackLayoutEditor query={query} {...props} />;
    case 'events':
      return <EventsEditor query={query} {...props} />;
    case 'catalog':
      return <CatalogEditor query={query} {...props} />;
    case 'sources':
      return null;
    case 'forecast':
      return <ForecastEditor query={query} {...props} />;
    case 'predictions':
      return <PredictionsEditor query={query} {...props} />;
  }
}
