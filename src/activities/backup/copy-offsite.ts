import { join } from 'node:path';
import { joinPath, describeLocation, type Location } from '../../config/location.js';
import type { OpsConfig } from '../../config/load-config.js';
import { listDir, makeDir, removeTree, renameDir, sha256OfFile } from '../../commands/remote-files.js';
import { rsyncCompare, rsyncPush } from '../../commands/rsync.js';
import { parseBackupId } from '../../core/backup-id.js';
import type { BackupEntry, OffsiteRecord } from '../../core/backup-record.js';
import { PreconditionFailed, VerifyFailed } from '../../core/errors.js';
import { withHeartbeat } from '../heartbeat.js';
import { runCommand } from '../process/run-command.js';
import type { BackupRepository } from '../repository/backup-repository.js';

/**
 * Copy a backup to the offsite destination under a partial name, confirm the copy's checksum
 * there, then rename it into place: like the local repository, the offsite one never lists
 * a partial copy. A retry after the rename finds the copy in place and re-confirms it.
 */
export async function copyOffsite(config: OpsConfig, repository: BackupRepository, input: { backupId: string }): Promise<OffsiteRecord> {
  const dest = config.backup.offsite;
  if (!dest) throw new PreconditionFailed('no backup.offsite destination configured');
  const entry = await repository.get(input.backupId);
  const { target, stamp } = parseBackupId(entry.id);
  const ssh = config.ssh;
  const run = (command: Parameters<typeof runCommand>[0], cancelSignal?: AbortSignal) => runCommand(command, cancelSignal ? { cancelSignal } : {});
  const finalPath = joinPath(dest.path, `${target}/${stamp}`);

  const sha256 = await withHeartbeat(async ({ cancelSignal }) => {
    await run(makeDir(dest, joinPath(dest.path, target), ssh));
    const present = (await run(listDir(dest, joinPath(dest.path, target), ssh))).split('\n').includes(stamp);
    if (!present) {
      const partialPath = joinPath(dest.path, `${target}/.partial-${stamp}`);
      await run(removeTree(dest, partialPath, ssh));
      await run(rsyncPush({ sourceDir: entry.dir, dest, subPath: `${target}/.partial-${stamp}`, ssh }), cancelSignal);
      const confirmed = await confirmCopy(entry, dest, partialPath, config, cancelSignal);
      await run(renameDir(dest, partialPath, finalPath, ssh));
      return confirmed;
    }
    return confirmCopy(entry, dest, finalPath, config, cancelSignal);
  });

  const record: OffsiteRecord = { status: 'copied', at: new Date().toISOString(), destination: describeLocation(dest), sha256Confirmed: sha256 };
  await repository.writeOffsite(entry.id, record);
  return record;
}

/** The offsite copy must match byte for byte: sha256 of a dump there; an rsync checksum comparison of a snapshot. */
async function confirmCopy(entry: BackupEntry, dest: Location, path: string, config: OpsConfig, cancelSignal: AbortSignal): Promise<string> {
  const { manifest } = entry;
  if (manifest.kind === 'files') {
    const differences = await runCommand(rsyncCompare({ sourceDir: join(entry.dir, manifest.artifact), dest, path: joinPath(path, manifest.artifact), ssh: config.ssh }), { cancelSignal });
    if (differences.trim() !== '') {
      throw new VerifyFailed(`offsite copy of ${entry.id} differs: ${differences.trim().split('\n').slice(0, 5).join('; ')}`);
    }
    return manifest.sha256;
  }
  const output = await runCommand(sha256OfFile(dest, joinPath(path, manifest.artifact), config.ssh), { cancelSignal });
  const remote = output.trim().split(/\s+/)[0] ?? '';
  if (remote !== manifest.sha256) {
    throw new VerifyFailed(`offsite copy of ${entry.id} has sha256 ${remote.slice(0, 12)}…, expected ${manifest.sha256.slice(0, 12)}…`);
  }
  return remote;
}

export async function recordOffsiteFailure(config: OpsConfig, repository: BackupRepository, input: { backupId: string; error: string }): Promise<OffsiteRecord> {
  const record: OffsiteRecord = {
    status: 'failed',
    at: new Date().toISOString(),
    destination: config.backup.offsite ? describeLocation(config.backup.offsite) : 'none',
    reason: input.error,
  };
  await repository.writeOffsite(input.backupId, record);
  return record;
}
