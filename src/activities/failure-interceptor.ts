import { ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { OpsError, VerifyFailed } from '../core/errors.js';

/**
 * The one place where ops' named errors become Temporal failures: the type keeps the error's name
 * (so the UI and callers see CommandFailed, PreconditionFailed, ...) and its retryable flag
 * decides whether Temporal retries. Other errors pass through and are retried as usual.
 */
export const opsFailureInterceptor: ActivityInterceptorsFactory = () => ({
  inbound: {
    async execute(input, next) {
      try {
        return await next(input);
      } catch (err) {
        if (!(err instanceof OpsError)) throw err;
        throw ApplicationFailure.create({
          type: err.name,
          message: err.message,
          nonRetryable: !err.retryable,
          ...(err instanceof VerifyFailed ? { details: [{ reasons: err.reasons }] } : {}),
        });
      }
    },
  },
});
