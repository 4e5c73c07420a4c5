import { shortPoint } from './format';
import { MODES, type Mode, type RuleStatus } from './model';

/** The modes in the order an operator raises them, with what each does. */
export const MODE_OPTIONS: ReadonlyArray<{ value: Mode; label: string; description: string }> = [
  { value: 'observe', label: 'Observe', description: 'computes and traces only; writes nothing' },
  { value: 'dry-run', label: 'Dry run', description: 'records what it would write, as events' },
  { value: 'approve', label: 'Approve', description: 'proposes each write; an operator approves it' },
  { value: 'auto', label: 'Auto', description: 'writes by itself, within the guard’s limits' },
];

/** observe → dry-run → approve → auto: how much a mode lets a rule do, 0–3 */
export const modeLevel = (m: Mode) => MODES.indexOf(m);

export type RuleState = 'error' | 'locked' | 'holding' | 'active' | 'idle';

export interface RuleRow {
  id: string;
  mode: Mode;
  /** `v2 · api`, `v1 · file` */
  version: string;
  kind: string;
  description?: string;
  summary: string;
  /** the most telling state: an error, a breaker lock, points held, an active decision, or idle */
  state: RuleState;
  /** the points it holds, shortened */
  holds: string[];
  error?: string;
  priority: number;
}

export function ruleState(r: RuleStatus): RuleState {
  if (r.error) {
    return 'error';
  }
  if (r.locked) {
    return 'locked';
  }
  if (r.holds.length > 0) {
    return 'holding';
  }
  return r.active ? 'active' : 'idle';
}

/** Rules in the backend's order (file order, then API-added ones). */
export function ruleRows(rules: RuleStatus[]): RuleRow[] {
  return rules.map((r) => ({
    id: r.id,
    mode: r.mode,
    version: `v${r.version} · ${r.origin}`,
    kind: r.kind,
    ...(r.description && { description: r.description }),
    summary: r.summary,
    state: ruleState(r),
    holds: r.holds.map(shortPoint),
    ...(r.error && { error: r.error }),
    priority: r.priority,
  }));
}

/** Setting this mode needs a second confirmation: `auto` lets the rule write to the plant without anyone asked. */
export const needsConfirmation = (from: Mode, to: Mode) => to === 'auto' && from !== 'auto';
