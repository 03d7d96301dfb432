import { ConfigError, OpsError, UnknownName } from '../core/errors.js';
import { NamespaceNotSetUp } from '../temporal/namespace-not-set-up.js';
import { TemporalUnreachable } from '../temporal/temporal-unreachable.js';
import { PortInUse } from '../workers/port-in-use.js';

export const EXIT = {
  ok: 0,
  /** the run failed (a backup, a verify), or a deploy was rolled back and is healthy */
  failed: 1,
  /** bad usage or bad config (a taken metrics port, a namespace without ops' search attributes too), or a deploy or rollback refused before it changed anything */
  usage: 2,
  /** another run holds the lock: a deploy of this app, a backup of every asked target, or a schedule's own run is running */
  busy: 3,
  /** Temporal could not be reached: nothing was started, or a waited-for run's outcome is unknown */
  unreachable: 4,
  /** a deploy or rollback failed and could not bring the stage back to a healthy release: needs a human */
  broken: 5,
} as const;

/** Thrown by verbs for usage mistakes the argument parser cannot see (e.g. a malformed backup id). */
export class UsageError extends OpsError {
  readonly retryable = false;
}

/** Thrown by verbs whose run ended failed; the message is already the one line to print. */
export class RunFailed extends OpsError {
  readonly retryable = false;
}

/** Another run holds the lock this one needs (a deploy of the same app). */
export class LockHeld extends OpsError {
  readonly retryable = false;
}

/** A deploy's or rollback's failure left a stage on no healthy release ("rollback failed: needs a human"). */
export class StageBroken extends OpsError {
  readonly retryable = false;
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof StageBroken) return EXIT.broken;
  if (err instanceof ConfigError || err instanceof UsageError || err instanceof UnknownName || err instanceof PortInUse || err instanceof NamespaceNotSetUp) return EXIT.usage;
  if (err instanceof TemporalUnreachable) return EXIT.unreachable;
  if (err instanceof LockHeld) return EXIT.busy;
  return EXIT.failed;
}
