import { describe, expect, it } from 'vitest';
import { CommandFailed, VerifyFailed } from '../../src/core/errors.js';
import { withoutJobNotice } from '../../src/core/pg-restore-failure.js';

const failed = (what: string, tail: string) => new CommandFailed(`${what} --jobs=2 --dbname=restore_x`, 1, tail, false, what);

describe('withoutJobNotice', () => {
  it.each([
    [
      'a job out of disk space',
      failed(
        'pg_restore',
        'pg_restore: error: could not execute query: ERROR:  could not extend file "base/1/2": No space left on device\nHINT:  Check free disk space.\nCONTEXT:  COPY filler, line 49239\npg_restore: error: a worker process died unexpectedly\n',
      ),
      'pg_restore failed (exit 1): pg_restore: error: could not execute query: ERROR:  could not extend file "base/1/2": No space left on device | HINT:  Check free disk space. | CONTEXT:  COPY filler, line 49239',
    ],
    ['a single-job failure', failed('pg_restore', 'pg_restore: error: connection to server failed\n'), 'pg_restore failed (exit 1): pg_restore: error: connection to server failed'],
    ['nothing but the notice', failed('pg_restore', 'pg_restore: error: a worker process died unexpectedly\n'), 'pg_restore failed (exit 1): pg_restore: error: a worker process died unexpectedly'],
    ['another tool', failed('age', 'pg_restore: error: a worker process died unexpectedly\n'), 'age failed (exit 1): pg_restore: error: a worker process died unexpectedly'],
  ])('%s', (_, failure, message) => {
    const result = withoutJobNotice(failure) as CommandFailed;
    expect(result).toBeInstanceOf(CommandFailed);
    expect(result.message).toBe(message);
    expect([result.exitCode, result.retryable, result.what, result.command]).toEqual([failure.exitCode, failure.retryable, failure.what, failure.command]);
  });

  it('leaves what is not a CommandFailed as it is', () => {
    const err = new VerifyFailed('boom');
    expect(withoutJobNotice(err)).toBe(err);
  });
});
