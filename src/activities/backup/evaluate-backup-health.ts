import type { OpsConfig } from '../../config/load-config.js';
import { evaluateHealth, type HealthLimits, type HealthReport } from '../../core/backup-health.js';
import { DrillStore } from '../drill/drill-store.js';
import { BackupRepository } from '../repository/backup-repository.js';

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

/** Backup health of every configured target, computed from the repository and the drill records. */
export async function evaluateBackupHealth(config: OpsConfig, now = new Date()): Promise<HealthReport> {
  const [entries, drills] = await Promise.all([new BackupRepository(config.repository).list(), new DrillStore(config.repository).list()]);
  return evaluateHealth({ targets: config.targets.map((t) => t.name), entries, drills, now, limits: healthLimits(config) });
}
