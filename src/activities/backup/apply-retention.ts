import type { OpsConfig } from '../../config/load-config.js';
import { describeLocation, joinPath, type Location } from '../../config/location.js';
import { listDir, makeDir, removeTree, renameDir } from '../../commands/remote-files.js';
import type { SshSettings } from '../../commands/ssh.js';
import { backupId, dateOfStamp, isStamp, parseBackupId } from '../../core/backup-id.js';
import { describeError } from '../../core/errors.js';
import { triggerOf } from '../../core/backup-record.js';
import { decideRetention, type RetentionCandidate } from '../../core/retention.js';
import { runCommand } from '../process/run-command.js';
import { isRemovalName, removalName, type BackupRepository } from '../repository/backup-repository.js';
import type { TargetRetention } from './backup-types.js';

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
    const candidates = entries.map((e): RetentionCandidate => ({ id: e.id, finishedAt: e.manifest.finishedAt, verify: e.verify?.status ?? 'none', trigger: triggerOf(e) }));
    const local = decideRetention(candidates, config.backup.retention, config.timeZone);
    for (const id of local.delete) await repository.remove(id);

    const dest = config.backup.offsite;
    const offsite = dest ? await applyOffsiteRetention(config, dest, target, new Map(candidates.map((c) => [c.id, c]))) : { deleted: [] };
    results.push({
      target,
      kept: local.keep.length,
      deleted: local.delete,
      offsiteDeleted: offsite.deleted,
      ...(offsite.error !== undefined ? { offsiteError: offsite.error } : {}),
    });
  }
  return results;
}

/**
 * Offsite copies of one target, decided on their own listing. A destination that cannot be listed
 * or changed is this target's retention error, in the results and the report, not the run's: the
 * backups themselves are made, and the next night tries again. What was deleted before the error
 * is still reported as deleted.
 */
async function applyOffsiteRetention(
  config: OpsConfig,
  dest: Location,
  target: string,
  known: Map<string, RetentionCandidate>,
): Promise<{ deleted: string[]; error?: string }> {
  const deleted: string[] = [];
  const dir = joinPath(dest.path, target);
  try {
    // A target never copied offsite has no directory there yet: made (as copyOffsite does), so that
    // a listing that fails is always a real error, told apart without reading ls's stderr.
    await runCommand(makeDir(dest, dir, config.ssh));
    const names = (await runCommand(listDir(dest, dir, config.ssh))).split('\n');
    // What an earlier removal left when it was cut short: never listed as a copy, swept here.
    for (const name of names.filter(isRemovalName)) await runCommand(removeTree(dest, joinPath(dir, name), config.ssh));
    const candidates: RetentionCandidate[] = names.filter(isStamp).map((stamp) => {
      const id = backupId(target, stamp);
      const local = known.get(id);
      return { id, finishedAt: dateOfStamp(stamp).toISOString(), verify: local?.verify ?? 'none', trigger: local?.trigger ?? 'scheduled' };
    });
    for (const id of decideRetention(candidates, config.backup.retention, config.timeZone).delete) {
      await removeOffsiteCopy(dest, dir, parseBackupId(id).stamp, config.ssh);
      deleted.push(id);
    }
    return { deleted };
  } catch (err) {
    return { deleted, error: `offsite retention of ${target} at ${describeLocation(dest)} failed: ${describeError(err)}` };
  }
}

/** As locally: renamed to its removal name first, so a removal cut short never leaves a half copy under the copy's name. */
async function removeOffsiteCopy(dest: Location, dir: string, stamp: string, ssh: SshSettings): Promise<void> {
  const doomed = joinPath(dir, removalName(stamp));
  await runCommand(removeTree(dest, doomed, ssh));
  await runCommand(renameDir(dest, joinPath(dir, stamp), doomed, ssh));
  await runCommand(removeTree(dest, doomed, ssh));
}
