/**
 * The seam for automation and prediction in scenario runs: a scenario's `controllers:` and `detectors:` name
 * plugins registered here; the runner starts them once the backend is up, stops them at the end, and puts their
 * report sections beside the twin's figures. Controllers and detectors are scored on the twin's ground truth,
 * never on their own view.
 */
import { automationPlugin } from '../automation/scenario-plugin';
import { predictPlugin } from '../predict/scenario-plugin';
import type { Clock } from '../common/clock';
import type { Scenario } from './schema';

export interface PluginContext {
  scenario: Scenario;
  /** the backend under test, e.g. http://127.0.0.1:41234 */
  backendUrl: string;
  /** the twin's control API (ground truth, faults) */
  controlUrl: string;
  clock: Clock;
  options: Record<string, unknown>;
  log(message: string): void;
}

/** A report section: figures (numbers a check may name as `<plugin>.<figure>`) and lines of text. */
export interface PluginReport {
  figures: Record<string, number>;
  notes: string[];
}

export interface ScenarioPlugin {
  start(ctx: PluginContext): Promise<void>;
  /** bounded in time; called before the backend stops */
  stop(): Promise<PluginReport>;
}

export type PluginFactory = () => ScenarioPlugin;

export const CONTROLLERS: Readonly<Record<string, PluginFactory>> = { automation: automationPlugin };
export const DETECTORS: Readonly<Record<string, PluginFactory>> = { predict: predictPlugin };

/** The plugins a scenario asks for; an unknown name is an error naming the kind and what is registered. */
export function resolvePlugins(
  s: Scenario,
): Array<{ kind: 'controller' | 'detector'; name: string; factory: PluginFactory; options: Record<string, unknown> }> {
  const pick = (
    kind: 'controller' | 'detector',
    list: Scenario['controllers'],
    registry: Readonly<Record<string, PluginFactory>>,
  ) =>
    list.map((p, i) => {
      const factory = registry[p.name];
      if (!factory) {
        const known = Object.keys(registry);
        throw new Error(
          `${kind}s[${i}].name: no ${kind} "${p.name}"; ${known.length ? `expected one of ${known.join(', ')}` : `no ${kind}s are registered yet (scenario/plugins.ts)`}`,
        );
      }
      return { kind, name: p.name, factory, options: p.options };
    });
  return [...pick('controller', s.controllers, CONTROLLERS), ...pick('detector', s.detectors, DETECTORS)];
}
