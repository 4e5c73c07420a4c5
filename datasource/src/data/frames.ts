import {
  dataFrameFromJSON,
  LoadingState,
  type DataFrame,
  type DataFrameJSON as GrafanaFrameJSON,
  type DataQueryError,
  type DataQueryResponse,
} from '@grafana/data';
import type { DataFrameJSON, QueryResponse } from '@plenum/model';

/** How Grafana should show a frame of each query type when the user has not chosen a panel. */
const PREFERRED: Record<string, 'table' | undefined> = { events: 'table', catalog: 'table', rackLayout: 'table' };

/** `index`: the frame's place in its query's answer (a forecast's point rank, which picks its colour) */
export function toDataFrame(json: DataFrameJSON, queryType?: string, index = 0): DataFrame {
  const frame = dataFrameFromJSON(json as GrafanaFrameJSON);
  const preferred = queryType ? PREFERRED[queryType] : undefined;
  if (preferred) {
    frame.meta = { ...frame.meta, preferredVisualisationType: preferred };
  }
  if (queryType === 'forecast') {
    drawBand(frame, BAND_COLOURS[index % BAND_COLOURS.length]!);
  }
  return frame;
}

/** Grafana's classic palette by name: one colour per forecast point for its history, forecast and band alike. */
const BAND_COLOURS = ['green', 'yellow', 'blue', 'orange', 'red', 'purple', 'light-green', 'light-blue'];

/**
 * A forecast frame's 90 % band as a shaded area: `upper` fills down to `lower` (Grafana's `custom.fillBelowTo`),
 * neither drawn as a line nor listed in the legend, and the forecast dashed. Grafana finds the fill's target by
 * display name in the panel's joined frame, where every point's band field is called `lower`: so the target is
 * this point's own `displayNameFromDS` (set by the backend, unique per point), never the bare name, or every band
 * would fill to the first point's. History, forecast and band share one colour, so five points read as five
 * colours, not twenty. The panel's overrides still win over all this (Grafana: overrides > data source > defaults).
 */
function drawBand(frame: DataFrame, colour: string) {
  for (const f of frame.fields) {
    if (f.type === 'number' && !f.config.color) {
      f.config = { ...f.config, color: { mode: 'fixed', fixedColor: colour } };
    }
  }
  const field = (name: string) => frame.fields.find((f) => f.name === name);
  const lower = field('lower');
  const upper = field('upper');
  const target = lower?.config.displayNameFromDS;
  if (!lower || !upper || !target) {
    return;
  }
  const band = { lineWidth: 0, hideFrom: { legend: true, tooltip: false, viz: false } };
  lower.config = { ...lower.config, custom: { ...band, fillOpacity: 0, ...lower.config.custom } };
  upper.config = {
    ...upper.config,
    custom: { ...band, fillOpacity: 20, fillBelowTo: target, ...upper.config.custom },
  };
  const forecast = field('forecast');
  if (forecast) {
    forecast.config = {
      ...forecast.config,
      custom: { lineStyle: { fill: 'dash', dash: [10, 10] }, ...forecast.config.custom },
    };
  }
}

/**
 * The backend's per-refId results as Grafana's response: frames in request order, and one error per failed
 * refId (Grafana shows it on the panel that owns the refId, so a bad query never leaves a blank panel).
 */
export function toDataQueryResponse(
  res: QueryResponse,
  queries: ReadonlyArray<{ refId: string; queryType?: string }>,
  extraErrors: DataQueryError[] = [],
  state?: LoadingState
): DataQueryResponse {
  const data: DataFrame[] = [];
  const errors: DataQueryError[] = [...extraErrors];
  for (const q of queries) {
    const r = res.results[q.refId];
    if (!r) {
      continue;
    }
    if (r.error) {
      errors.push({ refId: q.refId, message: r.error, status: r.status });
    }
    r.frames.forEach((f, i) => data.push(toDataFrame(f, q.queryType, i)));
  }
  return {
    data,
    ...(errors.length && { errors }),
    state: state ?? (errors.length ? LoadingState.Error : LoadingState.Done),
  };
}

/** The same error on every refId, for failures of the whole request (unreachable backend, bad token). */
export function errorResponse(queries: ReadonlyArray<{ refId: string }>, message: string): DataQueryResponse {
  const errors = queries.map((q) => ({ refId: q.refId, message }));
  return { data: [], errors, state: LoadingState.Error };
}
