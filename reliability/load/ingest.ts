import type { Point } from '@plenum/model';

/**
 * Bodies for `POST /api/samples` at 1 Hz per point: sample k is point `k mod P` in round `⌊k / P⌋`, stamped
 * `t0 + round·1000 + offset(point)` — one sample per point and second, never two on one (point, ts), so that
 * every acknowledged sample must be found once in the store afterwards (a second sample on the same ts would
 * replace the first and look like a loss).
 */
export class SampleFeed {
  private k = 0;
  private readonly ids: string[];

  constructor(
    private readonly points: readonly Point[],
    readonly t0: number,
  ) {
    this.ids = points.map((p) => JSON.stringify(p.id));
  }

  /** samples handed out so far */
  get issued(): number {
    return this.k;
  }

  /** the next `n` samples as a JSON body */
  next(n: number): string {
    const P = this.points.length;
    const parts: string[] = [];
    for (let j = 0; j < n; j++, this.k++) {
      const i = this.k % P;
      const round = Math.floor(this.k / P);
      const ts = this.t0 + round * 1000 + Math.floor((i * 997) % 1000);
      const p = this.points[i]!;
      const value =
        p.valueType === 'boolean'
          ? String(this.k % 2 === 0)
          : p.valueType === 'string'
            ? this.k % 2 === 0
              ? '"idle"'
              : '"running"'
            : String(20 + (this.k % 97) / 10);
      parts.push(`{"pointId":${this.ids[i]},"ts":${ts},"value":${value}}`);
    }
    return `{"samples":[${parts.join(',')}]}`;
  }
}
