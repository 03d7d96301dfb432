import { join } from 'node:path';
import { rsyncSnapshot } from '../../commands/rsync.js';
import type { SshSettings } from '../../commands/ssh.js';
import type { FilesTarget } from '../../config/target.js';
import { snapshotDigest } from '../../core/snapshot-digest.js';
import { hashTree } from '../files/hash-tree.js';
import { runCommand } from '../process/run-command.js';
import type { DumpContext, DumpOutcome } from './dump-outcome.js';

export const SNAPSHOT_ARTIFACT = 'snapshot';

/**
 * An rsync snapshot of a local or ssh directory. Unchanged files are hard links into the previous
 * snapshot (--link-dest), so every snapshot is complete on its own yet costs only what changed.
 */
export async function snapshotFiles(target: FilesTarget, ssh: SshSettings, previousSnapshotDir: string | undefined, context: DumpContext): Promise<DumpOutcome> {
  const dest = join(context.partialDir, SNAPSHOT_ARTIFACT);
  const command = rsyncSnapshot({ source: target.source, dest, exclude: target.exclude, ssh, ...(previousSnapshotDir ? { linkDest: previousSnapshotDir } : {}) });
  await runCommand(command, { cancelSignal: context.cancelSignal });
  let hashed = 0;
  const files = await hashTree(dest, () => context.onProgress(++hashed));
  const version = (await runCommand({ file: 'rsync', args: ['--version'] })).split('\n')[0]!.trim();
  return {
    artifact: SNAPSHOT_ARTIFACT,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    sha256: snapshotDigest(files),
    toolVersions: { rsync: version },
    files,
    ...(previousSnapshotDir ? { linkDest: previousSnapshotDir } : {}),
  };
}
