import type { OpsConfig } from '../../config/load-config.js';
import { describeDestination, type OffsiteDestination } from '../../config/offsite-destination.js';
import type { BackupEntry, BackupManifest, OffsiteCopy } from '../../core/backup-record.js';
import { describeError, OpsError, PreconditionFailed } from '../../core/errors.js';
import { RsyncStore } from './rsync-store.js';

/** What a confirmed copy proved: the artifact's sha256 as the destination has it, and how that was established. */
export type CopyConfirmation = Required<Pick<OffsiteCopy, 'sha256Confirmed' | 'confirmedBy'>>;

/**
 * One offsite destination, whatever it is: a directory (local or over ssh) or an S3 bucket.
 * Copies live under <target>/<stamp>/ there, with the artifact and manifest.json; a copy is
 * listed only once complete, so a listing, a drill and retention never see a partial one.
 */
export interface OffsiteStore {
  /** its URL, the key in offsite.json and the name in messages */
  readonly name: string;
  /** Copies the backup unless a confirmed copy is there already, and confirms it byte for byte. */
  copy(entry: BackupEntry, cancelSignal: AbortSignal): Promise<CopyConfirmation>;
  has(target: string, stamp: string): Promise<boolean>;
  /** The copy's artifact and manifest.json into `dir`; the restore that follows checks the artifact against that manifest. */
  fetch(target: string, stamp: string, dir: string, cancelSignal: AbortSignal): Promise<void>;
  /** The stamps of the target's complete copies; what an earlier removal or copy left half done is swept first. */
  listStamps(target: string): Promise<string[]>;
  remove(target: string, stamp: string): Promise<void>;
  /** The copy's manifest.json: what `backups list --offsite` shows of a copy the repository no longer has. */
  readManifest(target: string, stamp: string): Promise<BackupManifest>;
  /** Asks what a copy asks first (list the prefix; on a path, make and list its root), and throws what it would: `config check --connect`. */
  probe(): Promise<void>;
}

/** The S3 store (and the AWS SDK under it) is loaded only where an S3 destination is configured: the worker starts faster without it. */
export async function openOffsiteStore(config: OpsConfig, destination: OffsiteDestination): Promise<OffsiteStore> {
  if (destination.kind !== 's3') return new RsyncStore(destination, config.ssh);
  const { S3Store } = await import('./s3-store.js');
  return new S3Store(destination);
}

/** The configured destination of that name; with no name, the first (a run started before destinations had names). */
export async function offsiteStoreNamed(config: OpsConfig, name: string | undefined): Promise<OffsiteStore> {
  const destinations = config.backup.offsite;
  const destination = name === undefined ? destinations[0] : destinations.find((d) => describeDestination(d) === name);
  if (!destination) {
    const known = destinations.map(describeDestination);
    throw new PreconditionFailed(name === undefined || known.length === 0 ? 'no backup.offsite destination configured' : `no offsite destination ${name} in backup.offsite (configured: ${known.join(', ')})`);
  }
  return openOffsiteStore(config, destination);
}

/**
 * A destination's failed answer, for a message that lists every destination's: named once (the
 * S3 store's own errors already lead with it), and whether asking again may help (an unreachable
 * store) or not (a missing bucket, refused keys).
 */
export function storeAnswer(store: OffsiteStore, err: unknown): { answer: string; retryable: boolean } {
  const message = describeError(err);
  return {
    answer: message.startsWith(store.name) ? message : `${store.name}: ${message}`,
    retryable: !(err instanceof OpsError) || err.retryable,
  };
}
