import type { DatabaseAddress } from '../../config/database-url.js';
import type { Secret } from '../../config/secret.js';
import type { ScratchPrefix } from '../../core/backup-id.js';
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
  /** the same verdicts naming no table or assertion, for an encrypted backup's restore (see sealedRestoreChecks) */
  countedChecks?: CheckVerdict[];
  /**
   * The reasons by counts alone (no table, file or assertion named), for the plaintext records of an
   * encrypted backup; absent when the reasons name nothing of its contents (a checksum mismatch).
   */
  counted?: string[];
}

export interface RestoreContext {
  cancelSignal: AbortSignal;
  now: () => Date;
  /** backup.verify.dropStaleAfterHours: the sweep before a scratch restore drops scratch databases older than this. */
  staleAfterHours: number;
  /** backup.encryption.identityFile, for an encrypted backup; never logged (a Secret) */
  identity?: Secret | undefined;
  /** Runs once every check passed, right before the scratch database takes its final name; throwing keeps it from that name (it is dropped). */
  beforePromote?: () => Promise<void>;
}

export interface RestoreServer {
  url: DatabaseAddress;
  password?: Secret | undefined;
}

/**
 * Where a dump is restored: always into a scratch database (`database`) held by a liveness lock
 * (see claimPostgresScratch), so a dead attempt's one is swept by the next restore of the same
 * `scratchPrefix` on that server. Verify drops it in every case. `ops restore` promotes it: only
 * once the restore and every check passed is it renamed to its final name (or swapped with the
 * database it replaces); in every other case it is dropped, and no other database is touched.
 */
export interface RestoreDestination {
  server: RestoreServer;
  database: string;
  scratchPrefix: ScratchPrefix;
  promote?: Promotion;
}

/** The final name of a restore that passed, and, with --replace, the name the replaced database is kept under. */
export interface Promotion {
  database: string;
  replace?: { keptAs: string };
}
