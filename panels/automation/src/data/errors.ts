import { ShapeError } from './model';
import { OPERATE_ROLE } from '../types';

/**
 * A failed call to the automation API, as the panel shows it: the API's own text (the backend's `{error}`, Grafana's
 * proxy `{message}`, the guard's refusal) with its HTTP status, and a hint saying what to change. The text is never
 * replaced by the hint: "403 plugin proxy route access denied" is what an administrator searches for.
 */
export interface Problem {
  status?: number;
  message: string;
  hint?: string;
}

export interface ProblemContext {
  /** the data source route the call used */
  route: 'read' | 'operate';
  /** the user's Grafana role, to say why the proxy refused */
  role?: string;
}

/** Grafana's `FetchError` as far as the panel reads it. */
interface FetchErrorLike {
  status?: number;
  statusText?: string;
  data?: unknown;
  cancelled?: boolean;
}

const isFetchErrorLike = (e: unknown): e is FetchErrorLike =>
  typeof e === 'object' && e !== null && 'status' in e && ('data' in e || 'statusText' in e);

/** The text a failed answer carries: `{error}`, `{message}`, a guard verdict's reason, a text body, the status text. */
export function answerText(data: unknown, statusText = ''): string {
  if (typeof data === 'string') {
    return data.trim() || statusText;
  }
  if (typeof data === 'object' && data !== null) {
    const d = data as { error?: unknown; message?: unknown; verdict?: { reason?: unknown } };
    // Grafana's backendSrv turns a text body into `{error: statusText, message: text}`: the message is the text
    if (typeof d.message === 'string' && d.message) {
      return d.message;
    }
    if (typeof d.error === 'string' && d.error) {
      return d.error;
    }
    if (typeof d.verdict?.reason === 'string') {
      return `the guard refused: ${d.verdict.reason}`;
    }
  }
  return statusText;
}

export function describeError(err: unknown, ctx: ProblemContext): Problem {
  if (err instanceof ShapeError) {
    return { message: err.message, hint: 'Choose a Plenum data source in the panel options.' };
  }
  if (!isFetchErrorLike(err)) {
    return { message: err instanceof Error ? err.message : String(err) };
  }
  const status = err.status;
  const text = answerText(err.data, err.statusText);
  const token = ctx.route === 'operate' ? 'Operate token (PLENUM_OPERATE_TOKEN)' : 'API token (PLENUM_API_TOKEN)';
  const problem = (message: string, hint?: string): Problem => ({
    ...(status !== undefined && status > 0 && { status }),
    message,
    ...(hint && { hint }),
  });
  if (err.cancelled || status === -1) {
    return problem(text || 'the request was cancelled');
  }
  if (!status || status === 502 || status === 504) {
    return problem(
      text || (status ? `no answer from the backend (HTTP ${status})` : 'no answer from Grafana'),
      "The Plenum backend does not answer at the data source's URL: check that it runs and the URL in the data source settings."
    );
  }
  if (status === 403 && /plugin proxy route access denied/i.test(text)) {
    return problem(
      text,
      `Grafana lets the ${OPERATE_ROLE} role and above use the data source's operate route${ctx.role ? `; you are ${ctx.role}` : ''}. Ask an administrator for the ${OPERATE_ROLE} role.`
    );
  }
  if (status === 403 && /needs the (\w+) scope/.test(text)) {
    const scope = /needs the (\w+) scope/.exec(text)![1];
    return problem(
      text,
      `The data source's token has no ${scope} scope: set ${scope === 'admin' ? 'an admin token' : 'its Operate token'} (PLENUM_${scope.toUpperCase()}_TOKEN) in the data source settings.`
    );
  }
  if (status === 401 || /authentication to data source failed/i.test(text)) {
    return problem(text, `The backend refused the data source's ${token}: set it in the data source settings.`);
  }
  if (status === 404 && /unable to find datasource/i.test(text)) {
    return problem(text, 'The data source chosen in the panel options does not exist: choose a Plenum data source.');
  }
  if (/automation: not configured/.test(text)) {
    return problem(text, 'The backend runs no automation: add an automation: section to its site config.');
  }
  return problem(text || `HTTP ${status}`);
}

/** One line: `HTTP 403: plugin proxy route access denied`. */
export function problemLine(p: Problem): string {
  return `${p.status ? `HTTP ${p.status}: ` : ''}${p.message}`;
}
