import { ALL_VARIABLE_TEXT, ALL_VARIABLE_VALUE } from '../template-formats';
import type { HarnessVariable } from '../template-srv';
import type { VariableJson } from './model';

/*
 * The pure half of dashboard variables: which variable depends on which, the order to resolve them in, the
 * options of the types that need no data source, and which value ends up selected (Grafana's
 * `validateVariableSelectionState`). `variable-resolver.ts` does the querying.
 */

export interface VariableOption {
  text: string;
  value: string;
}

/** A variable with its options and selection, as the template service and the variables bar use it. */
export interface ResolvedVariable extends HarnessVariable {
  type: string;
  /** 0 shown, 1 label hidden, 2 hidden */
  hide: number;
  options: VariableOption[];
}

const REFERENCE = /\$(\w+)|\[\[(\w+?)(?::\w+)?\]\]|\${(\w+)(?:[.:][^}]*)?}/g;

/** Names referenced as `$name`, `${name…}` or `[[name…]]` in `text` (JSON-stringified when not a string). */
export function referencedNames(value: unknown): string[] {
  const text = typeof value === 'string' ? value : (JSON.stringify(value ?? '') ?? '');
  const names = new Set<string>();
  for (const m of text.matchAll(REFERENCE)) names.add((m[1] ?? m[2] ?? m[3])!);
  return [...names];
}

/** The other variables of the dashboard that `variable`'s query, data source or regex refers to. */
export function dependenciesOf(variable: VariableJson, all: VariableJson[]): string[] {
  const known = new Set(all.map((v) => v.name));
  return referencedNames([variable.query, variable.datasource, variable.regex]).filter(
    (n) => n !== variable.name && known.has(n),
  );
}

/**
 * Variables in an order where each comes after the variables it depends on, otherwise in dashboard order;
 * variables in a cycle keep dashboard order (Grafana refuses to save those, so they only come from hand edits).
 */
export function resolutionOrder(variables: VariableJson[]): VariableJson[] {
  const done = new Set<string>();
  const order: VariableJson[] = [];
  const visiting = new Set<string>();
  const byName = new Map(variables.map((v) => [v.name, v]));
  const visit = (v: VariableJson) => {
    if (done.has(v.name) || visiting.has(v.name)) return;
    visiting.add(v.name);
    for (const dep of dependenciesOf(v, variables)) visit(byName.get(dep)!);
    visiting.delete(v.name);
    done.add(v.name);
    order.push(v);
  };
  variables.forEach(visit);
  return order;
}

/** Every variable that depends on one of `changed`, directly or through others, in resolution order. */
export function dependentsOf(variables: VariableJson[], changed: string[]): VariableJson[] {
  const affected = new Set(changed);
  const result: VariableJson[] = [];
  for (const v of resolutionOrder(variables)) {
    if (affected.has(v.name)) continue;
    if (dependenciesOf(v, variables).some((d) => affected.has(d))) {
      affected.add(v.name);
      result.push(v);
    }
  }
  return result;
}

/** Grafana's custom variable query: comma-separated values (`\,` escapes a comma), each `value` or `text : value`. */
export function customOptions(query: string): VariableOption[] {
  return (query.match(/(?:\\,|[^,])+/g) ?? []).map((raw) => {
    const item = raw.replace(/\\,/g, ',');
    const pair = /^\s*(.+)\s:\s(.+)$/.exec(item);
    if (pair) return { text: pair[1]!.trim(), value: pair[2]!.trim() };
    const text = item.trim();
    return { text, value: text };
  });
}

/** Interval variable options: the comma-separated steps, after `auto` when the variable has auto on. */
export function intervalOptions(variable: VariableJson, autoInterval: string): VariableOption[] {
  const steps = String(variable.query ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => ({ text: s, value: s }));
  return variable.auto ? [{ text: 'auto', value: autoInterval }, ...steps] : steps;
}

/**
 * Grafana's variable regex (`/pattern/flags`) over option texts: non-matching options dropped; the named groups
 * `text` / `value`, else the first capture group, become the option; duplicates removed.
 */
