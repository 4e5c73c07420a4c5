/* Per-rack value status; no @grafana imports (the benchmark bundles this file). */

/** Per-rack state of one value; anything but OK is drawn apart from the colour scale. */
export const STATUS_OK = 0;
export const STATUS_MISSING = 1;
export const STATUS_STALE = 2;
export type RackStatus = typeof STATUS_OK | typeof STATUS_MISSING | typeof STATUS_STALE;

/**
 * Status of each rack's value: missing when NaN (no row, or null), stale when its time is more than
 * `staleAfterMs` before `now`. A value without a time is never stale: the source did not say how old it is.
 * @param now ms since the epoch — the end of the panel's time range, so a dashboard looking back judges then
 */
export function valueStatus(
  value: Float64Array,
  time: Float64Array,
  now: number,
  staleAfterMs: number | undefined,
  out: Uint8Array = new Uint8Array(value.length)
): Uint8Array {
  const oldest = staleAfterMs === undefined ? -Infinity : now - staleAfterMs;
  for (let i = 0; i < value.length; i++) {
    const t = time[i]!;
    out[i] = Number.isNaN(value[i]!) ? STATUS_MISSING : t < oldest ? STATUS_STALE : STATUS_OK;
  }
  return out;
}
