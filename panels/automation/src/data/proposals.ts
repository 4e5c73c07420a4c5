import { formatDuration, formatValue, shortPoint } from './format';
import type { Proposal, ProposalStatus } from './model';

export interface ProposalRow {
  id: number;
  rule: string;
  pointId: string;
  point: string;
  from: string;
  to: string;
  reason: string;
  status: ProposalStatus;
  /** pending: time until it expires; decided: who decided */
  note: string;
  /** a pending proposal past its expiry (the backend expires it at its next evaluation) */
  expired: boolean;
}

export interface ProposalLists {
  /** oldest first: the one closest to expiring leads */
  pending: ProposalRow[];
  /** newest first, at most `recent` */
  decided: ProposalRow[];
}

/** Pending proposals to approve or reject, and the latest decided ones with who decided. */
export function proposalLists(proposals: Proposal[], now: number, recent = 5): ProposalLists {
  const row = (p: Proposal): ProposalRow => {
    const left = p.expiresAt - now;
    return {
      id: p.id,
      rule: p.rule,
      pointId: p.pointId,
      point: shortPoint(p.pointId),
      from: formatValue(p.from),
      to: formatValue(p.value),
      reason: p.reason,
      status: p.status,
      note:
        p.status === 'pending'
          ? left > 0
            ? `expires in ${formatDuration(left)}`
            : 'expiring'
          : `${p.status}${p.decidedBy ? ` by ${p.decidedBy}` : ''}${p.result ? `: ${p.result}` : ''}`,
      expired: p.status === 'pending' && left <= 0,
    };
  };
  const pending = proposals
    .filter((p) => p.status === 'pending')
    .sort((a, b) => a.createdAt - b.createdAt || a.id - b.id);
  const decided = proposals
    .filter((p) => p.status !== 'pending')
    .sort((a, b) => (b.decidedAt ?? b.createdAt) - (a.decidedAt ?? a.createdAt) || b.id - a.id)
    .slice(0, recent);
  return { pending: pending.map(row), decided: decided.map(row) };
}
