/**
 * The report of a scenario run (`reports/<name>/`): `report.json` (figures, checks, per rack, what Plenum
 * measured beside the truth), `series.json` (the recorded minutes), `ground-truth.jsonl` (faults, writes, jobs)
 * and `index.html` (plots and tables). Figures come from the twin's ground truth only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RackFigures } from '../../sim/scenario/recorder';
import type { TwinReport } from '../../sim/scenario/twin-report';
import type { LoadedScenario } from '../load';
import { METRICS, type Figures, type MetricName } from '../metrics';
import type { PluginReport } from '../plugins';
import type { ScenarioCheck } from '../schema';
import { reportHtml } from './html';

/** What the backend under test measured and how its sources fared. */
export interface PlenumView {
  /** per rack, the highest inlet temperature the backend stored (its sensors, not the truth) */
  maxInletC: Record<string, number>;
  sources: Array<{ source: string; connector: string; state: string; samples: number; lastError?: string }>;
  /** why the backend could not be asked */
  error?: string;
}

export interface CheckResult extends ScenarioCheck {
  value: number;
  unit: string;
  passed: boolean;
}

export interface ScenarioReport {
  scenario: {
    name: string;
    description: string;
    file: string;
    config: string;
    seed: number | string;
    start: string;
    end: string;
    durationHours: number;
    speed: number;
  };
  run: { clock: string; wallSeconds: number; finishedAt: string };
  passed: boolean;
  checks: CheckResult[];
  figures: Figures;
  racks: Array<RackFigures & { measuredMaxInletC?: number }>;
  lostGpuHours: TwinReport['lostGpuHours'];
  energy: TwinReport['energy'];
  plenum: PlenumView;
  plugins: Record<string, PluginReport>;
  refused: string[];
}

export function evaluateChecks(checks: readonly ScenarioCheck[], figures: Figures): CheckResult[] {
  return checks.map((c) => {
    const value = figures[c.metric as MetricName];
    const passed =
      Number.isFinite(value) && (c.max === undefined || value <= c.max) && (c.min === undefined || value >= c.min);
    return { ...c, value, unit: METRICS[c.metric as MetricName].unit, passed };
  });
}

export function buildReport(a: {
  loaded: LoadedScenario;
  speed: number;
  clock: string;
  wallSeconds: number;
  twin: TwinReport;
  plenum: PlenumView;
  plugins: Record<string, PluginReport>;
}): ScenarioReport {
  const s = a.loaded.scenario;
  const checks = evaluateChecks(s.checks, a.twin.figures);
  return {
    scenario: {
      name: s.name,
      description: s.description,
      file: a.loaded.file,
      config: a.loaded.configFile,
      seed: s.seed,
      start: new Date(a.twin.startMs).toISOString(),
      end: new Date(a.twin.endMs).toISOString(),
      durationHours: s.duration / 3_600_000,
      speed: a.speed,
    },
    run: { clock: a.clock, wallSeconds: Math.round(a.wallSeconds * 10) / 10, finishedAt: new Date().toISOString() },
    passed: checks.every((c) => c.passed),
    checks,
    figures: a.twin.figures,
    racks: a.twin.racks.map((r) => ({
      ...r,
      ...(a.plenum.maxInletC[r.rack] !== undefined && { measuredMaxInletC: a.plenum.maxInletC[r.rack] }),
    })),
    lostGpuHours: a.twin.lostGpuHours,
    energy: a.twin.energy,
    plenum: a.plenum,
    plugins: a.plugins,
    refused: a.twin.refused,
  };
}

export function writeReport(dir: string, report: ScenarioReport, twin: TwinReport): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'series.json'), JSON.stringify(twin.series));
  fs.writeFileSync(
    path.join(dir, 'ground-truth.jsonl'),
    twin.groundTruth.map((e) => `${JSON.stringify(e)}\n`).join('') +
      twin.jobs.map((j) => `${JSON.stringify({ type: 'job', ...(j as object) })}\n`).join(''),
  );
  fs.writeFileSync(path.join(dir, 'index.html'), reportHtml(report, twin));
}
