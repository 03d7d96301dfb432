import { evaluateHealth, type DrillRecord, type HealthLimits, type HealthStatus } from './backup-health.js';
import type { BackupRunRecord } from './backup-history.js';
import type { BackupEntry } from './backup-record.js';
import { lastRtoSeconds, type RestoreLogEntry } from './restore-log.js';

/**
 * The backup figures Prometheus scrapes, computed from the repository's records, its run history
 * and the drill log with the same evaluateHealth the CLI uses, so a dashboard and `ops` agree.
 *
 * Health figures cover the configured targets only: a target removed from the config keeps its
 * backups on disk until someone deletes them, and its growing age must not page anyone. Storage
 * covers every target on disk, because leftovers take up space too.
 */
export interface BackupMetricsInput {
  /** configured target names */
  targets: string[];
  entries: BackupEntry[];
  drills: DrillRecord[];
  history: BackupRunRecord[];
  /** the restore log: `ops restore` runs */
  restores: RestoreLogEntry[];
  now: Date;
  limits: HealthLimits;
}

type HealthStatusCode = 0 | 1 | 2;

export const HEALTH_STATUS_CODE: Record<HealthStatus, HealthStatusCode> = { OK: 0, WARN: 1, FAIL: 2 };

/** Figures that have nothing to measure yet (no valid dump, no verify) are absent, not 0. */
export interface TargetMetrics {
  target: string;
  healthStatus: HealthStatusCode;
  consecutiveVerifyFailures: number;
  /** newest valid dump, i.e. one whose verify did not fail */
  lastDumpAgeMinutes?: number;
  lastVerifyAgeHours?: number;
  backupSuccessRate7d?: number;
  verifySuccessRate7d?: number;
  /** newest passed verify-restore or drill */
  lastRestoreSeconds?: number;
  /** RTO (start to checked) of the newest `ops restore` that passed */
  lastRtoSeconds?: number;
  /** size of the newest backup, whatever its verify said */
  lastBackupBytes?: number;
  /** the newest backup's dump */
  dumpSeconds?: number;
  /** the newest verify that reached a verdict, passed or failed */
  verifySeconds?: number;
}

export interface TargetStorage {
  target: string;
  backups: number;
  bytes: number;
}

export interface BackupMetrics {
  /** the worst status of the configured targets */
  overallStatus: HealthStatusCode;
  /** configured targets, sorted by name */
  targets: TargetMetrics[];
  /** configured targets and every target on disk, sorted by name */
  storage: TargetStorage[];
}

export function backupMetrics({ targets, entries, drills, history, restores, now, limits }: BackupMetricsInput): BackupMetrics {
  const configured = [...new Set(targets)].sort();
  const report = evaluateHealth({ targets: configured, entries, drills, history, now, limits });
  const onDisk = [...new Set([...configured, ...entries.map((e) => e.target)])].sort();
  return {
    overallStatus: HEALTH_STATUS_CODE[report.status],
    targets: report.targets.map((health) => {
      const own = entries.filter((e) => e.target === health.target);
      const newest = latest(own, (e) => e.manifest.finishedAt);
      const judged = latest(
        own.filter((e) => (e.verify?.status === 'passed' || e.verify?.status === 'failed') && e.verify.finishedAt !== undefined),
        (e) => e.verify!.finishedAt!,
      );
      return {
        target: health.target,
        healthStatus: HEALTH_STATUS_CODE[health.status],
        consecutiveVerifyFailures: health.consecutiveVerifyFailures,
        ...optional('lastDumpAgeMinutes', health.validDumpAgeHours === null ? null : health.validDumpAgeHours * 60),
        ...optional('lastVerifyAgeHours', health.passedVerifyAgeHours),
        ...optional('backupSuccessRate7d', health.backupSuccessRate7d),
        ...optional('verifySuccessRate7d', health.verifySuccessRate7d),
        ...optional('lastRestoreSeconds', health.lastRestoreSeconds),
        ...optional('lastRtoSeconds', lastRtoSeconds(restores, health.target)),
        ...optional('lastBackupBytes', newest?.manifest.bytes ?? null),
        ...optional('dumpSeconds', newest ? secondsBetween(newest.manifest.startedAt, newest.manifest.finishedAt) : null),
        ...optional('verifySeconds', judged ? secondsBetween(judged.verify!.startedAt, judged.verify!.finishedAt!) : null),
      };
    }),
    storage: onDisk.map((target) => {
      const own = entries.filter((e) => e.target === target);
      return { target, backups: own.length, bytes: own.reduce((sum, e) => sum + e.manifest.bytes, 0) };
    }),
  };
}

function latest<T>(items: T[], at: (item: T) => string): T | undefined {
  return items.reduce<T | undefined>((best, item) => (best === undefined || Date.parse(at(item)) >= Date.parse(at(best)) ? item : best), undefined);
}

/** A clock step between start and finish must not show as a negative duration. */
function secondsBetween(from: string, to: string): number | null {
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isNaN(ms) ? null : Math.max(0, ms / 1000);
}

function optional<K extends string>(key: K, value: number | null): Partial<Record<K, number>> {
  return value === null ? {} : ({ [key]: value } as Record<K, number>);
}
