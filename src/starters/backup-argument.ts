import type { OpsConfig } from '../config/load-config.js';
import { parseBackupId } from '../core/backup-id.js';
import type { BackupEntry } from '../core/backup-record.js';
import { PreconditionFailed } from '../core/errors.js';
import { BackupRepository } from '../records/backup-repository.js';
import { UsageError } from './exit-codes.js';

/**
 * A backup id given on the command line, as the backup it names in the local repository: a
 * malformed id, or one of a backup that is not there, is bad usage (exit 2) for every verb alike.
 */
export async function backupArgument(config: OpsConfig, backupId: string): Promise<BackupEntry> {
  let target: string;
  try {
    ({ target } = parseBackupId(backupId));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  try {
    return await new BackupRepository(config.repository).get(backupId);
  } catch (err) {
    if (err instanceof PreconditionFailed) throw new UsageError(`no backup ${backupId} of target ${target} in ${config.repository} (ops backups list --target ${target} lists them)`);
    throw err;
  }
}
