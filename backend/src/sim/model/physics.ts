/** Small building blocks of the thermal model: first-order lags and PI controllers. */

// module-local copies: under Jest's sandbox every global lookup (Math.*) in a hot loop is several times slower
const { exp, min } = Math;

/**
 * One step of a first-order lag toward `target` with time constant `tauS`, exact for a target held over the
 * step: after `tauS` of a constant target the value has covered 63 % of the distance.
 */
export function lag(value: number, target: number, tauS: number, dtS: number): number {
  if (tauS <= 0) return target;
  return target + (value - target) * exp(-dtS / tauS);
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** Moves `value` toward `target` by at most `maxStep` (a slew-rate limit: VFD ramps, valve actuators). */
export function approach(value: number, target: number, maxStep: number): number {
  return target > value + maxStep ? value + maxStep : target < value - maxStep ? value - maxStep : target;
}

/**
 * A PI controller in position form with conditional-integration anti-windup: the integral stops growing while
 * the output is pinned at a limit in the direction the error pushes. Positive error raises the output.
 */
export class PiController {
  private integral: number;

  constructor(
    private readonly kp: number,
    private readonly ki: number,
    private readonly min: number,
    private readonly max: number,
    /** output at start: the integral begins there so the first steps do not kick (bumpless start) */
    initialOutput: number,
  ) {
    this.integral = clamp(initialOutput, min, max);
  }

  /**
   * `max` lowers the upper limit for this step (a degraded actuator); the lower limit follows it down. `lo`
   * replaces the lower limit for this step (a minimum the operator can write, e.g. a fan minimum).
   */
  update(error: number, dtS: number, max = this.max, lo0 = this.min): number {
    const hi = min(max, this.max);
    const lo = min(lo0, hi);
    const unclamped = this.kp * error + this.integral;
    const saturatedHigh = unclamped >= hi && error > 0;
    const saturatedLow = unclamped <= lo && error < 0;
    if (!saturatedHigh && !saturatedLow) this.integral = clamp(this.integral + this.ki * error * dtS, lo, hi);
    return clamp(this.kp * error + this.integral, lo, hi);
  }

  /** Re-seats the integral on `output` (after a manual or stuck period), so control resumes from there. */
  track(output: number): void {
    this.integral = clamp(output, this.min, this.max);
  }

  /** The integral term: the output at zero error (what a manual-to-auto transfer resumes from). */
  get output(): number {
    return this.integral;
  }
}
