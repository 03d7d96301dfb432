import { proxyActivities } from '@temporalio/workflow';
import type { BackupActivities } from '../activities/backup/backup-activities.js';
import type { ReencryptResult } from '../activities/encryption/reencrypt-backup.js';
import { longSteps, onRole, quickSteps } from './activity-options.js';
import { trackProgress } from './progress.js';

export { progressQuery } from './progress.js';

const quick = proxyActivities<BackupActivities>(onRole('backup', quickSteps));
const long = proxyActivities<BackupActivities>(onRole('backup', longSteps));

export interface ReencryptInput {
  target?: string;
  backupId?: string;
}

/**
 * `ops backups reencrypt`: re-wraps older encrypted backups for backup.encryption's current
 * recipients, one backup per step, each retried on its own; offsite copies are uploaded again.
 */
export async function reencryptBackups(input: ReencryptInput = {}): Promise<ReencryptResult[]> {
  const progress = trackProgress(['pick', 'reencrypt']);
  const backupIds = await progress.run('pick', () => quick.backupsToReencrypt(input));
  return progress.run('reencrypt', async () => {
    const results: ReencryptResult[] = [];
    for (const backupId of backupIds) results.push(await long.reencryptBackup({ backupId }));
    return results;
  });
}
