import { ApplicationFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';

export interface RunFailure {
  /** The type of the deepest ApplicationFailure: what went wrong (e.g. NotPromoted, PreconditionFailed). */
  innermostType?: string;
  /** ...and its message. */
  innermostMessage?: string;
  /** The details the workflow failed with (its own ApplicationFailure's), e.g. the outcome and the report. */
  details: unknown[];
}

/**
 * How a run that ended failed, read again from Temporal once watchRun has said it failed: the
 * workflow's own failure details and the innermost failure type, which decide the exit code.
 * Undefined when the run did not fail with an ApplicationFailure (or cannot be asked).
 */
export async function runFailureOf(handle: WorkflowHandle): Promise<RunFailure | undefined> {
  const error: unknown = await handle.result().then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(error instanceof WorkflowFailedError)) return undefined;
  let innermost: ApplicationFailure | undefined;
  for (let current: unknown = error.cause; current instanceof Error; current = current.cause) {
    if (current instanceof ApplicationFailure) innermost = current;
  }
  const own = error.cause instanceof ApplicationFailure ? error.cause : undefined;
  return { ...(innermost?.type ? { innermostType: innermost.type, innermostMessage: innermost.message } : {}), details: own?.details ?? [] };
}
