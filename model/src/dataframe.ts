/**
 * The wire form of a Grafana data frame, as `@grafana/data`'s `dataFrameFromJSON` reads it. Kept here so the
 * backend answers in Grafana's shape without depending on Grafana's packages.
 */

export type FieldType = 'time' | 'number' | 'string' | 'boolean' | 'other';

export interface FieldConfigJSON {
  unit?: string;
  displayName?: string;
  displayNameFromDS?: string;
  decimals?: number;
  min?: number;
  max?: number;
  description?: string;
  /** bucket width in ms, on time fields of downsampled series */
  interval?: number;
  /** Plenum extras readers may use; Grafana ignores what it does not know */
  custom?: Record<string, unknown>;
}

export interface FieldSchema {
  name: string;
  type: FieldType;
  labels?: Record<string, string>;
  config?: FieldConfigJSON;
}

export interface QueryResultMetaNotice {
  severity: 'info' | 'warning' | 'error';
  text: string;
}

export interface FrameMeta {
  /** Grafana frame type hint, e.g. `timeseries-multi`, `table` */
  type?: string;
  typeVersion?: [number, number];
  executedQueryString?: string;
  notices?: QueryResultMetaNotice[];
  /** how Grafana shows the frame when the panel does not say: `table`, `graph`, … */
  preferredVisualisationType?: string;
  /** Plenum: which store resolution answered (`raw`, `1m`, `1h`) and the bucket width in ms */
  custom?: Record<string, unknown>;
}

export interface DataFrameJSON {
  schema: {
    name?: string;
    refId?: string;
    meta?: FrameMeta;
    fields: FieldSchema[];
  };
  data: {
    /** column-major: values[i] belongs to fields[i] */
    values: unknown[][];
  };
}
