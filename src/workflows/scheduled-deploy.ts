import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ApplicationFailure, ChildWorkflowCancellationType, ParentClosePolicy, proxyActivities, startChild, upsertSearchAttributes, type ChildWorkflowHandle } from '@temporalio/workflow';
import type { DeployLockActivities } from '../activities/deploy/deploy-lock-activities.js';
import { runSummary } from '../core/run-summary.js';
import { searchAttributes, workflowIds } from '../temporal/names.js';
import type { DeployInput, DeployResult } from '../contracts/deploy.js';
import { onRole, quickSteps } from './activity-options.js';
import { deployPipeline } from './deploy-pipeline.js';
import { withSummary } from './with-summary.js';

const quick = proxyActivities<DeployLockActivities>(onRole('deploy', quickSteps));

/** A scheduled deploy that found the app's deploys locked (`ops lock`): it deployed nothing, and that is no failure. */
export interface ScheduledDeploySkipped {
  skipped: string;
}

/**
 * What a deployPipeline schedule starts (see scheduleWrapper): a schedule names its runs
 * <scheduleId>-<time>, so it cannot start the deploy under the app's lock id itself. This starts
 * deployPipeline as a child under deploy-<app>, as `ops deploy` does, and returns its result;
 * while a deploy of the app runs, it starts nothing and fails with DeployLockHeld. While someone
 * has locked the app's deploys (`ops lock`), it starts nothing and completes with a note saying
 * who and why: a lock is a decision, not a failure, so nothing alerts.
 */
export async function scheduledDeploy(input: DeployInput): Promise<DeployResult | ScheduledDeploySkipped> {
  upsertSearchAttributes([{ key: searchAttributes.app, value: input.app }]);
  const workflowId = workflowIds.deploy(input.app);
  let deploy: ChildWorkflowHandle<typeof deployPipeline>;
  try {
    deploy = await startChild(deployPipeline, {
      workflowId,
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: runSummary.deploy(input),
      // The deploy outlives this run, as one started by `ops deploy` outlives the CLI: terminating
      // or cancelling a deploy mid-switch would skip its rollback. It is stopped, approved and
      // watched at deploy-<app>, whoever started it.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      cancellationType: ChildWorkflowCancellationType.ABANDON,
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      const lock = await withSummary(quick, `deploy lock of ${input.app}`).heldDeployLock({ app: input.app });
      if (lock) return { skipped: `deploys of ${input.app} are locked by ${lock.by} since ${lock.since}: ${lock.reason}; this scheduled run deployed nothing` };
      throw ApplicationFailure.create({
        type: 'DeployLockHeld',
        nonRetryable: true,
        message: `deploy of ${input.app} is already running: ${workflowId}; this scheduled run did not start one`,
      });
    }
    throw err;
  }
  return deploy.result();
}
