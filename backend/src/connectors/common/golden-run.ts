import { parseConfig } from '../../config/load';
import type { ConnectorDefinition, PolledConnector, SourceSample } from '../types';
import { parseSourceOptions } from './options';

/**
 * A golden case's whole plenum.yaml through the real loader, every source's options and `init` (no I/O), then one
 * gather of each: the error lines as plenum.ts prints them (without the file name), or the samples delivered.
 * Connectors are closed whatever happens.
 */
export async function runGoldenConfig(
  def: ConnectorDefinition<never>,
  text: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ error?: string; samples: SourceSample[] }> {
  let config;
  try {
    config = parseConfig(text, 'plenum.yaml', { connectors: [def.name], ...(env && { env }) });
  } catch (e) {
    return { error: (e as Error).message.replace(/^plenum\.yaml: /gm, ''), samples: [] };
  }
  const errors: string[] = [];
  const connectors: PolledConnector[] = [];
  config.sources.forEach((source, i) => {
    const parsed = parseSourceOptions(def.options, source, i);
    if (!parsed.ok) {
      errors.push(...parsed.errors);
      return;
    }
    try {
      connectors.push(def.init({ ...source, options: parsed.options as never }) as PolledConnector);
    } catch (e) {
      errors.push((e as Error).message);
    }
  });
  if (errors.length > 0) {
    await Promise.all(connectors.map((c) => c.close()));
    return { error: errors.join('\n'), samples: [] };
  }
  const samples: SourceSample[] = [];
  try {
    for (const c of connectors) await c.gather(async (s) => void samples.push(...s));
  } catch (e) {
    return { error: (e as Error).message, samples };
  } finally {
    await Promise.all(connectors.map((c) => c.close()));
  }
  return { samples };
}
