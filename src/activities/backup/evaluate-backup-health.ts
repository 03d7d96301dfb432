import type { OpsConfig } from '../../config/load-config.js';
import { evaluateHealth, type DrillRecord, type HealthLimits, type HealthReport } from '../../core/backup-health.js';
import type { BackupRunRecord } from '../../core/backup-history.js';
import type { BackupEntry } from '../../core/backup-record.js';
import { DrillStore } from '../../records/drill-store.js';
import { BackupRepository } from '../../records/backup-repository.js';
import { RunHistory } from '../../records/run-history.js';

export function healthLimits(config: OpsConfig): HealthLimits {
  const { rpoHours, verifyMaxAgeHours, successRateGoal, consecutiveVerifyFailures, storageCapGiB } = config.health;
  return {
    rpoHours,
    verifyMaxAgeHours,
    successRateGoal,
    consecutiveVerifyFailuresFail: consecutiveVerifyFailures,
    ...(storageCapGiB !== undefined ? { storageCapBytes: storageCapGiB * 2 ** 30 } : {}),
  };
}

export interface HealthRecords {
  entries: BackupEntry[];
  drills: DrillRecord[];
  history: BackupRunRecord[];
}

/** Everything health is judged from, read once: `ops status`, the watchdog, the chain and the metrics endpoint all read it here. */
export async function readHealthRecords(config: OpsConfig): Promise<HealthRecords> {
  const [entries, drills, history] = await Promise.all([
    new BackupRepository(config.repository).list(),
    new DrillStore(config.repository).list(),
    new RunHistory(config.repository).list(),
  ]);
  return { entries, drills, history };
}

/** Backup health of every configured target, computed from the repository, its run history and the drill records. */
export async function evaluateBackupHealth(config: OpsConfig, now = new Date()): Promise<HealthReport> {
  return evaluateHealth({ targets: config.targets.map((t) => t.name), ...(await readHealthRecords(config)), now, limits: healthLimits(config) });
}
