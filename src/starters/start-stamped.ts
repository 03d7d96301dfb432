import { WorkflowExecutionAlreadyStartedError, WorkflowIdReusePolicy } from '@temporalio/client';
import { stampOf } from '../core/backup-id.js';

/** Seconds to move on before giving up: more runs than this of one target in one second are not a user's. */
const MAX_TRIES = 5;

/**
 * Starts a run whose workflow id (and report, and database names) carries the second it started
 * in. Two runs of a target started in the same second would share them: one would fail to start,
 * or, once the first had ended, reuse its id and overwrite its report. An id is never reused here
 * (REJECT_DUPLICATE), and the later run takes the next second's stamp instead.
 */
export async function startStamped<H>(start: (stamp: string, policy: { workflowIdReusePolicy: WorkflowIdReusePolicy }) => Promise<H>): Promise<H> {
  for (let tries = 1; ; tries++) {
    const now = Date.now();
    try {
      return await start(stampOf(new Date(now)), { workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || tries >= MAX_TRIES) throw err;
      await new Promise((resolve) => setTimeout(resolve, 1000 - (now % 1000)));
    }
  }
}
