import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import type { VerifyRecord } from '../../core/backup-record.js';
import { recordedFindings, SEALED_VERIFY } from '../encryption/seal-findings.js';
import { restoreAndCheck } from '../verify/restore-and-check.js';
import { withHeartbeat } from '../heartbeat.js';
import type { BackupRepository } from '../../records/backup-repository.js';

/**
 * Verify-restore one backup: the artifact's checksum first (a flipped or truncated byte fails here),
 * then a real restore into a scratch database with table, row-count and assertion checks.
 * The result, passed or failed with reasons, is recorded next to the backup.
 */
export async function verifyBackup(config: OpsConfig, repository: BackupRepository, input: { backupId: string; workflowId?: string }): Promise<VerifyRecord> {
  const entry = await repository.get(input.backupId);
  const startedAt = new Date().toISOString();
  await repository.writeVerify(entry.id, { status: 'running', startedAt, restoredInto: '', reasons: [], rowCountDifferences: [], ...workflow(input) });
  // The per-check verdicts are for restore reports; the verify record keeps its reasons.
  const outcome = await withHeartbeat((heartbeat) => restoreAndCheck(config, entry.manifest, entry.dir, heartbeat.cancelSignal));
  const record: VerifyRecord = {
    status: outcome.reasons.length === 0 ? 'passed' : 'failed',
    startedAt,
    finishedAt: new Date().toISOString(),
    restoredInto: outcome.restoredInto,
    ...(outcome.restoreSeconds !== undefined ? { restoreSeconds: outcome.restoreSeconds } : {}),
    ...(await recordedFindings(entry.manifest, outcome, config.backup.encryption?.recipients, join(entry.dir, SEALED_VERIFY))),
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

function workflow(input: { workflowId?: string }): { workflowId?: string } {
  return input.workflowId ? { workflowId: input.workflowId } : {};
}
