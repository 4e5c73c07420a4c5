/**
 * The edge node's metric table: every point of its hall placed on a device (namespace.ts) with a stable alias and
 * the properties of its DBIRTH. Pure data; rebuilt when the catalog changes (then the edge is born again).
 */
import type { Point } from '@plenum/model';
import { placeOf } from './namespace';
import { DataType, type PropertySet } from './payload';

/** What the edge needs to know about a point. */
export type EdgePoint = Pick<
  Point,
  'id' | 'valueType' | 'quantity' | 'unit' | 'kind' | 'domain' | 'writable' | 'location'
> & {
  name?: string;
};

export interface EdgeMetric {
  point: EdgePoint;
  device: string;
  name: string;
  /** unique over the edge node; 1-based in point-id order, so unchanged catalogs keep their aliases across restarts */
  alias: number;
  datatype: number;
}

export interface EdgeLayout {
  /** device id → its metrics in alias order */
  devices: Map<string, EdgeMetric[]>;
  byPoint: Map<string, EdgeMetric>;
  byAlias: Map<number, EdgeMetric>;
  /** `<device>\u0000<name>` → metric */
  byName: Map<string, EdgeMetric>;
  /** identifies the table; a different signature needs new births */
  signature: string;
}

export const datatypeOf = (p: EdgePoint): number =>
  p.valueType === 'boolean' ? DataType.Boolean : p.valueType === 'string' ? DataType.String : DataType.Double;

/** The points of one hall (`location.hall`) as devices and metrics; points of other shapes are left out. */
export function buildLayout(points: readonly EdgePoint[], hall: string): EdgeLayout {
  const mine = points.filter((p) => p.location.hall === hall).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const layout: EdgeLayout = {
    devices: new Map(),
    byPoint: new Map(),
    byAlias: new Map(),
    byName: new Map(),
    signature: '',
  };
  const sig: string[] = [];
  let alias = 0;
  for (const p of mine) {
    const place = placeOf(p.id);
    if (!place) continue;
    const m: EdgeMetric = { point: p, device: place.device, name: place.name, alias: ++alias, datatype: datatypeOf(p) };
    const list = layout.devices.get(m.device) ?? [];
    if (list.length === 0) layout.devices.set(m.device, list);
    list.push(m);
    layout.byPoint.set(p.id, m);
    layout.byAlias.set(m.alias, m);
    layout.byName.set(`${m.device}\u0000${m.name}`, m);
    sig.push(`${p.id}|${m.datatype}|${p.unit}|${p.quantity}|${p.writable}`);
  }
  layout.signature = sig.join('\n');
  return layout;
}

/** The DBIRTH properties of a metric: unit (Ignition's `engUnit`), quantity, domain, kind, writability. */
export function birthProperties(p: EdgePoint): PropertySet {
  return {
    engUnit: { type: DataType.String, value: p.unit },
    quantity: { type: DataType.String, value: p.quantity },
    domain: { type: DataType.String, value: p.domain },
    kind: { type: DataType.String, value: p.kind },
    readOnly: { type: DataType.Boolean, value: !p.writable },
    ...(p.name !== undefined && p.name !== p.id && { description: { type: DataType.String, value: p.name } }),
  };
}
