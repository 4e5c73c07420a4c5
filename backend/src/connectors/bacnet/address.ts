/**
 * Point address of a bacnet source (pure): `;`-separated parts, any order, spaces allowed:
 *
 * - `device=<name>`: one of the source's devices; may be left out when it has one;
 * - `object=<type>:<instance>`: `analog-input:3`, `av:12`, `binary-value:1` (types in objects.ts);
 * - `property=<name>`: @default present-value — any other property is read once per poll the same way;
 * - `priority=<1–16>`: the priority-array slot writes go to, @default the source's `writePriority`.
 */
import { MAX_INSTANCE, OBJECT_TYPES, objectTypeByName, propertyByName, type ObjectTypeName } from './objects';

export interface BacnetAddress {
  device?: string;
  objectType: ObjectTypeName;
  instance: number;
  property: number;
  priority?: number;
}

const KEYS = ['device', 'object', 'property', 'priority'] as const;

/** Parses an address; throws an Error whose message says what is wrong and what is expected. */
export function parseAddress(text: string): BacnetAddress {
  const parts = new Map<string, string>();
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? '' : part.slice(0, eq).trim().toLowerCase();
    if (!(KEYS as readonly string[]).includes(key))
      throw new Error(`unknown part "${part}"; expected ${KEYS.map((k) => `${k}=…`).join(', ')}`);
    if (parts.has(key)) throw new Error(`"${key}=" is given twice`);
    parts.set(key, part.slice(eq + 1).trim());
  }
  const object = parts.get('object');
  if (object === undefined) throw new Error('expected object=<type>:<instance> (object=analog-input:3)');
  const m = /^([A-Za-z_-]+|\d+)\s*[:,]\s*(\d+)$/.exec(object);
  if (!m) throw new Error(`bad object "${object}"; expected <type>:<instance> (analog-input:3, av:12)`);
  const objectType = objectTypeByName(m[1]!);
  if (!objectType)
    throw new Error(
      `unknown object type "${m[1]}"; expected one of ${Object.keys(OBJECT_TYPES).join(', ')} (or ${Object.values(
        OBJECT_TYPES,
      )
        .map((t) => t.short)
        .join(', ')})`,
    );
  if (objectType === 'device')
    throw new Error('object=device:… has no present-value; expected an input, output or value object');
  const instance = Number(m[2]);
  if (instance > MAX_INSTANCE) throw new Error(`instance ${instance} is too large; expected 0–${MAX_INSTANCE}`);
  const propText = parts.get('property') ?? 'present-value';
  const property = propertyByName(propText);
  if (property === undefined)
    throw new Error(
      `unknown property "${propText}"; expected a name (present-value, relinquish-default, …) or a number`,
    );
  const out: BacnetAddress = { objectType, instance, property };
  const device = parts.get('device');
  if (device !== undefined) {
    if (device === '') throw new Error('device= is empty; expected a device name');
    out.device = device;
  }
  const pri = parts.get('priority');
  if (pri !== undefined) {
    if (!/^\d+$/.test(pri) || Number(pri) < 1 || Number(pri) > 16)
      throw new Error(`bad priority "${pri}"; expected a whole number 1–16`);
    out.priority = Number(pri);
  }
  return out;
}
