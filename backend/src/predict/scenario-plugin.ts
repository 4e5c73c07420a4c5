/**
 * The `predict` scenario detector: prediction runs in every backend with a `prediction:` section; this plugin
 * reports what it raised during the run — from the backend's own prediction events, read through the API — so the
 * scenario report says which faults were named, when, and how many predictions there were. Scores against ground
 * truth are bench:predict's (bench/predict/score.ts). Options: none.
 * Figures: predictions (opened during the run), open (at the end), critical, learning (detectors at the end).
 */
import type { PlenumEvent } from '@plenum/model';
import type { PluginContext, PluginReport, ScenarioPlugin } from '../scenario/plugins';

async function get<T>(ctx: PluginContext, path: string): Promise<T> {
  const r = await fetch(`${ctx.backendUrl}${path}`, { signal: AbortSignal.timeout(15_000) });
  const text = await r.text();
  if (!r.ok) throw new Error(`predict plugin: GET ${path}: HTTP ${r.status}: ${text.slice(0, 400)}`);
  return JSON.parse(text) as T;
}

export function predictPlugin(): ScenarioPlugin {
  let ctx: PluginContext | undefined;
  let from = 0;
  return {
    async start(c) {
      if (Object.keys(c.options).length)
        throw new Error(`detectors: predict options: expected none; got ${Object.keys(c.options).join(', ')}`);
      // fails now, naming the reason, when the site config has no prediction: section
      await get(c, '/api/predictions');
      ctx = c;
      from = c.clock.now();
    },
    async stop(): Promise<PluginReport> {
      if (!ctx) return { figures: {}, notes: ['not started'] };
      const c = ctx;
      ctx = undefined;
      const to = c.clock.now() + 1;
      const { events } = await get<{ events: PlenumEvent[] }>(
        c,
        `/api/events?type=prediction&from=${from}&to=${to}&limit=10000`,
      );
      const state = await get<{ learning: { detectors: number } }>(c, '/api/predictions');
      const opened = events.filter((e) => e.time >= from);
      const figures = {
        predictions: opened.length,
        open: opened.filter((e) => e.timeEnd === undefined).length,
        critical: opened.filter((e) => e.severity === 'critical').length,
        learning: state.learning.detectors,
      };
      const offset = (t: number) => `+${Math.round((t - from) / 60_000)} min`;
      const notes = [
        `${figures.predictions} predictions (${figures.critical} critical), ${figures.open} open at the end; ${figures.learning} detectors still learning`,
        ...opened
          .sort((a, b) => a.time - b.time)
          .slice(0, 20)
          .map((e) => `${offset(e.time)} ${e.severity}: ${e.title}`),
      ];
      return { figures, notes };
    },
  };
}
