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
}

export interface RestoreServer {
  url: DatabaseAddress;
  password?: Secret | undefined;
}

/**
 * Where a dump is restored. Verify restores into a scratch database it always drops (keep false);
 * `ops restore` keeps the new database when the restore and every check pass. Either way only a
 * database this restore created is ever dropped.
 */
export interface RestoreDestination {
  server: RestoreServer;
  database: string;
  keep: boolean;
}
