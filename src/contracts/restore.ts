/** What `ops restore`'s plan step hands the restore-backup workflow: ids, names and the server, never an artifact. */
export interface RestorePlan {
  backupId: string;
  database: string;
  /** the target's server, without a password, for reports */
  server: string;
  /** the offsite destination the backup is fetched from; absent: the local repository */
  from?: string;
  /** set when `database` exists: the swap keeps it under `keptAs`; it holds `tables` tables */
  replacing?: { keptAs: string; tables: number };
}
