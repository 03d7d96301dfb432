/**
 * The few error types ops raises. Each knows whether retrying can help:
 * a failure caused by the inputs is not retryable, a failure caused by the world is.
 * At activity boundaries they become Temporal ApplicationFailures of the same type name
 * (see activities/failure-interceptor.ts); at the CLI boundary they become exit codes.
 */
export abstract class OpsError extends Error {
  abstract readonly retryable: boolean;
  override get name(): string {
    return this.constructor.name;
  }
}

/** The configuration is invalid; every problem is listed with its path. */
export class ConfigError extends OpsError {
  readonly retryable = false;
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? problems[0]! : `${problems.length} configuration errors:\n  ${problems.join('\n  ')}`);
  }
}

/** Something that must hold before a step can run does not (missing database, unknown target, bad credentials). */
export class PreconditionFailed extends OpsError {
  readonly retryable = false;
}

/**
 * A name asked for (a target, an app, a stage) is not in the loaded config. The inputs' fault:
 * not retryable in an activity, exit 2 at the CLI. Thrown only by config/lookups.ts, so every
 * caller reports it the same way: `unknown target "x" (configured: a, b)`.
 */
export class UnknownName extends PreconditionFailed {
  /** `of` names the owner for nested names, e.g. ` of app "web"` for a stage. */
  constructor(readonly what: string, readonly names: string[], readonly configured: string[], of = '') {
    super(`unknown ${what}${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')}${of} (configured: ${configured.join(', ') || 'none'})`);
  }
}

/** A restore would go over an existing non-empty database and was not asked to replace it (`--replace`). */
export class NeedsReplace extends PreconditionFailed {}

/**
 * A backup's artifact (or its offsite copy) is not the one its manifest describes, or the copy is
 * missing: the checksum's refusal, told apart from the other refusals of the same step (a user
 * that may not create the database) so the run puts each under its own step.
 */
export class ArtifactMismatch extends PreconditionFailed {}

/** A backup did not pass verification: checksum, table count, row counts or assertions. */
export class VerifyFailed extends OpsError {
  readonly retryable = false;
  constructor(message: string, readonly reasons: string[] = [message]) {
    super(message);
  }
}

/** An external command exited non-zero. `command` is already redacted; secrets travel in env, never argv. */
export class CommandFailed extends OpsError {
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderrTail: string,
    readonly retryable: boolean,
    readonly what: string = command.split(' ')[0] ?? command,
  ) {
    super(`${what} failed (exit ${exitCode ?? 'signal'}): ${stderrTail.trim().split('\n').slice(-3).join(' | ') || 'no output'}`);
  }
}

/** A transient problem in the world (network, lock, server starting): retry with backoff. */
export class TransientFailure extends OpsError {
  readonly retryable = true;
}

/**
 * A server stayed unreachable for the whole window ops waits for it (a maintenance window, a
 * restart). The world's fault, but the retries are spent: retrying the step would only wait
 * through the window again.
 */
export class Unreachable extends OpsError {
  readonly retryable = false;
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
