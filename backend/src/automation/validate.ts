/**
 * What the rule schema cannot say (pure): every point a rule names exists (and a written one is writable and
 * listed in automation.points with bounds inside the point's own limits), and no rule's writes feed another
 * rule's trigger back into its own — a cycle that would let automation chase itself. Each problem names the rule
 * and the field.
 */
import type { Point } from '@plenum/model';
import { globToRegExp } from '../catalog/glob';
import type { Action, AutomationConfig, PointLimits, RuleConfig } from './config';
import { CONTROLLER_OPTIONS } from './controllers';
import { limitsEntry } from './guard/limits';

export interface RuleProblem {
  rule: string;
  /** `then[0].write.ids`, `when.threshold.ids` */
  field: string;
  message: string;
}

const match = (ids: readonly string[], points: readonly Point[]) => {
  const res = ids.map(globToRegExp);
  return points.filter((p) => res.some((r) => r.test(p.id)));
};

/** The point globs an action writes, with where they are in the rule. */
function written(a: Action, i: number): Array<{ field: string; ids: string[] }> {
  if ('write' in a) return [{ field: `then[${i}].write.ids`, ids: a.write.ids }];
  if ('trimRespond' in a) return [{ field: `then[${i}].trimRespond.ids`, ids: a.trimRespond.ids }];
  return [];
}

/** The point globs a rule reads. */
function read(r: RuleConfig): Array<{ field: string; ids: string[] }> {
  const out: Array<{ field: string; ids: string[] }> = [];
  const w = r.when;
  if (w && 'threshold' in w) out.push({ field: 'when.threshold.ids', ids: w.threshold.ids });
  if (w && 'rate' in w) out.push({ field: 'when.rate.ids', ids: w.rate.ids });
  r.then.forEach((a, i) => {
    if ('trimRespond' in a) out.push({ field: `then[${i}].trimRespond.requests.ids`, ids: a.trimRespond.requests.ids });
  });
  return out;
}

export function validateRules(
  rules: readonly RuleConfig[],
  points: readonly Point[],
  limits: readonly PointLimits[],
): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Set<string>();
  const writes = new Map<string, Set<string>>();
  const reads = new Map<string, Set<string>>();
  for (const r of rules) {
    if (seen.has(r.id)) problems.push({ rule: r.id, field: 'id', message: `duplicate rule id "${r.id}"` });
    seen.add(r.id);
    for (const { field, ids } of read(r)) {
      const hit = match(ids, points);
      if (hit.length === 0)
        problems.push({ rule: r.id, field, message: `no point matches ${ids.map((x) => `"${x}"`).join(', ')}` });
      reads.set(r.id, new Set([...(reads.get(r.id) ?? []), ...hit.map((p) => p.id)]));
    }
    r.then.forEach((a, i) => {
      for (const { field, ids } of written(a, i)) {
        const hit = match(ids, points);
        if (hit.length === 0) {
          problems.push({ rule: r.id, field, message: `no point matches ${ids.map((x) => `"${x}"`).join(', ')}` });
          continue;
        }
        for (const p of hit) {
          if (!p.writable) {
            problems.push({
              rule: r.id,
              field,
              message: `point "${p.id}" is not writable (writable: false in the site config)`,
            });
            continue;
          }
          const e = limitsEntry(p.id, limits);
          if (!e) {
            problems.push({
              rule: r.id,
              field,
              message: `point "${p.id}" has no entry in automation.points: the guard would refuse every write`,
            });
            continue;
          }
          const lo = Math.max(e.min ?? -Infinity, p.min ?? -Infinity);
          const hi = Math.min(e.max ?? Infinity, p.max ?? Infinity);
          if (lo > hi)
            problems.push({
              rule: r.id,
              field,
              message: `point "${p.id}": the automation bounds ${e.min ?? '−∞'}…${e.max ?? '∞'} leave nothing within the point's own ${p.min ?? '−∞'}…${p.max ?? '∞'}`,
            });
          if ('write' in a && a.write.value !== undefined && (a.write.value < lo || a.write.value > hi))
            problems.push({
              rule: r.id,
              field: `then[${i}].write.value`,
              message: `${a.write.value} is outside the bounds ${lo}…${hi} of "${p.id}"`,
            });
          if ('write' in a && a.write.ramp && (a.write.ramp.to < lo || a.write.ramp.to > hi))
            problems.push({
              rule: r.id,
              field: `then[${i}].write.ramp.to`,
              message: `${a.write.ramp.to} is outside the bounds ${lo}…${hi} of "${p.id}"`,
            });
        }
        writes.set(r.id, new Set([...(writes.get(r.id) ?? []), ...hit.map((p) => p.id)]));
      }
    });
  }
  // a rule whose writes reach (through other rules) a point it reads
  const feeds = (a: string, b: string) => [...(writes.get(a) ?? [])].some((p) => reads.get(b)?.has(p));
  for (const r of rules) {
    const path = [r.id];
    const visit = (at: string): string[] | undefined => {
      for (const next of rules) {
        if (!feeds(at, next.id)) continue;
        if (next.id === r.id) return [...path, r.id];
        if (path.includes(next.id)) continue;
        path.push(next.id);
        const found = visit(next.id);
        if (found) return found;
        path.pop();
      }
      return undefined;
    };
    const cycle = visit(r.id);
    if (cycle)
      problems.push({
        rule: r.id,
        field: 'then',
        message: `a cycle: ${cycle.join(' writes what ')} reads; a rule must not drive its own trigger`,
      });
  }
  return problems;
}

/**
 * Every check of the `automation:` section against the site's points, as path → message pairs (the loader adds
 * the file and the line): rules (validateRules), controller options, the heartbeat points, limits that match
 * nothing.
 */
export function validateAutomation(
  a: AutomationConfig,
  points: readonly Point[],
): Array<{ path: PropertyKey[]; message: string }> {
  const out: Array<{ path: PropertyKey[]; message: string }> = [];
  const index = new Map(a.rules.map((r, i) => [r.id, i]));
  for (const p of validateRules(a.rules, points, a.points)) {
    const segs = p.field
      .split(/\.|\[(\d+)\]/)
      .filter((x) => x !== undefined && x !== '')
      .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
    out.push({
      path: ['automation', 'rules', index.get(p.rule) ?? 0, ...segs],
      message: `rule "${p.rule}": ${p.message}`,
    });
  }
  a.rules.forEach((r, i) => {
    if (!r.controller) return;
    const parsed = CONTROLLER_OPTIONS[r.controller].safeParse(r.options);
    if (!parsed.success)
      for (const iss of parsed.error.issues)
        out.push({
          path: ['automation', 'rules', i, 'options', ...iss.path],
          message: `rule "${r.id}" (${r.controller}): ${iss.message}`,
        });
  });
  const byId = new Map(points.map((p) => [p.id, p]));
  for (const key of ['point', 'leasePoint'] as const) {
    const id = a.heartbeat?.[key];
    if (id === undefined) continue;
    const p = byId.get(id);
    if (!p) out.push({ path: ['automation', 'heartbeat', key], message: `no point "${id}"` });
    else if (!p.writable)
      out.push({ path: ['automation', 'heartbeat', key], message: `point "${id}" is not writable` });
  }
  a.points.forEach((e, i) => {
    if (match(e.ids, points).length === 0)
      out.push({
        path: ['automation', 'points', i, 'ids'],
        message: `no point matches ${e.ids.map((x) => `"${x}"`).join(', ')}`,
      });
  });
  return out;
}
