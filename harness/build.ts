import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Builds the host bundle: `dist/host.js` (one IIFE with React, @grafana/*, emotion, rxjs, lodash, moment, i18next)
 * and `dist/host.css` (uPlot, slider and data grid styles that @grafana/ui imports), plus the font files the CSS
 * references. `npm run build -w harness`; about 2 s.
 */
/**
 * Points imports of a CommonJS package whose default export @grafana/ui's `.mjs` files read (and esbuild would give
 * them `module.exports` for) at `src/host/shims/<name>.ts`, which re-exports `exports.default` as webpack does.
 */
function commonJsDefaultShim(name: string): esbuild.Plugin {
  const shim = path.join(__dirname, 'src', 'host', 'shims', `${name}.ts`);
  return {
    name: `cjs-default:${name}`,
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${name}$`) }, (args) =>
        args.importer === shim ? undefined : { path: shim },
      );
    },
  };
}

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
    plugins: [commonJsDefaultShim('react-custom-scrollbars-2')],
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
