import path from 'node:path';

/**
 * The cooling correlation panel's analysis modules, loaded at run time. Their sources are type-checked by the
 * panel's own tsconfig (create-plugin's); the root typecheck, which covers bench/ with `noUncheckedIndexedAccess`,
 * must not follow the import into them, so the specifiers are computed and the bench states the shapes it uses.
 */
const DATA = path.join(__dirname, '..', '..', 'panels', 'cooling-correlation', 'src');

export interface NamedSeries {
  name: string;
  unit?: string;
  times: ArrayLike<number>;
  values: ArrayLike<number | null | undefined>;
}

export interface AnalysisSettings {
  maxLagS: number;
  resolutionS: number;
  maxGapS: number;
  lagThresholdS: number;
  windowS: number;
  loadCombine: 'sum' | 'mean';
}

export interface Grid {
  start: number;
  step: number;
  length: number;
}

export interface PanelModules {
  analyse(
    loads: NamedSeries[],
    responses: NamedSeries[],
    s: AnalysisSettings,
  ): { ok: true; analysis: { responses: Array<{ lagMs?: number }> } } | { ok: false; message: string };
  laggedCorrelation(x: Float64Array, y: Float64Array, maxLag: number): { r: Float64Array };
  laggedCorrelationDirect(x: Float64Array, y: Float64Array, maxLag: number): { r: Float64Array };
  commonGrid(series: NamedSeries[]): Grid | undefined;
  resample(s: NamedSeries, grid: Grid): Float64Array;
  loadProfile(seed: number, durationS: number): (t: number) => number;
  sample(
    f: (t: number) => number,
    t0: number,
    durationS: number,
    stepS: number,
    noise?: number,
    seed?: number,
  ): { times: number[]; values: Array<number | null> };
}

export async function loadPanelModules(): Promise<PanelModules> {
  const load = (file: string) => import(path.join(DATA, file)) as Promise<Record<string, unknown>>;
  const parts = await Promise.all(
    ['data/analyse', 'data/lagged-correlation', 'data/resample', 'testing/signals'].map(load),
  );
  return Object.assign({}, ...parts) as PanelModules;
}
