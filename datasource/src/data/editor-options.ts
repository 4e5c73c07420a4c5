import {
  AGGREGATES,
  CANONICAL_UNITS,
  DOMAINS,
  EVENT_TYPES,
  GROUP_BYS,
  POINT_KINDS,
  QUANTITIES,
  RACK_MEASURES,
  RESOLUTIONS,
  SEVERITIES,
  type Aggregate,
  type RackMeasure,
  type Domain,
  type GroupBy,
  type PointKind,
  type Resolution,
} from '@plenum/model';
import { PREDICTIONS_OUTPUTS, type PredictionsOutput } from '../types';

/** One choice in an editor list; the shape Grafana's Combobox and MultiCombobox take. */
export interface EditorOption {
  value: string;
  label?: string;
  description?: string;
  /** options with the same group are listed together under this heading */
  group?: string;
}

function describe<T extends string>(values: readonly T[], descriptions: Record<T, string>): EditorOption[] {
  return values.map((value) => ({ value, label: value, description: descriptions[value] }));
}

export const MEASURE_OPTIONS = describe<RackMeasure>(RACK_MEASURES, {
  value: 'the points’ latest values combined per rack',
  headroom: 'rated kW minus the rack’s power (select power points)',
});

export const AGGREGATE_OPTIONS = describe<Aggregate>(AGGREGATES, {
  avg: 'mean of the samples',
  min: 'lowest sample',
  max: 'highest sample (hot spots)',
  sum: 'total, e.g. the power of a row',
  last: 'newest sample',
  p95: '95th percentile',
});

export const GROUP_BY_OPTIONS = describe<GroupBy>(GROUP_BYS, {
  point: 'one series per point',
  asset: 'one series per asset (server, PDU, CRAH, …)',
  rack: 'one series per rack',
  row: 'one series per row',
  hall: 'one series per hall',
});

export const RESOLUTION_OPTIONS = describe<Resolution>(RESOLUTIONS, {
  auto: 'the coarsest stored resolution that still fills the panel',
  raw: 'every stored sample (short ranges only)',
  '1m': 'one-minute rollups',
  '1h': 'hourly rollups',
});

export const QUANTITY_OPTIONS: EditorOption[] = QUANTITIES.map((q) => {
  const { description, symbol } = CANONICAL_UNITS[q];
  return { value: q, label: q, description: symbol ? `${description}, ${symbol}` : description };
});

export const DOMAIN_OPTIONS = describe<Domain>(DOMAINS, {
  IT: 'servers, GPUs, switches, PDUs',
  OT: 'cooling and power plant: CRAHs, CDUs, chillers, meters',
});

export const KIND_OPTIONS = describe<PointKind>(POINT_KINDS, {
  measurement: 'read from the process',
  setpoint: 'a target the process follows',
  status: 'a discrete state',
  command: 'something Plenum may write',
});

export const EVENT_TYPE_OPTIONS: EditorOption[] = EVENT_TYPES.map((value) => ({ value, label: value }));

export const SEVERITY_OPTIONS: EditorOption[] = SEVERITIES.map((value) => ({ value, label: value }));

/** Keys an alias template may use, as the backend fills them in. */
export const ALIAS_KEYS = ['id', 'name', 'site', 'hall', 'row', 'rack', 'asset', 'quantity', 'unit', 'signal'] as const;

export const PREDICTIONS_OUTPUT_OPTIONS = describe<PredictionsOutput>(PREDICTIONS_OUTPUTS, {
  scores: 'one row per asset: its largest anomaly score (1 = alarm threshold), detector, detectors learning',
  detectors: 'every detector: asset, state (learning, normal, alarm, degraded), what it still needs, score',
});
