import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import React, { useMemo } from 'react';
import { leaseRows } from '../../data/leases';
import type { LeaseView } from '../../data/model';
import { getTableStyles, Section } from '../common/Section';

/** The points Plenum holds: who owns the write, what it wrote, what the point returns to and when. */
export function LeasesSection({ leases, now }: { leases: LeaseView[]; now: number }) {
  const styles = useStyles2(getStyles);
  const table = useStyles2(getTableStyles);
  const rows = useMemo(() => leaseRows(leases, now), [leases, now]);
  return (
    <Section
      title="Leases"
      count={rows.length}
      testId="automation-leases"
      empty={rows.length ? undefined : 'Plenum holds no point: the BMS is in control everywhere.'}
    >
      <table className={table.table}>
        <thead>
          <tr>
            <th>Point</th>
            <th>Owner</th>
            <th>Value</th>
            <th title="restored when the lease ends: the saved value, or the BMS (relinquish)">Then</th>
            <th>Left</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((l) => (
            <tr key={l.pointId} data-testid="automation-lease" data-point={l.pointId} data-owner={l.owner}>
              <td className={table.mono} title={l.pointId}>
                {l.point}
              </td>
              <td>
                {l.owner}
                <span className={table.secondary}> · p{l.priority}</span>
              </td>
              <td className={table.num}>{l.value}</td>
              <td className={table.num}>{l.returnsTo}</td>
              <td className={cx(table.num, l.expiring && styles.expiring)}>{l.left}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  expiring: css({ color: theme.colors.warning.text }),
});
