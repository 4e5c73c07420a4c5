import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Badge, ConfirmModal, RadioButtonGroup, Tooltip, useStyles2, type BadgeColor } from '@grafana/ui';
import React, { useMemo, useState } from 'react';
import type { Mode, RuleStatus } from '../../data/model';
import { MODE_OPTIONS, needsConfirmation, ruleRows, type RuleRow, type RuleState } from '../../data/rules';
import { getTableStyles, Section } from '../common/Section';

interface Props {
  rules: RuleStatus[];
  canOperate: boolean;
  /** modes cannot leave observe while stopped */
  stopped: boolean;
  busy?: string;
  /** one line per rule: kind, version, summary and what it holds in tooltips */
  compact?: boolean;
  onMode(rule: string, mode: Mode): Promise<unknown>;
}

export const MODE_COLOR: Record<Mode, BadgeColor> = {
  observe: 'darkgrey',
  'dry-run': 'blue',
  approve: 'orange',
  auto: 'green',
};

const STATE: Record<RuleState, { color: BadgeColor; text: string }> = {
  error: { color: 'red', text: 'error' },
  locked: { color: 'red', text: 'locked by breaker' },
  holding: { color: 'purple', text: 'holding' },
  active: { color: 'orange', text: 'active' },
  idle: { color: 'darkgrey', text: 'idle' },
};

/** Every rule: mode (a selector for users allowed to), state, what it decided last and what it holds. */
export function RulesSection({ rules, canOperate, stopped, busy, compact, onMode }: Props) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const rows = useMemo(() => ruleRows(rules), [rules]);
  const [pending, setPending] = useState<{ rule: string; mode: Mode } | undefined>();
  const set = (row: RuleRow, mode: Mode) => {
    if (mode === row.mode) {
      return;
    }
    if (needsConfirmation(row.mode, mode)) {
      setPending({ rule: row.id, mode });
    } else {
      void onMode(row.id, mode);
    }
  };
  return (
    <Section title="Rules" count={rows.length} testId="automation-rules" empty={rows.length ? undefined : 'No rules.'}>
      <table className={table.table}>
        <thead>
          <tr>
            <th>Rule</th>
            <th>Mode</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.id}
              data-testid="automation-rule"
              data-rule={r.id}
              data-mode={r.mode}
              data-state={r.state}
              data-holds={r.holds.join(',')}
            >
              <td
                className={styles.rule}
                title={
                  compact
                    ? [r.description, `${r.kind} · ${r.version} · priority ${r.priority}`].filter(Boolean).join('\n')
                    : undefined
                }
              >
                <div className={styles.id}>
                  {r.description ? (
                    <Tooltip content={r.description}>
                      <span>{r.id}</span>
                    </Tooltip>
                  ) : (
                    r.id
                  )}
                </div>
                {!compact && (
                  <div className={table.secondary}>
                    {r.kind} · {r.version} · priority {r.priority}
                  </div>
                )}
              </td>
              <td className={styles.mode}>
                {canOperate ? (
                  <RadioButtonGroup<Mode>
                    size="sm"
                    data-testid={`automation-mode-${r.id}`}
                    aria-label={`Mode of rule ${r.id}`}
                    options={MODE_OPTIONS.map((m) => ({ value: m.value, label: m.label, description: m.description }))}
                    value={r.mode}
                    disabled={busy === `mode:${r.id}`}
                    disabledOptions={stopped ? MODE_OPTIONS.map((m) => m.value).filter((m) => m !== 'observe') : []}
                    onChange={(mode) => set(r, mode)}
                  />
                ) : (
                  <Badge color={MODE_COLOR[r.mode]} text={r.mode} data-testid={`automation-mode-badge-${r.id}`} />
                )}
              </td>
              <td
                title={
                  compact
                    ? [r.error ?? r.summary, ...(r.holds.length ? [`holds ${r.holds.join(', ')}`] : [])].join('\n')
                    : undefined
                }
              >
                <Badge color={STATE[r.state].color} text={STATE[r.state].text} />
                {!compact && (
                  <>
                    <div className={styles.summary} data-testid="automation-rule-summary">
                      {r.error ?? r.summary}
                    </div>
                    {r.holds.length > 0 && <div className={table.secondary}>holds {r.holds.join(', ')}</div>}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ConfirmModal
        isOpen={pending !== undefined}
        title={`Rule ${pending?.rule ?? ''} to auto`}
        body={
          <div data-testid="automation-auto-confirm">
            In <b>auto</b> the rule writes to the plant by itself, within the guard’s bounds, steps and slew limits,
            without asking anyone. Proposals and dry-run events stop.
          </div>
        }
        confirmText="Set to auto"
        confirmVariant="destructive"
        onConfirm={async () => {
          const p = pending;
          setPending(undefined);
          if (p) {
            await onMode(p.rule, p.mode);
          }
        }}
        onDismiss={() => setPending(undefined)}
      />
    </Section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  rule: css({ minWidth: 120 }),
  id: css({ fontWeight: theme.typography.fontWeightMedium, fontSize: theme.typography.body.fontSize }),
  mode: css({ whiteSpace: 'nowrap' }),
  summary: css({ marginTop: theme.spacing(0.5), overflowWrap: 'anywhere' }),
});
