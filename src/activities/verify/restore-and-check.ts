import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { isDatabase } from '../../config/target.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { PreconditionFailed } from '../../core/errors.js';
import { findTarget } from '../backup/plan-backup.js';
import { sha256OfFile } from '../files/hash-tree.js';
import { checkSnapshot } from './check-snapshot.js';
import type { RestoreOutcome } from './restore-outcome.js';
import { restoreMysql } from './restore-mysql.js';
import { restorePostgres } from './restore-postgres.js';

/**
 * The full check of one backup copy (the local one for verify, the fetched offsite one for a drill):
 * the artifact's checksum first (a flipped or truncated byte fails here, before any restore), then
 * a real restore into a scratch database with table, row-count and assertion checks. A snapshot is
 * checked file by file against its manifest.
 */
export async function restoreAndCheck(config: OpsConfig, manifest: BackupManifest, backupDir: string, cancelSignal: AbortSignal): Promise<RestoreOutcome> {
  const artifactPath = join(backupDir, manifest.artifact);
  if (manifest.kind === 'files') return checkSnapshot(manifest, artifactPath);

  const actual = await sha256OfFile(artifactPath);
  if (actual !== manifest.sha256) {
    return { restoredInto: '', reasons: [`checksum mismatch: manifest ${manifest.sha256.slice(0, 12)}…, artifact ${actual.slice(0, 12)}…`], rowCountDifferences: [] };
  }
  const target = findTarget(config, manifest.target);
  if (!isDatabase(target)) throw new PreconditionFailed(`target "${target.name}" is no longer a database target`);
  const server = config.backup.verify[manifest.kind];
  if (!server) throw new PreconditionFailed(`no backup.verify.${manifest.kind} server configured to restore ${manifest.id}`);
  const context = { cancelSignal, now: () => new Date(), staleAfterHours: config.backup.verify.dropStaleAfterHours };
  return manifest.kind === 'postgres'
    ? restorePostgres(manifest, artifactPath, server, target.assertions, context)
    : restoreMysql(manifest, artifactPath, server, target.assertions, context);
}
