import React from 'react';
import { from, type Observable } from 'rxjs';
import { map } from 'rxjs/operators';
import {
  CustomVariableSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  type QueryEditorProps,
} from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { VariableQueryEditor } from './components/VariableQueryEditor';
import type { DataSource } from './datasource';
import type { PlenumOptions, PlenumQuery, VariableQuery } from './types';

/** A variable query as Grafana stores it (with a refId). */
type SavedVariableQuery = VariableQuery & DataQuery;

function Editor({
  query,
  onChange,
  datasource,
}: QueryEditorProps<DataSource, PlenumQuery, PlenumOptions, SavedVariableQuery>) {
  return (
    <VariableQueryEditor
      datasource={datasource}
      query={query.kind ? query : { ...query, kind: 'racks' }}
      onChange={(next) => onChange({ ...query, ...next })}
    />
  );
}

/**
 * Template variables from the topology and the catalog (halls, rows, racks, assets, quantities, points), each
 * narrowed by the others: Grafana's current variable API, answered by `DataSource.metricFindQuery`.
 */
export class PlenumVariableSupport extends CustomVariableSupport<DataSource, SavedVariableQuery> {
  constructor(private readonly ds: DataSource) {
    super();
  }

  editor = Editor;

  query(request: DataQueryRequest<SavedVariableQuery>): Observable<DataQueryResponse> {
    const q = request.targets[0];
    if (!q) {
      return from([{ data: [] }]);
    }
    return from(this.ds.metricFindQuery(q, { scopedVars: request.scopedVars })).pipe(map((data) => ({ data })));
  }
}
