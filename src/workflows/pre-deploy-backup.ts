import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ApplicationFailure, startChild } from '@temporalio/workflow';
import { backupId, stampOf } from '../core/backup-id.js';
import { runSummary } from '../core/run-summary.js';
import { searchAttributes, workflowIds } from '../temporal/names.js';
import { backupTarget } from './backup-target.js';
import { innermostMessage } from './progress.js';

/** What a migrating stage backs up first: `migrate.database`, held from retention for `migrate.keepDays`. */
export interface MigrationBackupPlan {
  database: string;
  keepDays: number;
}

export interface PreDeployBackup {
  database: string;
  backupId: string;
  tag: string;
  /** The verify-restore's verdict; the stage goes on only when it passed. */
  verify: 'passed' | 'failed';
  error?: string;
}

export const preDeployTag = (app: string, sha: string) => `pre-deploy-${app}-${sha}`;

/**
 * A verified backup of the database before a migration changes it, through the backup chain as a
 * child run under the target's own backup id: a nightly backup of it running now holds that id, and
 * the deploy then stops rather than migrate without its own backup. No offsite copy: the deploy
 * waits on this run, and the backup is for going back minutes later, not for a lost host.
 */
export async function takePreDeployBackup(plan: MigrationBackupPlan, app: string, sha: string): Promise<PreDeployBackup> {
  const stamp = stampOf(new Date());
  const tag = preDeployTag(app, sha);
  const made = { database: plan.database, backupId: backupId(plan.database, stamp), tag };
  try {
    const child = await startChild(backupTarget, {
      workflowId: workflowIds.backupTarget(plan.database),
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      staticSummary: runSummary.backupTarget(plan.database),
      args: [{ target: plan.database, stamp, offsite: false, trigger: 'manual', tag: { name: tag, keepDays: plan.keepDays } }],
      typedSearchAttributes: [
        { key: searchAttributes.target, value: [plan.database] },
        { key: searchAttributes.runKind, value: 'backup-target' },
      ],
    });
    const result = await child.result();
    return { ...made, verify: result.verify === 'passed' ? 'passed' : 'failed' };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw ApplicationFailure.nonRetryable(`a backup of ${plan.database} is already running (${workflowIds.backupTarget(plan.database)}); deploy again when it has finished`, 'PreconditionFailed');
    }
    return { ...made, verify: 'failed', error: innermostMessage(err) };
  }
}
