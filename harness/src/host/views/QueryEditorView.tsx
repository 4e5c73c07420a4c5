import {
  CoreApp,
  DataSourcePluginContextProvider,
  LoadingState,
  type DataQuery,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type PanelData,
  type QueryEditorProps,
  type TimeRange,
} from '@grafana/data';
import { useCallback, useRef, useState, type ComponentType } from 'react';
import type { HarnessQuery, HarnessQueryResponse, HarnessTimeRange } from '../api';
import { buildQueryRequest, collectResponses, queryResponses } from '../query-runner';
import { serialiseResponse } from '../serialise';

export interface QueryEditorViewProps {
  ds: DataSourceApi;
  instanceSettings: DataSourceInstanceSettings;
  QueryEditor: ComponentType<QueryEditorProps<DataSourceApi, DataQuery>>;
  initialQuery: HarnessQuery;
  /** the range as the time picker holds it, and as dates */
  rawRange: HarnessTimeRange;
  range: TimeRange;
  /** told of every change, so `harness.getQuery()` can answer */
  onQueryChange: (query: HarnessQuery) => void;
}

/** A short, stable summary of a response for the page: state, errors, and each frame's fields and length. */
function summarise(response: HarnessQueryResponse) {
  return {
    state: response.state,
    errors: response.errors.map((e) => e.message),
    frames: response.data.map((f) => ({
      name: f.name,
      refId: f.refId,
      length: f.length,
      fields: f.fields.map((field) => `${field.name}:${field.type}`),
    })),
  };
}

/**
 * A query row of the panel editor: the datasource's QueryEditor with `onChange` kept in state and `onRunQuery`
 * running the current query (app `panel-editor`) and handing the result back as `data`, as Grafana does.
 */
export function QueryEditorView({
  ds,
  instanceSettings,
  QueryEditor,
  initialQuery,
  rawRange,
  range,
  onQueryChange,
}: QueryEditorViewProps) {
  const [query, setQuery] = useState<HarnessQuery>(initialQuery);
  // editors often call onChange then onRunQuery in one handler, before a re-render: run what onChange last gave
  const latest = useRef<HarnessQuery>(initialQuery);
  const [data, setData] = useState<PanelData | undefined>();
  const [result, setResult] = useState<{ state: string; text: string } | undefined>();

  const onChange = useCallback(
    (next: DataQuery) => {
      latest.current = next as HarnessQuery;
      setQuery(next as HarnessQuery);
      onQueryChange(next as HarnessQuery);
    },
    [onQueryChange],
  );

  const onRunQuery = useCallback(async () => {
    const request = buildQueryRequest(ds, [latest.current], { range: rawRange }, CoreApp.PanelEditor);
    setData({ state: LoadingState.Loading, series: [], timeRange: range, request });
    try {
      const [response] = await collectResponses(queryResponses(ds, request), undefined, 15_000);
      const serialised = serialiseResponse(response ?? { data: [] });
      setData({
        state: serialised.state as LoadingState,
        series: response?.data ?? [],
        errors: response?.errors,
        timeRange: range,
        request,
      });
      setResult({ state: serialised.state, text: JSON.stringify(summarise(serialised), null, 2) });
    } catch (err) {
      setResult({ state: 'Error', text: JSON.stringify({ state: 'Error', errors: [(err as Error).message] }) });
    }
  }, [ds, range, rawRange]);

  return (
    <div style={{ padding: 16 }} data-testid="harness-query-editor">
      <DataSourcePluginContextProvider instanceSettings={instanceSettings}>
        <QueryEditor
          datasource={ds}
          query={query}
          queries={[query]}
          onChange={onChange}
          onRunQuery={onRunQuery}
          range={range}
          data={data}
          app={CoreApp.PanelEditor}
        />
      </DataSourcePluginContextProvider>
      <pre data-testid="harness-query-json">{JSON.stringify(query, null, 2)}</pre>
      {result && (
        <pre data-testid="harness-query-result" data-state={result.state}>
          {result.text}
        </pre>
      )}
    </div>
  );
}
