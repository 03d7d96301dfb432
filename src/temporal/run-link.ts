/**
 * The Web UI page of one run, from the page of its workflow id. A link without the run id shows
 * whichever run of that id is newest, so every old report of deploy-<app> would open the latest
 * deploy. Pure, so a workflow can add its own run id to the link its starter gave it.
 */
export function runLinkOf(workflowUrl: string, runId: string): string {
  return `${workflowUrl}/${encodeURIComponent(runId)}/history`;
}
