/*
 * npm run bench:heatmap — script time per redraw of a rack floor when values change, in headless Chromium: the rack
 * heatmap panel's drawing code against an Apache ECharts heatmap of the same grid and a naive one-fillRect-per-rack
 * canvas, at 1k, 5k and 10k racks, in one run. Target (issue 5): ≤ 4 ms per redraw at 10k racks and faster than
 * ECharts. Bounded: about a minute.
 */
import * as esbuild from 'esbuild';
import path from 'node:path';
import { launchBrowser } from '../harness/src/testing/browser';
import type { CaseResult } from './heatmap/page';

const SIZES = [1000, 5000, 10000];
const RENDERERS = ['plenum', 'naive', 'echarts'] as const;
/** Redraws timed per case (after 5 warm-up ones); ECharts at 10k takes tens of ms each, so this bounds the run. */
const ITERATIONS = 60;
const TARGET_MS = 4;

async function main(): Promise<void> {
  const started = Date.now();
  const bundle = await esbuild.build({
    entryPoints: [path.join(__dirname, 'heatmap', 'page.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1700, height: 1000 }, deviceScaleFactor: 1 });
    await page.setContent('<!doctype html><html><body style="margin:0"></body></html>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const results: CaseResult[] = [];
    for (const racks of SIZES) {
      for (const renderer of RENDERERS) {
        results.push(
          await page.evaluate(([n, r, it]) => window.heatmapBench.runCase(n, r, it), [
            racks,
            renderer,
            ITERATIONS,
          ] as const),
        );
      }
    }
    report(results);
    console.log(
      `(${((Date.now() - started) / 1000).toFixed(1)} s, Chromium ${browser.version()}, ${ITERATIONS} redraws per case)`,
    );
  } finally {
    await browser.close();
  }
}

function report(results: CaseResult[]): void {
  const ms = (v: number) => v.toFixed(2).padStart(8);
  // performance.now() is coarsened to 0.1 ms in a page that is not cross-origin isolated
  console.log('racks  renderer                      median ms   p95 ms  +raster ms   median / plenum');
  for (const racks of SIZES) {
    const ours = results.find((r) => r.racks === racks && r.renderer.startsWith('plenum'))!;
    for (const r of results.filter((x) => x.racks === racks)) {
      const ratio = r === ours ? '' : `${(r.median / ours.median).toFixed(1)}×`;
      console.log(
        `${String(racks).padStart(5)}  ${r.renderer.padEnd(28)} ${ms(r.median)} ${ms(r.p95)}   ${ms(r.medianRaster)}   ${ratio}`,
      );
    }
  }
  const at10k = results.filter((r) => r.racks === 10000);
  const ours = at10k.find((r) => r.renderer.startsWith('plenum'))!;
  const echartsResult = at10k.find((r) => r.renderer.startsWith('echarts'))!;
  const ok = ours.median <= TARGET_MS && ours.median < echartsResult.median;
  console.log(
    `target at 10k racks: ≤ ${TARGET_MS} ms and faster than ECharts — ${ours.median.toFixed(2)} ms, ` +
      `ECharts ${(echartsResult.median / ours.median).toFixed(1)}× slower: ${ok ? 'met' : 'NOT met'}`,
  );
  if (!ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
