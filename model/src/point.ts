import type { ValueType } from './sample';
import type { Location } from './topology';
import type { Quantity } from './units';

export type Domain = 'IT' | 'OT';

export const DOMAINS: readonly Domain[] = ['IT', 'OT'];

/** measurement: read from the process; setpoint: a target the process follows; status: a discrete state;
 * command: something Plenum may write (start/stop, reset). */
export type PointKind = 'measurement' | 'setpoint' | 'status' | 'command';

export const POINT_KINDS: readonly PointKind[] = ['measurement', 'setpoint', 'status', 'command'];

/** Where a point's values come from: the connector (source name in the site config) and its protocol address,
 * e.g. `nsu=urn:plenum:sim;s=CRAH1.SupplyTemp` or `unit=3;hr=100;float32;CDAB`. */
export interface PointSource {
  connector: string;
  /** the source's name in the site config */
  source: string;
  address: string;
  /** where writes go when it differs from `address` (a setpoint read from one register, written to another) */
  writeAddress?: string;
}

export interface Point {
  /** stable id `<site>/<hall>/<row>/<rack>/<asset>/<signal>`; hall-level assets use `-` for row and rack */
  id: string;
  name?: string;
  domain: Domain;
  quantity: Quantity;
  /** canonical unit symbol of the quantity (°C, kW, …) */
  unit: string;
  /** Grafana unit id for the canonical unit (celsius, kwatt, …) */
  grafanaUnit: string;
  valueType: ValueType;
  kind: PointKind;
  writable: boolean;
  location: Location;
  /** Haystack-style marker tags: `temp`, `air`, `inlet`, `supply`, `gpu`, … */
  tags: string[];
  source: PointSource;
  /** engineering limits in canonical units, when known */
  min?: number;
  max?: number;
}

/** Builds the stable point id; `-` stands for an unset level so ids always have six segments. */
export function pointId(loc: Location, signal: string): string {
  return [loc.site, loc.hall ?? '-', loc.row ?? '-', loc.rack ?? '-', loc.asset ?? '-', signal].join('/');
}
