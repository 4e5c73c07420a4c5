/**
 * Plenum's topology ↔ the Sparkplug namespace (topics `spBv1.0/<group>/<type>/<edge node>[/<device>]`).
 *
 * Edge: group = site, edge node = hall, device = `<row>:<rack>` for a rack's points or `<asset>` for a hall-level
 * asset's, metric name = the point id below the device (`<asset>/<signal>` in a rack, `<signal>` on a hall-level
 * asset). Slugs never hold ":", so the two device forms cannot collide.
 *
 * Host: an edge whose NBIRTH carries `Plenum/Namespace` = NAMESPACE_VERSION is read back exactly (its `Plenum/Site`
 * and `Plenum/Hall` give the site and hall, so renamed group or edge ids still map to the edge's own point ids).
 * Any other edge (Tahu, Ignition, HighByte, …) maps to `<group>/<edge node>/-/-/<device | _node>/<metric>` with
 * every character a slug may not hold replaced: "/" by ".", the rest by "_" (so `Inputs/temp` becomes signal
 * `Inputs.temp`). Two metric names that map to one id: the second is refused (counted and logged).
 */
export const NAMESPACE_VERSION = 'plenum/1';

export const SPB = 'spBv1.0';

export type MessageType = 'NBIRTH' | 'NDEATH' | 'DBIRTH' | 'DDEATH' | 'NDATA' | 'DDATA' | 'NCMD' | 'DCMD' | 'STATE';

export interface SparkplugTopic {
  type: MessageType;
  group: string;
  edge: string;
  device?: string;
}

const TYPES = new Set(['NBIRTH', 'NDEATH', 'DBIRTH', 'DDEATH', 'NDATA', 'DDATA', 'NCMD', 'DCMD']);

export function topicOf(t: Omit<SparkplugTopic, 'type'> & { type: Exclude<MessageType, 'STATE'> }): string {
  return `${SPB}/${t.group}/${t.type}/${t.edge}${t.device !== undefined ? `/${t.device}` : ''}`;
}

export const stateTopic = (hostId: string) => `${SPB}/STATE/${hostId}`;

/** A Sparkplug B topic, or undefined for anything else (another namespace, a malformed one). */
export function parseTopic(topic: string): SparkplugTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== SPB) return undefined;
  if (parts[1] === 'STATE' && parts.length === 3) return { type: 'STATE', group: '', edge: parts[2]! };
  if (parts.length < 4 || parts.length > 5 || !TYPES.has(parts[2]!)) return undefined;
  const type = parts[2] as MessageType;
  const device = parts[4];
  if (type.startsWith('D') !== (device !== undefined)) return undefined;
  return { type, group: parts[1]!, edge: parts[3]!, ...(device !== undefined && { device }) };
}

/** Where a Plenum point goes on its edge node. */
export interface MetricPlace {
  device: string;
  name: string;
}

/** `<site>/<hall>/<row>/<rack>/<asset>/<signal>` → device and metric name; undefined for an id of another shape. */
export function placeOf(pointId: string): MetricPlace | undefined {
  const s = pointId.split('/');
  if (s.length !== 6) return undefined;
  const [, , row, rack, asset, signal] = s as [string, string, string, string, string, string];
  if (row === '-' && rack === '-') return { device: asset, name: signal };
  return { device: `${row}:${rack}`, name: `${asset}/${signal}` };
}

/** The point id of a metric of a Plenum edge (the inverse of placeOf). */
export function plenumPointId(site: string, hall: string, device: string, name: string): string | undefined {
  const colon = device.indexOf(':');
  if (colon < 0) return name.includes('/') ? undefined : `${site}/${hall}/-/-/${device}/${name}`;
  const slash = name.indexOf('/');
  if (slash < 0 || name.indexOf('/', slash + 1) >= 0) return undefined;
  return `${site}/${hall}/${device.slice(0, colon)}/${device.slice(colon + 1)}/${name}`;
}

/** A Sparkplug id or metric name as a slug (letters, digits, `_ . -`, not starting with `.` or `-`). */
export function slugOf(s: string): string {
  const out = s.replace(/\//g, '.').replace(/[^A-Za-z0-9_.-]/g, '_');
  return out === '' || /^[.-]/.test(out) ? `_${out}` : out;
}

/** The point id of a metric of a foreign edge; `device` undefined for a node metric (NBIRTH / NDATA). */
export function foreignPointId(group: string, edge: string, device: string | undefined, name: string): string {
  return `${slugOf(group)}/${slugOf(edge)}/-/-/${device === undefined ? '_node' : slugOf(device)}/${slugOf(name)}`;
}
