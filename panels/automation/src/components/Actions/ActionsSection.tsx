import { css } from '@emotion/css';
import { dateTimeFormat, type GrafanaTheme2 } from '@grafana/data';
import { Badge, useStyles2, type BadgeColor } from '@grafana/ui';
import React, { useMemo } from 'react';
import { actionRows, type Tone } from '../../data/actions';
import type { AutomationEvent } from '../../data/model';
import { getTableStyles, Section } from '../common/Section';

const TONE: Record<Tone, BadgeColor> = { ok: 'green', warn: 'orange', bad: 'red', info: 'blue' };

interface Props {
  events: AutomationEvent[];
  limit: number;
  showDryRun: boolean;
  timeZone: string;
}

/** The audit trail: each automation event with its actor, target, before → after and verdict, newest first. */
export function ActionsSection({ events, limit, showDryRun, timeZone }: Props) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const rows = useMemo(() => actionRows(events, { showDryRun, limit }), [events, showDryRun, limit]);
  return (
    <Section
      title="Recent actions"
      count={rows.length}
      testId="automation-actions"
      empty={rows.length ? undefined : 'No automation events in the time range.'}
    >
      <table className={table.table}>
        <thead>
          <tr>
            <th>Time</th>
            <th>Actor</th>
            <th>On</th>
            <th>Before → after</th>
            <th>Verdict</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr
              key={a.id}
              data-testid="automation-action"
              data-kind={a.kind}
              data-actor={a.actor ?? ''}
              data-point={a.pointId ?? ''}
              title={[a.title, a.detail].filter(Boolean).join('\n')}
            >
              <td className={table.num}>{dateTimeFormat(a.time, { format: 'HH:mm:ss', timeZone })}</td>
              <td className={styles.actor}>{a.actor ?? '—'}</td>
              <td className={table.mono}>{a.target ?? '—'}</td>
              <td className={table.num}>{beforeAfter(a.before, a.after)}</td>
              <td>
                <Badge color={TONE[a.tone]} text={a.verdict} className={styles.verdict} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/** `20 → 19.5`; only the new value when there was no old one (a new rule version); nothing when neither */
function beforeAfter(before?: string, after?: string): string {
  if (before === undefined) {
    return after ?? '';
  }
  return `${before} → ${after ?? '?'}`;
}

const getStyles = (theme: GrafanaTheme2) => ({
  actor: css({ whiteSpace: 'nowrap' }),
  verdict: css({ maxWidth: 320, whiteSpace: 'normal', textAlign: 'left' }),
});
