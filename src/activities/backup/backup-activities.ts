import type { OpsConfig } from '../../config/load-config.js';
import { BackupRepository } from '../../records/backup-repository.js';
import { RunHistory } from '../../records/run-history.js';
import { applyRetention } from './apply-retention.js';
import type { ReportRequest } from '../../contracts/backup.js';
import { copyOffsite, recordOffsiteFailure } from './copy-offsite.js';
import { dumpTarget, type DumpTargetInput } from './dump-target.js';
import { evaluateBackupHealth } from './evaluate-backup-health.js';
import { planBackup } from './plan-backup.js';
import { recordBackupRun, type RunOutcome } from './record-backup-run.js';
import { recordVerifyError, verifyBackup } from './verify-backup.js';
import { writeBackupReport } from './write-backup-report.js';
import { backupsToReencrypt, reencryptBackup } from '../encryption/reencrypt-backup.js';

/** The backup chain's activities, bound to one loaded config. Workflows see only names and small records. */
export function createBackupActivities(config: OpsConfig) {
  const repository = new BackupRepository(config.repository);
  const history = new RunHistory(config.repository);
  return {
    async planBackup(input: { targets?: string[] }) {
      const plan = planBackup(config, input.targets);
      const newestStamp = await repository.newestStamp(plan.targets.map((t) => t.name));
      return { ...plan, ...(newestStamp !== undefined ? { newestStamp } : {}) };
    },
    async dumpTarget(input: DumpTargetInput) {
      return dumpTarget(config, repository, input);
    },
    async copyOffsite(input: { backupId: string; destination?: string }) {
      return copyOffsite(config, repository, input);
    },
    async recordOffsiteFailure(input: { backupId: string; error: string; destination?: string }) {
      return recordOffsiteFailure(config, repository, input);
    },
    async verifyBackup(input: { backupId: string; workflowId?: string }) {
      return verifyBackup(config, repository, input);
    },
    async recordVerifyError(input: { backupId: string; error: string; workflowId?: string }) {
      return recordVerifyError(repository, input);
    },
    async recordBackupRun(outcome: RunOutcome) {
      return recordBackupRun(history, outcome);
    },
    async applyRetention(input: { targets: string[] }) {
      return applyRetention(config, repository, input);
    },
    async evaluateBackupHealth() {
      return evaluateBackupHealth(config);
    },
    async writeBackupReport(request: ReportRequest) {
      return writeBackupReport(config, repository, request);
    },
    async backupsToReencrypt(input: { target?: string; backupId?: string }) {
      return backupsToReencrypt(config, repository, input);
    },
    async reencryptBackup(input: { backupId: string }) {
      return reencryptBackup(config, repository, input);
    },
  };
}

export type BackupActivities = ReturnType<typeof createBackupActivities>;
