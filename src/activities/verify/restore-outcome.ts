import type { RowCountDifference } from '../../core/backup-record.js';

/** What one verify-restore found; the verify activity turns it into the recorded VerifyRecord. */
export interface RestoreOutcome {
  restoredInto: string;
  restoreSeconds?: number;
  reasons: string[];
  rowCountDifferences: RowCountDifference[];
}

export interface RestoreContext {
  cancelSignal: AbortSignal;
  now: () => Date;
  /** backup.verify.dropStaleAfterHours: the sweep before the restore drops scratch databases older than this. */
  staleAfterHours: number;
}
