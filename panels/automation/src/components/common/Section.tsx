import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import React, { type ReactNode } from 'react';

/** A titled block of the panel: rules, proposals, leases, actions. */
export function Section(props: { title: string; count?: number; testId: string; children: ReactNode; empty?: string }) {
  const styles = useStyles2(getStyles);
  return (
    <section className={styles.section} data-testid={props.testId} aria-label={props.title}>
      <h3 className={styles.title}>
        {props.title}
        {props.count !== undefined && <span className={styles.count}>{props.count}</span>}
      </h3>
      {props.empty ? <div className={styles.empty}>{props.empty}</div> : props.children}
    </section>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  section: css({ marginBottom: theme.spacing(2), minWidth: 0 }),
  title: css({
    fontSize: theme.typography.h6.fontSize,
    fontWeight: theme.typography.fontWeightMedium,
    margin: theme.spacing(0, 0, 1, 0),
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
  }),
  count: css({
    fontSize: theme.typography.bodySmall.fontSize,
    color: theme.colors.text.secondary,
    background: theme.colors.background.secondary,
    borderRadius: theme.shape.radius.pill,
    padding: theme.spacing(0, 1),
  }),
  empty: css({ color: theme.colors.text.secondary, fontSize: theme.typography.bodySmall.fontSize }),
});

/** Table styles the sections share: compact rows, secondary text for details. */
export const getTableStyles = (theme: GrafanaTheme2) => ({
  table: css({
    width: '100%',
    borderCollapse: 'collapse',
    fontSize: theme.typography.bodySmall.fontSize,
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1, 0.5, 0),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      verticalAlign: 'top',
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
  mono: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  secondary: css({ color: theme.colors.text.secondary }),
  num: css({ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }),
});
