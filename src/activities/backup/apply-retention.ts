import type { OpsConfig } from '../../config/load-config.js';
import { joinPath } from '../../config/location.js';
import { listDir, removeTree } from '../../commands/remote-files.js';
import { backupId, dateOfStamp, isStamp } from '../../core/backup-id.js';
import { decideRetention, type RetentionCandidate } from '../../core/retention.js';
import { runCommand } from '../process/run-command.js';
import type { BackupRepository } from '../repository/backup-repository.js';
import type { TargetRetention } from './backup-types.js';

/**
 * Grandfather-father-son retention, decided by the pure decideRetention and applied to the local
 * repository and to the offsite copies. Offsite copies are decided on their own listing (with the
 * verify status known locally), so copies whose local backup is long gone still age out.
 */
export async function applyRetention(config: OpsConfig, repository: BackupRepository, input: { targets: string[] }): Promise<TargetRetention[]> {
  const results: TargetRetention[] = [];
  for (const target of input.targets) {
    const entries = await repository.list(target);
    const verifyOf = new Map(entries.map((e) => [e.id, e.verify?.status ?? 'none'] as const));
    const local = decideRetention(
      entries.map((e) => ({ id: e.id, finishedAt: e.manifest.finishedAt, verify: e.verify?.status ?? 'none' })),
      config.backup.retention,
      config.timeZone,
    );
    for (const id of local.delete) await repository.remove(id);

    const offsiteDeleted: string[] = [];
    const dest = config.backup.offsite;
    if (dest) {
      const listing = await runCommand(listDir(dest, joinPath(dest.path, target), config.ssh)).catch(() => '');
      const candidates: RetentionCandidate[] = listing
        .split('\n')
        .filter(isStamp)
        .map((stamp) => {
          const id = backupId(target, stamp);
          return { id, finishedAt: dateOfStamp(stamp).toISOString(), verify: verifyOf.get(id) ?? 'none' };
        });
      for (const id of decideRetention(candidates, config.backup.retention, config.timeZone).delete) {
        await runCommand(removeTree(dest, joinPath(dest.path, `${target}/${id.slice(target.length + 1)}`), config.ssh));
        offsiteDeleted.push(id);
      }
    }
    results.push({ target, kept: local.keep.length, deleted: local.delete, offsiteDeleted });
  }
  return results;
}
