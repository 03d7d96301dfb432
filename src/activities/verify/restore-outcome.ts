import type { DatabaseAddress } from '../../config/database-url.js';
import type { Secret } from '../../config/secret.js';
import type { RowCountDifference } from '../../core/backup-record.js';
import type { CheckVerdict } from '../../core/check-verdicts.js';

/** What one restore-and-check found; verify turns it into the recorded VerifyRecord, restore into its report. */
export interface RestoreOutcome {
  restoredInto: string;
  restoreSeconds?: number;
  reasons: string[];
  rowCountDifferences: RowCountDifference[];
  /** each check's verdict, for database restores */
  checks?: CheckVerdict[];
}

export interface RestoreContext {
  cancelSignal: AbortSignal;
  now: () => Date;
  /** backup.verify.dropStaleAfterHours: the sweep before a scratch restore drops scratch databases older than this. */
  staleAfterHours: number;
}

export interface RestoreServer {
  url: DatabaseAddress;
  password?: Secret | undefined;
}

/**
 * Where a dump is restored. Verify restores into a scratch verify_* database it always drops (keep
 * false), held by a liveness lock so a dead attempt's one is swept; `ops restore` creates a new
 * database and keeps it when the restore and every check pass. Either way only a database this
 * restore created is ever dropped.
 */
export interface RestoreDestination {
  server: RestoreServer;
  database: string;
  keep: boolean;
}
