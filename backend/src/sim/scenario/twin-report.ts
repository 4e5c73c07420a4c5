/** What the twin hands the scenario report when a run ends: its ground truth, nothing Plenum measured. */
import type { Figures } from '../../scenario/metrics';
import type { EnergyReport } from '../model/energy';
import type { LostGpuHours } from '../model/hall-model';
import type { ScenarioDriver } from './driver';
import type { RackFigures, RecordedSeries } from './recorder';

export interface TwinReport {
  startMs: number;
  endMs: number;
  figures: Figures;
  racks: RackFigures[];
  series: RecordedSeries;
  lostGpuHours: LostGpuHours;
  energy: EnergyReport;
  /** faults, writes (who, what, old → new, when), jobs: the model's ground truth */
  groundTruth: readonly unknown[];
  jobs: readonly unknown[];
  /** scenario writes the twin refused (an offline device) */
  refused: string[];
}

export function twinReport(d: ScenarioDriver): TwinReport {
  const m = d.model;
  return {
    startMs: d.startMs,
    endMs: d.endMs,
    figures: d.recorder.figures(),
    racks: d.recorder.perRack(),
    series: d.recorder.series,
    lostGpuHours: m.lostGpuHours(),
    energy: m.energy(),
    groundTruth: m.groundTruth(),
    jobs: m.jobs(),
    refused: d.refused,
  };
}
