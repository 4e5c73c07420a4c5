import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { dateTime, type PanelProps } from '@grafana/data';
import React from 'react';
import { Observable } from 'rxjs';
import { DEFAULT_OPTIONS, type AutomationOptions } from '../../types';
import { AutomationPanel } from './AutomationPanel';

/** A fake of Grafana's backendSrv: records requests, answers from `answers` (a function of method and url). */
const calls: Array<{ method: string; url: string; data?: unknown }> = [];
let answer: (method: string, url: string) => { status: number; data: unknown };
const mockUser = { login: 'alice', orgRole: 'Editor', isGrafanaAdmin: false };

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  // read when the panel renders (jest.mock runs before this module's constants exist)
  config: {
    get bootData() {
      return { user: mockUser };
    },
  },
  getDataSourceSrv: () => ({
    getList: () => [{ uid: 'plenum', name: 'Plenum', type: 'plenum-itot-datasource', isDefault: true }],
    getInstanceSettings: (uid: string) =>
      uid === 'plenum'
        ? { uid: 'plenum', name: 'Plenum', type: 'plenum-itot-datasource' }
        : uid === 'prom'
          ? { uid: 'prom', name: 'Prometheus', type: 'prometheus' }
          : undefined,
  }),
  getBackendSrv: () => ({
    fetch: (req: { method: string; url: string; data?: unknown }) =>
      new Observable((sub) => {
        calls.push({ method: req.method, url: req.url, data: req.data });
        const a = answer(req.method, req.url);
        if (a.status >= 400) {
          sub.error({ status: a.status, data: a.data, statusText: '' });
        } else {
          sub.next({ status: a.status, data: a.data, ok: true });
          sub.complete();
        }
      }),
  }),
}));

const STATE = {
  stopped: false,
  rules: [
    {
      id: 'inlet-high',
      version: 1,
      origin: 'file',
      mode: 'approve',
      priority: 5,
      kind: 'threshold',
      active: true,
      summary: '1 of 40 above 27; wants crah1/supply_setpoint=17',
      locked: false,
      holds: [],
    },
  ],
  leases: [
    {
      pointId: 'sim/hall1/-/-/crah2/fan_min',
      owner: 'operator:operate/alice',
      priority: 1,
      value: 35,
      saved: 25,
      leaseUntil: Date.now() + 60_000,
      release: 'restore',
    },
  ],
  proposals: [
    {
      id: 3,
      rule: 'inlet-high',
      version: 1,
      pointId: 'sim/hall1/-/-/crah1/supply_setpoint',
      value: 17,
      from: 18,
      reason: 'inlet A03 above 27',
      priority: 5,
      createdAt: Date.now() - 5000,
      expiresAt: Date.now() + 600_000,
      status: 'pending',
    },
  ],
};
const EVENTS = {
  events: [
    {
      id: 9,
      time: Date.now() - 1000,
      type: 'automation',
      severity: 'info',
      title: 'rule inlet-high: dry-run → approve by operator:operate/alice',
      tags: ['automation', 'mode'],
      source: 'automation',
      data: { rule: 'inlet-high', from: 'dry-run', to: 'approve', actor: { kind: 'operator', id: 'operate/alice' } },
    },
  ],
};

function props(options: Partial<AutomationOptions> = {}): PanelProps<AutomationOptions> {
  const to = dateTime();
  return {
    options: { ...DEFAULT_OPTIONS, ...options },
    width: 1200,
    height: 700,
    timeRange: { from: dateTime(to.valueOf() - 3600_000), to, raw: { from: 'now-1h', to: 'now' } },
    timeZone: 'utc',
    replaceVariables: (s: string) => s,
  } as unknown as PanelProps<AutomationOptions>;
}

beforeEach(() => {
  calls.length = 0;
  mockUser.orgRole = 'Editor';
  answer = (method, url) =>
    method === 'GET' && url.endsWith('/api/automation')
      ? { status: 200, data: STATE }
      : method === 'GET' && url.endsWith('/api/events')
        ? { status: 200, data: EVENTS }
        : { status: 200, data: {} };
});

