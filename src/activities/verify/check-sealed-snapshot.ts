import { decompress } from '../../commands/compression.js';
import { tarHashEntries } from '../../commands/tar.js';
import type { Secret } from '../../config/secret.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { VerifyFailed } from '../../core/errors.js';
import { compareSnapshots } from '../../core/snapshot-digest.js';
import { countedFindings } from '../../core/verify-checks.js';
import { parseTarHashes } from '../../core/tar-entries.js';
import { decryptFailure, openArtifact } from '../encryption/open-artifact.js';
import { pipelineOutput } from '../process/run-pipeline.js';
import { checksumMismatch } from './artifact-checksum.js';
import type { RestoreOutcome } from './restore-outcome.js';

/**
 * A sealed files snapshot verifies when its ciphertext has the manifest's sha256 and, decrypted as a
 * stream (`age -d | zstd -d | tar` handing each file to sha256sum), every file in the sealed list
 * is there with its checksum and no other. Nothing decrypted is written to disk.
 */
export async function checkSealedSnapshot(manifest: BackupManifest, artifactPath: string, identity: Secret | undefined, cancelSignal: AbortSignal): Promise<RestoreOutcome> {
  const started = Date.now();
  const mismatch = await checksumMismatch(manifest, artifactPath);
  if (mismatch) return { restoredInto: '', reasons: [mismatch], rowCountDifferences: [] };
  const opened = await openArtifact(manifest, artifactPath, identity);
  if (opened.source.kind !== 'decrypted') throw new Error(`${manifest.id}: a sealed snapshot without encryption`);
  const { decrypt, identity: opener } = opened.source;
  const output = await pipelineOutput([decrypt, decompress('zstd', undefined), tarHashEntries()], { cancelSignal, secrets: [opener] }).catch((err: unknown) => {
    const failure = decryptFailure(err, manifest, manifest.artifact);
    // Corruption is the check's verdict, recorded as its reason like a differing file; anything else is the world's.
    if (failure instanceof VerifyFailed) return failure;
    throw failure;
  });
  if (output instanceof VerifyFailed) return { restoredInto: '', reasons: [output.message], rowCountDifferences: [] };
  const problems = compareSnapshots(opened.manifest.files ?? [], parseTarHashes(output));
  return {
    restoredInto: '',
    restoreSeconds: (Date.now() - started) / 1000,
    reasons: problems.slice(0, 20).concat(problems.length > 20 ? [`…and ${problems.length - 20} more`] : []),
    rowCountDifferences: [],
    counted: countedFindings({ differingFiles: problems.length }),
  };
}
