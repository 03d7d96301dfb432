import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { isDatabase } from '../../config/target.js';
import type { BackupEntry, VerifyRecord } from '../../core/backup-record.js';
import { PreconditionFailed } from '../../core/errors.js';
import { sha256OfFile } from '../files/hash-tree.js';
import { withHeartbeat } from '../heartbeat.js';
import type { BackupRepository } from '../repository/backup-repository.js';
import { checkSnapshot } from '../verify/check-snapshot.js';
import type { RestoreOutcome } from '../verify/restore-outcome.js';
import { restoreMysql } from '../verify/restore-mysql.js';
import { restorePostgres } from '../verify/restore-postgres.js';
import { findTarget } from './plan-backup.js';

/**
 * Verify-restore one backup: the artifact's checksum first (a flipped or truncated byte fails here),
 * then a real restore into a scratch database with table, row-count and assertion checks.
 * The result, passed or failed with reasons, is recorded next to the backup.
 */
export async function verifyBackup(config: OpsConfig, repository: BackupRepository, input: { backupId: string; workflowId?: string }): Promise<VerifyRecord> {
  const entry = await repository.get(input.backupId);
  const startedAt = new Date().toISOString();
  await repository.writeVerify(entry.id, { status: 'running', startedAt, restoredInto: '', reasons: [], rowCountDifferences: [], ...workflow(input) });
  const outcome = await withHeartbeat((heartbeat) => restoreAndCheck(config, entry, heartbeat.cancelSignal));
  const record: VerifyRecord = {
    status: outcome.reasons.length === 0 ? 'passed' : 'failed',
    startedAt,
    finishedAt: new Date().toISOString(),
    ...outcome,
    ...workflow(input),
  };
  await repository.writeVerify(entry.id, record);
  return record;
}

/** When verify could not run to a verdict (retries exhausted), record that, so the backup is not left "running". */
export async function recordVerifyError(repository: BackupRepository, input: { backupId: string; error: string; workflowId?: string }): Promise<VerifyRecord> {
  const entry = await repository.get(input.backupId);
  const record: VerifyRecord = {
    status: 'failed',
    startedAt: entry.verify?.startedAt ?? new Date().toISOString(),
    finishedAt: new Date().toISOString(),
    restoredInto: entry.verify?.restoredInto ?? '',
    reasons: [input.error],
    rowCountDifferences: [],
    ...workflow(input),
  };
  await repository.writeVerify(entry.id, record);
  return record;
}

async function restoreAndCheck(config: OpsConfig, entry: BackupEntry, cancelSignal: AbortSignal): Promise<RestoreOutcome> {
  const { manifest } = entry;
  const artifactPath = join(entry.dir, manifest.artifact);
  if (manifest.kind === 'files') return checkSnapshot(manifest, artifactPath);

  const actual = await sha256OfFile(artifactPath);
  if (actual !== manifest.sha256) {
    return { restoredInto: '', reasons: [`checksum mismatch: manifest ${manifest.sha256.slice(0, 12)}…, artifact ${actual.slice(0, 12)}…`], rowCountDifferences: [] };
  }
  const target = findTarget(config, manifest.target);
  if (!isDatabase(target)) throw new PreconditionFailed(`target "${target.name}" is no longer a database target`);
  const server = config.backup.verify[manifest.kind];
  if (!server) throw new PreconditionFailed(`no backup.verify.${manifest.kind} server configured to verify ${entry.id}`);
  const context = { cancelSignal, now: () => new Date() };
  return manifest.kind === 'postgres'
    ? restorePostgres(manifest, artifactPath, server, target.assertions, context)
    : restoreMysql(manifest, artifactPath, server, target.assertions, context);
}

function workflow(input: { workflowId?: string }): { workflowId?: string } {
  return input.workflowId ? { workflowId: input.workflowId } : {};
}
