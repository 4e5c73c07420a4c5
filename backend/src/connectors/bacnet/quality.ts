/**
 * BACnet's own view of a value → Plenum's quality, and the `rawStatus` kept beside it. Pure.
 *
 * | what the device says | quality |
 * | --- | --- |
 * | `reliability` other than no-fault-detected (0), or the `fault` status flag | bad |
 * | `out-of-service` status flag (the value is not the process's: set by hand or a test) | uncertain |
 * | `in-alarm`, `overridden` (a local hand switch: the value is still the process's) | good |
 *
 * rawStatus (see README "Errors and quality"): bits 0–3 the status flags as read (in-alarm 1, fault 2,
 * overridden 4, out-of-service 8), bits 8–15 the reliability; 0 when good and unflagged. Errors get their own
 * ranges above 0xFFFF so they never look like flags.
 */
import type { Quality } from '@plenum/model';

export const STATUS_FLAG_BITS = { inAlarm: 1, fault: 2, overridden: 4, outOfService: 8 } as const;

/** rawStatus of an error the device answered for a property or a request: 0x01CCEEEE (class, code). */
export const errorStatus = (errorClass: number, errorCode: number) =>
  0x0100_0000 + ((errorClass & 0xff) << 16) + (errorCode & 0xffff);
/** no answer within timeoutMs after every retry */
export const TIMEOUT_STATUS = 0x0200_0000;
/** the device aborted the request (reason in the low byte) */
export const abortStatus = (reason: number) => 0x0300_0000 + (reason & 0xff);
/** the device rejected the request (reason in the low byte) */
export const rejectStatus = (reason: number) => 0x0400_0000 + (reason & 0xff);
/** an answer that could not be used: malformed, a value of the wrong type, units of another quantity */
export const MALFORMED_STATUS = 0x0500_0000;

/** Reliability names (BACnetReliability) for messages. */
export const RELIABILITY_NAMES: Record<number, string> = {
  0: 'no-fault-detected',
  1: 'no-sensor',
  2: 'over-range',
  3: 'under-range',
  4: 'open-loop',
  5: 'shorted-loop',
  6: 'no-output',
  7: 'unreliable-other',
  8: 'process-error',
  9: 'multi-state-fault',
  10: 'configuration-error',
  12: 'communication-failure',
  13: 'member-fault',
  14: 'monitored-object-fault',
  15: 'tripped',
};

/**
 * The status flags from the 4 bits of a BACnetStatusFlags bit string, as @bacnet-js/client decodes it: bit n of
 * the string is bit n of `value[0]` (in-alarm the least significant).
 */
export function flagsOf(bits: { value: number[] } | undefined): number {
  return (bits?.value?.[0] ?? 0) & 0x0f;
}

export function qualityOf(flags: number, reliability: number): { quality: Quality; rawStatus: number } {
  const rawStatus = (flags & 0x0f) | ((reliability & 0xff) << 8);
  if (reliability !== 0 || (flags & STATUS_FLAG_BITS.fault) !== 0) return { quality: 'bad', rawStatus };
  if ((flags & STATUS_FLAG_BITS.outOfService) !== 0) return { quality: 'uncertain', rawStatus };
  return { quality: 'good', rawStatus };
}

/** `fault, out-of-service; reliability over-range` — for messages. */
export function statusText(flags: number, reliability: number): string {
  const names = (Object.entries(STATUS_FLAG_BITS) as Array<[string, number]>)
    .filter(([, b]) => (flags & b) !== 0)
    .map(([n]) => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`));
  const rel = reliability !== 0 ? `reliability ${RELIABILITY_NAMES[reliability] ?? reliability}` : '';
  return [names.join(', '), rel].filter((s) => s !== '').join('; ');
}
