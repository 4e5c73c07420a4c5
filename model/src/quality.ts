/**
 * Sample quality, the OPC UA model reduced to three levels. The source's own status (OPC UA StatusCode,
 * Modbus exception code, HTTP status) is kept beside it as `rawStatus` so nothing is lost in the mapping.
 */
export type Quality = 'good' | 'uncertain' | 'bad';

export const QUALITIES: readonly Quality[] = ['good', 'uncertain', 'bad'];

/** Compact code used in storage and on the wire: 0 good, 1 uncertain, 2 bad. */
export const QUALITY_CODE: Readonly<Record<Quality, number>> = { good: 0, uncertain: 1, bad: 2 };

export function qualityFromCode(code: number): Quality {
  const q = QUALITIES[code];
  if (q === undefined) throw new RangeError(`unknown quality code ${code} (expected 0 good, 1 uncertain, 2 bad)`);
  return q;
}

/** OPC UA StatusCode severity: the top two bits (00 good, 01 uncertain, 10/11 bad). */
export function qualityFromOpcUaStatus(statusCode: number): Quality {
  const severity = (statusCode >>> 30) & 0b11;
  return severity === 0 ? 'good' : severity === 1 ? 'uncertain' : 'bad';
}
