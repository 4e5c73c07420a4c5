import {
  loadPanelModules,
  type AnalysisSettings,
  type NamedSeries,
  type PanelModules,
} from './correlation/panel-modules';

/**
 * Cooling correlation benchmark: the panel's whole analysis (resampling, FFT lagged correlation, lag and its
 * confidence, regression, lagging periods) and its lagged-correlation core, against the straightforward
 * O(n · lags) lagged correlation, on the same synthetic series in one run.
 *
 *   npm run bench:correlation
 *
 * Two cases from the issue: 2 series × 100 000 points (one load, one response: 28 h at 1 s) and 10 series ×
 * 10 000 points (one load, nine responses: 2.8 h at 1 s); lags ±600 s (1 201 lags). Prints figures and ratios;
 * asserts nothing.
 */

const MAX_LAG_S = 600;
const SETTINGS: AnalysisSettings = {
  maxLagS: MAX_LAG_S,
  resolutionS: 0,
  maxGapS: 0,
  lagThresholdS: 180,
  windowS: 0,
  loadCombine: 'sum',
};
const T0 = Date.UTC(2025, 0, 1);

function makeCase(
  m: PanelModules,
  points: number,
  responses: number,
): { loads: NamedSeries[]; responses: NamedSeries[] } {
  const durationS = points - 1;
  const load = m.loadProfile(42, durationS);
  return {
    loads: [{ name: 'IT power', unit: 'kwatt', ...m.sample(load, T0, durationS, 1, 5, 1) }],
    responses: Array.from({ length: responses }, (_, i) => ({
      name: `response ${i + 1}`,
      unit: 'celsius',
      ...m.sample((t) => 22 + 0.004 * load(t - 20 - 15 * i), T0, durationS, 1, 0.05, i + 2),
    })),
  };
}

/** Median wall time of `runs` calls, ms (one warm-up call first, so JIT compilation is not measured). */
function time(runs: number, f: () => void): number {
  f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

function run(m: PanelModules, label: string, points: number, responseCount: number, runs: number): void {
  const c = makeCase(m, points, responseCount);
  const grid = m.commonGrid([...c.loads, ...c.responses])!;
  const x = m.resample(c.loads[0]!, grid);
  const ys = c.responses.map((r) => m.resample(r, grid));
  const maxLag = MAX_LAG_S;
  const fast = time(runs, () => ys.forEach((y) => m.laggedCorrelation(x, y, maxLag)));
  const direct = time(Math.max(1, Math.floor(runs / 3)), () =>
    ys.forEach((y) => m.laggedCorrelationDirect(x, y, maxLag)),
  );
  const full = time(runs, () => {
    const result = m.analyse(c.loads, c.responses, SETTINGS);
    if (!result.ok) {
      throw new Error(result.message);
    }
  });
  const result = m.analyse(c.loads, c.responses, SETTINGS);
  const lags = result.ok ? result.analysis.responses.map((r) => Math.round((r.lagMs ?? NaN) / 1000)) : [];
  console.log(`\n${label}: ${grid.length} grid points × ${ys.length} response(s), lags ±${maxLag}`);
  console.log(`  lagged correlation, FFT (6 FFTs per pair)    ${fast.toFixed(1).padStart(9)} ms`);
  console.log(
    `  lagged correlation, direct O(n·lags)         ${direct.toFixed(1).padStart(9)} ms   ${(direct / fast).toFixed(1)}× the FFT`,
  );
  console.log(
    `  whole analysis (grid, lag, CI, fit, periods) ${full.toFixed(1).padStart(9)} ms   direct core alone is ${(direct / full).toFixed(1)}× it`,
  );
  console.log(
    `  lags found (s): ${lags.slice(0, 10).join(', ')} (built with ${ys.map((_, i) => 20 + 15 * i).join(', ')})`,
  );
}

async function main(): Promise<void> {
  const m = await loadPanelModules();
  console.log(`cooling correlation benchmark, Node ${process.version}, ${process.arch}`);
  run(m, '2 series × 100 000 points', 100_000, 1, 5);
  run(m, '10 series × 10 000 points', 10_000, 9, 5);
}

void main();
