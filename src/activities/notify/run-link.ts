import { Context } from '@temporalio/activity';
import { runUrl } from '../../temporal/connection-settings.js';

/**
 * The Temporal UI link to the workflow run calling it, for its alerts. A scheduled run has no
 * starter to hand it one, and the UI address is the worker's to know, not the workflow's.
 * Undefined when the worker was not told where the UI is.
 */
export function createRunLinkActivities(uiUrl: string | undefined) {
  return {
    async runLink(): Promise<string | undefined> {
      const { workflowExecution, namespace } = Context.current().info;
      if (!workflowExecution) return undefined;
      return runUrl({ namespace, ...(uiUrl ? { uiUrl } : {}) }, workflowExecution.workflowId, workflowExecution.runId);
    },
  };
}

export type RunLinkActivities = ReturnType<typeof createRunLinkActivities>;
