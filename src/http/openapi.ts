import { z } from 'zod';
import type { RouteDoc } from './api-router';

const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

function responseOf(doc: RouteDoc) {
  const r = doc.spec.response;
  if (!r) return { description: 'OK' };
  if ('contentType' in r) return { description: 'OK', content: { [r.contentType]: { schema: { type: 'string', format: 'binary' } } } };
  return { description: 'OK', content: { 'application/json': { schema: jsonSchema(r, 'output') } } };
}

function requestBodyOf(doc: RouteDoc) {
  if (doc.spec.multipartField) {
    return {
      required: true,
      content: {
        'multipart/form-data': {
          schema: { type: 'object', required: [doc.spec.multipartField], properties: { [doc.spec.multipartField]: { type: 'string', format: 'binary' } } },
        },
      },
    };
  }
  if (!doc.spec.body) return undefined;
  return { required: true, content: { 'application/json': { schema: jsonSchema(doc.spec.body, 'input') } } };
}

/** The OpenAPI 3.1 document of every route, generated from the schemas the routes validate with. */
export function buildOpenApi(prefix: string, docs: RouteDoc[], version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of docs) {
    const path = prefix + doc.path.replace(/:(\w+)/g, '{$1}');
    const parameters = [...doc.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const error = { description: 'Error', content: { 'application/json': { schema: jsonSchema(ErrorSchema, 'output') } } };
    paths[path] ??= {};
    paths[path][doc.method] = {
      tags: [doc.spec.tag],
      summary: doc.spec.summary,
      parameters: parameters.length ? parameters : undefined,
      requestBody: requestBodyOf(doc),
      security: doc.spec.anonymous ? [] : undefined,
      responses: { [String(doc.spec.status ?? 200)]: responseOf(doc), '4XX': error },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Hồ sơ API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, cookie: { type: 'apiKey', in: 'cookie', name: 'hoso_session' } } },
    security: [{ bearer: [] }, { cookie: [] }],
    paths,
  };
}
