import { useMemo } from 'react';
import { getTemplateSrv } from '@grafana/runtime';
import type { EditorOption } from '../../data/editor-options';
import { variableOptions } from '../../data/editor-variables';

/** The dashboard's template variables as `$name` options, read once per mounted editor. */
export function useVariableOptions(): EditorOption[] {
  return useMemo(() => variableOptions(getTemplateSrv().getVariables()), []);
}
