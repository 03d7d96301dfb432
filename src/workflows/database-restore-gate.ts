import { executeChild } from '@temporalio/workflow';
import { stampOf } from '../core/backup-id.js';
import type { StageReport } from '../core/deploy-report.js';
import { runSummary } from '../core/run-summary.js';
import { workflowIds } from '../temporal/names.js';
import type { trackApprovals } from './approval-gate.js';
import type { Progress } from './deploy-stage.js';
import { innermostMessage } from './progress.js';
import { restoreBackup } from './restore-backup.js';

/** A stage whose migration ran and whose switch then failed: its code went back, its database did not. */
export function migratedThenFailed(report: StageReport): boolean {
  return report.migrationRun?.status === 'passed' && report.preDeployBackup?.verify === 'passed' && (report.outcome === 'rolled-back' || report.outcome === 'rollback-failed');
}

/**
 * After the code rolled back, the run waits for a human to choose: restore the database from the
 * pre-deploy backup (`ops deploy approve APP --restore-db`) or keep it migrated (`--reject`, or no
 * answer in time). Never automatic: the old code may run fine on the migrated schema, and rows
 * written since the backup would be lost. The restore is `ops restore --replace` as a child run,
 * which keeps the migrated database aside as <db>_before_restore_<stamp>.
 */
export async function offerDatabaseRestore(
  report: StageReport,
  release: { app: string; ref: string; sha: string },
  approvals: ReturnType<typeof trackApprovals>,
  progress: Progress,
  timeoutMinutes: number,
): Promise<void> {
  const backup = report.preDeployBackup!;
  const { database } = backup;
  const gate = `${report.stage} database restore`;
  progress.mark(gate, 'running', `waiting: ops deploy approve ${release.app} --restore-db (restores ${database} from ${backup.backupId}), or --reject`);
  const decision = await approvals.decide(gate, timeoutMinutes, { ref: release.ref, sha: release.sha, restoreDb: { database, backupId: backup.backupId } });
  const answer = { by: decision.by, ...(decision.reason ? { reason: decision.reason } : {}) };
  if (!decision.approved) {
    progress.mark(gate, 'skipped', `declined by ${decision.by}: ${database} stays migrated`);
    report.databaseRestore = { approved: false, ...answer };
    return;
  }
  const stamp = stampOf(new Date());
  try {
    const record = await executeChild(restoreBackup, {
      workflowId: workflowIds.restore(database, stamp),
      staticSummary: runSummary.restore(database, backup.backupId),
      args: [{ target: database, pick: { backupId: backup.backupId }, replace: true, yes: { by: decision.by }, stamp }],
    });
    const keptAs = record.replaced?.keptAs;
    report.databaseRestore = { approved: true, ...answer, status: record.status, ...(keptAs ? { keptAs } : {}), ...(record.reasons.length > 0 ? { error: record.reasons.join('; ') } : {}) };
    progress.mark(gate, record.status === 'passed' ? 'done' : 'failed', `restored ${database} from ${backup.backupId}: ${record.status}${keptAs ? `; migrated database kept as ${keptAs}` : ''}`);
  } catch (err) {
    report.databaseRestore = { approved: true, ...answer, status: 'failed', error: innermostMessage(err) };
    progress.mark(gate, 'failed', `restore of ${database} failed: ${innermostMessage(err)}`);
  }
}
