import {
  DataSourcePluginContextProvider,
  type DataSourceApi,
  type DataSourceInstanceSettings,
  type DataSourcePluginOptionsEditorProps,
  type DataSourceSettings,
} from '@grafana/data';
import { HealthCheckError, isFetchError, type BackendSrv } from '@grafana/runtime';
import { Alert, Button, Stack } from '@grafana/ui';
import { useCallback, useState, type ComponentType } from 'react';
import type { HarnessDataSourceSrv } from '../datasource-srv';

export interface DatasourceConfigViewProps {
  uid: string;
  /** the settings as `GET /api/datasources/uid/<uid>` answered */
  initial: DataSourceSettings;
  ConfigEditor: ComponentType<DataSourcePluginOptionsEditorProps>;
  backendSrv: BackendSrv;
  datasourceSrv: HarnessDataSourceSrv;
}

interface TestResult {
  status: string;
  message: string;
}

/**
 * The data source settings page: the plugin's ConfigEditor with its options kept in state, and "Save & test" as
 * Grafana does it — PUT the settings (with the secrets the user typed), read them back (secrets now only as
 * `secureJsonFields`), reload the data source service, create the instance anew and call `testDatasource()`.
 */
export function DatasourceConfigView({
  uid,
  initial,
  ConfigEditor,
  backendSrv,
  datasourceSrv,
}: DatasourceConfigViewProps) {
  const [options, setOptions] = useState<DataSourceSettings>(initial);
  const [result, setResult] = useState<TestResult | undefined>();
  const [testing, setTesting] = useState(false);

  const saveAndTest = useCallback(async () => {
    setTesting(true);
    setResult(undefined);
    try {
      await backendSrv.put(`/api/datasources/uid/${uid}`, options, { showSuccessAlert: false });
      setOptions(await backendSrv.get<DataSourceSettings>(`/api/datasources/uid/${uid}`));
      await datasourceSrv.reload();
      const ds: DataSourceApi = await datasourceSrv.get(uid);
      const health = await ds.testDatasource();
      setResult({ status: health.status ?? 'error', message: health.message ?? '' });
    } catch (err) {
      setResult({ status: 'error', message: healthCheckErrorMessage(err) });
    } finally {
      setTesting(false);
    }
  }, [backendSrv, datasourceSrv, options, uid]);

  const instanceSettings = datasourceSrv.getInstanceSettings(uid) as DataSourceInstanceSettings;
  return (
    <div style={{ padding: 16, maxWidth: 900 }} data-testid="harness-datasource-config">
      <DataSourcePluginContextProvider instanceSettings={instanceSettings}>
        <ConfigEditor options={options} onOptionsChange={setOptions} />
      </DataSourcePluginContextProvider>
      {result && (
        <div data-testid="harness-test-result" data-status={result.status} style={{ marginTop: 16 }}>
          <Alert severity={asSeverity(result.status)} title={result.message} />
        </div>
      )}
      <Stack direction="row" gap={2}>
        <Button data-testid="harness-save-test" type="button" disabled={testing} onClick={saveAndTest}>
          {testing ? 'Testing...' : 'Save & test'}
        </Button>
      </Stack>
    </div>
  );
}

function asSeverity(status: string): 'success' | 'error' | 'warning' | 'info' {
  return status === 'success' || status === 'warning' || status === 'info' ? status : 'error';
}

/** Grafana's `parseHealthCheckError`: a HealthCheckError's message, a FetchError's `data.message`, an Error's. */
function healthCheckErrorMessage(err: unknown): string {
  const wrapped = (err as { error?: unknown } | null)?.error;
  if (wrapped instanceof HealthCheckError) return wrapped.message;
  if (isFetchError(err)) {
    return (err.data as { message?: string } | undefined)?.message ?? `HTTP error ${err.statusText ?? err.status}`;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}
