import { CommandFailed, type OpsError } from './errors.js';

/** What pg_restore's leader prints after one of its --jobs failed: the job's own error, before it, says why. */
const JOB_DIED = 'pg_restore: error: a worker process died unexpectedly';

/**
 * A failed parallel pg_restore's message as a single-job run would give it: the leader's closing
 * line would otherwise push the server's reason (`No space left on device`) out of the message's
 * last lines. Any other failure is returned as it is.
 */
export function withoutJobNotice(failure: OpsError): OpsError {
  if (!(failure instanceof CommandFailed) || failure.what !== 'pg_restore') return failure;
  const lines = failure.stderrTail.split('\n').filter((line) => line.trim() !== JOB_DIED);
  if (lines.join('\n').trim() === '') return failure;
  return new CommandFailed(failure.command, failure.exitCode, lines.join('\n'), failure.retryable, failure.what);
}
