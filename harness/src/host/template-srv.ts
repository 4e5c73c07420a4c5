import { ALL_VARIABLE_TEXT, ALL_VARIABLE_VALUE, FORMATS, type FormatVariable } from './template-formats';
import { macroValue } from './template-macros';

/** A dashboard variable as tests set it (the fields of Grafana's variable models that interpolation reads). */
export interface HarnessVariable {
  name: string;
  /** @default 'custom' */
  type?: string;
  label?: string;
  multi?: boolean;
  includeAll?: boolean;
  /** what `$__all` becomes instead of all option values, e.g. `.*`; used unformatted, as in Grafana */
  allValue?: string | null;
  current: { text: string | string[]; value: string | string[] };
  options?: { text: string; value: string; selected?: boolean }[];
}

/** A scoped variable: overrides a dashboard variable for one request or panel repeat. */
export interface ScopedVar {
  text?: unknown;
  value: unknown;
  /** use the value as is, whatever format the reference asks for */
  skipFormat?: boolean;
}
export type ScopedVars = Record<string, ScopedVar | undefined>;

type FormatFunction = (value: unknown, variable: unknown, formatValue: unknown) => string;

/** The time range the `__from` / `__to` built-ins read, in ms since the epoch. */
export interface TemplateTimeRange {
  from: { valueOf(): number };
  to: { valueOf(): number };
}

/**
 * Grafana's variable syntax: `$var`, `[[var]]` / `[[var:fmt]]`, `${var}` / `${var.path}` / `${var:fmt}` /
 * `${var:fmt:arg}` (groups: 1 `$var`, 2–3 `[[var:fmt]]`, 4–6 `${var.path:fmt}`).
 */
const VARIABLE_REGEX = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\${(\w+)(?:\.([^:^}]+))?(?::([^}]+))?}/g;

/**
 * A TemplateSrv with Grafana's interpolation rules (`public/app/features/templating/template_srv.ts`):
 * scoped variables win over dashboard variables; no format means `glob`; `$__all` expands to every option value,
 * or to `allValue` unformatted; `__from`/`__to` come from the last `updateTimeRange`; unknown names stay as written.
 */
export class HarnessTemplateSrv {
  private variables: HarnessVariable[] = [];
  private readonly index = new Map<string, HarnessVariable>();
  private timeRange: TemplateTimeRange | undefined;

  setVariables(variables: HarnessVariable[]): void {
    this.variables = variables.map((v) => ({ type: 'custom', ...structuredClone(v) }));
    this.index.clear();
    for (const v of this.variables) this.index.set(v.name, v);
  }

  /** Copies, shaped as Grafana's `TypedVariableModel` as far as tests define them. */
  getVariables(): HarnessVariable[] {
    return structuredClone(this.variables);
  }

  updateTimeRange(timeRange: TemplateTimeRange): void {
    this.timeRange = timeRange;
  }

  /** Ad hoc filters are not modelled: none, as a dashboard without an ad hoc variable has. */
  getAdhocFilters(_datasourceName?: string): unknown[] {
    return [];
  }

  /**
   * Whether the FIRST variable reference in `target` names a known variable: Grafana checks only the first match
   * (`getVariableName`), so `x $unknown $known` is false there and here.
   */
  containsTemplate(target?: string): boolean {
    if (!target) return false;
    const match = new RegExp(VARIABLE_REGEX.source).exec(target);
    if (!match) return false;
    const name = match[1] ?? match[2] ?? match[4] ?? '';
    return this.index.has(name);
  }

  replace(target?: string, scopedVars?: ScopedVars, format?: string | FormatFunction): string {
    if (!target) return target ?? '';
    return target.replace(
      VARIABLE_REGEX,
      (
        match: string,
        var1?: string,
        var2?: string,
        fmt2?: string,
        var3?: string,
        fieldPath?: string,
        fmt3?: string,
      ): string => {
        const name = (var1 ?? var2 ?? var3) as string;
        const variable = this.index.get(name);
        let fmt: string | FormatFunction | undefined = fmt2 ?? fmt3 ?? format;

        const scoped = scopedVars?.[name];
        if (scoped) {
          const value = fieldPath ? getPath(scoped.value, fieldPath) : scoped.value;
          if (value !== null && value !== undefined) {
            if (scoped.skipFormat) fmt = undefined;
            const text = fieldPath ? value : scoped.text;
            return this.formatValue(value, fmt, variable ?? { name }, text);
          }
        }

        if ((name === '__from' || name === '__to') && this.timeRange) {
          const ms = (name === '__from' ? this.timeRange.from : this.timeRange.to).valueOf();
          // Grafana prints the epoch ms unless a format (usually `date:…`) is asked for
          return fmt ? this.formatValue(String(ms), fmt, { name }, String(ms)) : String(ms);
        }

        // data-link macros (`${__data.fields.rack}` …) when a link supplies their context, as Grafana's macroRegistry
        const macro = variable ? undefined : macroValue(name, fieldPath, scopedVars);
        if (macro !== undefined && macro !== null) return this.formatValue(String(macro), fmt, { name }, String(macro));

        if (!variable) return match;
        let value: unknown = variable.current.value;
        let text: unknown = variable.current.text;
        if (isAllValue(value)) {
          value = this.allValue(variable);
          text = ALL_VARIABLE_TEXT;
          if (variable.allValue && fmt !== 'text') return this.replace(String(value));
        }
        if (fieldPath) value = getPath(value, fieldPath);
        return this.formatValue(value, fmt, variable, text);
      },
    );
  }

  private allValue(variable: HarnessVariable): string | string[] {
    if (variable.allValue) return variable.allValue;
    return (variable.options ?? []).filter((o) => o.value !== ALL_VARIABLE_VALUE).map((o) => o.value);
  }

  private formatValue(
    value: unknown,
    format: string | FormatFunction | undefined,
    variable: FormatVariable,
    text: unknown,
  ): string {
    if (value === null || value === undefined) return '';
    if (!Array.isArray(value) && typeof value === 'object') value = String(value);
    if (typeof format === 'function') return format(value, variable, this.formatValue.bind(this));
    const [id = 'glob', ...args] = (format ?? 'glob').split(':');
    let formatter = FORMATS[id];
    if (!formatter) {
      console.error(`Variable format ${id} not found. Using glob format as fallback.`);
      formatter = FORMATS.glob as NonNullable<typeof formatter>;
    }
    return formatter({ value, args, text: text ?? value }, variable);
  }
}

function isAllValue(value: unknown): boolean {
  return value === ALL_VARIABLE_VALUE || (Array.isArray(value) && value[0] === ALL_VARIABLE_VALUE);
}

function getPath(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split('.')) {
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}
