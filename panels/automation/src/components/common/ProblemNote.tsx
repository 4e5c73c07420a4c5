import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Icon, IconButton, useStyles2 } from '@grafana/ui';
import React from 'react';
import { problemLine, type Problem } from '../../data/errors';

/** An API failure with its own text first, then what to change. */
export function ProblemNote(props: { problem: Problem; what?: string; testId: string; onDismiss?: () => void }) {
  const styles = useStyles2(getStyles);
  const { problem } = props;
  return (
    <div className={styles.note} role="alert" data-testid={props.testId} data-status={problem.status ?? ''}>
      <Icon name="exclamation-triangle" className={styles.icon} />
      <div className={styles.body}>
        <div>
          {props.what ? `${props.what} failed — ` : ''}
          <span className={styles.text}>{problemLine(problem)}</span>
        </div>
        {problem.hint && <div className={styles.hint}>{problem.hint}</div>}
      </div>
      {props.onDismiss && <IconButton name="times" aria-label="Dismiss" onClick={props.onDismiss} size="sm" />}
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  note: css({
    display: 'flex',
    gap: theme.spacing(1),
    alignItems: 'flex-start',
    padding: theme.spacing(1),
    marginBottom: theme.spacing(1),
    borderRadius: theme.shape.radius.default,
    border: `1px solid ${theme.colors.error.border}`,
    background: theme.colors.error.transparent,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  icon: css({ color: theme.colors.error.text, flexShrink: 0, marginTop: 2 }),
  body: css({ flex: 1, minWidth: 0, overflowWrap: 'anywhere' }),
  text: css({ fontFamily: theme.typography.fontFamilyMonospace }),
  hint: css({ color: theme.colors.text.secondary, marginTop: theme.spacing(0.5) }),
});