describe('AutomationPanel', () => {
  it('reads state and events through the read route and shows rules, proposals, leases and actions', async () => {
    render(<AutomationPanel {...props()} />);
    await screen.findByText('Automation running');
    expect(calls.map((c) => c.url).sort()).toEqual([
      '/api/datasources/proxy/uid/plenum/plenum/api/automation',
      '/api/datasources/proxy/uid/plenum/plenum/api/events',
    ]);
    expect(screen.getByTestId('automation-rule')).toHaveAttribute('data-mode', 'approve');
    expect(screen.getByTestId('automation-proposal')).toHaveTextContent(
      '#3 rule inlet-high → crah1/supply_setpoint 18 → 17'
    );
    expect(screen.getByTestId('automation-lease')).toHaveTextContent('crah2/fan_min');
    expect(screen.getByTestId('automation-lease')).toHaveTextContent('25');
    expect(screen.getByTestId('automation-action')).toHaveAttribute('data-actor', 'operator:operate/alice');
    expect(screen.getByTestId('automation-action')).toHaveTextContent('dry-run → approve');
  });

  it('lets an editor approve, reject, change a mode and stop — each on the operate route', async () => {
    render(<AutomationPanel {...props()} />);
    await screen.findByText('Automation running');
    const posted = () => calls.filter((c) => c.method === 'POST');
    // a command in flight disables its controls; each next click waits for the one before to finish
    const idle = () => waitFor(() => expect(screen.getByTestId('automation-reject-3')).toBeEnabled());
    fireEvent.click(screen.getByTestId('automation-approve-3'));
    await waitFor(() => expect(posted()).toHaveLength(1));
    await idle();
    expect(posted()[0]).toEqual({
      method: 'POST',
      url: '/api/datasources/proxy/uid/plenum/plenum-operate/api/automation/proposals/3/approve',
      data: {},
    });
    fireEvent.click(screen.getByTestId('automation-reject-3'));
    await waitFor(() => expect(posted()).toHaveLength(2));
    expect(posted()[1]!.url).toMatch(/plenum-operate\/api\/automation\/proposals\/3\/reject$/);
    await idle();
    fireEvent.click(within(screen.getByTestId('automation-mode-inlet-high')).getByText('Observe'));
    await waitFor(() => expect(posted()).toHaveLength(3));
    expect(posted()[2]).toMatchObject({
      url: expect.stringMatching(/rules\/inlet-high\/mode$/),
      data: { mode: 'observe' },
    });
    await idle();
    // auto asks first
    fireEvent.click(within(screen.getByTestId('automation-mode-inlet-high')).getByText('Auto'));
    expect(await screen.findByTestId('automation-auto-confirm')).toBeInTheDocument();
    expect(posted()).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'Set to auto' }));
    await waitFor(() => expect(posted()).toHaveLength(4));
    expect(posted()[3]!.data).toEqual({ mode: 'auto' });
    await idle();
    // the emergency stop asks once, then posts
    fireEvent.click(screen.getByTestId('automation-stop'));
    expect(await screen.findByTestId('automation-stop-confirm')).toHaveTextContent('(1)');
    fireEvent.click(screen.getByRole('button', { name: 'Stop automation' }));
    await waitFor(() => expect(posted()).toHaveLength(5));
    expect(posted()[4]!.url).toBe('/api/datasources/proxy/uid/plenum/plenum-operate/api/automation/stop');
  });

  it('shows a viewer the state read-only: no selectors, no Approve / Reject, no stop', async () => {
    mockUser.orgRole = 'Viewer';
    render(<AutomationPanel {...props()} />);
    await screen.findByText('Automation running');
    expect(screen.getByTestId('automation-panel')).toHaveAttribute('data-can-operate', 'false');
    expect(screen.getByTestId('automation-readonly')).toHaveTextContent(
      'Read-only: the controls need the Editor role; you are Viewer.'
    );
    expect(screen.queryByTestId('automation-mode-inlet-high')).not.toBeInTheDocument();
    expect(screen.getByTestId('automation-mode-badge-inlet-high')).toHaveTextContent('approve');
    expect(screen.queryByTestId('automation-approve-3')).not.toBeInTheDocument();
    expect(screen.queryByTestId('automation-stop')).not.toBeInTheDocument();
    expect(screen.getByTestId('automation-proposal')).toBeInTheDocument();
  });

  it('is one line per rule when compact, with the summary in the tooltip', async () => {
    render(<AutomationPanel {...props({ density: 'compact', layout: 'stacked' })} />);
    await screen.findByText('Automation running');
    expect(screen.queryByTestId('automation-rule-summary')).not.toBeInTheDocument();
    const cells = screen.getByTestId('automation-rule').querySelectorAll('td');
    expect(cells[2]!.getAttribute('title')).toBe('1 of 40 above 27; wants crah1/supply_setpoint=17');
    expect(cells[0]!.getAttribute('title')).toBe('threshold · v1 · file · priority 5');
  });

  it('shows a refused command with the API’s text and what to change', async () => {
    render(<AutomationPanel {...props()} />);
    await screen.findByText('Automation running');
    answer = (method) =>
      method === 'POST'
        ? { status: 403, data: { message: 'plugin proxy route access denied' } }
        : { status: 200, data: method === 'GET' ? STATE : {} };
    fireEvent.click(screen.getByTestId('automation-approve-3'));
    const note = await screen.findByTestId('automation-command-error');
    expect(note).toHaveTextContent('Approving proposal #3 failed — HTTP 403: plugin proxy route access denied');
    expect(note).toHaveTextContent('Grafana lets the Editor role and above use the data source');
    fireEvent.click(within(note).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('automation-command-error')).not.toBeInTheDocument();
  });

  it('shows a read failure, and a stopped automation with Resume', async () => {
    answer = () => ({
      status: 400,
      data: { error: 'automation: not configured (no automation: section in the site config)' },
    });
    const { unmount } = render(<AutomationPanel {...props()} />);
    const note = await screen.findByTestId('automation-error');
    expect(note).toHaveTextContent('HTTP 400: automation: not configured');
    unmount();
    calls.length = 0;
    answer = (method, url) =>
      url.endsWith('/api/automation')
        ? { status: 200, data: { ...STATE, stopped: true, leases: [] } }
        : { status: 200, data: EVENTS };
    render(<AutomationPanel {...props({ showActions: false })} />);
    await screen.findByText('EMERGENCY STOP — automation stopped');
    expect(screen.queryByTestId('automation-stop')).not.toBeInTheDocument();
    expect(screen.getByTestId('automation-resume')).toBeInTheDocument();
    expect(screen.getByTestId('automation-approve-3')).toBeDisabled();
    // without the actions section the events are not read
    expect(calls.some((c) => c.url.endsWith('/api/events'))).toBe(false);
  });

  it('names a data source that is missing or not Plenum instead of calling it', async () => {
    const { unmount } = render(<AutomationPanel {...props({ datasource: 'gone' })} />);
    expect(screen.getByTestId('automation-error')).toHaveTextContent('No data source "gone"');
    unmount();
    render(<AutomationPanel {...props({ datasource: 'prom' })} />);
    expect(screen.getByTestId('automation-error')).toHaveTextContent('is a prometheus, not a Plenum data source');
    await act(async () => {});
    expect(calls).toEqual([]);
  });
});
