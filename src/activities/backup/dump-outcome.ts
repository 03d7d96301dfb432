import type { BackupManifest } from '../../core/backup-record.js';

/** What a dumper learned; the dump activity adds id, target and times to make the manifest. */
export type DumpOutcome = Omit<BackupManifest, 'formatVersion' | 'id' | 'target' | 'kind' | 'startedAt' | 'finishedAt'>;

/** A database dumper's outcome: with encryption on, also the plaintext's size and hash, which sealOutcome records. */
export type StreamedDumpOutcome = DumpOutcome & { plaintext?: { bytes: number; sha256: string } };

export interface DumpContext {
  /** The private directory this attempt writes into. */
  partialDir: string;
  cancelSignal: AbortSignal;
  onProgress: (bytes: number) => void;
  /** backup.unreachableRetryMinutes in ms: how long connecting to the database is retried */
  unreachableRetryMs: number;
  /** backup.encryption.recipients: the dump is encrypted to these as it streams to disk */
  encryptTo?: string[] | undefined;
  /** the worker's state dir: a sealed snapshot gathers its plaintext tree there (see snapshot-staging), never in the repository */
  stateDir: string;
}
