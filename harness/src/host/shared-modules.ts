import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import * as grafanaData from '@grafana/data';
import * as grafanaDataUnstable from '@grafana/data/unstable';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaRuntimeUnstable from '@grafana/runtime/unstable';
import * as grafanaUi from '@grafana/ui';
import * as grafanaUiUnstable from '@grafana/ui/unstable';
import i18next from 'i18next';
import lodash from 'lodash';
import moment from 'moment';
import * as prismjs from 'prismjs';
import * as React from 'react';
import * as ReactDOM from 'react-dom';
import * as jsxDevRuntime from 'react/jsx-dev-runtime';
import * as jsxRuntime from 'react/jsx-runtime';
import * as reactRedux from 'react-redux';
import * as reactRouter from 'react-router';
import * as redux from 'redux';
import * as rxjs from 'rxjs';
import * as rxjsOperators from 'rxjs/operators';
import * as slate from 'slate';
import * as slatePlainSerializer from 'slate-plain-serializer';
import type { SystemJSLike } from './globals';

/** Grafana's prefix for shared dependencies in the SystemJS registry (`package:react`, …). */
const SHARED_PREFIX = 'package';

/**
 * Grafana wraps these default-export libraries so the AMD extra hands plugins the library itself, not a
 * namespace holding it (`ns.__useDefault ? ns.default : ns`).
 */
function useDefault(value: unknown): object {
  return { default: value, __useDefault: true };
}

/**
 * The externals of @grafana/create-plugin's webpack config (`.config/bundler/externals.ts`) that plugins import by
 * bare name, each the host's own instance: one React, one emotion cache, one `@grafana/data` registry.
 * `emotion` is the name old plugins used for `@emotion/css`, as Grafana maps it. Not shared: jquery, d3, angular and
 * `@grafana/slate-react` (not installed; Grafana 13 no longer loads Angular plugins).
 */
export const SHARED_MODULES: Record<string, object> = {
  react: React,
  'react-dom': ReactDOM,
  'react/jsx-runtime': jsxRuntime,
  'react/jsx-dev-runtime': jsxDevRuntime,
  '@grafana/data': grafanaData,
  '@grafana/data/unstable': grafanaDataUnstable,
  '@grafana/ui': grafanaUi,
  '@grafana/ui/unstable': grafanaUiUnstable,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/runtime/unstable': grafanaRuntimeUnstable,
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  emotion: emotionCss,
  rxjs,
  'rxjs/operators': rxjsOperators,
  lodash: useDefault(lodash),
  moment: useDefault(moment),
  i18next: useDefault(i18next),
  // in the bundle anyway through @grafana/ui and @grafana/runtime, so sharing them costs nothing
  'react-redux': reactRedux,
  redux,
  'react-router': reactRouter,
  prismjs,
  slate,
  'slate-plain-serializer': slatePlainSerializer,
};

/**
 * Registers every shared module under `package:<name>` and maps the bare name to it, as Grafana's SystemJS setup
 * does. A bundler namespace object lacks `Symbol.toStringTag = 'Module'`; without it `System.set` would copy it and
 * plugins would see a frozen snapshot instead of the live module, so the tag is set first.
 */
export function registerSharedModules(system: SystemJSLike): void {
  const imports: Record<string, string> = {};
  for (const [name, namespace] of Object.entries(SHARED_MODULES)) {
    const id = `${SHARED_PREFIX}:${name}`;
    if (!(Symbol.toStringTag in namespace)) {
      Object.defineProperty(namespace, Symbol.toStringTag, { value: 'Module' });
    }
    system.set(id, namespace);
    imports[name] = id;
  }
  system.addImportMap({ imports });
}
