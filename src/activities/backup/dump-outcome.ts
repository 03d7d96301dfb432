import type { BackupManifest } from '../../core/backup-record.js';

/** What a dumper learned; the dump activity adds id, target and times to make the manifest. */
export type DumpOutcome = Omit<BackupManifest, 'formatVersion' | 'id' | 'target' | 'kind' | 'startedAt' | 'finishedAt'>;

export interface DumpContext {
  /** The private directory this attempt writes into. */
  partialDir: string;
  cancelSignal: AbortSignal;
  onProgress: (bytes: number) => void;
  /** backup.unreachableRetryMinutes in ms: how long connecting to the database is retried */
  unreachableRetryMs: number;
}
