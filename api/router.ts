/**
 * A route group: an OpenAPIHono whose request validation failures become problems. A body
 * that is not JSON at all is a 415; a JSON body that breaks the schema a 422; a bad query,
 * path parameter or header a 400. Malformed JSON is refused by hono (400, see errors.ts).
 */
import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import type { AppEnv } from './env';
import { UnsupportedMediaTypeError, ValidationError } from './errors';

const JSON_TYPE = /^application\/([\w.-]+\+)?json\s*(;|$)/i;

export const validationHook: Hook<unknown, AppEnv, string, undefined> = (result, c) => {
  if (result.success) return undefined;
  if (result.target === 'json') {
    if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) {
      throw new UnsupportedMediaTypeError('send the body as application/json');
    }
    throw ValidationError.fromZod(result.error, 422);
  }
  throw ValidationError.fromZod(result.error, 400);
};

export function router(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
