import type { ConnectorDefinition } from '../types';
import { generatorOptions, type GeneratorOptions } from './config';
import { createGenerator } from './generator';

export const generator: ConnectorDefinition<GeneratorOptions> = {
  name: 'generator',
  description: 'built-in synthetic data (placeholder until the simulated hall); not a device',
  options: generatorOptions,
  init: (source) => createGenerator(source, source.clock),
};
