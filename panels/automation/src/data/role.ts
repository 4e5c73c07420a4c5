import { OPERATE_ROLE, type ControlsMode } from '../types';

/** Grafana's org roles, lowest first. */
const ROLES = ['None', 'Viewer', 'Editor', 'Admin'];

/** The user as Grafana's boot data describes them (`config.bootData.user`). */
export interface UserInfo {
  login?: string;
  orgRole?: string;
  isGrafanaAdmin?: boolean;
}

export interface ControlsAccess {
  /** whether the panel offers mode selectors, Approve / Reject and the emergency stop */
  allowed: boolean;
  /** why not, for the read-only note */
  reason?: string;
}

/**
 * Whether to offer the controls: as Grafana's proxy will judge the operate route (`reqRole: Editor`, which a Grafana
 * server admin always passes). This only decides what the panel shows; the proxy and the backend's scopes decide
 * what happens, so a user who reaches the API anyway still gets 403.
 */
export function controlsAccess(user: UserInfo | undefined, controls: ControlsMode): ControlsAccess {
  if (controls === 'never') {
    return { allowed: false, reason: 'Read-only: controls are off for this panel.' };
  }
  if (user?.isGrafanaAdmin) {
    return { allowed: true };
  }
  const role = user?.orgRole || 'None';
  if (ROLES.indexOf(role) >= ROLES.indexOf(OPERATE_ROLE)) {
    return { allowed: true };
  }
  return {
    allowed: false,
    reason: `Read-only: the controls need the ${OPERATE_ROLE} role; you are ${role === 'None' ? 'not in a role' : role}.`,
  };
}
