/**
 * Quality on the wire. Sparkplug B 3.0 has no quality field; the convention of Ignition and Cirrus Link's modules
 * is a metric property `Quality` (Int32) with the OPC DA codes: 192 good, 64 uncertain, 0 bad. Plenum's edge sends
 * it in every DBIRTH metric and in a DDATA metric only when the sample is not good (absent means good, so a healthy
 * DDATA carries no property set). A bad sample also goes with is_null (its value is a placeholder: connectors
 * mark a bad point with 0, false or ""); the host reads is_null as bad whatever the property says.
 */
import type { Quality } from '@plenum/model';
import { DataType, type Metric, type PropertyValue } from './payload';

export const QUALITY_CODES: Readonly<Record<Quality, number>> = { good: 192, uncertain: 64, bad: 0 };

export const qualityProperty = (q: Quality): PropertyValue => ({ type: DataType.Int32, value: QUALITY_CODES[q] });

/** OPC DA quality bits 7–6: 11 good, 01 uncertain, 00 bad (the substatus bits below them are ignored). */
export function qualityOfCode(code: number): Quality {
  const major = code & 0xc0;
  return major === 0xc0 ? 'good' : major === 0x40 ? 'uncertain' : 'bad';
}

/** The quality of a received metric: is_null → bad, else its Quality property, else good. */
export function qualityOf(m: Metric): Quality {
  if (m.isNull) return 'bad';
  const q = m.properties?.Quality?.value;
  return typeof q === 'number' ? qualityOfCode(q) : 'good';
}
