import type { OpsConfig } from '../../config/load-config.js';
import { describeDestination } from '../../config/offsite-destination.js';
import type { OffsiteCopy, OffsiteRecord } from '../../core/backup-record.js';
import { withOffsiteCopy } from '../../core/offsite-record.js';
import { withHeartbeat } from '../heartbeat.js';
import { offsiteStoreNamed } from '../offsite/offsite-store.js';
import type { BackupRepository } from '../../records/backup-repository.js';

/**
 * Copies a backup to one offsite destination and confirms it there (see each store for how), then
 * records that destination's copy in offsite.json beside the others'. The chain calls this once
 * per destination, so each is retried, confirmed and recorded on its own.
 */
export async function copyOffsite(config: OpsConfig, repository: BackupRepository, input: { backupId: string; destination?: string }): Promise<OffsiteCopy & { destination: string }> {
  const store = await offsiteStoreNamed(config, input.destination);
  const entry = await repository.get(input.backupId);
  const confirmed = await withHeartbeat(({ cancelSignal }) => store.copy(entry, cancelSignal));
  const copy: OffsiteCopy = { status: 'copied', at: new Date().toISOString(), ...confirmed };
  await record(config, repository, input.backupId, store.name, copy);
  return { destination: store.name, ...copy };
}

export async function recordOffsiteFailure(config: OpsConfig, repository: BackupRepository, input: { backupId: string; error: string; destination?: string }): Promise<OffsiteRecord> {
  const destination = input.destination ?? (config.backup.offsite[0] ? describeDestination(config.backup.offsite[0]) : 'none');
  return record(config, repository, input.backupId, destination, { status: 'failed', at: new Date().toISOString(), reason: input.error });
}

/** The chain copies to its destinations one after another, so this read-modify-write of offsite.json never races another. */
async function record(config: OpsConfig, repository: BackupRepository, backupId: string, destination: string, copy: OffsiteCopy): Promise<OffsiteRecord> {
  const previous = (await repository.get(backupId)).offsite;
  const updated = withOffsiteCopy(previous, destination, copy, config.backup.offsite.map(describeDestination));
  await repository.writeOffsite(backupId, updated);
  return updated;
}
