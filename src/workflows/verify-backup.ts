import { ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { BackupActivities } from '../activities/backup/backup-activities.js';
import type { VerifyRecord } from '../contracts/backup.js';
import { parseBackupId } from '../core/backup-id.js';
import { searchAttributes } from '../temporal/names.js';
import { longSteps, quickSteps, onRole } from './activity-options.js';
import { innermostMessage, trackProgress } from './progress.js';
import { withSummary } from './with-summary.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<BackupActivities>(onRole('backup', quickSteps));
const long = proxyActivities<BackupActivities>(onRole('backup', longSteps));

/**
 * Verify-restore one existing backup on demand (`ops verify BACKUP_ID`), recorded in the target's
 * run history: a re-verify that passes ends a run of verify failures. Fails when the backup does not verify.
 */
export async function verifyBackupRun(input: { backupId: string }): Promise<VerifyRecord> {
  const progress = trackProgress(['verify']);
  const { target } = parseBackupId(input.backupId);
  upsertSearchAttributes([
    { key: searchAttributes.target, value: [target] },
    { key: searchAttributes.runKind, value: 'verify' },
  ]);
  const workflowId = workflowInfo().workflowId;
  let record: VerifyRecord;
  try {
    record = await progress.run('verify', () => withSummary(long, `verify ${input.backupId}`).verifyBackup({ backupId: input.backupId, workflowId }));
  } catch (err) {
    record = await withSummary(quick, `verify error of ${input.backupId}`).recordVerifyError({ backupId: input.backupId, error: `verify could not run: ${innermostMessage(err)}`, workflowId });
  }
  const passed = record.status === 'passed';
  await withSummary(quick, `history of ${target}`).recordBackupRun({ target, kind: 'verify', backupId: input.backupId, verify: passed ? 'passed' : 'failed', ...(passed ? {} : { reason: record.reasons.join('; ') }) });
  if (!passed) {
    progress.mark('verify', 'failed', record.reasons.join('; '));
    throw ApplicationFailure.create({ type: 'VerifyFailed', nonRetryable: true, message: `${input.backupId}: ${record.reasons.join('; ')}`, details: [record] });
  }
  return record;
}
