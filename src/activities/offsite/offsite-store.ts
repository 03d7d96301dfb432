import type { OpsConfig } from '../../config/load-config.js';
import { describeDestination, type OffsiteDestination } from '../../config/offsite-destination.js';
import type { BackupEntry, OffsiteCopy } from '../../core/backup-record.js';
import { PreconditionFailed } from '../../core/errors.js';
import { RsyncStore } from './rsync-store.js';
import { S3Store } from './s3-store.js';

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
}

export function openOffsiteStore(config: OpsConfig, destination: OffsiteDestination): OffsiteStore {
  return destination.kind === 's3' ? new S3Store(destination) : new RsyncStore(destination, config.ssh);
}

/** The configured destination of that name; with no name, the first (a run started before destinations had names). */
export function offsiteStoreNamed(config: OpsConfig, name: string | undefined): OffsiteStore {
  const destinations = config.backup.offsite;
  const destination = name === undefined ? destinations[0] : destinations.find((d) => describeDestination(d) === name);
  if (!destination) {
    const known = destinations.map(describeDestination);
    throw new PreconditionFailed(name === undefined || known.length === 0 ? 'no backup.offsite destination configured' : `no offsite destination ${name} in backup.offsite (configured: ${known.join(', ')})`);
  }
  return openOffsiteStore(config, destination);
}
