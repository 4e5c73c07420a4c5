import { css } from '@emotion/css';
import type { GrafanaTheme2, PanelProps } from '@grafana/data';
import { config, getDataSourceSrv } from '@grafana/runtime';
import { useStyles2 } from '@grafana/ui';
import React, { useMemo } from 'react';
import { formatAge } from '../../data/format';
import { panelColumns, type Section } from '../../data/layout';
import { controlsAccess } from '../../data/role';
import { DATASOURCE_TYPE, type AutomationOptions } from '../../types';
import { ActionsSection } from '../Actions/ActionsSection';
import { ProblemNote } from '../common/ProblemNote';
import { LeasesSection } from '../Leases/LeasesSection';
import { ProposalsSection } from '../Proposals/ProposalsSection';
import { RulesSection } from '../Rules/RulesSection';
import { StopBar } from '../StopBar/StopBar';
import { useAutomation } from './useAutomation';
import { useClock } from './useClock';

/** The data source the panel talks to: the one in the options (variables resolved), else the default Plenum one. */
function resolveDatasource(option: string, replace: (s: string) => string): { uid?: string; problem?: string } {
  // getDataSourceSrv is deprecated in 13.x for functions of @grafana/runtime/unstable, which Grafana 12 lacks
  /* eslint-disable @typescript-eslint/no-deprecated */
  const srv = getDataSourceSrv();
  const wanted = option ? replace(option) : '';
  if (!wanted) {
    const list = srv.getList({ pluginId: DATASOURCE_TYPE });
    const ds = list.find((d) => d.isDefault) ?? list[0];
    return ds ? { uid: ds.uid } : { problem: 'No Plenum data source: add one, or choose one in the panel options.' };
  }
  const ds = srv.getInstanceSettings(wanted);
  if (!ds) {
    return { problem: `No data source "${wanted}": choose a Plenum data source in the panel options.` };
  }
  if (ds.type !== DATASOURCE_TYPE) {
    return { problem: `Data source "${ds.name}" is a ${ds.type}, not a Plenum data source (${DATASOURCE_TYPE}).` };
  }
  /* eslint-enable @typescript-eslint/no-deprecated */
  return { uid: ds.uid };
}

/**
 * Plenum's automation at a glance and at hand: the stop bar, rules with their modes, pending proposals, leases and
 * recent actions — read through the data source's read route every few seconds; controls (for users whose role the
 * operate route lets through) post to the operate route.
 */
export function AutomationPanel({
  options,
  width,
  height,
  timeRange,
  timeZone,
  replaceVariables,
}: PanelProps<AutomationOptions>) {
  const styles = useStyles2(getStyles);
  const user = config.bootData?.user;
  const access = controlsAccess(user, options.controls);
  const ds = useMemo(
    () => resolveDatasource(options.datasource, (s) => replaceVariables(s)),
    [options.datasource, replaceVariables]
  );
  const a = useAutomation(ds.uid, {
    pollMs: options.pollS * 1000,
    range: { from: timeRange.from.valueOf(), to: timeRange.to.valueOf(), raw: timeRange.raw },
    actionsLimit: options.showActions ? options.actionsLimit : undefined,
    role: user?.orgRole || undefined,
  });
  const status = a.status;
  const clock = useClock();
  // the backend's clock when it says (leases run on it), else the browser's
  const now = status?.now ?? clock;
  const columns = panelColumns(width, options);

  const section = (s: Section) => {
    if (!status) {
      return null;
    }
    switch (s) {
      case 'rules':
        return (
          <RulesSection
            key={s}
            rules={status.rules}
            canOperate={access.allowed}
            stopped={status.stopped}
            busy={a.busy}
            compact={options.density === 'compact'}
            onMode={(rule, mode) => a.run({ kind: 'mode', rule, mode })}
          />
        );
      case 'proposals':
        return (
          <ProposalsSection
            key={s}
            proposals={status.proposals}
            now={now}
            canOperate={access.allowed}
            stopped={status.stopped}
            busy={a.busy}
            onApprove={(id) => a.run({ kind: 'approve', id })}
            onReject={(id) => a.run({ kind: 'reject', id })}
          />
        );
      case 'leases':
        return <LeasesSection key={s} leases={status.leases} now={now} />;
      case 'actions':
        return (
          <ActionsSection
            key={s}
            events={a.events ?? []}
            limit={options.actionsLimit}
            showDryRun={options.showDryRun}
            timeZone={timeZone}
          />
        );
    }
  };

  return (
    <div
      className={styles.panel}
      style={{ width, height }}
      data-testid="automation-panel"
      data-datasource={ds.uid ?? ''}
      data-can-operate={String(access.allowed)}
      data-loaded={String(status !== undefined)}
    >
      {ds.problem && <ProblemNote testId="automation-error" problem={{ message: ds.problem }} />}
      {a.readProblem && (
        <ProblemNote testId="automation-error" what="Reading the automation state" problem={a.readProblem} />
      )}
      {a.commandProblem && (
        <ProblemNote
          testId="automation-command-error"
          what={a.commandProblem.what.replace(/^./, (c) => c.toUpperCase())}
          problem={a.commandProblem.problem}
          onDismiss={a.dismiss}
        />
      )}
      {!ds.problem && (
        <StopBar
          status={status}
          canOperate={access.allowed}
          busy={a.busy}
          onStop={() => a.run({ kind: 'stop' })}
          onResume={() => a.run({ kind: 'resume' })}
          readOnly={access.allowed ? undefined : access.reason}
          compact={options.density === 'compact'}
          updated={a.updatedAt ? `updated ${formatAge(a.updatedAt, clock)}` : undefined}
        />
      )}
      <div
        className={styles.columns}
        style={{ gridTemplateColumns: `repeat(${Math.max(1, columns.length)}, minmax(0, 1fr))` }}
      >
        {columns.map((col, i) => (
          <div key={i} className={styles.column}>
            {col.map(section)}
          </div>
        ))}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  panel: css({ overflow: 'auto', position: 'relative', paddingRight: theme.spacing(0.5) }),
  columns: css({ display: 'grid', gap: theme.spacing(2) }),
  column: css({ minWidth: 0 }),
});
