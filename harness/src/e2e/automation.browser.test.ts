import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor, type Stack } from '../../../backend/src/testing/stack';
import type { MountPanelOptions } from '../host/api';
import { REPO_DIR } from '../server/paths';
import { pageErrors, screenshot } from '../testing/browser';
import { openPlenumBed, type PlenumBed } from './plenum-bed';

/**
 * The built automation panel in the harness against the simulator and the real backend, with the Plenum data source
 * holding both the read and the operate token. The harness signs pages in as `admin` (Admin), `editor` (Editor) or
 * `viewer` (Viewer) and its proxy honours the operate route's `reqRole: Editor` and sends `X-Grafana-User`, as
 * Grafana does with `send_user_header = true`.
 *
 * The story: a test rule (PUT with the admin token, deterministic: it fires at once) starts in observe; an editor sets
 * it to approve in the panel, its proposal appears; a viewer sees it read-only and gets 403 from the proxy for the
 * same requests; the editor approves it (the backend's audit names `operator:operate/editor`), the lease appears; the
 * emergency stop (confirmed) empties the leases; resume; the audit trail comes back as annotations.
 */
const PANEL_ID = 'plenum-automation-panel';
const READ = 'automation-read-4e1a';
const OPERATE = 'automation-operate-9c07';
const ADMIN = 'automation-admin-2b53';
const RULE = 'e2e-approve';
/** what the test rule proposes to lower; the guard allows 16–24 °C, 1 K a step, 2 K a minute */
const SETPOINT = 'sim/hall1/-/-/crah1/supply_setpoint';
/** what the setup holds by hand, so a lease shows before anything is approved */
const FAN_MIN = 'sim/hall1/-/-/crah2/fan_min';
const README_SHOTS = path.join(REPO_DIR, 'panels', 'automation', 'src', 'img', 'screenshots');
const PROXY = 'api/datasources/proxy/uid/plenum';

interface Status {
  stopped: boolean;
  rules: Array<{ id: string; mode: string; holds: string[] }>;
  leases: Array<{ pointId: string; owner: string }>;
  proposals: Array<{ id: number; rule: string; pointId: string; status: string; decidedBy?: string }>;
}
interface BackendEvent {
  id: number;
  title: string;
  text?: string;
  tags: string[];
}

