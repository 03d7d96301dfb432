import { Context } from '@temporalio/activity';
import { clipReason, type BackupRunRecord } from '../../core/backup-history.js';
import type { RunHistory } from '../../records/run-history.js';

/** What a workflow knows of its run; the activity adds when it finished and which run it was. */
export type RunOutcome = Omit<BackupRunRecord, 'at' | 'workflowId' | 'runId'>;

/** Appends the finished run to its target's history, once per workflow run. */
export async function recordBackupRun(history: RunHistory, outcome: RunOutcome): Promise<void> {
  const run = Context.current().info.workflowExecution;
  const { reason, ...rest } = outcome;
  await history.append({
    at: new Date().toISOString(),
    ...rest,
    ...(reason ? { reason: clipReason(reason) } : {}),
    ...(run ? { workflowId: run.workflowId, runId: run.runId } : {}),
  });
}
