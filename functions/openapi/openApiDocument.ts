import * as z from 'zod';
import type { ZodType } from 'zod';
import { FUNCTIONS } from '../routes.ts';
import { historyEntrySchema, historyObjectSchema, singleValueSchemas } from '../commons/servingRequest.ts';
import { idSchema } from '../commons/idSchema.ts';
import { API_OPERATIONS, type ApiOperation } from './apiOperations.ts';

type JsonSchema = Record<string, unknown>;
type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };

const COMPONENT_REF = (id: string) => `#/components/schemas/${id}`;

/**
 * A request schema's JSON Schema, as clients send it (`io: 'input'`: defaults optional, the
 * handler's transforms not applied). Schemas that accept `unknown` and check in code (ids,
 * history entries) carry their JSON Schema in zod metadata, or get it here.
 */
function requestSchema(schema: ZodType): JsonSchema {
  return strip(
    z.toJSONSchema(schema, {
      io: 'input',
      unrepresentable: 'any',
      override: ({ zodSchema, jsonSchema }) => {
        if (zodSchema === historyEntrySchema) {
          for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
          Object.assign(jsonSchema, {
            description: 'An item id (a completed view), or an interaction {itemId, type, value?, timestamp?}.',
            anyOf: [requestSchema(idSchema), requestSchema(historyObjectSchema)],
          });
        }
      },
    }) as JsonSchema,
  );
}

/** A response schema's JSON Schema (`io: 'output'`); a named one (`.meta({ id })`) as a reference to its component. */
function responseSchema(schema: ZodType): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  if (id !== undefined) return { $ref: COMPONENT_REF(id) };
  return strip(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as JsonSchema);
}

/** Without `$schema` (an OpenAPI 3.1 document sets the dialect once) and `$id` (the component's name says it). */
function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/**
 * A query parameter from the schema its route parses it with: a single value is stated by the
 * schema of that value (an integer from 1 to 100, default 10); a repeatable one (`genre`,
 * `exclude`) as an array in the form style, `?genre=a&genre=b`.
 */
function queryParameter(name: string, schema: ZodType): JsonSchema {
  const value = singleValueSchemas.get(schema);
  if (value) {
    // The value as the handler reads it when that has a JSON type (count: an integer); else as sent (explain: 'true' | 'false' …).
    const output = responseSchema(value);
    const stated =
      'type' in output ? output : { ...requestSchema(value), ...('default' in output ? { default: String(output.default) } : {}) };
    return { name, in: 'query', required: false, schema: stated };
  }
  return { name, in: 'query', required: false, style: 'form', explode: true, schema: requestSchema(schema) };
}

const errorResponse = (description: string, retry = false) => ({
  description,
  ...(retry ? { headers: { 'Retry-After': { $ref: '#/components/headers/RetryAfter' } } } : {}),
  content: { 'application/json': { schema: { $ref: COMPONENT_REF('Error') } } },
});

function operationObject(operation: ApiOperation, apiKeyRequired: boolean): Record<string, unknown> {
  const parameters = [
    ...Object.entries(operation.pathParameters ?? {}).map(([name, schema]) => ({
      name,
      in: 'path',
      required: true,
      schema: requestSchema(schema),
    })),
    ...Object.entries(operation.query?.parameters ?? {}).map(([name, schema]) => queryParameter(name, schema)),
  ];
  const success = { description: operation.summary, content: { 'application/json': { schema: responseSchema(operation.success.schema) } } };
  const responses: Record<string, unknown> = {
    [String(operation.success.status)]: success,
    ...(operation.success.also ? { [String(operation.success.also)]: { ...success, description: 'Replaced an existing title' } } : {}),
    '400': errorResponse('Invalid input: `field` names the parameter or body field'),
    ...(apiKeyRequired ? { '403': errorResponse('Missing or invalid API key') } : {}),
    ...(operation.notFound ? { '404': errorResponse('Unknown item') } : {}),
    ...(operation.body ? { '413': errorResponse('Body too large'), '415': errorResponse('Body is not JSON') } : {}),
    ...(apiKeyRequired ? { '429': errorResponse("Over the key's rate or daily quota") } : {}),
    '503': errorResponse('No model or a store is unavailable now: retry after `Retry-After` seconds', true),
  };
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    tags: [operation.tag],
    ...(apiKeyRequired ? {} : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: requestSchema(operation.body),
                ...(operation.bodyExample === undefined ? {} : { example: operation.bodyExample }),
              },
            },
          },
        }
      : {}),
    responses,
  };
}

/**
 * The OpenAPI 3.1 description of every route of functions/routes.ts, from the zod schemas that
 * parse its requests and responseSchemas.ts.
 */
export function openApiDocument(): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const fn of FUNCTIONS) {
    for (const route of fn.routes) {
      const key = `${route.method} ${route.path}`;
      const operation = API_OPERATIONS[key];
      if (!operation) throw new Error(`${key} (function ${fn.name}) has no entry in functions/openapi/apiOperations.ts`);
      (paths[route.path] ??= {})[route.method.toLowerCase()] = operationObject(operation, route.apiKeyRequired);
    }
  }
  // Named schemas (`.meta({ id })` in responseSchemas.ts) become components, referenced by the operations.
  const named = z.toJSONSchema(z.globalRegistry, { io: 'output', uri: COMPONENT_REF, unrepresentable: 'any' }).schemas;
  const schemas = Object.fromEntries(Object.entries(named).map(([id, schema]) => [id, strip(schema as JsonSchema)]));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Marquee',
      version: 'v1',
      summary: 'Recommendations for entertainment catalogs',
      description:
        'Personalised recommendations, similar titles, re-ranking and popularity over a trained model; events and catalog in. Errors are `{error, message, field?}`.',
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    // Relative to where the document is read: `<stage URL>/v1/openapi.json` → the stage URL
    // (`http://localhost:3000` for the local service).
    servers: [{ url: '..', description: 'The API this document was fetched from' }],
    security: [{ apiKey: [] }],
    tags: [
      { name: 'recommendations', description: 'Top-k titles for viewers, histories, titles and candidate lists' },
      { name: 'events', description: 'Interactions in' },
      { name: 'catalog', description: 'Titles and their metadata' },
      { name: 'users', description: "A viewer's history and the right to be forgotten" },
      { name: 'service', description: 'Model, health and this description' },
    ],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'A key of the API (`marquee key` prints the local one).' },
      },
      headers: { RetryAfter: { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } } },
      schemas,
    },
  };
}