describe('automation panel in the harness, against the simulator and backend', () => {
  let bed: PlenumBed;
  let stack: Stack;
  let admin: Page;
  let editor: Page;
  let viewer: Page;
  let proposalId: number;

  const api = async <T>(
    method: string,
    p: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; data: T }> => {
    const res = await fetch(`${stack.url}${p}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, data: (await res.json()) as T };
  };
  const status = async () => (await api<Status>('GET', '/api/automation', READ)).data;
  const events = async (query: string) =>
    (await api<{ events: BackendEvent[] }>('GET', `/api/events?from=now-1h&to=now&limit=500&${query}`, READ)).data
      .events;

  const mount = (page: Page, options: MountPanelOptions = {}) =>
    page.evaluate(([id, o]) => window.harness.mountPanel(id, o), [
      PANEL_ID,
      { options: { pollS: 1 }, width: 1400, height: 860, title: 'Automation — hall1', ...options },
    ] as const);
  const loaded = (page: Page) => page.waitForSelector('[data-testid="automation-panel"][data-loaded="true"]');

  beforeAll(async () => {
    bed = await openPlenumBed({
      token: READ,
      operateToken: OPERATE,
      adminToken: ADMIN,
      panels: [PANEL_ID],
      page: { viewport: { width: 1440, height: 920 } },
    });
    ({ stack, page: admin } = bed);
    // the setpoint read good (the guard judges a write against the point's own reading)
    await waitFor(
      'the CRAH1 supply setpoint read with good quality',
      async () => {
        const r = await api<{ results: { A: { frames: Array<{ data: { values: unknown[][] } }> } } }>(
          'POST',
          '/api/query',
          READ,
          {
            range: { from: 'now-5m', to: 'now' },
            queries: [{ refId: 'A', queryType: 'latest', selector: { ids: [SETPOINT, FAN_MIN] } }],
          },
        );
        // one frame per quantity; the quality column is the one before rawStatus
        const quality = (r.data.results?.A?.frames ?? []).flatMap((f) => f.data.values.at(-2) ?? []);
        return quality.length === 2 && quality.every((q) => q === 'good') ? true : undefined;
      },
      60_000,
    );
    // a test rule that fires at once (every inlet is above 5 °C), in observe until an operator sets it; priority 2
    // so the feed-forward controller (5), should a simulated job start, does not own the point first
    const put = await api<{ id: string; mode: string }>('PUT', `/api/automation/rules/${RULE}`, ADMIN, {
      description: 'e2e: any rack inlet above 5 °C proposes CRAH1 supply setpoint −0.5 K',
      mode: 'observe',
      priority: 2,
      when: { threshold: { ids: ['sim/hall1/*/*/env/inlet_temp'], above: 5 } },
      then: [{ write: { ids: [SETPOINT], relative: -0.5 } }],
    });
    expect([put.status, put.data.mode]).toEqual([200, 'observe']);
    // an operator's manual hold, so a lease and a write show from the start
    const held = await waitFor('the manual write of CRAH2 fan minimum', async () => {
      const r = await api<{ verdict?: { allow: boolean }; error?: string }>('POST', '/api/automation/write', OPERATE, {
        pointId: FAN_MIN,
        value: 35,
        leaseS: 1800,
        reason: 'e2e: CRAH2 fan minimum held for the screenshots',
      });
      return r.status === 200 ? r : undefined;
    });
    expect(held.data.verdict?.allow).toBe(true);
    editor = await bed.openPage({ user: 'editor', viewport: { width: 1440, height: 920 } });
    viewer = await bed.openPage({ user: 'viewer', viewport: { width: 1440, height: 920 } });
  }, 120_000);

  afterAll(() => bed?.close());

  it('as an editor, sets the test rule to approve in the panel, and its proposal appears', async () => {
    await mount(editor);
    await loaded(editor);
    const panel = editor.getByTestId('automation-panel');
    await expect(panel.getAttribute('data-can-operate')).resolves.toBe('true');
    await expect(
      editor.locator(`[data-testid="automation-rule"][data-rule="${RULE}"]`).getAttribute('data-mode'),
    ).resolves.toBe('observe');
    // Grafana's RadioButtonGroup: the radio input (titled with its label) sits over the label and takes the click
    await editor.getByTestId(`automation-mode-${RULE}`).locator('input[title="Approve"]').click();
    await editor.waitForSelector(`[data-testid="automation-rule"][data-rule="${RULE}"][data-mode="approve"]`);
    const card = await editor.waitForSelector(
      `[data-testid="automation-proposal"][data-point="${SETPOINT}"][data-status="pending"]`,
      { timeout: 20_000 },
    );
    proposalId = Number(await card.getAttribute('data-proposal'));
    expect((await status()).proposals.find((p) => p.id === proposalId)).toMatchObject({
      rule: RULE,
      status: 'pending',
    });
    // the backend recorded the mode change with the Grafana user the proxy named
    const modes = await events('type=automation&tags=mode');
    expect(modes.map((e) => e.title)).toContain(`rule ${RULE}: observe → approve by operator:operate/editor`);
    expect(pageErrors(editor)).toEqual([]);
  }, 60_000);

  it.each(['dark', 'light'] as const)(
    'shows rules, proposals, leases and recent actions (%s theme)',
    async (theme) => {
      await mount(admin, { theme });
      await loaded(admin);
      await admin.waitForSelector(`[data-testid="automation-lease"][data-point="${FAN_MIN}"]`);
      await admin.waitForSelector('[data-testid="automation-action"][data-kind="mode"]');
      const rules = await admin
        .getByTestId('automation-rule')
        .evaluateAll((els) => els.map((el) => [el.getAttribute('data-rule'), el.getAttribute('data-mode')]));
      // the sample's three rules and the test rule, each with its mode
      expect(rules).toEqual(
        expect.arrayContaining([
          ['feed-forward', 'auto'],
          ['cooling-fault', 'dry-run'],
          ['inlet-high', 'dry-run'],
          [RULE, 'approve'],
        ]),
      );
      await expect(
        admin.locator(`[data-testid="automation-lease"][data-point="${FAN_MIN}"]`).textContent(),
      ).resolves.toMatch(/crah2\/fan_min\s*operator:operate · p1\s*35/);
      await expect(admin.getByTestId(`automation-proposal`).first().textContent()).resolves.toMatch(
        new RegExp(`#${proposalId} rule ${RULE} → crah1/supply_setpoint [\\d.]+ → [\\d.]+`),
      );
      const kinds = await admin
        .getByTestId('automation-action')
        .evaluateAll((els) => els.map((el) => el.getAttribute('data-kind')));
      expect(kinds).toEqual(expect.arrayContaining(['mode', 'write', 'proposal', 'rule']));
      await expect(admin.getByTestId('automation-stop').isVisible()).resolves.toBe(true);
      // pixels: the theme reaches the panel (text colour) and the emergency stop is drawn in Grafana's red
      const colours = await admin.evaluate(() => {
        const text = getComputedStyle(document.querySelector('[data-testid="automation-state"]')!).color;
        const stop = getComputedStyle(document.querySelector('[data-testid="automation-stop"]')!).backgroundColor;
        return { text, stop };
      });
      const rgb = (c: string) => c.match(/\d+/g)!.slice(0, 3).map(Number);
      const [r, g, b] = rgb(colours.stop);
      expect(r).toBeGreaterThan(150);
      expect(g! + b!).toBeLessThan(r!);
      const lum = rgb(colours.text).reduce((s, v) => s + v, 0) / 3;
      expect(theme === 'dark' ? lum > 150 : lum < 100).toBe(true);
      const file = await screenshot(admin, `automation-${theme}`, '[data-testid="harness-panel"]');
      if (process.env.UPDATE_README_SCREENSHOTS)
        fs.copyFileSync(file, path.join(README_SHOTS, `automation-${theme}.png`));
      expect(pageErrors(admin)).toEqual([]);
    },
    60_000,
  );

  it('as a viewer, sees the state read-only and gets 403 from the proxy for approve, mode and stop', async () => {
    await mount(viewer, { width: 1200 });
    await loaded(viewer);
    await viewer.waitForSelector(`[data-testid="automation-proposal"][data-proposal="${proposalId}"]`);
    await expect(viewer.getByTestId('automation-panel').getAttribute('data-can-operate')).resolves.toBe('false');
    await expect(viewer.getByTestId('automation-readonly').textContent()).resolves.toContain(
      'Read-only: the controls need the Editor role; you are Viewer.',
    );
    for (const id of [
      `automation-mode-${RULE}`,
      `automation-approve-${proposalId}`,
      `automation-reject-${proposalId}`,
      'automation-stop',
    ])
      await expect(viewer.getByTestId(id).count()).resolves.toBe(0);
    await expect(viewer.getByTestId(`automation-mode-badge-${RULE}`).textContent()).resolves.toBe('approve');
    await screenshot(viewer, 'automation-viewer', '[data-testid="harness-panel"]');
    expect(pageErrors(viewer)).toEqual([]);

    // the same requests the editor's panel sends, from the viewer's session
    const answers = await viewer.evaluate(
      async ([proxy, id, rule]) => {
        const post = async (p: string, body: unknown = {}) => {
          const res = await fetch(`${proxy}/${p}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(body),
          });
          return { status: res.status, body: await res.text() };
        };
        return {
          approve: await post(`plenum-operate/api/automation/proposals/${id}/approve`),
          mode: await post(`plenum-operate/api/automation/rules/${rule}/mode`, { mode: 'auto' }),
          stop: await post('plenum-operate/api/automation/stop'),
          // the read route reaches the backend, whose read token has no operate scope
          stopOnReadRoute: await post('plenum/api/automation/stop'),
        };
      },
      [PROXY, proposalId, RULE] as const,
    );
    for (const a of [answers.approve, answers.mode, answers.stop]) {
      expect(a).toEqual({ status: 403, body: JSON.stringify({ message: 'plugin proxy route access denied' }) });
    }
    expect(answers.stopOnReadRoute.status).toBe(403);
    expect(JSON.parse(answers.stopOnReadRoute.body).error).toMatch(
      /needs the operate scope; this token \(read\) has read/,
    );
    // nothing changed
    const s = await status();
    expect(s.stopped).toBe(false);
    expect(s.proposals.find((p) => p.id === proposalId)?.status).toBe('pending');
    expect(s.rules.find((r) => r.id === RULE)?.mode).toBe('approve');
    // Chromium logs each refused request; nothing else went wrong
    expect(pageErrors(viewer)).toEqual(
      Array(4).fill('console: Failed to load resource: the server responded with a status of 403 (Forbidden)'),
    );
  }, 60_000);

  it('as an editor, approves the proposal through the proxy: written, leased, audited with the Grafana user', async () => {
    await mount(editor);
    await loaded(editor);
    await editor.getByTestId(`automation-approve-${proposalId}`).click();
    await editor.waitForSelector(
      `[data-testid="automation-lease"][data-point="${SETPOINT}"][data-owner="rule:${RULE}@v1"]`,
      { timeout: 20_000 },
    );
    await expect(editor.getByTestId('automation-command-error').count()).resolves.toBe(0);
    const s = await status();
    expect(s.proposals.find((p) => p.id === proposalId)).toMatchObject({
      status: 'approved',
      decidedBy: 'operator:operate/editor',
    });
    expect(s.rules.find((r) => r.id === RULE)?.holds).toEqual([SETPOINT]);
    const audit = await events('type=automation&tags=proposal');
    const approved = audit.find((e) => e.title.startsWith(`proposal #${proposalId} approved`));
    expect(approved?.text).toBe('by operator:operate/editor');
    const writes = await events('type=automation&tags=write');
    expect(writes.find((e) => e.text?.includes('approved by operator:operate/editor'))?.title).toMatch(
      new RegExp(`^rule:${RULE}@v1 writes: crah1/supply_setpoint [\\d.]+ → [\\d.]+`),
    );
    // the panel's actions name the same actor
    await editor.waitForSelector(
      '[data-testid="automation-action"][data-kind="proposal"][data-actor="operator:operate/editor"]',
    );
    expect(pageErrors(editor)).toEqual([]);
  }, 60_000);

  it('as an editor, the emergency stop (confirmed) hands every lease back, and resume ends it', async () => {
    expect((await status()).leases.length).toBeGreaterThanOrEqual(2);
    await editor.getByTestId('automation-stop').click();
    await expect(editor.getByTestId('automation-stop-confirm').textContent()).resolves.toMatch(
      /every point Plenum holds \(\d+\)/,
    );
    await editor.getByRole('button', { name: 'Stop automation' }).click();
    await editor.waitForSelector('[data-testid="automation-stopbar"][data-stopped="true"]');
    await editor.waitForSelector('[data-testid="automation-leases"] >> text=Plenum holds no point', {
      timeout: 20_000,
    });
    const s = await status();
    expect(s.stopped).toBe(true);
    expect(s.leases).toEqual([]);
    expect(s.rules.every((r) => r.mode === 'observe')).toBe(true);
    await screenshot(editor, 'automation-stopped', '[data-testid="harness-panel"]');
    const stops = await events('type=automation&tags=stop');
    expect(stops[0]?.title).toMatch(
      /^emergency stop by operator:operate\/editor: every rule to observe, \d+ points? handed back/,
    );

    await editor.getByTestId('automation-resume').click();
    await editor.getByRole('button', { name: 'Resume' }).last().click();
    await editor.waitForSelector('[data-testid="automation-stopbar"][data-stopped="false"]');
    expect((await status()).stopped).toBe(false);
    expect(pageErrors(editor)).toEqual([]);
  }, 60_000);

  it('gives the audit trail to dashboards as automation annotations', async () => {
    const annotations = await admin.evaluate(() =>
      window.harness.runAnnotations(
        'plenum',
        {
          name: 'Automation',
          enable: true,
          iconColor: 'orange',
          target: { refId: 'Anno', queryType: 'events', types: ['automation'] },
        },
        { from: 'now-1h', to: 'now' },
      ),
    );
    const titles = annotations.map((a) => a.title ?? '');
    expect(titles).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^proposal #${proposalId} approved`)),
        expect.stringMatching(/^emergency stop by operator:operate\/editor/),
        expect.stringMatching(/^automation resumed by operator:operate\/editor/),
        `rule ${RULE}: observe → approve by operator:operate/editor`,
      ]),
    );
    expect(annotations.every((a) => typeof a.time === 'number' && a.tags?.includes('automation'))).toBe(true);
  });
});
