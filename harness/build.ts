import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Builds the host bundle: `dist/host.js` (one IIFE with React, @grafana/*, emotion, rxjs, lodash, moment, i18next)
 * and `dist/host.css` (uPlot, slider and data grid styles that @grafana/ui imports), plus the font files the CSS
 * references. `npm run build -w harness`; about 2 s.
 */
async function main(): Promise<void> {
  const started = Date.now();
  const outdir = path.join(__dirname, 'dist');
  fs.rmSync(outdir, { recursive: true, force: true });
  const i18nDir = path.dirname(require.resolve('@grafana/i18n/package.json'));
  const result = await esbuild.build({
    entryPoints: { host: path.join(__dirname, 'src', 'host', 'index.tsx') },
    outdir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    sourcemap: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
    // monaco (through @grafana/ui) brings its icon font in through CSS
    loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file', '.svg': 'file', '.png': 'file' },
    // the module @grafana/i18n's index re-exports: the same instance, reached for `initializeI18n` (see i18n.ts)
    alias: { '@grafana/i18n/internal': path.join(i18nDir, 'dist', 'esm', 'i18n.mjs') },
  });
  const sizes = Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .map(([file, out]) => `${path.basename(file)} ${(out.bytes / 1e6).toFixed(2)} MB`);
  console.log(`harness host built in ${Date.now() - started} ms: ${sizes.join(', ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
