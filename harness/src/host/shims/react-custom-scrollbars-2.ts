/**
 * `react-custom-scrollbars-2` is CommonJS with `exports.default`; @grafana/ui's ESM build imports its default,
 * which esbuild (following Node's rules for `.mjs` importers) resolves to the whole `module.exports` object, so
 * `CustomScrollbar` (tables, scroll containers) rendered an object and React threw error #130. Webpack, which builds
 * Grafana, hands over `exports.default`; this module gives the bundle the same (see build.ts).
 */
import { Scrollbars } from 'react-custom-scrollbars-2';

export default Scrollbars;
export { Scrollbars };
