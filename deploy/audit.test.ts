import fs from 'node:fs';
import path from 'node:path';
import { applyPolicy, AuditReport, Exceptions, loadExceptions, parseAudit, unreachableVerdict } from './audit';

const fixture = (f: string) => fs.readFileSync(path.join(__dirname, 'audit-fixtures', f), 'utf8');
// shaped as npm 11's `npm audit --json` (auditReportVersion 2); the registry here cannot produce a real one
const report = parseAudit(fixture('report.json')) as AuditReport;
const none: Exceptions = { exceptions: [], unreachable: null };
// qs and semver are runtime (backend's express); braces is dev only (jest's micromatch)
const runtime = new Set(['node_modules/qs', 'node_modules/body-parser', 'node_modules/semver']);
const TODAY = '2026-12-02';

describe('npm audit policy', () => {
  it('fails a high runtime advisory by id, reports moderate ones and anything dev only (even critical)', () => {
    const v = applyPolicy(report, runtime, none, TODAY);
    expect(v.failures).toEqual([expect.stringMatching(/^high GHSA-hrpp-h998-j3pp qs \(runtime\)/)]);
    expect(v.reported).toEqual([
      expect.stringMatching(/^moderate GHSA-c2qf-rxjj-qqgw semver \(runtime\).*semver@7\.5\.2/),
      expect.stringMatching(/^critical GHSA-grv7-fg5c-xmjg braces \(dev only\).*no fix/),
    ]);
    // body-parser is vulnerable only through qs: one advisory, counted once
    expect(v.findings.map((f) => f.package)).toEqual(['qs', 'semver', 'braces']);
  });

  it('a current exception turns the failure into a report that names it', () => {
    const ex: Exceptions = {
      exceptions: [
        {
          advisory: 'GHSA-hrpp-h998-j3pp',
          package: 'qs',
          reason: 'not reachable: qs parses no user input',
          expires: '2026-12-31',
        },
      ],
      unreachable: null,
    };
    const v = applyPolicy(report, runtime, ex, TODAY);
    expect(v.failures).toEqual([]);
    expect(v.reported[0]).toMatch(/qs.*\[exception until 2026-12-31: not reachable/);
  });

  it('an expired exception fails, named, and so does a malformed date', () => {
    const ex: Exceptions = {
      exceptions: [
        { advisory: 'GHSA-hrpp-h998-j3pp', package: 'qs', reason: 'r', expires: '2026-12-01' },
        { advisory: 'GHSA-c2qf-rxjj-qqgw', package: 'semver', reason: 'r', expires: 'soon' },
      ],
      unreachable: null,
    };
    const v = applyPolicy(report, runtime, ex, TODAY);
    expect(v.failures).toEqual([
      'exception GHSA-hrpp-h998-j3pp (qs) expired on 2026-12-01: fix, or review and renew it',
      'exception GHSA-c2qf-rxjj-qqgw (semver): expires "soon" is not YYYY-MM-DD',
      expect.stringMatching(/^high GHSA-hrpp-h998-j3pp qs/),
    ]);
  });

  it('an exception matching nothing is reported for deletion', () => {
    const ex: Exceptions = {
      exceptions: [{ advisory: 'GHSA-xxxx-xxxx-xxxx', package: 'left-pad', reason: 'r', expires: '2027-01-01' }],
      unreachable: null,
    };
    expect(applyPolicy(report, runtime, ex, TODAY).reported).toContain(
      'exception GHSA-xxxx-xxxx-xxxx (left-pad) matches no advisory: delete it',
    );
  });

  it('an unreachable endpoint (recorded: 405 from this registry) fails closed unless a current waiver is recorded', () => {
    const parsed = parseAudit(fixture('unreachable-405.json'));
    expect(parsed).toEqual({
      unreachable: expect.stringMatching(/^405 Method Not Allowed - POST .*advisories\/bulk$/),
    });
    expect(parseAudit('')).toEqual({ unreachable: 'npm audit printed no JSON: (nothing)' });
    const why = (parsed as { unreachable: string }).unreachable;
    expect(unreachableVerdict(none, TODAY, why)).toEqual({
      fail: true,
      message: expect.stringMatching(/no unreachable waiver is recorded: failing closed$/),
    });
    const waiver = { exceptions: [], unreachable: { reason: 'mirror', expires: '2026-12-02' } };
    expect(unreachableVerdict(waiver, TODAY, why)).toEqual({
      fail: false,
      message: expect.stringMatching(/^AUDIT NOT RUN .*waived until 2026-12-02: mirror$/),
    });
    expect(unreachableVerdict(waiver, '2026-12-03', why).fail).toBe(true);
  });

  it('the recorded exceptions file is well formed and nothing in it has expired', () => {
    const ex = loadExceptions();
    const today = new Date().toISOString().slice(0, 10);
    for (const e of ex.exceptions) {
      expect(e).toEqual({
        advisory: expect.stringMatching(/^GHSA-|^\d+$/),
        package: expect.any(String),
        reason: expect.stringMatching(/\S/),
        expires: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      });
      expect(e.expires >= today).toBe(true);
    }
    if (ex.unreachable) expect(ex.unreachable.expires >= today).toBe(true);
  });
});
