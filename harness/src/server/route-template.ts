/** What a plugin route template can read, as in Grafana's `templateData` for `plugin.json` routes. */
export interface RouteTemplateData {
  JsonData: Record<string, unknown>;
  SecureJsonData: Record<string, string>;
}

/** A template in `plugin.json` that the harness cannot render (Grafana would fail the request too). */
export class RouteTemplateError extends Error {
  override name = 'RouteTemplateError';
}

/** `{{ ... }}` */
const ACTION = /\{\{([\s\S]*?)\}\}/g;
/** Go's trim markers: `{{- ` eats the white space before the action, ` -}}` the white space after it */
const TRIM_LEFT = /\s*\{\{-\s/g;
const TRIM_RIGHT = /\s-\}\}\s*/g;
/** `.JsonData.a.b` or `.SecureJsonData.key`, optionally piped through `orEmpty` */
const PIPELINE = /^\.(JsonData|SecureJsonData)((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*(\|\s*orEmpty)?$/;

/**
 * Renders a route `url`, header `content` or `urlParams` template the way Grafana's Go `text/template` does for
 * the subset plugins use: field access into JsonData/SecureJsonData and the `orEmpty` function. A missing key
 * prints `<no value>` (Go's rendering of a missing map key) unless piped through `orEmpty`.
 */
export function renderRouteTemplate(template: string, data: RouteTemplateData): string {
  const trimmed = template.replace(TRIM_LEFT, '{{ ').replace(TRIM_RIGHT, ' }}');
  return trimmed.replace(ACTION, (_all, body: string) => {
    const match = PIPELINE.exec(body.trim());
    if (!match) throw new RouteTemplateError(`unsupported route template action "{{${body}}}" in "${template}"`);
    const [, root, path, orEmpty] = match as unknown as [string, keyof RouteTemplateData, string, string?];
    let value: unknown = data[root];
    for (const key of path.slice(1).split('.')) {
      value = isRecord(value) ? value[key] : undefined;
    }
    return value === undefined || value === null ? (orEmpty ? '' : '<no value>') : goPrint(value);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Go's `fmt.Print` of JSON-decoded values: strings bare, numbers shortest, composites as JSON (Go prints `map[…]`). */
function goPrint(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
