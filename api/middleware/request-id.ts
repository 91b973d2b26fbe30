/**
 * Every request gets an id: the caller's `X-Request-Id` when it is sane (at most 128 word
 * characters, dashes or equals signs), a fresh UUID otherwise. It is echoed in the response
 * header, set on `c.get('requestId')` and carried by every log line of the request.
 */
import { randomUUID } from 'node:crypto';
import { requestId as honoRequestId } from 'hono/request-id';

export const REQUEST_ID_HEADER = 'X-Request-Id';

export function requestId() {
  return honoRequestId({
    headerName: REQUEST_ID_HEADER,
    limitLength: 128,
    generator: () => randomUUID(),
  });
}
