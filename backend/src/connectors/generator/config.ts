import { z } from 'zod';

/** Options of the built-in generator; all have defaults, so `options: {}` works. */
export const generatorOptions = z.strictObject({
  /** seed of the deterministic noise, so two runs with the same seed produce the same series; @default 1 */
  seed: z.number().int().default(1),
  /** peak rack IT power in kW that the synthetic job pattern ramps to; @default 100 */
  peakKw: z.number().positive().max(1000).default(100),
  /**
   * timestamps are aligned to this many ms of the run's clock, @default the source's interval. The interval is
   * wall time, so on a fast clock (PLENUM_CLOCK speed 20) `interval: 50ms` with `stepMs: 1000` gives one
   * sample per point and simulated second, stamped on whole seconds as a 1 Hz device at wall speed would be.
   */
  stepMs: z.number().int().positive().max(86_400_000).optional(),
});

export type GeneratorOptions = z.infer<typeof generatorOptions>;
