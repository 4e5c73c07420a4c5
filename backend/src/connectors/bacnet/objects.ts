/**
 * BACnet object types and properties by the names ASHRAE 135 and Wireshark print (`analog-input`,
 * `present-value`), with the short forms site engineers write (`ai`, `av`). Pure data.
 */

/** Object types a point may read, with their number (ASHRAE 135 clause 21, BACnetObjectType). */
export const OBJECT_TYPES = {
  'analog-input': { id: 0, short: 'ai', kind: 'analog', commandable: false },
  'analog-output': { id: 1, short: 'ao', kind: 'analog', commandable: true },
  'analog-value': { id: 2, short: 'av', kind: 'analog', commandable: 'optional' },
  'binary-input': { id: 3, short: 'bi', kind: 'binary', commandable: false },
  'binary-output': { id: 4, short: 'bo', kind: 'binary', commandable: true },
  'binary-value': { id: 5, short: 'bv', kind: 'binary', commandable: 'optional' },
  device: { id: 8, short: 'dev', kind: 'device', commandable: false },
  'multi-state-input': { id: 13, short: 'msi', kind: 'multistate', commandable: false },
  'multi-state-output': { id: 14, short: 'mso', kind: 'multistate', commandable: true },
  'multi-state-value': { id: 19, short: 'msv', kind: 'multistate', commandable: 'optional' },
} as const;

export type ObjectTypeName = keyof typeof OBJECT_TYPES;
export type ObjectKind = (typeof OBJECT_TYPES)[ObjectTypeName]['kind'];

const BY_NAME = new Map<string, ObjectTypeName>();
const BY_ID = new Map<number, ObjectTypeName>();
for (const [name, t] of Object.entries(OBJECT_TYPES) as Array<
  [ObjectTypeName, (typeof OBJECT_TYPES)[ObjectTypeName]]
>) {
  BY_NAME.set(name, name);
  BY_NAME.set(t.short, name);
  BY_ID.set(t.id, name);
}

/** `analog-input`, `ai`, `AI` or `0` → `analog-input`; undefined when not one of OBJECT_TYPES. */
export function objectTypeByName(text: string): ObjectTypeName | undefined {
  const t = text.trim().toLowerCase().replaceAll('_', '-');
  if (/^\d+$/.test(t)) return BY_ID.get(Number(t));
  return BY_NAME.get(t);
}

/** The name of an object type number, or `type-<n>` for one this connector does not read. */
export function objectTypeName(id: number): string {
  return BY_ID.get(id) ?? `type-${id}`;
}

/** Properties the connector reads or writes (BACnetPropertyIdentifier). */
export const PROPERTIES = {
  'cov-increment': 22,
  description: 28,
  'event-state': 36,
  'max-apdu-length-accepted': 62,
  'number-of-states': 74,
  'object-identifier': 75,
  'object-list': 76,
  'object-name': 77,
  'object-type': 79,
  'out-of-service': 81,
  'present-value': 85,
  'priority-array': 87,
  reliability: 103,
  'relinquish-default': 104,
  'segmentation-supported': 107,
  'state-text': 110,
  'status-flags': 111,
  units: 117,
  'vendor-identifier': 120,
  'vendor-name': 121,
  'protocol-revision': 139,
} as const;

export type PropertyName = keyof typeof PROPERTIES;

const PROPERTY_BY_ID = new Map<number, PropertyName>(
  (Object.entries(PROPERTIES) as Array<[PropertyName, number]>).map(([n, id]) => [id, n]),
);

/** `present-value` or `85` → 85; undefined when unknown. */
export function propertyByName(text: string): number | undefined {
  const t = text.trim().toLowerCase().replaceAll('_', '-');
  if (/^\d+$/.test(t)) return Number(t);
  return (PROPERTIES as Record<string, number>)[t];
}

export function propertyName(id: number): string {
  return PROPERTY_BY_ID.get(id) ?? `property-${id}`;
}

/** An object on a device, `analog-input:3`. */
export interface ObjectRef {
  type: number;
  instance: number;
}

/** The largest instance number (22 bits; 4194303 is "unconfigured"). */
export const MAX_INSTANCE = 4_194_302;

export function objectText(o: ObjectRef): string {
  return `${objectTypeName(o.type)}:${o.instance}`;
}

/** BACnet error classes and the error codes met here, for messages (`property: unknown-property`). */
export const ERROR_CLASSES = [
  'device',
  'object',
  'property',
  'resources',
  'security',
  'services',
  'vt',
  'communication',
];
export const ERROR_CODES: Record<number, string> = {
  0: 'other',
  2: 'configuration-in-progress',
  19: 'no-space-to-add-list-element',
  29: 'service-request-denied',
  43: 'cov-subscription-failed',
  44: 'not-cov-property',
  83: 'communication-disabled',
  118: 'register-foreign-device-failed',
  3: 'device-busy',
  9: 'invalid-data-type',
  12: 'invalid-array-index',
  25: 'operational-problem',
  27: 'read-access-denied',
  31: 'unknown-object',
  32: 'unknown-property',
  37: 'value-out-of-range',
  40: 'write-access-denied',
  42: 'invalid-tag',
  45: 'optional-functionality-not-supported',
  47: 'datatype-not-supported',
  50: 'property-is-not-an-array',
};

export function errorText(errorClass: number, errorCode: number): string {
  return `${ERROR_CLASSES[errorClass] ?? `class-${errorClass}`}: ${ERROR_CODES[errorCode] ?? `code-${errorCode}`}`;
}

export const ABORT_REASONS = [
  'other',
  'buffer-overflow',
  'invalid-apdu-in-this-state',
  'preempted-by-higher-priority-task',
  'segmentation-not-supported',
  'security-error',
  'insufficient-security',
  'window-size-out-of-range',
  'application-exceeded-reply-time',
  'out-of-resources',
  'tsm-timeout',
  'apdu-too-long',
];
