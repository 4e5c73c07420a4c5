import { css, cx } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import { Button, ConfirmModal, Icon, useStyles2 } from '@grafana/ui';
import React, { useState } from 'react';
import type { AutomationStatus } from '../../data/model';

interface Props {
  status?: AutomationStatus;
  /** whether to offer stop and resume */
  canOperate: boolean;
  busy?: string;
  onStop(): Promise<unknown>;
  onResume(): Promise<unknown>;
  /** the read-only note, when the controls are not offered */
  readOnly?: string;
  updated?: string;
  /** smaller: for walls and small panels */
  compact?: boolean;
}

/**
 * The panel's head: whether automation runs or is stopped, how much it holds, and — for users allowed to — the
 * emergency stop (confirmed once: in an emergency a second dialog would cost time) or, when stopped, resume.
 */
export function StopBar({ status, canOperate, busy, onStop, onResume, readOnly, updated, compact }: Props) {
  const styles = useStyles2(getStyles);
  const [confirm, setConfirm] = useState<'stop' | 'resume' | undefined>();
  const stopped = status?.stopped === true;
  const leases = status?.leases.length ?? 0;
  const pending = status ? status.proposals.filter((p) => p.status === 'pending').length : 0;
  /** rules that may write: in approve (with an operator) or auto */
  const writing = status ? status.rules.filter((r) => r.mode === 'approve' || r.mode === 'auto').length : 0;
  return (
    <div
      className={cx(styles.bar, compact && styles.compact, stopped && styles.stopped)}
      data-testid="automation-stopbar"
      data-stopped={status ? String(stopped) : ''}
    >
      <div className={styles.state}>
        <Icon name={stopped ? 'ban' : 'cog'} size="lg" />
        <div>
          <div className={cx(styles.headline, compact && styles.compactHeadline)} data-testid="automation-state">
            {!status ? 'Reading automation…' : stopped ? 'EMERGENCY STOP — automation stopped' : 'Automation running'}
          </div>
          <div className={styles.sub}>
            {status &&
              (stopped
                ? 'Nothing is written; every rule is in observe until resumed and set again.'
                : `${writing} of ${status.rules.length} rule${status.rules.length === 1 ? '' : 's'} may write (approve or auto) · ${leases} point${leases === 1 ? '' : 's'} held${pending ? ` · ${pending} proposal${pending === 1 ? '' : 's'} pending` : ''}`)}
            {updated && <span className={styles.updated}> · {updated}</span>}
          </div>
          {readOnly && (
            <div className={styles.sub} data-testid="automation-readonly">
              <Icon name="lock" size="sm" /> {readOnly}
            </div>
          )}
        </div>
      </div>
      {canOperate && status && !stopped && (
        <Button
          variant="destructive"
          size={compact ? 'md' : 'lg'}
          icon="power"
          data-testid="automation-stop"
          disabled={busy === 'stop'}
          onClick={() => setConfirm('stop')}
        >
          Emergency stop
        </Button>
      )}
      {canOperate && status && stopped && (
        <Button
          variant="primary"
          icon="play"
          data-testid="automation-resume"
          disabled={busy === 'resume'}
          onClick={() => setConfirm('resume')}
        >
          Resume
        </Button>
      )}
      <ConfirmModal
        isOpen={confirm === 'stop'}
        title="Emergency stop"
        body={
          <div data-testid="automation-stop-confirm">
            Every rule goes to <b>observe</b> and every point Plenum holds ({leases}) is handed back to the BMS now.
            Nothing more is written until someone resumes automation and sets the rules again.
          </div>
        }
        confirmText="Stop automation"
        confirmVariant="destructive"
        onConfirm={async () => {
          setConfirm(undefined);
          await onStop();
        }}
        onDismiss={() => setConfirm(undefined)}
      />
      <ConfirmModal
        isOpen={confirm === 'resume'}
        title="Resume automation"
        body={
          <div data-testid="automation-resume-confirm">
            Writes are allowed again. Rules stay in <b>observe</b> until their mode is set.
          </div>
        }
        confirmText="Resume"
        confirmVariant="primary"
        onConfirm={async () => {
          setConfirm(undefined);
          await onResume();
        }}
        onDismiss={() => setConfirm(undefined)}
      />
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  bar: css({
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
    padding: theme.spacing(1, 1.5),
    marginBottom: theme.spacing(1.5),
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    border: `1px solid ${theme.colors.border.weak}`,
  }),
  stopped: css({
    background: theme.colors.error.transparent,
    border: `2px solid ${theme.colors.error.border}`,
    color: theme.colors.error.text,
  }),
  state: css({ display: 'flex', alignItems: 'center', gap: theme.spacing(1.5), minWidth: 0 }),
  compact: css({ padding: theme.spacing(0.5, 1), marginBottom: theme.spacing(1), gap: theme.spacing(1) }),
  compactHeadline: css({ fontSize: theme.typography.body.fontSize }),
  headline: css({ fontSize: theme.typography.h5.fontSize, fontWeight: theme.typography.fontWeightMedium }),
  sub: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
  updated: css({ whiteSpace: 'nowrap' }),
});
