/**
 * The API's closed set of errors, and the one place they become responses: RFC 9457
 * `application/problem+json` with a stable `type` URI per kind of problem. A client mistake
 * is never a 500; anything unexpected becomes a generic 500 whose detail goes to the log
 * only. Every class sets `name` explicitly (bundlers rename constructors).
 */
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import type { Logger } from '../src/logger';
import type { AppEnv } from './env';

export const PROBLEM_TYPE_PREFIX = 'urn:order-platform:problem:';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface FieldIssue {
  path: string;
  message: string;
}

export abstract class ApiError extends Error {
  abstract readonly status: ContentfulStatusCode;
  /** The stable last part of the problem `type` URI. */
  abstract readonly slug: string;
  abstract readonly title: string;
  /** Extra response headers (WWW-Authenticate, Retry-After). */
  headers(): Record<string, string> {
    return {};
  }
  /** Extra members of the problem object. */
  extensions(): Record<string, unknown> {
    return {};
  }
}

export class BadRequestError extends ApiError {
  override readonly name = 'BadRequestError';
  readonly status = 400;
  readonly slug = 'bad-request';
  readonly title = 'Bad request';
}

export class ValidationError extends ApiError {
  override readonly name = 'ValidationError';
  readonly slug = 'validation-error';
  readonly title = 'The request is not valid';
  constructor(
    readonly issues: FieldIssue[],
    readonly status: 400 | 422 = 422,
  ) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
  }
  static fromZod(error: ZodError, status: 400 | 422 = 422): ValidationError {
    return new ValidationError(
      error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
      status,
    );
  }
  override extensions() {
    return { errors: this.issues };
  }
}

export class UnauthorizedError extends ApiError {
  override readonly name = 'UnauthorizedError';
  readonly status = 401;
  readonly slug: string;
  readonly title = 'Authentication required';
  /** `missing`: no credentials at all (the challenge then names no error, RFC 6750 3.1). */
  constructor(
    message: string,
    readonly kind: 'missing' | 'invalid' | 'expired' = 'invalid',
  ) {
    super(message);
    this.slug = kind === 'expired' ? 'token-expired' : 'unauthorized';
  }
  override headers(): Record<string, string> {
    const realm = 'Bearer realm="order-platform"';
    return {
      'WWW-Authenticate':
        this.kind === 'missing'
          ? realm
          : `${realm}, error="invalid_token", error_description="${this.message}"`,
    };
  }
}

export class InvalidCredentialsError extends ApiError {
  override readonly name = 'InvalidCredentialsError';
  readonly status = 401;
  readonly slug = 'invalid-credentials';
  readonly title = 'Email or password is wrong';
}

export class RefreshTokenReusedError extends ApiError {
  override readonly name = 'RefreshTokenReusedError';
  readonly status = 401;
  readonly slug = 'refresh-token-reused';
  readonly title = 'Refresh token already used; every session of its family is revoked';
}

export class ForbiddenError extends ApiError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  readonly slug = 'forbidden';
  readonly title = 'Not allowed';
}

export class NotFoundError extends ApiError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly slug = 'not-found';
  readonly title = 'Not found';
}

export class EmailTakenError extends ApiError {
  override readonly name = 'EmailTakenError';
  readonly status = 409;
  readonly slug = 'email-taken';
  readonly title = 'An account with this email already exists';
}

export class IdempotencyKeyConflictError extends ApiError {
  override readonly name = 'IdempotencyKeyConflictError';
  readonly status = 409;
  readonly slug = 'idempotency-key-conflict';
  readonly title = 'Idempotency-Key reused with a different request body';
}

export class OrderNotCancellableError extends ApiError {
  override readonly name = 'OrderNotCancellableError';
  readonly status = 409;
  readonly slug = 'order-not-cancellable';
  readonly title = 'The order can no longer be cancelled';
  constructor(readonly orderStatus: string) {
    super(`order is ${orderStatus}`);
  }
  override extensions() {
    return { order_status: this.orderStatus };
  }
}

export class PayloadTooLargeError extends ApiError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly slug = 'payload-too-large';
  readonly title = 'Request body too large';
}

export class UnsupportedMediaTypeError extends ApiError {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly status = 415;
  readonly slug = 'unsupported-media-type';
  readonly title = 'Request body must be application/json';
}

export class RateLimitedError extends ApiError {
  override readonly name = 'RateLimitedError';
  readonly status = 429;
  readonly slug = 'rate-limited';
  readonly title = 'Too many requests';
  constructor(
    readonly retryAfterSeconds: number,
    readonly limit: number,
  ) {
    super(`limit of ${limit} requests reached, retry in ${retryAfterSeconds}s`);
  }
  override headers() {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
  override extensions() {
    return { retry_after: this.retryAfterSeconds };
  }
}

export class ServiceUnavailableError extends ApiError {
  override readonly name = 'ServiceUnavailableError';
  readonly status = 503;
  readonly slug = 'service-unavailable';
  readonly title = 'A backing service is unavailable, retry later';
  override headers() {
    return { 'Retry-After': '1' };
  }
}

export class InternalError extends ApiError {
  override readonly name = 'InternalError';
  readonly status = 500;
  readonly slug = 'internal-error';
  readonly title = 'Internal server error';
}

/** Errors raised by hono itself (malformed JSON, body limit) or by a stray zod parse. */
function fromFramework(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return ValidationError.fromZod(err);
  if (err instanceof HTTPException) {
    if (err.status === 413) return new PayloadTooLargeError(err.message);
    if (err.status === 415)
      return new UnsupportedMediaTypeError('send the body as application/json');
    if (err.status === 401) return new UnauthorizedError(err.message);
    if (err.status >= 400 && err.status < 500) return new BadRequestError(err.message);
  }
  return undefined;
}

export function problemResponse(c: Context<AppEnv>, err: ApiError): Response {
  const body = {
    type: `${PROBLEM_TYPE_PREFIX}${err.slug}`,
    title: err.title,
    status: err.status,
    ...(err.message ? { detail: err.message } : {}),
    instance: c.req.path,
    request_id: c.get('requestId'),
    ...err.extensions(),
  };
  return c.body(JSON.stringify(body), err.status, {
    'Content-Type': PROBLEM_CONTENT_TYPE,
    ...err.headers(),
  });
}

export function errorHandler(fallbackLog: Logger): ErrorHandler<AppEnv> {
  return (err, c) => {
    const log = c.get('log') ?? fallbackLog;
    const known = fromFramework(err);
    if (known) {
      log.debug({ problem: known.slug, status: known.status }, 'request refused');
      return problemResponse(c, known);
    }
    log.error({ err }, 'unhandled error');
    return problemResponse(c, new InternalError(''));
  };
}

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, new NotFoundError(`no route for ${c.req.method} ${c.req.path}`));
