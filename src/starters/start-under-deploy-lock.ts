import { WorkflowExecutionAlreadyStartedError, type WorkflowHandleWithFirstExecutionRunId, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/workflow';
import { formatLocalTime } from '../core/format.js';
import { heldDeployLock, lockedMessage } from '../temporal/deploy-lock-holder.js';
import { workflowIds } from '../temporal/names.js';
import type { TemporalSession } from './cli-context.js';
import { LockHeld } from './exit-codes.js';

/** Who holds an app's deploy id when a start is refused: the manual lock (its one line), or a deploy, rollback or prune run. */
export type DeployIdHolder = { locked: string } | { running: { workflowId: string; runId: string; since: string } };

type StartOptions<T extends Workflow> = Omit<WorkflowStartOptions<T>, 'taskQueue' | 'workflowId' | 'workflowIdConflictPolicy' | 'workflowIdReusePolicy'>;

/**
 * Starts `workflow` under the app's deploy id, the one lock that lets a single deploy, rollback,
 * prune or manual lock of an app run at a time. A held id is refused as LockHeld (exit 3) with the
 * line `refused` gives for whoever holds it; times are in the config's time zone.
 */
export async function startUnderDeployLock<T extends Workflow>(
  temporal: TemporalSession,
  app: string,
  timeZone: string,
  workflow: T,
  options: StartOptions<T>,
  refused: (holder: DeployIdHolder) => string,
): Promise<WorkflowHandleWithFirstExecutionRunId<T>> {
  const workflowId = workflowIds.deploy(app);
  try {
    return await temporal.client.workflow.start(workflow, {
      ...options,
      taskQueue: temporal.taskQueue,
      workflowId,
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    } as WorkflowStartOptions<T>);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const lock = await heldDeployLock(temporal.client, app);
    if (lock) throw new LockHeld(refused({ locked: lockedMessage(lock, formatLocalTime(lock.since, timeZone)) }));
    const run = await temporal.client.workflow.getHandle(workflowId).describe();
    throw new LockHeld(refused({ running: { workflowId, runId: run.runId, since: formatLocalTime(run.startTime, timeZone) } }));
  }
}
