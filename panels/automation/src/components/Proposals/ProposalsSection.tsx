import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, Button, useStyles2 } from '@grafana/ui';
import React, { useMemo } from 'react';
import type { Proposal } from '../../data/model';
import { proposalLists } from '../../data/proposals';
import { getTableStyles, Section } from '../common/Section';

interface Props {
  proposals: Proposal[];
  now: number;
  canOperate: boolean;
  stopped: boolean;
  busy?: string;
  onApprove(id: number): Promise<unknown>;
  onReject(id: number): Promise<unknown>;
}

/** Writes waiting for an operator (rules in approve mode), then the latest decided ones with who decided. */
export function ProposalsSection({ proposals, now, canOperate, stopped, busy, onApprove, onReject }: Props) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const { pending, decided } = useMemo(() => proposalLists(proposals, now), [proposals, now]);
  return (
    <Section
      title="Pending proposals"
      count={pending.length}
      testId="automation-proposals"
      empty={
        pending.length || decided.length
          ? undefined
          : 'Nothing waits for approval (rules in approve mode propose here).'
      }
    >
      {pending.length === 0 && <div className={table.secondary}>Nothing waits for approval.</div>}
      {pending.map((p) => (
        <div
          key={p.id}
          className={styles.card}
          data-testid="automation-proposal"
          data-proposal={p.id}
          data-status={p.status}
          data-point={p.pointId}
        >
          <div className={styles.what}>
            <b>#{p.id}</b> rule <b>{p.rule}</b> → <span className={table.mono}>{p.point}</span>{' '}
            <span className={table.num}>
              {p.from} → <b>{p.to}</b>
            </span>
          </div>
          <div className={table.secondary}>
            {p.reason} · {p.note}
          </div>
          {canOperate && (
            <div className={styles.buttons}>
              <Button
                size="sm"
                icon="check"
                data-testid={`automation-approve-${p.id}`}
                disabled={stopped || p.expired || busy === `proposal:${p.id}`}
                onClick={() => void onApprove(p.id)}
              >
                Approve
              </Button>
              <Button
                size="sm"
                variant="secondary"
                icon="times"
                data-testid={`automation-reject-${p.id}`}
                disabled={busy === `proposal:${p.id}`}
                onClick={() => void onReject(p.id)}
              >
                Reject
              </Button>
            </div>
          )}
        </div>
      ))}
      {decided.length > 0 && (
        <table className={table.table} data-testid="automation-decided">
          <tbody>
            {decided.map((p) => (
              <tr key={p.id} data-testid="automation-decided-proposal" data-proposal={p.id} data-status={p.status}>
                <td className={table.num}>#{p.id}</td>
                <td>
                  {p.rule} → <span className={table.mono}>{p.point}</span>{' '}
                  <span className={table.num}>
                    {p.from} → {p.to}
                  </span>
                </td>
                <td>
                  <Badge
                    color={p.status === 'approved' ? 'green' : p.status === 'failed' ? 'red' : 'darkgrey'}
                    text={p.note}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  card: css({
    padding: theme.spacing(1),
    marginBottom: theme.spacing(1),
    borderRadius: theme.shape.radius.default,
    border: `1px solid ${theme.colors.warning.border}`,
    background: theme.colors.warning.transparent,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  what: css({ fontSize: theme.typography.body.fontSize, marginBottom: theme.spacing(0.5) }),
  buttons: css({ display: 'flex', gap: theme.spacing(1), marginTop: theme.spacing(1) }),
});
