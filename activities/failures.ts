/**
 * The one place where domain errors become Temporal failures: a business rejection is a
 * non-retryable ApplicationFailure whose `type` the workflow branches on; anything else is a
 * fault and is rethrown untouched so Temporal retries it under the activity's retry policy.
 */
import { ApplicationFailure } from '@temporalio/common';
import { OrderRejectedError } from '../src/domain/errors';

export function toTemporalFailure(err: unknown): unknown {
  if (err instanceof OrderRejectedError) {
    return ApplicationFailure.create({ message: err.message, type: err.code, nonRetryable: true });
  }
  return err;
}

/** Wraps every activity of a record so domain errors are mapped on the way out. */
export function withFailureMapping<
  T extends Record<string, (...args: never[]) => Promise<unknown>>,
>(activities: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    const mapped = async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw toTemporalFailure(err);
      }
    };
    Object.defineProperty(mapped, 'name', { value: name });
    wrapped[name] = mapped;
  }
  return wrapped as T;
}
