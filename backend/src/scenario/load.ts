/**
 * Reads a scenario file: YAML against the schema (errors name the file, the line and the field), then against
 * the twin it will run on — racks, fault targets and parameters, writable points — by scheduling it in a twin
 * built from the scenario's site config, so a file that loads is a file that runs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from '../common/errors';
import { loadConfig, type SiteConfig } from '../config/load';
import { ConfigError, parseYamlAs, positioned, readYaml, type PathSeg } from '../config/yaml-file';
import { CONNECTOR_NAMES } from '../connectors/all';
import { HallModel } from '../sim/model';
import { ScenarioDriver, ScenarioEntryError } from '../sim/scenario/driver';
import { ScenarioSchema, type Scenario } from './schema';

export interface LoadedScenario {
  /** absolute path of the scenario file */
  file: string;
  scenario: Scenario;
  /** absolute path of the site config it runs on */
  configFile: string;
  site: SiteConfig;
}

/** `jobs[2].racks` → ['jobs', 2, 'racks'] */
function segments(p: string): PathSeg[] {
  return p
    .split(/\.|\[(\d+)\]/)
    .filter((x) => x !== undefined && x !== '')
    .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

/** The twin a scenario runs on, at its start (warmed up as every twin is). */
export function scenarioModel(s: Scenario, site: SiteConfig): HallModel {
  return new HallModel({
    startMs: Date.parse(s.start),
    site: site.site,
    hall: s.hall,
    seed: s.seed,
    jobSchedule: s.schedule,
  });
}

export function loadScenario(file: string, env: NodeJS.ProcessEnv = process.env): LoadedScenario {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [
      { origin: 'file', path: '', message: `cannot read the scenario (${errorMessage(e)})` },
    ]);
  }
  const scenario = parseYamlAs(
    text,
    file,
    ScenarioSchema,
    'the file is empty; expected a mapping with name, description, start, duration, speed (required), jobs, faults, setpoints, outdoor, checks',
  );
  const configFile = path.resolve(path.dirname(abs), scenario.config);
  const fail = (p: string, message: string): never => {
    throw new ConfigError(file, positioned(readYaml(text, file), [{ path: segments(p), message }]), true);
  };
  if (scenario.name !== path.basename(abs).replace(/\.ya?ml$/, ''))
    fail(
      'name',
      `"${scenario.name}" differs from the file name; expected "${path.basename(abs).replace(/\.ya?ml$/, '')}" (the report goes to reports/<name>/)`,
    );
  let site: SiteConfig;
  try {
    site = loadConfig(configFile, { connectors: CONNECTOR_NAMES, env });
  } catch (err) {
    return fail('config', `the site config ${configFile} does not load:\n${errorMessage(err)}`);
  }
  if (scenario.hall !== undefined && !site.site.halls.some((h) => h.id === scenario.hall))
    fail(
      'hall',
      `no hall "${scenario.hall}" in ${configFile}; expected one of ${site.site.halls.map((h) => h.id).join(', ')}`,
    );
  try {
    // scheduling it in a twin checks every entry against the hall it will run on
    new ScenarioDriver(scenarioModel(scenario, site), scenario);
  } catch (err) {
    if (err instanceof ScenarioEntryError) fail(err.path, err.message.slice(err.path.length + 2));
    throw err;
  }
  return { file: abs, scenario, configFile, site };
}
