import type { OpsConfig } from '../../config/load-config.js';
import { backupId, dateOfStamp, parseBackupId } from '../../core/backup-id.js';
import { describeError } from '../../core/errors.js';
import { triggerOf } from '../../core/backup-record.js';
import { decideRetention, type RetentionCandidate } from '../../core/retention.js';
import { openOffsiteStore, type OffsiteStore } from '../offsite/offsite-store.js';
import type { BackupRepository } from '../../records/backup-repository.js';
import type { TargetRetention } from '../../contracts/backup.js';

/**
 * Grandfather-father-son retention, decided by the pure decideRetention and applied to the local
 * repository and to the offsite copies. Offsite copies are decided on their own listing (with the
 * verify status and trigger known locally), so copies whose local backup is long gone still age
 * out; those count as scheduled, as every backup did before the trigger was recorded.
 */
export async function applyRetention(config: OpsConfig, repository: BackupRepository, input: { targets: string[] }): Promise<TargetRetention[]> {
  const results: TargetRetention[] = [];
  for (const target of input.targets) {
    const entries = await repository.list(target);
    const candidates = entries.map((e): RetentionCandidate => ({
      id: e.id, finishedAt: e.manifest.finishedAt, verify: e.verify?.status ?? 'none', trigger: triggerOf(e),
      ...(e.manifest.tag ? { held: { tag: e.manifest.tag.name, until: e.manifest.tag.keepUntil } } : {}),
    }));
    const now = new Date();
    const local = decideRetention(candidates, config.backup.retention, config.timeZone, now);
    for (const id of local.delete) await repository.remove(id);

    const known = new Map(candidates.map((c) => [c.id, c]));
    const offsiteDeleted: string[] = [];
    const errors: string[] = [];
    // Per destination, each on its own listing: one unreachable destination does not stop the others' retention.
    for (const destination of config.backup.offsite) {
      const offsite = await applyOffsiteRetention(config, await openOffsiteStore(config, destination), target, known);
      offsiteDeleted.push(...offsite.deleted.filter((id) => !offsiteDeleted.includes(id)));
      if (offsite.error !== undefined) errors.push(offsite.error);
    }
    results.push({
      target,
      kept: local.keep.length,
      deleted: local.delete,
      offsiteDeleted,
      ...(errors.length > 0 ? { offsiteError: errors.join('; ') } : {}),
    });
  }
  return results;
}

/**
 * Offsite copies of one target at one destination, decided on that destination's own listing. A
 * destination that cannot be listed or changed is this target's retention error, in the results
 * and the report, not the run's: the backups themselves are made, and the next night tries again.
 * What was deleted before the error is still reported as deleted.
 */
async function applyOffsiteRetention(
  config: OpsConfig,
  store: OffsiteStore,
  target: string,
  known: Map<string, RetentionCandidate>,
): Promise<{ deleted: string[]; error?: string }> {
  const deleted: string[] = [];
  try {
    const candidates: RetentionCandidate[] = (await store.listStamps(target)).map((stamp) => {
      const id = backupId(target, stamp);
      const local = known.get(id);
      return { id, finishedAt: dateOfStamp(stamp).toISOString(), verify: local?.verify ?? 'none', trigger: local?.trigger ?? 'scheduled', ...(local?.held ? { held: local.held } : {}) };
    });
    for (const id of decideRetention(candidates, config.backup.retention, config.timeZone, new Date()).delete) {
      await store.remove(target, parseBackupId(id).stamp);
      deleted.push(id);
    }
    return { deleted };
  } catch (err) {
    return { deleted, error: `offsite retention of ${target} at ${store.name} failed: ${describeError(err)}` };
  }
}
