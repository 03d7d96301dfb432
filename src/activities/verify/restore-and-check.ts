import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { isDatabase, type DatabaseTarget } from '../../config/target.js';
import { verifyDatabaseName } from '../../core/backup-id.js';
import { isSnapshotTree, type BackupManifest } from '../../core/backup-record.js';
import { PreconditionFailed } from '../../core/errors.js';
import { findTarget } from '../../config/lookups.js';
import { checksumMismatch } from './artifact-checksum.js';
import { openArtifact } from '../encryption/open-artifact.js';
import { checkSealedSnapshot } from './check-sealed-snapshot.js';
import { checkSnapshot } from './check-snapshot.js';
import type { RestoreContext, RestoreDestination, RestoreOutcome } from './restore-outcome.js';
import { restoreMysql } from './restore-mysql.js';
import { restorePostgres } from './restore-postgres.js';

/**
 * The full check of one backup copy (the local one for verify, the fetched offsite one for a drill):
 * the artifact's checksum first (a flipped or truncated byte fails here, before any restore), then
 * a real restore into a scratch database with table, row-count and assertion checks. A snapshot is
 * checked file by file against its manifest (a sealed one, as a decrypted stream).
 */
export async function restoreAndCheck(config: OpsConfig, manifest: BackupManifest, backupDir: string, cancelSignal: AbortSignal): Promise<RestoreOutcome> {
  const artifactPath = join(backupDir, manifest.artifact);
  if (isSnapshotTree(manifest)) return checkSnapshot(manifest, artifactPath);
  if (manifest.kind === 'files') return checkSealedSnapshot(manifest, artifactPath, config.backup.encryption?.identityFile, cancelSignal);

  const mismatch = await checksumMismatch(manifest, artifactPath);
  if (mismatch) return { restoredInto: '', reasons: [mismatch], rowCountDifferences: [] };
  const target = databaseTargetOf(config, manifest);
  const server = config.backup.verify[manifest.kind];
  if (!server) throw new PreconditionFailed(`no backup.verify.${manifest.kind} server configured to restore ${manifest.id}`);
  const scratch = { server, database: verifyDatabaseName(manifest.target, new Date()), scratchPrefix: 'verify_' as const };
  return restoreDatabase(manifest, artifactPath, scratch, target, { cancelSignal, now: () => new Date(), staleAfterHours: config.backup.verify.dropStaleAfterHours, identity: config.backup.encryption?.identityFile });
}

export function databaseTargetOf(config: OpsConfig, manifest: BackupManifest): DatabaseTarget {
  const target = findTarget(config, manifest.target);
  if (!isDatabase(target)) throw new PreconditionFailed(`target "${target.name}" is no longer a database target`);
  return target;
}

/**
 * The one restore-and-check path of verify, drills and `ops restore`: restore the dump into
 * `destination`, then run every check. An encrypted dump is opened first (identity, sealed counts)
 * and decrypted as a stream into the restore.
 */
export async function restoreDatabase(manifest: BackupManifest, artifactPath: string, destination: RestoreDestination, target: DatabaseTarget, context: RestoreContext): Promise<RestoreOutcome> {
  const opened = await openArtifact(manifest, artifactPath, context.identity);
  return manifest.kind === 'postgres'
    ? restorePostgres(opened, destination, target.assertions, context)
    : restoreMysql(opened, destination, target.assertions, context);
}
