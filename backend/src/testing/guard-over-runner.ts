import type { AutomationConfig } from '../automation/config';
import { Guard, type PlantWriter } from '../automation/guard/guard';
import type { InputSample } from '../automation/guard/verdict';
import type { AutomationStore } from '../automation/store';
import type { SourceRunner } from '../connectors/runner';
import type { SourcePoint, SourceSample } from '../connectors/types';

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
