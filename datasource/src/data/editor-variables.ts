import type { EditorOption } from './editor-options';

/** Heading under which lists offer the dashboard's template variables. */
export const VARIABLES_GROUP = 'Dashboard variables';

/** `$name`, `${name}`, `${name:fmt}` or the legacy `[[name]]`: the forms Grafana's template service replaces. */
const TEMPLATE_REF = /\$\w+|\$\{[^}]+\}|\[\[[^\]]+\]\]/;

export const isTemplateRef = (value: string): boolean => TEMPLATE_REF.test(value);

/** The dashboard's variables as `$name` options, so a list can follow a dashboard drop-down. */
export function variableOptions(variables: ReadonlyArray<{ name: string; label?: string | null }>): EditorOption[] {
  return variables.map(({ name, label }) => ({
    value: `$${name}`,
    label: `$${name}`,
    description: label || 'dashboard variable',
    group: VARIABLES_GROUP,
  }));
}
