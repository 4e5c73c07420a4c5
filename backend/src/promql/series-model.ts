import type { Point, Quantity } from '@plenum/model';
import type { Labels } from './labels';

/**
 * How Plenum points appear as Prometheus series (README.md, "Series model"): one series per numeric or boolean
 * point, named `plenum_<quantity>_<unit>` after its canonical unit, labelled from the topology and the point.
 * Each point also has a `plenum_quality` series (0 good, 1 uncertain, 2 bad) with the same labels plus
 * `metric` (the value series' name), so that dead sensors can be alerted on explicitly.
 */

/** The unit word of each quantity's canonical unit, as Prometheus naming wants it (base-unit words, plural). */
export const UNIT_SUFFIX: Readonly<Record<Quantity, string>> = {
  temperature: 'celsius',
  power: 'kilowatts',
  apparentPower: 'kilovolt_amperes',
  energy: 'kilowatt_hours',
  flow: 'litres_per_minute',
  airflow: 'cubic_metres_per_hour',
  humidity: 'percent_rh',
  pressure: 'kilopascals',
  differentialPressure: 'pascals',
  speed: 'percent',
  rotation: 'rpm',
  position: 'percent',
  utilization: 'percent',
  voltage: 'volts',
  current: 'amperes',
  frequency: 'hertz',
  powerFactor: 'ratio',
  duration: 'seconds',
  state: '',
  count: '',
};

/** Quantities that only ever grow (reset aside): Prometheus type counter in /metadata; the rest are gauges. */
export const COUNTER_QUANTITIES: ReadonlySet<Quantity> = new Set<Quantity>(['energy']);

export const QUALITY_METRIC = 'plenum_quality';

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function metricName(quantity: Quantity): string {
  const unit = UNIT_SUFFIX[quantity];
  return `plenum_${snake(quantity)}${unit ? `_${unit}` : ''}`;
}

/** The labels of a point's value series. Unset topology levels (`-` in the id) have no label. */
export function pointLabels(p: Point): Labels {
  const l = new Map<string, string>();
  l.set('__name__', metricName(p.quantity));
  const loc = p.location;
  const set = (k: string, v: string | undefined) => v !== undefined && v !== '' && v !== '-' && l.set(k, v);
  set('site', loc.site);
  set('hall', loc.hall);
  set('row', loc.row);
  set('rack', loc.rack);
  set('asset', loc.asset);
  set('signal', p.id.split('/').pop());
  set('quantity', p.quantity);
  set('unit', UNIT_SUFFIX[p.quantity] || undefined);
  set('domain', p.domain);
  set('kind', p.kind);
  // comma-fenced so that `tags=~".*,inlet,.*"` selects one tag exactly
  if (p.tags.length) l.set('tags', `,${[...p.tags].sort().join(',')},`);
  l.set('point', p.id);
  return l;
}

export function qualityLabels(p: Point, value: Labels): Labels {
  const l = new Map(value);
  l.set('__name__', QUALITY_METRIC);
  l.set('metric', value.get('__name__')!);
  return l;
}

/** Points that become series: numbers and booleans (0/1); string points have no Prometheus form. */
export function isSeriesPoint(p: Point): boolean {
  return p.valueType === 'number' || p.valueType === 'boolean';
}
