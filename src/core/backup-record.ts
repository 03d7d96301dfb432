import { MANUAL_RUN_SUFFIX, type BackupTrigger } from './backup-id.js';

/**
 * What the backup repository records about each backup. These files are the durable record:
 * listing, RPO, retention and success rates are all computed from them.
 *
 * Layout: <repository>/<target>/<stamp>/{artifact, manifest.json, verify.json, offsite.json}
 * A backup is written under <repository>/<target>/.partial-<stamp>-<attempt>/ and renamed into
 * place only when its artifact and manifest are complete, so a listed backup is never partial.
 */
export type TargetKind = 'postgres' | 'mysql' | 'files';

export interface TableCount {
  /** schema-qualified for PostgreSQL (public.companies), plain for MySQL */
  table: string;
  rows: number;
}

export interface SnapshotFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface MysqlDatabaseDefaults {
  characterSet: string;
  collation: string;
}

export interface BackupTag {
  name: string;
  keepUntil: string;
}

export interface BackupManifest {
  formatVersion: 1;
  id: string;
  target: string;
  kind: TargetKind;
  /** file name (or directory name, for snapshots) inside the backup directory */
  artifact: string;
  startedAt: string;
  finishedAt: string;
  bytes: number;
  /** sha256 of the artifact file; for a snapshot, of its file list (see snapshot-digest) */
  sha256: string;
  compression?: 'zstd' | 'gzip' | 'none';
  serverVersion?: string;
  toolVersions: Record<string, string>;
  tables?: TableCount[];
  /**
   * MySQL/MariaDB: the dumped database's default character set and collation, which a restore
   * gives the database it creates (mysqldump writes them only per table). Absent for PostgreSQL,
   * whose dump carries them, and in manifests written before they were recorded.
   */
  databaseDefaults?: MysqlDatabaseDefaults;
  /**
   * MySQL/MariaDB: the dump's `ALTER DATABASE … CHARACTER SET` lines name no database (ops took the
   * source's name out as it dumped; see alterDatabaseInPlace), so the dump can be imported into any
   * database, by ops or by hand. Absent in older dumps, which a restore filters on the way in.
   */
  alterDatabaseUnnamed?: true;
  /** how the row counts relate to the dump: taken inside the dump's own snapshot, or in one opened next to it */
  rowCountConsistency?: 'same-snapshot' | 'global-read-lock' | 'adjacent';
  /**
   * whether the dump's privilege check ran before it (a gap fails the dump); absent in manifests
   * of direct and tunnelled dumps, which always run it. `not-run`: MySQL/MariaDB dumped by compose exec.
   */
  privilegeCheck?: 'ran' | 'not-run';
  /** how the worker reached the database, when not directly: `ssh tunnel via ssh://...` or `compose exec ...` */
  reachedThrough?: string;
  files?: SnapshotFile[];
  /** the snapshot this one hard-links unchanged files from */
  linkDest?: string;
  /** who started it; absent in manifests written before it was recorded (see triggerOf) */
  trigger?: BackupTrigger;
  /** the Temporal run id of the target's run that made it: only a retry of that run may adopt it (see dumpTarget) */
  madeByRun?: string;
  /** A named backup (a deploy's `pre-deploy-<app>-<sha>`) that retention keeps until `keepUntil` (ISO 8601). */
  tag?: BackupTag;
  /** present when the artifact is age ciphertext: bytes and sha256 above are then the ciphertext's */
  encryption?: ArtifactEncryption;
}

/**
 * How an encrypted backup was sealed. manifest.json stays plaintext so that listing, retention and
 * offsite copies work without the identity; it then holds only ids, sizes, hashes and these
 * fingerprints. What names tables (their row counts) is in the sealed file beside it.
 */
export interface ArtifactEncryption {
  tool: 'age';
  /** fingerprints of the recipients it was encrypted to (see recipientFingerprint) */
  recipients: string[];
  plaintextSha256: string;
  plaintextBytes: number;
  /** the age-encrypted JSON of the manifest's table counts (a snapshot's file list) */
  sealed: SealedFile;
}

export interface SealedFile {
  file: string;
  sha256: string;
  bytes: number;
}

/** What the sealed file holds: a dump's table counts, or a files snapshot's file list (its paths name customers' files). */
export interface SealedContents {
  tables: TableCount[];
  files?: SnapshotFile[];
}

/**
 * A snapshot stored as a plain rsync tree (one object per file offsite), as opposed to one sealed
 * archive file, which is stored, copied and checked like a dump.
 */
export function isSnapshotTree(manifest: Pick<BackupManifest, 'kind' | 'encryption'>): boolean {
  return manifest.kind === 'files' && !manifest.encryption;
}

export interface RowCountDifference {
  table: string;
  expected: number | null;
  actual: number | null;
}

export interface VerifyRecord {
  status: 'running' | 'passed' | 'failed';
  startedAt: string;
  finishedAt?: string;
  /** the scratch database (or directory) restored into */
  restoredInto: string;
  restoreSeconds?: number;
  reasons: string[];
  rowCountDifferences: RowCountDifference[];
  /** the workflow run that verified, for a link in reports */
  workflowId?: string;
  /**
   * An encrypted backup's failed verify: the age file beside it (verify.json.age) that holds the
   * reasons and row-count differences by name; the reasons here are then counts alone.
   */
  sealed?: string;
}

/** What verify.json.age holds. */
export interface SealedFindings {
  reasons: string[];
  rowCountDifferences: RowCountDifference[];
}

/** One destination's copy of a backup. */
export interface OffsiteCopy {
  status: 'copied' | 'failed';
  at: string;
  sha256Confirmed?: string;
  /** how the storage side confirmed the bytes: its own checksum of the object, or a hash of a read-back */
  confirmedBy?: 'storage-checksum' | 'read-back' | 'remote-sha256' | 'rsync-compare';
  reason?: string;
}

/**
 * offsite.json: `status` is `copied` only when every configured destination holds a confirmed copy;
 * `copies` holds each destination's own record, by its URL. Records written before several
 * destinations existed have no `copies`: their one destination is `destination`.
 */
export interface OffsiteRecord {
  status: 'copied' | 'failed';
  at: string;
  destination: string;
  sha256Confirmed?: string;
  reason?: string;
  copies?: Record<string, OffsiteCopy>;
}

/** One backup as the repository lists it. */
export interface BackupEntry {
  id: string;
  target: string;
  stamp: string;
  dir: string;
  manifest: BackupManifest;
  verify?: VerifyRecord;
  offsite?: OffsiteRecord;
}

/**
 * Who started a backup. A manifest from before the trigger was recorded tells it only when its
 * verify ran under the old child id <run id>-<target>, whose run id ends in -manual; any other is
 * taken as scheduled, which keeps its retention slot as before.
 */
export function triggerOf(entry: Pick<BackupEntry, 'target' | 'manifest' | 'verify'>): BackupTrigger {
  if (entry.manifest.trigger) return entry.manifest.trigger;
  return entry.verify?.workflowId?.endsWith(`${MANUAL_RUN_SUFFIX}-${entry.target}`) ? 'manual' : 'scheduled';
}

/** When the backup finished, in ms; a manifest whose finishedAt does not parse is refused, naming the backup. */
export function finishedInstant(entry: Pick<BackupEntry, 'id' | 'manifest'>): number {
  const at = Date.parse(entry.manifest.finishedAt);
  if (Number.isNaN(at)) throw new Error(`backup ${entry.id}: finishedAt is not a date: "${entry.manifest.finishedAt}"`);
  return at;
}
