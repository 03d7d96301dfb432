import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ApplicationFailure, ChildWorkflowCancellationType, ParentClosePolicy, startChild, upsertSearchAttributes, type ChildWorkflowHandle } from '@temporalio/workflow';
import { runSummary } from '../core/run-summary.js';
import { searchAttributes, workflowIds } from '../temporal/names.js';
import type { DeployInput, DeployResult } from '../contracts/deploy.js';
import { deployPipeline } from './deploy-pipeline.js';

/**
 * What a deployPipeline schedule starts (see scheduleWrapper): a schedule names its runs
 * <scheduleId>-<time>, so it cannot start the deploy under the app's lock id itself. This starts
 * deployPipeline as a child under deploy-<app>, as `ops deploy` does, and returns its result;
 * while a deploy of the app runs, it starts nothing and fails with DeployLockHeld.
 */
export async function scheduledDeploy(input: DeployInput): Promise<DeployResult> {
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
