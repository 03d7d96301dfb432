import type { OpsConfig } from '../../config/load-config.js';
import { backupId } from '../../core/backup-id.js';
import type { BackupEntry } from '../../core/backup-record.js';
import { PreconditionFailed, TransientFailure } from '../../core/errors.js';
import { pickBackupForRestore, type RestorePick } from '../../core/restore-pick.js';
import { pickOffsiteCopy, type RestoreSource } from '../../core/restore-source.js';
import { offsiteStoreNamed, openOffsiteStore, storeAnswer, type OffsiteStore } from '../offsite/offsite-store.js';

/**
 * The offsite copy a restore uses: at the named destination, else at the first configured one
 * (in config order) that has a qualifying copy. A destination that cannot be listed is passed over
 * for the next; when none qualifies and one was unreachable, that is the reason to retry.
 */
export async function pickFromOffsite(config: OpsConfig, local: BackupEntry[], target: string, pick: RestorePick, destination: string | undefined): Promise<{ backupId: string; from: string } | { none: string }> {
  if (config.backup.offsite.length === 0) return { none: 'no backup.offsite destination configured' };
  const stores: OffsiteStore[] = destination !== undefined ? [await offsiteStoreNamed(config, destination)] : await Promise.all(config.backup.offsite.map((d) => openOffsiteStore(config, d)));
  const answers: string[] = [];
  let unreachable = false;
  for (const store of stores) {
    let stamps: string[];
    try {
      stamps = await store.listStamps(target);
    } catch (err) {
      const { answer, retryable } = storeAnswer(store, err);
      unreachable ||= retryable;
      answers.push(answer);
      continue;
    }
    const picked = pickOffsiteCopy(stamps, local, target, pick, store.name, config.timeZone);
    if ('stamp' in picked) return { backupId: backupId(target, picked.stamp), from: store.name };
    answers.push(picked.none);
  }
  if (unreachable) throw new TransientFailure(answers.join('; '));
  return { none: answers.join('; ') };
}

/**
 * The backup a restore (database or files) uses: from the local repository's entries `local`, or
 * offsite (`--from offsite`), or by default local and, when the repository has none that
 * qualifies, the offsite copy.
 */
export async function pickRestoreBackup(config: OpsConfig, local: BackupEntry[], target: string, pick: RestorePick, from: RestoreSource | undefined): Promise<{ backupId: string; from?: string }> {
  if (from && 'offsite' in from) {
    const offsite = await pickFromOffsite(config, local, target, pick, from.destination);
    if ('none' in offsite) throw new PreconditionFailed(offsite.none);
    return offsite;
  }
  const picked = pickBackupForRestore(local, target, pick, config.timeZone);
  if ('entry' in picked) return { backupId: picked.entry.id };
  if (from || config.backup.offsite.length === 0) throw new PreconditionFailed(picked.none);
  const offsite = await pickFromOffsite(config, local, target, pick, undefined);
  if ('none' in offsite) throw new PreconditionFailed(`${picked.none}; offsite: ${offsite.none}`);
  return offsite;
}
