import type { DataFrame, DisplayValue, Field } from '@grafana/data';

/*
 * Type-only imports: the harness's unit tests run in Node, where @grafana/data's CommonJS build cannot load
 * (it requires ESM-only packages), so what Grafana's macros take from it is restated here in a few lines.
 */

/** What `getLinksSupplier` (@grafana/data) puts in a data link's scoped vars as `__dataContext`. */
interface DataContextValue {
  frame: DataFrame;
  field: Field;
  rowIndex?: number;
  calculatedValue?: DisplayValue;
}

/**
 * Grafana's data-link macros (public/app/features/templating/macroRegistry.ts, dataMacros.ts): `${__data.fields.x}`
 * (by field name, display name or index), `${__value.raw|numeric|text|time}`, `${__field.name|displayName|labels.x}`,
 * `${__series.name}`, read from the `__dataContext` scoped var. Undefined when the macro or its context is absent:
 * the reference then stays as written, as in Grafana.
 */
export function macroValue(name: string, fieldPath: string | undefined, scopedVars: object | undefined): unknown {
  const context = (scopedVars as { __dataContext?: { value?: DataContextValue } } | undefined)?.__dataContext?.value;
  if (!context) {
    return undefined;
  }
  const { frame, field, rowIndex } = context;
  switch (name) {
    case '__data': {
      if (rowIndex === undefined) return undefined;
      const [first, key, ...rest] = (fieldPath ?? '').split('.');
      if (first !== 'fields') return getPath({ name: frame.name, refId: frame.refId }, fieldPath);
      const target = frame.fields.find((f, i) => f.name === key || displayName(f) === key || String(i) === key);
      return target && getPath(displayed(target, target.values[rowIndex]), rest.join('.'));
    }
    case '__value':
      return valueMacro(context, fieldPath);
    case '__field':
      return getPath({ name: field.name, displayName: displayName(field), labels: field.labels }, fieldPath);
    case '__series':
      return fieldPath === 'name' ? frame.name : undefined;
    default:
      return undefined;
  }
}

function valueMacro({ frame, field, rowIndex, calculatedValue }: DataContextValue, fieldPath?: string): unknown {
  if (rowIndex === undefined) {
    return fieldPath === 'numeric' || fieldPath === 'raw' ? calculatedValue?.numeric : calculatedValue?.text;
  }
  const raw: unknown = field.values[rowIndex];
  if (fieldPath === 'time') return frame.fields.find((f) => f.type === 'time')?.values[rowIndex];
  const shown = displayed(field, raw);
  return fieldPath === 'raw' ? raw : fieldPath === 'numeric' ? shown.numeric : shown.text;
}

/** A value as its field displays it (unit, decimals, mappings): `{raw, numeric, text}`, printing as the text. */
function displayed(field: Field, raw: unknown) {
  const d = field.display?.(raw);
  const text = d ? `${d.prefix ?? ''}${d.text}${d.suffix ?? ''}` : String(raw ?? '');
  return { raw, numeric: d?.numeric ?? Number(raw), text, toString: () => text };
}

const displayName = (f: Field) => f.state?.displayName ?? f.config.displayName ?? f.name;

function getPath(value: unknown, path: string | undefined): unknown {
  let v = value;
  for (const key of path ? path.split('.') : []) {
    v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}
