/**
 * The `automation` scenario plugin: sets up the backend's rules for a run through the automation API — the same
 * routes an operator uses — and reports what the guard did. Options:
 *   modes:  { <rule id>: observe | dry-run | approve | auto }  modes for rules of the site config
 *   rules:  [ <rule> ]                                           rules added for the run (PUT, with their mode)
 *   others: observe | keep                                       rules not named above, @default observe
 * `others: observe` makes a run measure exactly the strategy it names: BMS only is `{}`.
 * Figures: writes, refused, readBackMismatches, writeFailures, releases (counted from the durable trace).
 */
import { z } from 'zod';
import { MODES } from './config';
import type { PluginContext, PluginReport, ScenarioPlugin } from '../scenario/plugins';

const OptionsSchema = z.strictObject({
  modes: z.record(z.string(), z.enum(MODES)).default({}),
  rules: z.array(z.looseObject({ id: z.string().min(1) })).default([]),
  others: z.enum(['observe', 'keep']).default('observe'),
});

interface TraceRow {
  id: number;
  kind: string;
  actor: string;
  pointId?: string;
  data: { verdict?: { allow: boolean; code?: string }; verified?: boolean };
}

async function api<T>(ctx: PluginContext, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${ctx.backendUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`automation plugin: ${method} ${path}: HTTP ${r.status}: ${text.slice(0, 400)}`);
  return JSON.parse(text) as T;
}

export function automationPlugin(): ScenarioPlugin {
  let ctx: PluginContext | undefined;
  return {
    async start(c) {
      ctx = c;
      const parsed = OptionsSchema.safeParse(c.options);
      if (!parsed.success)
        throw new Error(
          `controllers: automation options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      const o = parsed.data;
      const { rules } = await api<{ rules: Array<{ id: string }> }>(c, 'GET', '/api/automation');
      const known = new Set(rules.map((r) => r.id));
      for (const id of Object.keys(o.modes))
        if (!known.has(id))
          throw new Error(`controllers: automation options.modes.${id}: no such rule in the site config`);
      for (const r of rules) {
        const mode = o.modes[r.id] ?? (o.others === 'observe' ? 'observe' : undefined);
        if (mode) await api(c, 'POST', `/api/automation/rules/${encodeURIComponent(r.id)}/mode`, { mode });
      }
      for (const r of o.rules) await api(c, 'PUT', `/api/automation/rules/${encodeURIComponent(r.id)}`, r);
      c.log(
        `  automation: ${[...Object.entries(o.modes).map(([id, m]) => `${id} ${m}`), ...o.rules.map((r) => `${r.id} (added)`)].join(', ') || 'every rule in observe (BMS only)'}`,
      );
    },
    async stop(): Promise<PluginReport> {
      if (!ctx) return { figures: {}, notes: ['not started'] };
      const c = ctx;
      ctx = undefined;
      // every entry of the run, paged back from the newest
      const rows: TraceRow[] = [];
      for (let before: number | undefined; ;) {
        const page = await api<{ trace: TraceRow[] }>(
          c,
          'GET',
          `/api/automation/trace?limit=1000${before ? `&before=${before}` : ''}`,
        );
        rows.push(...page.trace);
        if (page.trace.length < 1000) break;
        before = page.trace[page.trace.length - 1]!.id;
      }
      const refusals = new Map<string, number>();
      for (const r of rows)
        if (r.kind === 'verdict' && r.data.verdict && !r.data.verdict.allow) {
          const code = r.data.verdict.code ?? '?';
          refusals.set(code, (refusals.get(code) ?? 0) + 1);
        }
      const count = (f: (r: TraceRow) => boolean) => rows.filter(f).length;
      const figures = {
        writes: count((r) => r.kind === 'write'),
        refused: [...refusals.values()].reduce((a, b) => a + b, 0),
        readBackMismatches: count((r) => r.kind === 'write' && r.data.verified === false),
        writeFailures: count((r) => r.kind === 'write-failed'),
        releases: count((r) => r.kind === 'release'),
      };
      const notes = [
        `${figures.writes} writes, ${figures.releases} hand-backs, ${figures.readBackMismatches} read-back mismatches, ${figures.writeFailures} failed`,
        ...(refusals.size
          ? [`refused by the guard: ${[...refusals].map(([code, n]) => `${code} ×${n}`).join(', ')}`]
          : []),
      ];
      return { figures, notes };
    },
  };
}
