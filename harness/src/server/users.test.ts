import type http from 'node:http';
import { DEFAULT_USERS, hasRole, parseOrgRole, sessionCookie, sessionLogin, UserDirectory } from './users';

const request = (cookie?: string) => ({ headers: cookie === undefined ? {} : { cookie } }) as http.IncomingMessage;

describe('users', () => {
  it('orders roles as Grafana does: Viewer < Editor < Admin, and a server admin has every role', () => {
    const viewer = { login: 'v', role: 'Viewer' as const };
    const editor = { login: 'e', role: 'Editor' as const };
    const admin = { login: 'a', role: 'Admin' as const };
    expect([viewer, editor, admin].map((u) => hasRole(u, 'Viewer'))).toEqual([true, true, true]);
    expect([viewer, editor, admin].map((u) => hasRole(u, 'Editor'))).toEqual([false, true, true]);
    expect([viewer, editor, admin].map((u) => hasRole(u, 'Admin'))).toEqual([false, false, true]);
    expect(hasRole({ ...viewer, isGrafanaAdmin: true }, 'Admin')).toBe(true);
  });

  it('reads a route reqRole, treating absent and None as no check and refusing anything else', () => {
    expect(parseOrgRole(undefined, 'r')).toBeUndefined();
    expect(parseOrgRole('None', 'r')).toBeUndefined();
    expect(parseOrgRole('Editor', 'r')).toBe('Editor');
    expect(() => parseOrgRole('editor', 'route "ops"')).toThrow(
      'route "ops": reqRole "editor" is not one of Viewer, Editor, Admin',
    );
  });

  it('signs a request in from its session cookie, the first user without one, nobody for an unknown one', () => {
    const users = new UserDirectory();
    expect(users.of(request())).toBe(DEFAULT_USERS[0]);
    expect(users.of(request('a=1; harness_session=viewer; b=2'))?.role).toBe('Viewer');
    expect(users.of(request('harness_session=nobody'))).toBeUndefined();
    expect(sessionLogin(request('harness_session=j%C3%BCrgen'))).toBe('jürgen');
    expect(sessionCookie('editor', '/preview')).toBe('harness_session=editor; Path=/preview; HttpOnly; SameSite=Lax');
    expect(sessionCookie('editor', '')).toMatch(/; Path=\/;/);
  });

  it('refuses a user list it cannot sign anyone in from', () => {
    expect(() => new UserDirectory([])).toThrow(/at least one user/);
    expect(
      () =>
        new UserDirectory([
          { login: 'a', role: 'Admin' },
          { login: 'a', role: 'Viewer' },
        ]),
    ).toThrow('users: login "a" is listed twice');
    expect(() => new UserDirectory([{ login: 'x', role: 'Operator' as never }])).toThrow(
      'users: "x" has role "Operator"; expected one of Viewer, Editor, Admin',
    );
  });
});
