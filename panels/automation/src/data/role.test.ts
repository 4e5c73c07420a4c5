import { controlsAccess } from './role';

describe('controlsAccess', () => {
  it('offers the controls to Editors, Admins and Grafana server admins, as the proxy lets them through', () => {
    expect(controlsAccess({ orgRole: 'Editor' }, 'role')).toEqual({ allowed: true });
    expect(controlsAccess({ orgRole: 'Admin' }, 'role')).toEqual({ allowed: true });
    expect(controlsAccess({ orgRole: 'Viewer', isGrafanaAdmin: true }, 'role')).toEqual({ allowed: true });
  });

  it('shows Viewers, users without a role and anonymous walls the state read-only, saying why', () => {
    expect(controlsAccess({ orgRole: 'Viewer' }, 'role')).toEqual({
      allowed: false,
      reason: 'Read-only: the controls need the Editor role; you are Viewer.',
    });
    expect(controlsAccess({ orgRole: '' }, 'role').reason).toMatch(/you are not in a role/);
    expect(controlsAccess(undefined, 'role').allowed).toBe(false);
  });

  it('offers nobody the controls when the panel is set read-only', () => {
    expect(controlsAccess({ orgRole: 'Admin', isGrafanaAdmin: true }, 'never')).toEqual({
      allowed: false,
      reason: 'Read-only: controls are off for this panel.',
    });
  });
});
