import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ageEncrypt } from '../../commands/age.js';
import { compress } from '../../commands/compression.js';
import { rsyncSnapshot } from '../../commands/rsync.js';
import type { SshSettings } from '../../commands/ssh.js';
import { tarCreate } from '../../commands/tar.js';
import type { FilesTarget } from '../../config/target.js';
import { snapshotDigest } from '../../core/snapshot-digest.js';
import { hashTree } from '../files/hash-tree.js';
import { runCommand } from '../process/run-command.js';
import { streamCommandsToFile } from '../process/stream-to-file.js';
import type { DumpContext, StreamedDumpOutcome } from './dump-outcome.js';
import { startStaging } from './snapshot-staging.js';

export const SNAPSHOT_ARTIFACT = 'snapshot';
export const SEALED_SNAPSHOT_ARTIFACT = 'files.tar.zst.age';

/**
 * An rsync snapshot of a local or ssh directory. Unchanged files are hard links into the previous
 * snapshot (--link-dest), so every snapshot is complete on its own yet costs only what changed.
 * With encryption on it is sealed instead: see sealedSnapshot.
 */
export async function snapshotFiles(target: FilesTarget, ssh: SshSettings, previousSnapshotDir: string | undefined, context: DumpContext): Promise<StreamedDumpOutcome> {
  if (context.encryptTo) return sealedSnapshot(target, ssh, context.encryptTo, context);
  const dest = join(context.partialDir, SNAPSHOT_ARTIFACT);
  const command = rsyncSnapshot({ source: target.source, dest, exclude: target.exclude, ssh, ...(previousSnapshotDir ? { linkDest: previousSnapshotDir } : {}) });
  await runCommand(command, { cancelSignal: context.cancelSignal });
  let hashed = 0;
  const files = await hashTree(dest, () => context.onProgress(++hashed));
  return {
    artifact: SNAPSHOT_ARTIFACT,
    bytes: files.reduce((sum, f) => sum + f.bytes, 0),
    sha256: snapshotDigest(files),
    toolVersions: { rsync: await rsyncVersion() },
    files,
    ...(previousSnapshotDir ? { linkDest: previousSnapshotDir } : {}),
  };
}

/**
 * A sealed snapshot: rsync gathers the tree (same excludes, local or ssh source) into a staging
 * dir of this worker's own, outside the repository, every file is hashed, then `tar | zstd | age -e`
 * streams it into one file in the partial dir and the tree is removed. The file list goes into the
 * sealed contents file (sealOutcome), never into the plaintext manifest. No --link-dest: each
 * snapshot is a full archive.
 */
async function sealedSnapshot(target: FilesTarget, ssh: SshSettings, recipients: string[], context: DumpContext): Promise<StreamedDumpOutcome> {
  const tree = await startStaging(context.stateDir, `${target.name}${basename(context.partialDir)}`);
  try {
    await runCommand(rsyncSnapshot({ source: target.source, dest: tree, exclude: target.exclude, ssh }), { cancelSignal: context.cancelSignal });
    let hashed = 0;
    const files = await hashTree(tree, () => context.onProgress(++hashed));
    const sealed = await streamCommandsToFile([tarCreate(tree), compress('zstd'), ageEncrypt(recipients)], join(context.partialDir, SEALED_SNAPSHOT_ARTIFACT), {
      cancelSignal: context.cancelSignal,
      onProgress: context.onProgress,
      hashLastInput: true,
    });
    return {
      artifact: SEALED_SNAPSHOT_ARTIFACT,
      bytes: sealed.bytes,
      sha256: sealed.sha256,
      compression: 'zstd',
      toolVersions: { rsync: await rsyncVersion(), tar: (await runCommand({ file: 'tar', args: ['--version'] })).split('\n')[0]!.trim() },
      files,
      ...(sealed.input ? { plaintext: sealed.input } : {}),
    };
  } finally {
    await rm(tree, { recursive: true, force: true });
  }
}

async function rsyncVersion(): Promise<string> {
  return (await runCommand({ file: 'rsync', args: ['--version'] })).split('\n')[0]!.trim();
}
