import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { renderBackupReport, reportFileNames, type TargetReport } from '../../core/backup-report.js';
import type { BackupEntry } from '../../core/backup-record.js';
import { rpoAgeMs } from '../../core/rpo.js';
import { writeFileAtomic } from '../../records/atomic-write.js';
import type { BackupRepository } from '../../records/backup-repository.js';
import type { ReportRequest, TargetOutcome, TargetRetention } from '../../contracts/backup.js';

/** Renders the run's report from what the workflow saw plus the repository's records, and writes latest + dated copies. */
export async function writeBackupReport(config: OpsConfig, repository: BackupRepository, request: ReportRequest): Promise<{ latest: string; dated: string; failedTargets: number }> {
  const finishedAt = new Date();
  const targets: TargetReport[] = [];
  for (const outcome of request.targets) {
    const entries = await repository.list(outcome.target);
    const entry = outcome.backupId ? entries.find((e) => e.id === outcome.backupId) : undefined;
    const retention = request.retention.find((r) => r.target === outcome.target);
    targets.push({
      ...describeTarget(config, outcome, entry),
      ...(retention ? { retention: reportedRetention(retention) } : {}),
      rpoAgeMs: rpoAgeMs(entries.map((e) => ({ finishedAt: e.manifest.finishedAt, verified: e.verify?.status === 'passed' })), finishedAt),
    });
  }
  const markdown = renderBackupReport({
    workflowId: request.workflowId,
    ...(request.runUrl ? { runUrl: request.runUrl } : {}),
    startedAt: request.startedAt,
    finishedAt: finishedAt.toISOString(),
    targets,
  }, config.timeZone);
  await mkdir(config.reports, { recursive: true });
  const names = reportFileNames(finishedAt.toISOString());
  const dated = join(config.reports, names.dated);
  const latest = join(config.reports, names.latest);
  await writeFileAtomic(dated, markdown);
  await writeFileAtomic(latest, markdown);
  return { latest, dated, failedTargets: targets.filter((t) => t.status === 'failed').length };
}

function reportedRetention({ deleted, kept, offsiteDeleted, offsiteError }: TargetRetention): NonNullable<TargetReport['retention']> {
  return { deleted, kept, offsiteDeleted, ...(offsiteError !== undefined ? { offsiteError } : {}) };
}

function describeTarget(config: OpsConfig, outcome: TargetOutcome, entry: BackupEntry | undefined): Omit<TargetReport, 'rpoAgeMs'> {
  const kind = config.targets.find((t) => t.name === outcome.target)?.kind ?? 'files';
  if (outcome.skipped) return { target: outcome.target, kind, status: 'skipped', skipped: outcome.skipped };
  const base = { target: outcome.target, kind, status: outcome.error ? ('failed' as const) : ('ok' as const), ...(outcome.error ? { error: outcome.error } : {}) };
  if (!entry) return base;
  const { manifest, verify, offsite } = entry;
  return {
    ...base,
    backupId: entry.id,
    bytes: manifest.bytes,
    durationSeconds: (Date.parse(manifest.finishedAt) - Date.parse(manifest.startedAt)) / 1000,
    sha256: manifest.sha256,
    offsite: offsite
      ? { status: offsite.status, ...(offsite.reason ? { reason: offsite.reason } : {}) }
      : { status: config.backup.offsite.length > 0 ? 'failed' : 'skipped', ...(config.backup.offsite.length > 0 ? { reason: 'not copied' } : {}) },
    verify: verify && verify.status !== 'running'
      ? { status: verify.status, ...(verify.restoreSeconds !== undefined ? { restoreSeconds: verify.restoreSeconds } : {}), reasons: verify.reasons, rowCountDifferences: verify.rowCountDifferences }
      : { status: 'skipped', reasons: [], rowCountDifferences: [] },
  };
}
