/**
 * `forecast` queries: a straight line fitted on each selected point's recent raw history (good samples only),
 * drawn over the horizon with its 90 % prediction band, and the time it reaches the limit (when one is given and
 * it is reached within the horizon).
 * Points soonest to the limit come first; without a limit, the steepest rise. The same least squares as the
 * detectors' trend windows (predict/stats.ts).
 */
import type { DataFrameJSON, ForecastQuery } from '@plenum/model';
import { linearFit, predictionHalfWidth } from '../predict/stats';
import type { QueryContext, QueryEnv } from './context';
import { frame, renderAlias, unitConfig } from './frames';

/** forecast steps drawn over the horizon */
const STEPS = 30;

export function forecast(ctx: QueryContext, q: ForecastQuery, env: QueryEnv): DataFrameJSON[] {
  const horizon = q.horizonMs ?? 3_600_000;
  const window = q.windowMs ?? 1_800_000;
  // a panel's range may reach into the future (to draw the forecast): the fit ends at the last possible sample
  const end = Math.min(env.to, ctx.now());
  const fits = ctx.catalog.select(q.selector).flatMap((p) => {
    if (p.valueType !== 'number') return [];
    const raw = ctx.historian.readRaw(p.id, end - window, end);
    const ts: number[] = [];
    const vs: number[] = [];
    raw.ts.forEach((t, i) => {
      if (raw.quality[i] === 'good' && typeof raw.values[i] === 'number') {
        ts.push(t);
        vs.push(raw.values[i] as number);
      }
    });
    // minutes after the window's end, so the slope reads per minute
    const xs = ts.map((t) => (t - end) / 60_000);
    const fit = xs.length >= 5 ? linearFit(xs, vs) : undefined;
    if (!fit) return [];
    const level = fit.a;
    let ttl: { minutes: number; lo: number; hi: number } | undefined;
    if (q.limit !== undefined) {
      const gap = q.limit - level;
      const se = fit.sxx > 0 ? fit.sd / Math.sqrt(fit.sxx) : Infinity;
      const toward = Math.sign(gap) * fit.b;
      if (gap === 0) ttl = { minutes: 0, lo: 0, hi: 0 };
      // a time to limit only within the horizon: beyond it the straight line says nothing worth showing
      else if (toward > 0 && Math.abs(gap) / toward <= horizon / 60_000) {
        const fast = toward + 1.645 * se;
        const slow = toward - 1.645 * se;
        ttl = {
          minutes: Math.abs(gap) / toward,
          lo: Math.abs(gap) / fast,
          hi: slow > 0 ? Math.abs(gap) / slow : Infinity,
        };
      }
    }
    return [{ p, ts, vs, fit, ttl }];
  });
  const rank = (f: (typeof fits)[number]) => (q.limit !== undefined ? (f.ttl?.minutes ?? Infinity) : -f.fit.b);
  fits.sort((a, b) => rank(a) - rank(b));
  return fits.slice(0, q.top ?? 10).map(({ p, ts, vs, fit, ttl }) => {
    const future = Array.from({ length: STEPS + 1 }, (_, i) => end + (i * horizon) / STEPS);
    const line = future.map((t) => fit.a + (fit.b * (t - end)) / 60_000);
    const half = future.map((t) => predictionHalfWidth(fit, (t - end) / 60_000));
    const times = [...ts, ...future];
    const pad = (n: number) => Array.from({ length: n }, () => null);
    const name = q.alias
      ? renderAlias(q.alias, { ...p.location, id: p.id, name: p.name, quantity: p.quantity })
      : (p.name ?? p.id);
    const cfg = unitConfig({ grafanaUnit: p.grafanaUnit });
    return frame(
      name,
      q.refId,
      [
        { name: 'time', type: 'time' },
        { name: 'value', type: 'number', config: { ...cfg, displayNameFromDS: name } },
        { name: 'forecast', type: 'number', config: { ...cfg, displayNameFromDS: `${name} forecast` } },
        { name: 'lower', type: 'number', config: { ...cfg, displayNameFromDS: `${name} lower (90 %)` } },
        { name: 'upper', type: 'number', config: { ...cfg, displayNameFromDS: `${name} upper (90 %)` } },
      ],
      [
        times,
        [...vs, ...pad(future.length)],
        [...pad(ts.length), ...line],
        [...pad(ts.length), ...line.map((v, i) => v - (half[i] as number))],
        [...pad(ts.length), ...line.map((v, i) => v + (half[i] as number))],
      ],
      {
        custom: {
          pointId: p.id,
          slopePerMin: fit.b,
          ...(q.limit !== undefined && { limit: q.limit }),
          ...(ttl && {
            timeToLimit: { minutes: ttl.minutes, lo: ttl.lo, hi: Number.isFinite(ttl.hi) ? ttl.hi : null },
          }),
        },
      },
    );
  });
}
