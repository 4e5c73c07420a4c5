import type { AutomationOptions } from '../types';

export type Section = 'rules' | 'proposals' | 'leases' | 'actions';

/** px from which `auto` puts the sections in two columns */
export const TWO_COLUMNS_FROM = 900;

/**
 * Which sections the panel shows and in which columns: rules and proposals (what to decide) on the left, leases and
 * actions (what happened) on the right; one column when narrow, when asked, or when one side is empty.
 */
export function panelColumns(width: number, options: AutomationOptions): Section[][] {
  const on: Record<Section, boolean> = {
    rules: options.showRules,
    proposals: options.showProposals,
    leases: options.showLeases,
    actions: options.showActions,
  };
  const left = (['rules', 'proposals'] as const).filter((s) => on[s]);
  const right = (['leases', 'actions'] as const).filter((s) => on[s]);
  const two = options.layout === 'columns' || (options.layout === 'auto' && width >= TWO_COLUMNS_FROM);
  if (!two || left.length === 0 || right.length === 0) {
    const all = [...left, ...right];
    return all.length ? [all] : [];
  }
  return [left, right];
}
