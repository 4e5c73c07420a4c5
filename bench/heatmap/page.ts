/// <reference lib="dom" />
/*
 * What runs in the benchmark's page (bundled by esbuild, see ../heatmap.bench.ts): the rack heatmap's own drawing
 * code as the panel runs it (value → bucket → one fill per colour), a naive canvas (one fillStyle + fillRect per
 * rack) and an Apache ECharts heatmap of the same grid, each timed per redraw after the values change.
 */
import * as echarts from 'echarts';
import { BucketRule, bucketOf, fillBuckets } from '../../panels/rack-heatmap/src/data/color-index';
import { valueStatus } from '../../panels/rack-heatmap/src/data/status';
import { drawTiles, TileScratch } from '../../panels/rack-heatmap/src/render/tiles';
import type { View } from '../../panels/rack-heatmap/src/render/view';

export interface CaseResult {
  racks: number;
  renderer: string;
  /** ms per redraw: script time (drawing calls return), then with the canvas rasterised (a 1-px read forces it) */
  median: number;
  p95: number;
  medianRaster: number;
}

/** ASHRAE inlet bands in Grafana's dark-theme colours, as the panel draws them. */
const PALETTE = ['#5794F2', '#8AB8FF', '#73BF69', '#FF9830', '#F2495C'];
const RULE: BucketRule = { kind: 'steps', bounds: Float64Array.from([15, 18, 27, 32]) };
const WIDTH = 1600;
const HEIGHT = 900;
/** Value sets cycled through, so every redraw changes values without timing a random generator. */
const SETS = 8;

function grid(racks: number) {
  const cols = Math.ceil(Math.sqrt(racks * (WIDTH / HEIGHT)));
  const x = Float64Array.from({ length: racks }, (_, i) => i % cols);
  const y = Float64Array.from({ length: racks }, (_, i) => Math.floor(i / cols));
  const rows = Math.ceil(racks / cols);
  const scale = Math.min(WIDTH / cols, HEIGHT / rows);
  // deterministic pseudo-random inlets 14–34 °C, a few missing (NaN) as on a real floor
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const sets = Array.from({ length: SETS }, () =>
    Float64Array.from({ length: racks }, () => (next() < 0.01 ? NaN : 14 + 20 * next())),
  );
  return { cols, rows, x, y, sets, view: { scale, tx: 0, ty: 0 } as View };
}

function canvas(): HTMLCanvasElement {
  document.body.innerHTML = '';
  const c = document.createElement('canvas');
  c.width = WIDTH;
  c.height = HEIGHT;
  c.style.width = `${WIDTH}px`;
  c.style.height = `${HEIGHT}px`;
  document.body.appendChild(c);
  return c;
}

function time(
  racks: number,
  renderer: string,
  iterations: number,
  redraw: (k: number) => void,
  flush: () => void,
): CaseResult {
  for (let k = 0; k < 5; k++) {
    redraw(k);
    flush();
  }
  const script: number[] = [];
  const raster: number[] = [];
  for (let k = 0; k < iterations; k++) {
    const t0 = performance.now();
    redraw(k);
    const t1 = performance.now();
    flush();
    const t2 = performance.now();
    script.push(t1 - t0);
    raster.push(t2 - t0);
  }
  const q = (a: number[], p: number) => [...a].sort((m, n) => m - n)[Math.min(a.length - 1, Math.floor(p * a.length))]!;
  return { racks, renderer, median: q(script, 0.5), p95: q(script, 0.95), medianRaster: q(raster, 0.5) };
}

