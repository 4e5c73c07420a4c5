/*
 * `npm audit` under Plenum's policy (docs/supply-chain.md); `npm run audit:policy`, run by .ci/run after `npm ci`.
 * - high and critical advisories in a runtime package (deploy/licences.ts's runtime set) fail;
 * - moderate/low/info, and anything only in dev tooling, are reported;
 * - an exception is an entry of deploy/audit-exceptions.json (advisory, package, reason, expires); an expired one fails;
 * - an audit endpoint that cannot be reached fails (exit 2) unless a dated `unreachable` waiver is recorded there.
 * Exit 0 pass, 1 policy violation, 2 audit not run.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runtimePackages } from './licences';

const REPO = path.resolve(__dirname, '..');

export type Severity = 'info' | 'low' | 'moderate' | 'high' | 'critical';
const FAILING: ReadonlySet<Severity> = new Set(['high', 'critical']);

/** The parts of `npm audit --json` (auditReportVersion 2) the policy reads. */
export interface AuditReport {
  auditReportVersion: 2;
  vulnerabilities: Record<
    string,
    {
      name: string;
      severity: Severity;
      /** advisories (objects) or names of vulnerable packages this one depends on (strings) */
      via: Array<
        string | { source: number; name: string; title: string; url: string; severity: Severity; range: string }
      >;
      nodes: string[];
      fixAvailable: boolean | { name: string; version: string; isSemVerMajor: boolean };
    }
  >;
  metadata: { vulnerabilities: Record<Severity | 'total', number> };
}

export interface Exceptions {
  exceptions: Array<{ advisory: string; package: string; reason: string; expires: string }>;
  /** while set and not expired, an unreachable audit endpoint is reported instead of failing */
  unreachable: { reason: string; expires: string } | null;
}

export interface Finding {
  /** GHSA id from the advisory URL, else npm's numeric source id */
  advisory: string;
  package: string;
  severity: Severity;
  title: string;
  runtime: boolean;
  fix: string;
}

export interface Verdict {
  failures: string[];
  reported: string[];
  findings: Finding[];
}

const advisoryId = (v: { source: number; url: string }): string => /GHSA-[\w-]+/.exec(v.url)?.[0] ?? String(v.source);
const expired = (expires: string, today: string): boolean => !(expires >= today);

/**
 * The policy, pure. `runtimeDirs` holds repo-relative directories of runtime packages (`node_modules/x`), as the
 * report's `nodes` name them; `today` is YYYY-MM-DD.
 */
export function applyPolicy(
  report: AuditReport,
  runtimeDirs: ReadonlySet<string>,
  ex: Exceptions,
  today: string,
): Verdict {
  const failures: string[] = [];
  const reported: string[] = [];
  const findings: Finding[] = [];
  const matched = new Set<string>();
  for (const e of ex.exceptions) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(e.expires))
      failures.push(`exception ${e.advisory} (${e.package}): expires "${e.expires}" is not YYYY-MM-DD`);
    else if (expired(e.expires, today))
      failures.push(`exception ${e.advisory} (${e.package}) expired on ${e.expires}: fix, or review and renew it`);
  }
  for (const v of Object.values(report.vulnerabilities)) {
    const runtime = v.nodes.some((n) => runtimeDirs.has(n));
    const fix =
      v.fixAvailable === true
        ? 'npm audit fix'
        : v.fixAvailable
          ? `${v.fixAvailable.name}@${v.fixAvailable.version}${v.fixAvailable.isSemVerMajor ? ' (major)' : ''}`
          : 'no fix';
    // only advisories against this package; string entries point at a dependency listed under its own name
    for (const a of v.via) {
      if (typeof a === 'string') continue;
      const f: Finding = {
        advisory: advisoryId(a),
        package: v.name,
        severity: a.severity,
        title: a.title,
        runtime,
        fix,
      };
      findings.push(f);
      const line = `${f.severity} ${f.advisory} ${f.package} (${runtime ? 'runtime' : 'dev only'}): ${f.title}; ${fix}`;
      const exception = ex.exceptions.find((e) => e.advisory === f.advisory && e.package === f.package);
      if (exception) matched.add(`${exception.advisory} ${exception.package}`);
      if (runtime && FAILING.has(f.severity) && !(exception && !expired(exception.expires, today))) failures.push(line);
      else reported.push(exception ? `${line} [exception until ${exception.expires}: ${exception.reason}]` : line);
    }
  }
  for (const e of ex.exceptions) {
    if (!matched.has(`${e.advisory} ${e.package}`))
      reported.push(`exception ${e.advisory} (${e.package}) matches no advisory: delete it`);
  }
  return { failures, reported, findings };
}

/** What to do when the audit did not run: fail, unless the waiver is recorded and current. */
export function unreachableVerdict(ex: Exceptions, today: string, why: string): { fail: boolean; message: string } {
  const w = ex.unreachable;
  if (w && /^\d{4}-\d{2}-\d{2}$/.test(w.expires) && !expired(w.expires, today)) {
    return { fail: false, message: `AUDIT NOT RUN (${why}); waived until ${w.expires}: ${w.reason}` };
  }
  const tail = w ? `the unreachable waiver expired on ${w.expires}` : 'no unreachable waiver is recorded';
  return { fail: true, message: `audit endpoint unreachable (${why}) and ${tail}: failing closed` };
}

/** `npm audit --json` output → the report, or why there is none. */
export function parseAudit(stdout: string): AuditReport | { unreachable: string } {
  let json: unknown;
  try {
    json = JSON.parse(stdout);
  } catch {
    return { unreachable: `npm audit printed no JSON: ${stdout.slice(0, 200).trim() || '(nothing)'}` };
  }
  const o = json as Partial<AuditReport> & { message?: string; error?: { summary?: string } };
  if (o.auditReportVersion === 2 && o.vulnerabilities) return o as AuditReport;
  return { unreachable: o.message ?? o.error?.summary ?? 'npm audit answered without a report' };
}

export function loadExceptions(file = path.join(__dirname, 'audit-exceptions.json')): Exceptions {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Exceptions;
}

if (require.main === module) {
  const today = new Date().toISOString().slice(0, 10);
  const ex = loadExceptions();
  // bounded: a black-holed registry would otherwise hold CI for npm's default 5-minute fetch timeout × retries
  const run = spawnSync('npm', ['audit', '--json', '--fetch-timeout=30000', '--fetch-retries=1'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 << 20,
  });
  const parsed = run.error ? { unreachable: run.error.message } : parseAudit(run.stdout);
  if ('unreachable' in parsed) {
    const { fail, message } = unreachableVerdict(ex, today, parsed.unreachable);
    console[fail ? 'error' : 'log'](`audit: ${message}`);
    process.exit(fail ? 2 : 0);
  }
  const runtimeDirs = new Set(runtimePackages(undefined, undefined, 'declared').map((p) => p.dir));
  const { failures, reported } = applyPolicy(parsed, runtimeDirs, ex, today);
  const m = parsed.metadata.vulnerabilities;
  console.log(
    `audit: ${m.total} vulnerable packages (critical ${m.critical}, high ${m.high}, moderate ${m.moderate}, low ${m.low}, info ${m.info})`,
  );
  for (const r of reported) console.log(`audit: reported: ${r}`);
  for (const f of failures) console.error(`audit: FAIL: ${f}`);
  process.exit(failures.length ? 1 : 0);
}
