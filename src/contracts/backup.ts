import type { OffsiteRecord, TargetKind, VerifyRecord } from '../core/backup-record.js';

export interface PlannedTarget {
  name: string;
  kind: TargetKind;
}

export interface BackupPlan {
  targets: PlannedTarget[];
  concurrency: number;
  offsite: boolean;
  /** backup.offsite's destinations by name, each copied to on its own; absent in plans made before there could be several */
  offsiteDestinations?: string[];
  /** health.consecutiveVerifyFailures: alert when a target's verify fails this many times in a row */
  verifyFailureAlertAt: number;
  /** backup.dumpTimeoutMinutes: each dump attempt's time limit */
  dumpTimeoutMinutes: number;
  /** the newest stamp of the planned targets' backups; absent in plans made before it was read, or with no backups */
  newestStamp?: string;
}

export interface DumpResult {
  backupId: string;
  bytes: number;
  sha256: string;
  durationSeconds: number;
}

export interface TargetRetention {
  target: string;
  kept: number;
  deleted: string[];
  offsiteDeleted: string[];
  /** Why offsite retention stopped for this target (unreachable, unreadable); the backup itself is unaffected. */
  offsiteError?: string;
}

/** What the chain knows of one target when it writes the report; the rest is read from the repository. */
export interface TargetOutcome {
  target: string;
  backupId?: string;
  /** the message naming the cause, when any step failed */
  error?: string;
  /** which step failed: the dump (no backup), or the offsite copy / verify / run history line of a backup that exists */
  failedStep?: 'dump' | 'offsite' | 'verify' | 'history';
  /** each offsite destination whose copy failed, with why: each raises its own alert */
  offsiteFailures?: OffsiteFailure[];
  /** why this run started nothing for the target: "already running (backup-<target>)"; neither a failure nor a backup */
  skipped?: string;
}

/** What backupTarget attaches to its failure, so the chain can tell the kinds of failure apart. */
export interface TargetFailureDetails {
  failedStep: 'offsite' | 'verify' | 'history';
  offsiteFailures?: OffsiteFailure[];
}

export interface OffsiteFailure {
  destination: string;
  error: string;
}

export interface ReportRequest {
  workflowId: string;
  runUrl?: string;
  startedAt: string;
  targets: TargetOutcome[];
  retention: TargetRetention[];
}

export type { OffsiteRecord, VerifyRecord };
