/**
 * What the feed-forward learns of a zone as it runs (pure): how long its inlets take to answer a supply-air change
 * (the lead it needs), and whether its load has settled (when the BMS loops can have the points back).
 *
 * Lag: the controller's own pre-cooling before a job's heat arrives is a clean step test — the racks are still
 * at their old power, only the supply setpoint moved. The lag is the time from the start of the pre-cooling until the zone's
 * mean inlet has fallen by `dropK`; a job starting first (heat confounds the answer) or no answer within `maxMs`
 * voids the test. Successive tests are averaged (EWMA, α 0.5) so one odd run does not decide the next lead.
 *
 * Settled: the zone's rack power has stayed within `band` (a share of its mean) and its mean inlet within `inletK`
 * over the last `forMs` — the thermal transient of the job's start is over and the BMS's own loops hold the zone.
 */

export interface LagTest {
  at: number;
  inletC: number;
}

export class ZoneResponse {
  /** measured lag, ms; undefined until one test succeeded */
  lagMs?: number;
  private test?: LagTest;
  /** (time, zone kW, mean inlet °C), oldest first, covering the settle window plus one sample before it */
  private readonly window: Array<{ t: number; kw: number; inletC: number }> = [];

  constructor(private readonly o: { dropK: number; maxMs: number; band: number; inletK: number; forMs: number }) {}

  /** The first pre-cooling write of an episode, with the zone's mean inlet then. */
  startLagTest(now: number, inletC: number | undefined): void {
    if (this.test || inletC === undefined) return;
    this.test = { at: now, inletC };
  }

  /** The heat arrived (a job of the zone started) before the inlets answered: the test says nothing. */
  voidLagTest(): void {
    this.test = undefined;
  }

  /** Each evaluation: the zone's rack power and mean inlet now. */
  observe(now: number, kw: number | undefined, inletC: number | undefined): void {
    if (this.test && inletC !== undefined) {
      const since = now - this.test.at;
      if (this.test.inletC - inletC >= this.o.dropK) {
        this.lagMs = this.lagMs === undefined ? since : Math.round(0.5 * this.lagMs + 0.5 * since);
        this.test = undefined;
      } else if (since > this.o.maxMs) this.test = undefined;
    }
    if (kw === undefined || inletC === undefined) {
      // a gap in the inputs: the zone cannot be shown to be steady over it
      this.window.length = 0;
      return;
    }
    this.window.push({ t: now, kw, inletC });
    // keep one sample at or before the window's start, so a slow evaluation cadence still spans the window
    while (this.window.length > 2 && (this.window[1] as { t: number }).t <= now - this.o.forMs) this.window.shift();
  }

  /** The load and the inlets have been steady over the last `forMs`. */
  settled(now: number): boolean {
    const w = this.window;
    if (w.length < 2 || (w[0] as { t: number }).t > now - this.o.forMs) return false;
    let [kwMin, kwMax, tMin, tMax, kwSum] = [Infinity, -Infinity, Infinity, -Infinity, 0];
    for (const s of w) {
      kwMin = Math.min(kwMin, s.kw);
      kwMax = Math.max(kwMax, s.kw);
      tMin = Math.min(tMin, s.inletC);
      tMax = Math.max(tMax, s.inletC);
      kwSum += s.kw;
    }
    return kwMax - kwMin <= this.o.band * (kwSum / w.length) && tMax - tMin <= this.o.inletK;
  }
}
