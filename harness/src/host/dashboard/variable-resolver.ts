import {
  CoreApp,
  FieldType,
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceApi,
  type MetricFindValue,
  type TimeRange,
} from '@grafana/data';
import { firstValueFrom, isObservable, from, type Observable } from 'rxjs';
import type { HarnessDataSourceSrv } from '../datasource-srv';
import type { HarnessTemplateSrv } from '../template-srv';
import { calculateInterval } from './interval';
import type { VariableJson } from './model';
import {
  applyRegex,
  customOptions,
  freeTextVariable,
  intervalOptions,
  resolutionOrder,
  selectOptions,
  sortOptions,
  type ResolvedVariable,
  type VariableOption,
} from './variables';

export interface VariableContext {
  datasourceSrv: HarnessDataSourceSrv;
  templateSrv: HarnessTemplateSrv;
  range: TimeRange;
}

/**
 * Resolves `variables` in dependency order, each one's options interpolated with the ones before it (they are set
 * on the template service as they resolve); `resolved` holds variables kept as they are (not re-queried).
 * `requested` values (URL or API) win over the saved `current`. A variable whose query fails
 * keeps no options and reports the error, as Grafana shows it on the variable.
 */
export async function resolveVariables(
  variables: VariableJson[],
  ctx: VariableContext,
  requested: Record<string, string | string[] | undefined>,
  resolved: ResolvedVariable[] = [],
  onError: (name: string, err: unknown) => void = () => {},
): Promise<ResolvedVariable[]> {
  const result = new Map(resolved.map((v) => [v.name, v]));
  const publish = () =>
    ctx.templateSrv.setVariables(
      variables.map((v) => result.get(v.name)).filter((v): v is ResolvedVariable => v !== undefined),
    );
  publish();
  for (const variable of resolutionOrder(variables)) {
    if (result.has(variable.name)) continue;
    let options: VariableOption[] = [];
    try {
      options = await variableOptions(variable, ctx);
    } catch (err) {
      onError(variable.name, err);
    }
    const wanted = requested[variable.name];
    result.set(
      variable.name,
      variable.type === 'textbox' || variable.type === 'constant'
        ? freeTextVariable(variable, wanted)
        : selectOptions(variable, options, wanted),
    );
    publish();
  }
  return variables.map((v) => result.get(v.name)!);
}

async function variableOptions(variable: VariableJson, ctx: VariableContext): Promise<VariableOption[]> {
  switch (variable.type) {
    case 'custom':
      return customOptions(ctx.templateSrv.replace(String(variable.query ?? '')));
    case 'interval': {
      const rangeMs = ctx.range.to.valueOf() - ctx.range.from.valueOf();
      const auto = calculateInterval(rangeMs, variable.auto_count ?? 30, variable.auto_min ?? '10s').interval;
      return intervalOptions(variable, auto);
    }
    case 'datasource': {
      const type = String(variable.query ?? '');
      const found = ctx.datasourceSrv
        .getList({ metrics: true })
        .filter((ds) => ds.meta.id === type || ds.type === type)
        .map((ds) => ({ text: ds.name, value: ds.uid }));
      return applyRegex(found, variable.regex && ctx.templateSrv.replace(variable.regex));
    }
    case 'query': {
      const ds = await ctx.datasourceSrv.get(variable.datasource as never);
      const values = await queryVariableValues(ds, variable, ctx.range);
      const options = values.map((v) => ({ text: String(v.text), value: String(v.value ?? v.text) }));
      return sortOptions(applyRegex(options, variable.regex && ctx.templateSrv.replace(variable.regex)), variable.sort);
    }
    default:
      // textbox and constant need no options; unknown types (adhoc, groupby, switch) are not modelled
      return [];
  }
}

/**
 * A query variable's values the way Grafana asks the data source: its `variables` support first — custom
 * (`query()` with the saved query as the one target), standard (`toDataQuery` then `ds.query`) or datasource
 * (`ds.query`) — else the legacy `metricFindQuery`.
 */
async function queryVariableValues(ds: DataSourceApi, variable: VariableJson, range: TimeRange) {
  const support = ds.variables as Record<string, unknown> | undefined;
  const request = (target: unknown): DataQueryRequest =>
    ({
      app: CoreApp.Dashboard,
      requestId: `variable-${variable.name}`,
      timezone: 'browser',
      range,
      rangeRaw: range.raw,
      interval: '',
      intervalMs: 0,
      scopedVars: {},
      targets: [{ refId: `variable-query`, ...(typeof target === 'object' ? target : { query: target }) }],
      startTime: Date.now(),
    }) as DataQueryRequest;
  if (support && typeof support.query === 'function' && 'editor' in support) {
    const answer = (support.query as (r: DataQueryRequest) => Observable<DataQueryResponse>)(request(variable.query));
    return toValues(await firstResponse(answer));
  }
  if (support && typeof support.toDataQuery === 'function') {
    const query = (support.toDataQuery as (q: unknown) => unknown)(variable.query);
    return toValues(await firstResponse(ds.query(request(query))));
  }
  if (ds.metricFindQuery) {
    return (await ds.metricFindQuery(variable.query, { range, variable: { name: variable.name } } as never)) ?? [];
  }
  return toValues(await firstResponse(ds.query(request(variable.query))));
}

async function firstResponse(
  answer: Observable<DataQueryResponse> | Promise<DataQueryResponse>,
): Promise<DataQueryResponse> {
  const response = await firstValueFrom(isObservable(answer) ? answer : from(answer));
  const error = response.errors?.[0] ?? response.error;
  if (error) throw new Error(error.message ?? 'variable query failed');
  return response;
}

/** `MetricFindValue`s as they are, or from frames: `text` / `value` fields, else the first string field. */
function toValues(response: DataQueryResponse): MetricFindValue[] {
  const data = (response.data ?? []) as (MetricFindValue | DataFrame)[];
  return data.flatMap((item) => {
    if (!('fields' in item)) return [item];
    const frame = item;
    const named = (n: string) => frame.fields.find((f) => f.name.toLowerCase() === n);
    const text = named('text') ?? named('__text') ?? frame.fields.find((f) => f.type === FieldType.string);
    const value = named('value') ?? named('__value') ?? text;
    if (!text) return [];
    return text.values.map((t, i) => ({ text: String(t), value: String(value?.values[i] ?? t) }));
  });
}
