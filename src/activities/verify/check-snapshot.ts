import { join } from 'node:path';
import type { BackupManifest } from '../../core/backup-record.js';
import { compareSnapshots, snapshotDigest } from '../../core/snapshot-digest.js';
import { hashTree } from '../files/hash-tree.js';
import type { RestoreOutcome } from './restore-outcome.js';

/** A file snapshot verifies when every file is present with the checksum the manifest recorded. */
export async function checkSnapshot(manifest: BackupManifest, snapshotDir: string): Promise<RestoreOutcome> {
  const started = Date.now();
  const files = await hashTree(join(snapshotDir));
  const problems = compareSnapshots(manifest.files ?? [], files);
  if (problems.length === 0 && snapshotDigest(files) !== manifest.sha256) problems.push('snapshot digest differs from the manifest');
  return {
    restoredInto: snapshotDir,
    restoreSeconds: (Date.now() - started) / 1000,
    reasons: problems.slice(0, 20).concat(problems.length > 20 ? [`…and ${problems.length - 20} more`] : []),
    rowCountDifferences: [],
  };
}
