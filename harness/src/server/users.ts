import type http from 'node:http';

/** Grafana's organisation roles, lowest first (`org.RoleType`: Viewer < Editor < Admin). */
export const ORG_ROLES = ['Viewer', 'Editor', 'Admin'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

/** A signed-in user of the harness, as Grafana's `SignedInUser` holds one (the fields the harness uses). */
export interface HarnessUser {
  /** what Grafana's proxy sends as `X-Grafana-User`, and `?user=` picks */
  login: string;
  /** the role in the (only) organisation */
  role: OrgRole;
  /** @default login */
  name?: string;
  /** a Grafana server admin passes every role check (`SignedInUser.HasRole`). @default false */
  isGrafanaAdmin?: boolean;
}

/** The users a harness has unless told otherwise: the first is who a page without `?user=` is signed in as. */
export const DEFAULT_USERS: readonly HarnessUser[] = [
  { login: 'admin', role: 'Admin', isGrafanaAdmin: true },
  { login: 'editor', role: 'Editor' },
  { login: 'viewer', role: 'Viewer' },
];

/** Grafana's `SignedInUser.HasRole`: a server admin has every role, else the org role must include `role`. */
export function hasRole(user: HarnessUser, role: OrgRole): boolean {
  return user.isGrafanaAdmin === true || ORG_ROLES.indexOf(user.role) >= ORG_ROLES.indexOf(role);
}

/**
 * A route's `reqRole` as a role to check, or undefined for none (absent, or Grafana's `None`, which every user
 * includes); throws on anything else, which Grafana's `RoleType.IsValid` would not accept.
 */
export function parseOrgRole(value: unknown, where: string): OrgRole | undefined {
  if (value === undefined || value === '' || value === 'None') return undefined;
  if (typeof value === 'string' && (ORG_ROLES as readonly string[]).includes(value)) return value as OrgRole;
  throw new Error(`${where}: reqRole "${String(value)}" is not one of ${ORG_ROLES.join(', ')}`);
}

/**
 * The session cookie standing in for Grafana's `grafana_session`: it holds the login, set when a page is opened with
 * `?user=<login>`. The harness trusts it (a test tool, not an authentication system); the proxy never forwards it.
 */
export const SESSION_COOKIE = 'harness_session';

/** The cookie header value that signs a browser in as `login`, scoped to the harness's base path. */
export function sessionCookie(login: string, basePath: string): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(login)}; Path=${basePath || '/'}; HttpOnly; SameSite=Lax`;
}

/** The login in a request's session cookie, if any. */
export function sessionLogin(req: http.IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const c = part.trim();
    if (!c.startsWith(`${SESSION_COOKIE}=`)) continue;
    try {
      return decodeURIComponent(c.slice(SESSION_COOKIE.length + 1));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The users of a harness server: who a request is signed in as. */
export class UserDirectory {
  private readonly byLogin = new Map<string, HarnessUser>();
  readonly defaultUser: HarnessUser;

  constructor(users: readonly HarnessUser[] = DEFAULT_USERS) {
    if (users.length === 0) throw new Error('users: at least one user is needed (the default sign-in)');
    for (const u of users) {
      if (this.byLogin.has(u.login)) throw new Error(`users: login "${u.login}" is listed twice`);
      if (!(ORG_ROLES as readonly string[]).includes(u.role))
        throw new Error(`users: "${u.login}" has role "${String(u.role)}"; expected one of ${ORG_ROLES.join(', ')}`);
      this.byLogin.set(u.login, u);
    }
    this.defaultUser = users[0]!;
  }

  get(login: string): HarnessUser | undefined {
    return this.byLogin.get(login);
  }

  logins(): string[] {
    return [...this.byLogin.keys()];
  }

  /**
   * Who sent `req`: the session cookie's user, the first user when there is no cookie (a fresh browser is signed in as
   * it), undefined for a cookie naming no user (Grafana would answer 401).
   */
  of(req: http.IncomingMessage): HarnessUser | undefined {
    const login = sessionLogin(req);
    return login === undefined ? this.defaultUser : this.byLogin.get(login);
  }
}
