import { z } from 'zod';

/** Options of the built-in generator; all have defaults, so `options: {}` works. */
export const generatorOptions = z.strictObject({
  /** seed of the deterministic noise, so two runs with the same seed produce the same series; @default 1 */
  seed: z.number().int().default(1),
  /** peak rack IT power in kW that the synthetic job pattern ramps to; @default 100 */
  peakKw: z.number().positive().max(1000).default(100),
});

export type GeneratorOptions = z.infer<typeof generatorOptions>;