export function applyRegex(options: VariableOption[], regex: string | undefined): VariableOption[] {
  if (!regex) return options;
  const parsed = /^\/(.*)\/([gimsuy]*)$/s.exec(regex);
  const re = parsed ? new RegExp(parsed[1]!, parsed[2]!.replace('g', '')) : new RegExp(regex);
  const seen = new Set<string>();
  const result: VariableOption[] = [];
  for (const option of options) {
    const m = re.exec(option.text);
    if (!m) continue;
    const groups = m.groups ?? {};
    const value = groups.value ?? groups.text ?? m[1] ?? option.value;
    const text = groups.text ?? groups.value ?? m[1] ?? option.text;
    if (seen.has(value)) continue;
    seen.add(value);
    result.push({ text, value });
  }
  return result;
}

/** Grafana's option sort: 1/2 alphabetical, 3/4 numerical (first number in the text), 5/6 case-insensitive. */
export function sortOptions(options: VariableOption[], sort: number | undefined): VariableOption[] {
  if (!sort) return options;
  const sorted = [...options];
  const numberOf = (o: VariableOption) => {
    const m = /.*?(\d+)/.exec(o.text);
    return m ? Number(m[1]) : -1;
  };
  if (sort === 1 || sort === 2) sorted.sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  else if (sort === 3 || sort === 4) sorted.sort((a, b) => numberOf(a) - numberOf(b));
  else if (sort === 5 || sort === 6) sorted.sort((a, b) => a.text.toLowerCase().localeCompare(b.text.toLowerCase()));
  return sort % 2 === 0 ? sorted.reverse() : sorted;
}

/**
 * Options plus `All` first when `includeAll`, and the selection: `requested` (URL or API) or the saved `current`,
 * kept as far as the options hold it (`All` always holds), else the first option — Grafana's
 * `validateVariableSelectionState`.
 */
export function selectOptions(
  variable: VariableJson,
  found: VariableOption[],
  requested?: string | string[],
): ResolvedVariable {
  const options = variable.includeAll ? [{ text: ALL_VARIABLE_TEXT, value: ALL_VARIABLE_VALUE }, ...found] : found;
  const wanted = ([] as string[]).concat(requested ?? variable.current?.value ?? []);
  let chosen =
    wanted.includes(ALL_VARIABLE_VALUE) && variable.includeAll
      ? [options[0]!]
      : options.filter((o) => wanted.includes(o.value));
  // a URL may name an option by its text, as Grafana accepts
  if (chosen.length === 0) chosen = options.filter((o) => wanted.includes(o.text));
  if (!variable.multi) chosen = chosen.slice(0, 1);
  if (chosen.length === 0 && options[0]) chosen = [options[0]];
  return resolved(variable, options, chosen);
}

/** A textbox (the value requested, else saved, else its query) or a constant (its query, always): one option. */
export function freeTextVariable(variable: VariableJson, requested?: string | string[]): ResolvedVariable {
  const chosen =
    variable.type === 'constant' ? variable.query : (requested ?? variable.current?.value ?? variable.query);
  const value = String(([] as unknown[]).concat(chosen ?? '')[0] ?? '');
  return resolved(variable, [{ text: value, value }], [{ text: value, value }]);
}

function resolved(variable: VariableJson, options: VariableOption[], chosen: VariableOption[]): ResolvedVariable {
  const selected = new Set(chosen.map((o) => o.value));
  const multi = Boolean(variable.multi);
  return {
    name: variable.name,
    type: variable.type,
    label: variable.label,
    hide: variable.type === 'constant' ? 2 : (variable.hide ?? 0),
    multi,
    includeAll: Boolean(variable.includeAll),
    allValue: variable.allValue ?? null,
    current: multi
      ? { text: chosen.map((o) => o.text), value: chosen.map((o) => o.value) }
      : { text: chosen[0]?.text ?? '', value: chosen[0]?.value ?? '' },
    options: options.map((o) => ({ ...o, selected: selected.has(o.value) })),
  };
}

/** The `{text, value}` pairs a repeat over `variable` produces: each selected option, `All` meaning every one. */
export function selectedValues(variable: ResolvedVariable | undefined): VariableOption[] {
  if (!variable) return [];
  const values = ([] as string[]).concat(variable.current.value);
  const real = variable.options.filter((o) => o.value !== ALL_VARIABLE_VALUE);
  if (values.includes(ALL_VARIABLE_VALUE)) return real.map(({ text, value }) => ({ text, value }));
  return real.filter((o) => values.includes(o.value)).map(({ text, value }) => ({ text, value }));
}
