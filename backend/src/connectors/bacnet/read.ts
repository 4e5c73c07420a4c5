/**
 * ReadPropertyMultiple batches and what their answers mean (pure): batches sized so the answer fits the device's
 * APDU (a device that cannot segment aborts an answer that would not), application values → Plenum values.
 */
import type { SampleValue } from '@plenum/model';
import type { PlannedObject } from './plan';
import { PROPERTIES } from './objects';

/** Octets an answer costs: the Complex-ACK header, each object's id and brackets, each property's result. */
export const ACK_HEADER_OCTETS = 3;
export const OBJECT_OCTETS = 7;
export const PROPERTY_OCTETS = 10;
/** a character string (object-name, description) is budgeted at this much */
export const STRING_PROPERTY_OCTETS = 48;

export interface BatchItem {
  obj: PlannedObject;
  properties: number[];
}

const cost = (p: number) =>
  p === PROPERTIES['object-name'] || p === PROPERTIES.description ? STRING_PROPERTY_OCTETS : PROPERTY_OCTETS;

/**
 * Objects in order, cut into requests of at most `maxProperties` properties whose estimated answer fits
 * `maxApdu` octets; an object is split only when it alone does not fit. `skip` leaves out properties the device
 * said it does not have.
 */
export function planBatches(
  objects: readonly PlannedObject[],
  skip: (obj: PlannedObject, property: number) => boolean,
  maxProperties: number,
  maxApdu: number,
): BatchItem[][] {
  const out: BatchItem[][] = [];
  let cur: BatchItem[] = [];
  let props = 0;
  let octets = ACK_HEADER_OCTETS;
  const flush = () => {
    if (cur.length > 0) out.push(cur);
    cur = [];
    props = 0;
    octets = ACK_HEADER_OCTETS;
  };
  for (const obj of objects) {
    const wanted = obj.properties.filter((p) => !skip(obj, p));
    const need = OBJECT_OCTETS + wanted.reduce((s, p) => s + cost(p), 0);
    if (props + wanted.length > maxProperties || octets + need > maxApdu) flush();
    if (wanted.length <= maxProperties && ACK_HEADER_OCTETS + need <= maxApdu) {
      cur.push({ obj, properties: wanted });
      props += wanted.length;
      octets += need;
      continue;
    }
    // one object larger than a request: its properties over several
    let part: number[] = [];
    let partOctets = ACK_HEADER_OCTETS + OBJECT_OCTETS;
    for (const p of wanted) {
      if (part.length > 0 && (part.length + 1 > maxProperties || partOctets + cost(p) > maxApdu)) {
        out.push([{ obj, properties: part }]);
        part = [];
        partOctets = ACK_HEADER_OCTETS + OBJECT_OCTETS;
      }
      part.push(p);
      partOctets += cost(p);
    }
    if (part.length > 0) out.push([{ obj, properties: part }]);
  }
  flush();
  return out;
}

/** One property's answer: a value, or the device's error for it. */
export type PropertyResult =
  { ok: true; value: SampleValue | null; tag: number } | { ok: false; errorClass: number; errorCode: number };

/** BACnet application tags met in values (ASHRAE 135 clause 20.2.1.4). */
export const TAG = {
  NULL: 0,
  BOOLEAN: 1,
  UNSIGNED: 2,
  SIGNED: 3,
  REAL: 4,
  DOUBLE: 5,
  CHARACTER_STRING: 7,
  BIT_STRING: 8,
  ENUMERATED: 9,
  ERROR: 105,
} as const;

/** The first application value of a property's answer as a Plenum value; bit strings stay as they are. */
export function propertyResult(
  values: ReadonlyArray<{ type: number; value: unknown }> | undefined,
): PropertyResult | { ok: true; value: unknown; tag: number } {
  const v = values?.[0];
  if (!v) return { ok: true, value: null, tag: TAG.NULL };
  if (v.type === TAG.ERROR) {
    const e = v.value as { errorClass: number; errorCode: number };
    return { ok: false, errorClass: e.errorClass, errorCode: e.errorCode };
  }
  return { ok: true, value: v.value, tag: v.type };
}

/** A state-text array's answer: its strings in state order (state k is element k−1), or the error. */
export function stateTextResult(
  values: ReadonlyArray<{ type: number; value: unknown }> | undefined,
): PropertyResult | { ok: true; value: string[]; tag: number } {
  const first = propertyResult(values);
  if (!first.ok) return first;
  const texts = (values ?? []).map((v) => (v.type === TAG.CHARACTER_STRING ? String(v.value) : undefined));
  if (texts.some((x) => x === undefined)) return { ok: true, value: null, tag: TAG.NULL };
  return { ok: true, value: texts as string[], tag: TAG.CHARACTER_STRING };
}

/**
 * A multi-state present-value (1, 2, …) as its state's text; a state beyond the texts is `unknown(<n>)`, delivered
 * uncertain (as an SNMP enum code no profile names).
 */
export function stateName(n: number, texts: readonly string[]): { name: string; known: boolean } {
  const name = Number.isInteger(n) && n >= 1 ? texts[n - 1] : undefined;
  return name !== undefined ? { name, known: true } : { name: `unknown(${n})`, known: false };
}

/** A present-value (or other scalar) as the point's value type; undefined when it is not of a usable type. */
export function asPointValue(tag: number, value: unknown, valueType: string): SampleValue | null | undefined {
  if (tag === TAG.NULL) return null;
  const numeric =
    tag === TAG.REAL || tag === TAG.DOUBLE || tag === TAG.UNSIGNED || tag === TAG.SIGNED || tag === TAG.ENUMERATED;
  if (valueType === 'string') return tag === TAG.CHARACTER_STRING && typeof value === 'string' ? value : undefined;
  if (tag === TAG.BOOLEAN && typeof value === 'boolean') return valueType === 'boolean' ? value : value ? 1 : 0;
  if (!numeric || typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (valueType === 'boolean') return value !== 0;
  // a REAL is a float32: 21.3 arrives as 21.299999237060547; its 7 significant digits are what the device holds
  return tag === TAG.REAL ? Number(value.toPrecision(7)) : value;
}
