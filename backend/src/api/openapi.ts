import { z } from 'zod';
import type { RouteSpec } from './routes';

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
};

/** `/api/points` → OpenAPI parameters, one per property of the query schema. */
function parameters(schema: z.ZodType) {
  const js = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: js.required?.includes(name) ?? false,
    ...(typeof s.description === 'string' && { description: s.description }),
    schema: s,
    ...(s.type === 'array' && { style: 'form', explode: false }),
  }));
}

/**
 * The OpenAPI 3.1 document of the API, built from the same route table and schemas the server runs, so it
 * cannot describe a route or a field the server does not have.
 */
export function openApiDocument(routes: readonly RouteSpec[], version: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const pathParams = [...r.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    paths[path] ??= {};
    paths[path]![r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${r.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...((r.query || pathParams.length) && { parameters: [...pathParams, ...(r.query ? parameters(r.query) : [])] }),
      ...(r.scope && r.scope !== 'read' && { 'x-plenum-scope': r.scope }),
      ...(r.body && {
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } },
      }),
      responses: Object.fromEntries(Object.entries(r.responses).map(([code, description]) => [code, { description }])),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Plenum API',
      version,
      description:
        'IT/OT data for AI data centres: query (Grafana frames), catalog, topology, events, ingest and operations.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths: {
      ...paths,
      '/api/openapi.json': {
        get: {
          summary: 'This document.',
          tags: ['operations'],
          operationId: 'getApiOpenapiJson',
          responses: { '200': { description: 'OpenAPI 3.1' } },
        },
      },
    },
  };
}
