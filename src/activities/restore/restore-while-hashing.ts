import type { DatabaseTarget } from '../../config/target.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { ArtifactMismatch } from '../../core/errors.js';
import { checksumMismatch } from '../verify/artifact-checksum.js';
import { restoreDatabase } from '../verify/restore-and-check.js';
import type { RestoreContext, RestoreDestination, RestoreOutcome } from '../verify/restore-outcome.js';

/**
 * Restores the artifact into its scratch database while its sha256 is computed alongside, instead
 * of hashing it first: the hash reads the file while the restore waits on the server, so it costs
 * no time of its own. The scratch database takes its final name only once the hash matched the
 * manifest; a mismatch stops the restore, drops the scratch database and fails as
 * ArtifactMismatch (`refusal` words it), so a flipped byte never reaches the final name.
 */
export async function restoreWhileHashing(
  manifest: BackupManifest,
  artifactPath: string,
  destination: RestoreDestination,
  target: DatabaseTarget,
  context: RestoreContext,
  refusal: (mismatch: string) => string,
): Promise<RestoreOutcome> {
  const mismatchFound = new AbortController();
  const checksum = checksumMismatch(manifest, artifactPath).then((mismatch) => {
    if (mismatch) mismatchFound.abort();
    return mismatch;
  });
  // Awaited below on every path but a cancel: this keeps a failed read from being an unhandled rejection meanwhile.
  checksum.catch(() => undefined);
  const confirmed = async () => {
    const mismatch = await checksum;
    if (mismatch) throw new ArtifactMismatch(refusal(mismatch));
  };
  const restoring = { ...context, cancelSignal: AbortSignal.any([context.cancelSignal, mismatchFound.signal]), beforePromote: confirmed };
  try {
    const outcome = await restoreDatabase(manifest, artifactPath, destination, target, restoring);
    // A restore that failed its checks fails for the damaged artifact, when that is what it was.
    await confirmed();
    return outcome;
  } catch (err) {
    if (context.cancelSignal.aborted) throw err;
    // The restore stopped for the mismatch (or failed on the damaged bytes): the mismatch is the cause to report.
    await confirmed();
    throw err;
  }
}
