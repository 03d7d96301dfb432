import { ApplicationFailure, proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { BackupActivities } from '../activities/backup/backup-activities.js';
import type { VerifyRecord } from '../activities/backup/backup-types.js';
import { parseBackupId } from '../core/backup-id.js';
import { searchAttributes } from '../temporal/names.js';
import { longSteps, quickSteps } from './activity-options.js';
import { innermostMessage, trackProgress } from './progress.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<BackupActivities>(quickSteps);
const long = proxyActivities<BackupActivities>(longSteps);

/** Verify-restore one existing backup on demand (`ops verify BACKUP_ID`). Fails when the backup does not verify. */
export async function verifyBackupRun(input: { backupId: string }): Promise<VerifyRecord> {
  const progress = trackProgress(['verify']);
  upsertSearchAttributes([
    { key: searchAttributes.target, value: [parseBackupId(input.backupId).target] },
    { key: searchAttributes.runKind, value: 'verify' },
  ]);
  const workflowId = workflowInfo().workflowId;
  let record: VerifyRecord;
  try {
    record = await progress.run('verify', () => long.verifyBackup({ backupId: input.backupId, workflowId }));
  } catch (err) {
    record = await quick.recordVerifyError({ backupId: input.backupId, error: `verify could not run: ${innermostMessage(err)}`, workflowId });
  }
  if (record.status !== 'passed') {
    progress.mark('verify', 'failed', record.reasons.join('; '));
    throw ApplicationFailure.create({ type: 'VerifyFailed', nonRetryable: true, message: `${input.backupId}: ${record.reasons.join('; ')}`, details: [record] });
  }
  return record;
}