function plenum(racks: number, iterations: number): CaseResult {
  const g = grid(racks);
  const ctx = canvas().getContext('2d')!;
  const w = new Float64Array(racks).fill(1);
  const times = new Float64Array(racks).fill(Date.now());
  const status = new Uint8Array(racks);
  const buckets = new Uint16Array(racks);
  const scratch = new TileScratch();
  const style = { statusFill: '#22252b', hatch: '#464c54', symbol: '#ccccdc' };
  const scene = { count: racks, x: g.x, y: g.y, w, h: w, slices: [buckets], palette: PALETTE };
  return time(
    racks,
    'plenum (batched by colour)',
    iterations,
    (k) => {
      const values = g.sets[k % SETS]!;
      valueStatus(values, times, Date.now(), 600_000, status);
      fillBuckets(values, status, RULE, buckets);
      ctx.clearRect(0, 0, WIDTH, HEIGHT);
      drawTiles(ctx, scene, g.view, style, WIDTH, HEIGHT, scratch);
    },
    () => ctx.getImageData(0, 0, 1, 1),
  );
}

function naive(racks: number, iterations: number): CaseResult {
  const g = grid(racks);
  const ctx = canvas().getContext('2d')!;
  const s = g.view.scale;
  return time(
    racks,
    'naive (fillRect per rack)',
    iterations,
    (k) => {
      const values = g.sets[k % SETS]!;
      ctx.clearRect(0, 0, WIDTH, HEIGHT);
      for (let i = 0; i < racks; i++) {
        const v = values[i]!;
        ctx.fillStyle = Number.isNaN(v) ? '#22252b' : PALETTE[bucketOf(RULE, v)]!;
        ctx.fillRect(g.x[i]! * s + 1, g.y[i]! * s + 1, s - 2, s - 2);
      }
    },
    () => ctx.getImageData(0, 0, 1, 1),
  );
}

function echartsHeatmap(racks: number, iterations: number): CaseResult {
  const g = grid(racks);
  const c = canvas();
  const chart = echarts.init(c.parentElement!.appendChild(document.createElement('div')), undefined, {
    renderer: 'canvas',
    width: WIDTH,
    height: HEIGHT,
  });
  c.remove();
  // the same grid as [x, y, value] rows, built before timing: ECharts' own data format
  const data = g.sets.map((set) => Array.from(set, (v, i) => [g.x[i]!, g.y[i]!, Number.isNaN(v) ? '-' : v]));
  chart.setOption({
    animation: false,
    grid: { left: 0, right: 0, top: 0, bottom: 0 },
    xAxis: { type: 'category', data: Array.from({ length: g.cols }, (_, i) => i), show: false },
    yAxis: { type: 'category', data: Array.from({ length: g.rows }, (_, i) => i), show: false, inverse: true },
    visualMap: {
      type: 'piecewise',
      show: false,
      pieces: [
        { lt: 15, color: PALETTE[0] },
        { gte: 15, lt: 18, color: PALETTE[1] },
        { gte: 18, lt: 27, color: PALETTE[2] },
        { gte: 27, lt: 32, color: PALETTE[3] },
        { gte: 32, color: PALETTE[4] },
      ],
    },
    series: [{ type: 'heatmap', data: data[0], progressive: 0, itemStyle: { borderWidth: 1, borderColor: '#111217' } }],
  });
  // the canvas ECharts paints on, to force its rasterisation as for the others (zrender's painter API is untyped)
  const painter = chart.getZr().painter as unknown as {
    getLayers(): Record<string, { ctx: CanvasRenderingContext2D }>;
  };
  const layer = Object.values(painter.getLayers())[0];
  const result = time(
    racks,
    'echarts 6 heatmap',
    iterations,
    // setOption renders synchronously (lazyUpdate off): data processing, visual mapping, layout and painting
    (k) => chart.setOption({ series: [{ data: data[k % SETS] }] }),
    () => layer?.ctx.getImageData(0, 0, 1, 1),
  );
  chart.dispose();
  return result;
}

export function runCase(racks: number, renderer: 'plenum' | 'naive' | 'echarts', iterations: number): CaseResult {
  if (renderer === 'plenum') {
    return plenum(racks, iterations);
  }
  return renderer === 'naive' ? naive(racks, iterations) : echartsHeatmap(racks, iterations);
}

declare global {
  interface Window {
    heatmapBench: { runCase: typeof runCase };
  }
}
window.heatmapBench = { runCase };
