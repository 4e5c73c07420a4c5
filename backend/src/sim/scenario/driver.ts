/**
 * Plays a scenario on the twin (pure: no clock, no I/O): schedules its jobs and faults in the model, applies its
 * setpoint writes and outdoor temperatures at their simulated times, and records the ground truth once per
 * simulated minute. The simulator's runner calls `advance` with the run's clock instead of advancing the model
 * itself; the backend reads the twin over the protocols as usual.
 */
import type { Scenario } from '../../scenario/schema';
import { errorMessage } from '../../common/errors';
import type { HallModel } from '../model';
import type { HallLayout } from '../model/layout';
import { ScenarioRecorder } from './recorder';

const MINUTE_MS = 60_000;

type TimedAction = { at: number; path: string; apply: (m: HallModel) => void };

/** A scenario entry the twin cannot take, with where it is in the file (`jobs[2].racks`). */
export class ScenarioEntryError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
  }
}

function globRe(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** `all`, rack ids, globs (`A*`) and rows (`row A`) → rack ids in layout order; unknown names are an error. */
export function resolveRacks(spec: 'all' | readonly string[], layout: HallLayout, path: string): string[] {
  if (spec === 'all') return layout.racks.map((r) => r.id);
  const out = new Set<string>();
  for (const s of spec) {
    const row = /^row (.+)$/.exec(s)?.[1];
    const re = row === undefined ? globRe(s) : undefined;
    const hit = layout.racks.filter((r) => (row !== undefined ? r.row === row : re!.test(r.id)));
    if (hit.length === 0) {
      const known = row !== undefined ? [...new Set(layout.racks.map((r) => r.row))] : layout.racks.map((r) => r.id);
      throw new ScenarioEntryError(
        path,
        `no ${row !== undefined ? `row "${row}"` : `rack matching "${s}"`} in hall ${layout.hall}; expected one of ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', …' : ''}`,
      );
    }
    for (const r of hit) out.add(r.id);
  }
  return layout.racks.map((r) => r.id).filter((id) => out.has(id));
}

export interface ScenarioProgress {
  simNow: number;
  /** 0…1 of the run's duration */
  done: number;
  maxInletC: number;
}

export class ScenarioDriver {
  readonly startMs: number;
  readonly endMs: number;
  readonly recorder: ScenarioRecorder;
  private readonly actions: TimedAction[] = [];
  private nextRecord: number;
  /** writes and outdoor changes the twin refused during the run (a setpoint of an offline device) */
  readonly refused: string[] = [];

  /**
   * Schedules the scenario in `model` (which starts at the scenario's start). Throws ScenarioEntryError naming
   * the first entry the twin cannot take: a rack, fault target or parameter, a point that is not writable.
   */
  constructor(
    readonly model: HallModel,
    scenario: Scenario,
  ) {
    this.startMs = model.now();
    this.endMs = this.startMs + scenario.duration;
    this.nextRecord = this.startMs;
    this.recorder = new ScenarioRecorder(
      model.layout.racks.map((r) => r.id),
      model.params.gpuThrottleC,
    );
    const { layout } = model;
    const at = (offset: number) => this.startMs + offset;
    scenario.jobs.forEach((j, i) => {
      const path = `jobs[${i}]`;
      const racks = resolveRacks(j.racks, layout, `${path}.racks`);
      this.entry(path, () =>
        model.addJob({
          id: j.id ?? `scenario-job-${i + 1}`,
          user: j.user ?? 'scenario',
          racks,
          expectedKwPerRack: j.kw,
          start: at(j.at),
          durationMs: j.duration,
          rampMs: j.ramp,
          ripple: j.ripple,
        }),
      );
    });
    scenario.faults.forEach((f, i) =>
      this.entry(`faults[${i}]`, () =>
        model.injectFault({
          type: f.type,
          target: f.target,
          params: f.params,
          start: at(f.at),
          ...(f.duration !== undefined && { durationMs: f.duration }),
        }),
      ),
    );
    const signals = new Map(model.signals().map((s) => [s.id, s]));
    scenario.setpoints.forEach((s, i) => {
      const path = `setpoints[${i}]`;
      const id = `${layout.site}/${layout.hall}/${s.point}`;
      const sig = signals.get(id);
      if (!sig?.writable) {
        const writable = [...signals.values()].filter((x) => x.writable).map((x) => x.id.split('/').slice(2).join('/'));
        throw new ScenarioEntryError(
          `${path}.point`,
          `"${s.point}" is ${sig ? 'not writable' : 'not a point of the twin'}; expected one of ${[...new Set(writable.map((w) => w.replace(/^[^/]+\/[^/]+\/(?=gpu|pdu|env)/, '<row>/<rack>/').replace(/crah\d+/, 'crah<n>')))].join(', ')}`,
        );
      }
      if (s.value !== null && (s.value < (sig.min as number) || s.value > (sig.max as number)))
        throw new ScenarioEntryError(
          `${path}.value`,
          `${s.value} is out of range; expected ${sig.min}–${sig.max} ${sig.unit}`,
        );
      this.actions.push({ at: at(s.at), path, apply: (m) => m.write(id, s.value, 'scenario') });
    });
    scenario.outdoor.forEach((o, i) =>
      this.actions.push({
        at: at(o.at),
        path: `outdoor[${i}]`,
        apply: (m) => m.setOutdoorTemperature(o.temperature, 'scenario'),
      }),
    );
    this.actions.sort((a, b) => a.at - b.at);
  }

  private entry(path: string, f: () => unknown): void {
    try {
      f();
    } catch (err) {
      throw new ScenarioEntryError(path, errorMessage(err));
    }
  }

  /** true once the model has reached the end of the run */
  get finished(): boolean {
    return this.model.now() + this.model.params.stepMs > this.endMs;
  }

  /**
   * Advances the model to `toMs` (never past the end of the run): actions at their times, an observation every
   * simulated minute.
   */
  advance(toMs: number): void {
    const target = Math.min(toMs, this.endMs);
    const m = this.model;
    const step = m.params.stepMs;
    // something at `t` is due when it falls within the step the model stands at (offsets need not be whole steps)
    const due = (t: number) => t < m.now() + step;
    for (;;) {
      const a = this.actions[0];
      if (a && due(a.at)) {
        this.actions.shift();
        try {
          a.apply(m);
        } catch (err) {
          this.refused.push(`${a.path} at ${new Date(a.at).toISOString()}: ${errorMessage(err)}`);
        }
        continue;
      }
      if (due(this.nextRecord) && this.nextRecord <= this.endMs) {
        this.recorder.observe(m.truth(), m.energy(), m.lostGpuHours());
        this.nextRecord += MINUTE_MS;
        continue;
      }
      const next = Math.min(a?.at ?? Infinity, this.nextRecord, target);
      if (due(next)) return;
      m.advanceTo(next);
    }
  }

  progress(): ScenarioProgress {
    const s = this.recorder.series;
    return {
      simNow: this.model.now(),
      done: Math.min(1, (this.model.now() - this.startMs) / (this.endMs - this.startMs)),
      maxInletC: s.inletMaxC.length ? Math.max(...s.inletMaxC) : NaN,
    };
  }
}
