/**
 * The published JSON Schema of `plenum.yaml` (`schema/plenum.schema.json`), generated from the zod schema so the
 * two cannot disagree. Editors use it through the `# yaml-language-server: $schema=…` modeline for completion,
 * hover texts (units, defaults) and red squiggles on unknown keys. Regenerate with `write-json-schema.ts`.
 */
import * as path from 'node:path';
import { z } from 'zod';
import { ScenarioSchema } from '../scenario/schema';
import { PlenumConfigSchema } from './schema';

export const JSON_SCHEMA_ID = 'urn:plenum:schema:plenum.yaml';

/** Where the generated schema is checked in: `<repo>/schema/plenum.schema.json`. */
export const JSON_SCHEMA_FILE = path.resolve(__dirname, '../../../schema/plenum.schema.json');

/** Where the scenario schema is checked in: `<repo>/schema/scenario.schema.json`. */
export const SCENARIO_SCHEMA_FILE = path.resolve(__dirname, '../../../schema/scenario.schema.json');
export const SCENARIO_SCHEMA_ID = 'urn:plenum:schema:scenario.yaml';

/** A zod schema as JSON Schema draft 2020-12 of the file as written: defaults optional, durations as strings or ms. */
function jsonSchemaOf(
  schema: z.ZodType,
  head: { $id: string; title: string; description: string },
): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    override: ({ jsonSchema }) => {
      // zod bounds every integer by ±2^53−1; noise in editor hovers, and no YAML number gets near it
      const s = jsonSchema as Record<string, unknown>;
      if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
      if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, ...head, ...rest };
}

/** The JSON Schema of `plenum.yaml`. */
export function plenumJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(PlenumConfigSchema, {
    $id: JSON_SCHEMA_ID,
    title: 'Plenum site configuration (plenum.yaml)',
    description:
      'Topology (site → hall → row → rack → asset), historian, HTTP API and data sources with their points. ' +
      'Generated from backend/src/config/schema.ts; reference: backend/src/config/README.md.',
  });
}

/** The JSON Schema of a twin scenario (`scenarios/*.yaml`). */
export function scenarioJsonSchema(): Record<string, unknown> {
  return jsonSchemaOf(ScenarioSchema, {
    $id: SCENARIO_SCHEMA_ID,
    title: 'Plenum digital-twin scenario (scenarios/*.yaml)',
    description:
      'What happens to the simulated hall and when (jobs, faults, setpoint writes, outdoor temperature) and the checks ' +
      'the run must pass. Generated from backend/src/scenario/schema.ts; reference: backend/src/sim/README.md, "Scenarios".',
  });
}

/**
 * JSON text laid out as Prettier lays out JSON at printWidth 120 (objects one key per line, arrays of scalars on
 * one line when they fit), so `prettier --check` passes on the generated file without running Prettier.
 */
export function formatJson(value: unknown, printWidth = 120): string {
  const render = (v: unknown, indent: string, prefixLen: number, suffixLen: number): string => {
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      if (v.every((x) => x === null || typeof x !== 'object')) {
        const flat = `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
        if (prefixLen + flat.length + suffixLen <= printWidth) return flat;
      }
      const inner = indent + '  ';
      const items = v.map((x, i) => inner + render(x, inner, inner.length, i < v.length - 1 ? 1 : 0));
      return `[\n${items.join(',\n')}\n${indent}]`;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
      if (entries.length === 0) return '{}';
      const inner = indent + '  ';
      const lines = entries.map(([k, x], i) => {
        const key = `${JSON.stringify(k)}: `;
        return inner + key + render(x, inner, inner.length + key.length, i < entries.length - 1 ? 1 : 0);
      });
      return `{\n${lines.join(',\n')}\n${indent}}`;
    }
    return JSON.stringify(v);
  };
  return render(value, '', 0, 0) + '\n';
}

/** The exact text of `schema/plenum.schema.json`. */
export function renderJsonSchema(): string {
  return formatJson(plenumJsonSchema());
}

/** Every published schema: where it is checked in and its exact text. */
export function publishedSchemas(): Array<{ file: string; text: string }> {
  return [
    { file: JSON_SCHEMA_FILE, text: renderJsonSchema() },
    { file: SCENARIO_SCHEMA_FILE, text: formatJson(scenarioJsonSchema()) },
  ];
}
