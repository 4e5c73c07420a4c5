import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AutomationSchema, type AutomationConfig } from '../automation/config';
import { Guard, type PlantWriter } from '../automation/guard/guard';
import type { InputSample } from '../automation/guard/verdict';
import { AutomationStore } from '../automation/store';
import { SourceRunner } from '../connectors/runner';
import type { ConnectorDefinition, SourceInstance, SourcePoint, SourceSample } from '../connectors/types';

/**
 * The automation guard over one running source, wired as automation/index.ts wires it (the writer hands points
 * to the source's runner; inputs are the latest samples the test keeps): what a connector's write test writes
 * through, so no test writes to a device around the guard. Wall clock, events dropped, nothing logged.
 */
export function guardOverRunner(deps: {
  config: AutomationConfig;
  points: ReadonlyMap<string, SourcePoint>;
  runner: SourceRunner;
  latest: ReadonlyMap<string, SourceSample>;
  store: AutomationStore;
}): Guard {
  const { runner, latest } = deps;
  const writer: PlantWriter = { write: (p, value) => runner.write({ point: p, value }) };
  return new Guard({
    config: deps.config,
    points: deps.points,
    writer,
    latest: (id): InputSample => {
      const s = latest.get(id);
      return s
        ? { pointId: id, value: s.value as number, quality: s.quality, ts: s.ts }
        : { pointId: id, value: null, quality: 'missing' };
    },
    store: deps.store,
    addEvent: () => undefined,
    now: Date.now,
    toWallMs: (ms) => ms,
    log: () => undefined,
  });
}

/** A running source with the guard over it and the samples it delivered (guardedSource). */
export interface GuardedSource {
  runner: SourceRunner;
  guard: Guard;
  latest: Map<string, SourceSample>;
  /**
   * The latest sample of `pointId` once it is good, `afterPolls` polls from now (2: the poll in flight may have
   * read before a write), within 5 s.
   */
  good(pointId: string, opts?: { afterPolls?: number }): Promise<SourceSample>;
  close(): Promise<void>;
}

/**
 * `def` running `source` (SourceRunner, started) with guardOverRunner over it, `automation` its automation config
 * (points, bounds), and an automation store in a temp folder that close() removes. `canonical`: the latest samples
 * in canonical units, as ingest converts them (the guard's bounds are canonical).
 */
export function guardedSource(
  def: ConnectorDefinition<never>,
  source: SourceInstance<never>,
  automation: unknown,
  opts: { canonical?: boolean } = {},
): GuardedSource {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plenum-${source.name}-guard-`));
  const store = new AutomationStore(dir);
  const points = new Map<string, SourcePoint>(source.points.map((p) => [p.id, p]));
  const latest = new Map<string, SourceSample>();
  let polls = 0;
  const runner = new SourceRunner(def, source, async (batch) => {
    polls++;
    for (const s of batch) {
      const p = points.get(s.pointId) as SourcePoint;
      const value =
        opts.canonical && typeof s.value === 'number' ? s.value * p.conversion.scale + p.conversion.offset : s.value;
      latest.set(s.pointId, value === s.value ? s : { ...s, value });
    }
  });
  const guard = guardOverRunner({ config: AutomationSchema.parse(automation), points, runner, latest, store });
  runner.start();
  return {
    runner,
    guard,
    latest,
    async good(pointId, { afterPolls = 0 } = {}) {
      const after = polls + afterPolls;
      const end = Date.now() + 5000;
      for (;;) {
        const s = latest.get(pointId);
        if (polls >= after && s?.quality === 'good') return s;
        if (Date.now() > end) throw new Error(`no good sample of ${pointId}: ${runner.status.lastError ?? 'no error'}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await guard.close();
      await runner.stop();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
