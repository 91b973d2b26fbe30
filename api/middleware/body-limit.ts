/**
 * Refuses request bodies over MAX_BODY_BYTES with a 413 problem, by Content-Length when it is
 * declared and by counting the stream when it is not (chunked uploads cannot sneak past).
 */
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { PayloadTooLargeError } from '../errors';

export function bodyLimit(maxBytes: number) {
  return honoBodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new PayloadTooLargeError(`the limit is ${maxBytes} bytes`);
    },
  });
}
