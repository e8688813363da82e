import type { SwaggerTransformObject } from '@fastify/swagger';
import type { OpenAPIV3_1 } from 'openapi-types';
import { SAFE_REQUEST_ID } from '../request-id';

type Document = Partial<OpenAPIV3_1.Document>;

/**
 * The headers every answer carries, added to the generated document (`@fastify/swagger`'s
 * `transformObject`): route schemas describe bodies only. `x-request-id` is on every answer;
 * `Retry-After` on the 503s of routes under `prefix` that the database failed (not on "database
 * not configured", which retrying does not cure).
 */
export function withResponseHeaders(prefix: string): SwaggerTransformObject {
  return (input) => {
    // This app's document is OpenAPI 3.1 (src/app.ts), never Swagger 2.
    const openapiObject = ('openapiObject' in input ? input.openapiObject : {}) as Document;
    const headers: Record<string, OpenAPIV3_1.HeaderObject> = {
      'X-Request-Id': {
        description: 'The request\'s own x-request-id when it is safe, else a new one; the `reqId` of its log lines',
        required: true,
        schema: { type: 'string', pattern: SAFE_REQUEST_ID.source },
      },
      'Retry-After': {
        description: 'Seconds to wait before retrying: 1 when the pool is busy, 5 when the database is unavailable',
        schema: { type: 'string', pattern: '^\\d+$' },
      },
    };
    const ref = (name: string): OpenAPIV3_1.ReferenceObject => ({ $ref: `#/components/headers/${name}` });
    for (const [path, item] of Object.entries(openapiObject.paths ?? {})) {
      for (const operation of Object.values(item ?? {}) as OpenAPIV3_1.OperationObject[]) {
        for (const [status, response] of Object.entries(operation.responses ?? {}) as [string, OpenAPIV3_1.ResponseObject][]) {
          response.headers = {
            ...response.headers,
            'x-request-id': ref('X-Request-Id'),
            ...(status === '503' && path.startsWith(prefix) ? { 'retry-after': ref('Retry-After') } : {}),
          };
        }
      }
    }
    return { ...openapiObject, components: { ...openapiObject.components, headers: { ...openapiObject.components?.headers, ...headers } } };
  };
}
