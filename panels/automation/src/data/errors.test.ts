import { describeError, problemLine, answerText } from './errors';
import { ShapeError } from './model';

const fetchError = (status: number, data: unknown, statusText = '') => ({ status, data, statusText, config: {} });

describe('describeError', () => {
  it('keeps Grafana’s 403 text and says which role the operate route needs', () => {
    const p = describeError(fetchError(403, { message: 'plugin proxy route access denied' }), {
      route: 'operate',
      role: 'Viewer',
    });
    expect(problemLine(p)).toBe('HTTP 403: plugin proxy route access denied');
    expect(p.hint).toBe(
      "Grafana lets the Editor role and above use the data source's operate route; you are Viewer. Ask an administrator for the Editor role."
    );
  });

  it('keeps the backend’s 403 text and names the token to set for the scope', () => {
    const text =
      'authorization: POST /api/automation/stop needs the operate scope; this token (read) has read (PLENUM_OPERATE_TOKEN)';
    const p = describeError(fetchError(403, { error: text }), { route: 'operate' });
    expect(p).toEqual({
      status: 403,
      message: text,
      hint: "The data source's token has no operate scope: set its Operate token (PLENUM_OPERATE_TOKEN) in the data source settings.",
    });
  });

  it('explains the proxy’s 400 for a refused token, per route', () => {
    const proxied = fetchError(400, { error: 'Bad Request', message: 'Authentication to data source failed' });
    expect(describeError(proxied, { route: 'operate' }).hint).toMatch(/Operate token \(PLENUM_OPERATE_TOKEN\)/);
    expect(describeError(proxied, { route: 'read' }).hint).toMatch(/API token \(PLENUM_API_TOKEN\)/);
    expect(describeError(proxied, { route: 'read' }).message).toBe('Authentication to data source failed');
  });

  it('shows the backend’s refusals as they are: a stopped automation, a guard verdict', () => {
    const stopped = describeError(
      fetchError(400, { error: 'mode: automation is stopped; resume it first (POST /api/automation/resume)' }),
      { route: 'operate' }
    );
    expect(problemLine(stopped)).toBe(
      'HTTP 400: mode: automation is stopped; resume it first (POST /api/automation/resume)'
    );
    expect(stopped.hint).toBeUndefined();
    const refused = describeError(
      fetchError(409, { verdict: { allow: false, code: 'owner', reason: 'owned by operator:operate (priority 1)' } }),
      { route: 'operate' }
    );
    expect(refused.message).toBe('the guard refused: owned by operator:operate (priority 1)');
  });

  it('says when nothing answers, and when the data source is not a Plenum backend', () => {
    expect(describeError(fetchError(502, ''), { route: 'read' })).toMatchObject({
      status: 502,
      message: 'no answer from the backend (HTTP 502)',
    });
    expect(describeError(fetchError(404, { message: 'Unable to find datasource' }), { route: 'read' }).hint).toMatch(
      /does not exist/
    );
    expect(describeError(new ShapeError('stopped: expected true or false'), { route: 'read' })).toEqual({
      message: 'stopped: expected true or false',
      hint: 'Choose a Plenum data source in the panel options.',
    });
    expect(
      describeError(
        fetchError(400, { error: 'automation: not configured (no automation: section in the site config)' }),
        {
          route: 'read',
        }
      ).hint
    ).toMatch(/automation: section/);
    expect(describeError(new Error('boom'), { route: 'read' })).toEqual({ message: 'boom' });
  });

  it('reads every shape an error body comes in', () => {
    expect(answerText(' text body ')).toBe('text body');
    expect(answerText('', 'Bad Gateway')).toBe('Bad Gateway');
    expect(answerText({ error: 'e' })).toBe('e');
    expect(answerText({ message: 'm', error: 'Bad Request' })).toBe('m');
    expect(answerText(null, 'Not Found')).toBe('Not Found');
  });
});
