// The `/unstable` entries of @grafana/* exist only in their package.json `exports`, which the repository's
// `moduleResolution: node` does not read (esbuild does). The host only passes these namespaces on to plugins.
declare module '@grafana/data/unstable' {
  const namespace: Record<string, unknown>;
  export = namespace;
}
declare module '@grafana/ui/unstable' {
  const namespace: Record<string, unknown>;
  export = namespace;
}
declare module '@grafana/runtime/unstable' {
  const namespace: Record<string, unknown>;
  export = namespace;
}

// Grafana core initialises i18next through `@grafana/i18n/internal`, which the published package no longer exports;
// build.ts aliases this name to the package's own `dist/esm/i18n.mjs` (the module its index re-exports).
declare module '@grafana/i18n/internal' {
  export function initializeI18n(options: { language?: string; ns?: string[] }): Promise<{ language?: string }>;
}

// Shared with plugins as they are (shared-modules.ts); these packages ship no types.
declare module 'react-router' {
  const namespace: Record<string, unknown>;
  export = namespace;
}
declare module 'prismjs' {
  const namespace: Record<string, unknown>;
  export = namespace;
}
declare module 'slate' {
  const namespace: Record<string, unknown>;
  export = namespace;
}
declare module 'slate-plain-serializer' {
  const namespace: Record<string, unknown>;
  export = namespace;
}
