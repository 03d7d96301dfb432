import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ageDecrypt, ageEncrypt } from '../../commands/age.js';
import type { OpsConfig } from '../../config/load-config.js';
import { describeDestination } from '../../config/offsite-destination.js';
import type { Secret } from '../../config/secret.js';
import { needsReencrypt, recipientFingerprint, rewrapLeftovers, rewrappedName, rewrapTempName, staleOffsiteCopies } from '../../core/age-recipients.js';
import { parseBackupId } from '../../core/backup-id.js';
import type { BackupEntry, BackupManifest, SealedFile } from '../../core/backup-record.js';
import { PreconditionFailed, VerifyFailed } from '../../core/errors.js';
import { copyOffsite } from '../backup/copy-offsite.js';
import { withHeartbeat } from '../heartbeat.js';
import { offsiteStoreNamed } from '../offsite/offsite-store.js';
import { streamCommandsToFile, type StreamedFile, type StreamOptions } from '../process/stream-to-file.js';
import { fsyncDir } from '../../records/atomic-write.js';
import type { BackupRepository } from '../../records/backup-repository.js';
import { checksumMismatch } from '../verify/artifact-checksum.js';
import { identityFor } from './artifact-identity.js';
import { decryptFailure } from './open-artifact.js';

export interface ReencryptResult {
  backupId: string;
  /** re-wrapped here, or already for the current recipients */
  rewrapped: boolean;
  recipients: string[];
  /** the offsite destinations its copy was uploaded to again */
  reuploaded: string[];
}

/**
 * The encrypted backups (of a target, or the one named) made for other recipients, whose offsite
 * copies are still the old ciphertext, or beside which an earlier re-wrap left files (a worker
 * killed between the manifest swap and the old files' removal).
 */
export async function backupsToReencrypt(config: OpsConfig, repository: BackupRepository, input: { target?: string; backupId?: string }): Promise<string[]> {
  const recipients = currentRecipients(config);
  const entries = input.backupId ? [await repository.get(input.backupId)] : await repository.list(input.target);
  if (input.backupId && !entries[0]!.manifest.encryption) throw new PreconditionFailed(`${input.backupId} is not encrypted: only encrypted backups are re-wrapped`);
  const configured = config.backup.offsite.map(describeDestination);
  const staleOffsite = (e: BackupEntry) => staleOffsiteCopies(e.manifest.sha256, e.offsite?.copies).some((d) => configured.includes(d));
  const picked: string[] = [];
  for (const e of entries) {
    if (!e.manifest.encryption) continue;
    if (needsReencrypt(e.manifest.encryption.recipients, recipients) || staleOffsite(e) || (await rewrapLeftoversOf(e)).length > 0) picked.push(e.id);
  }
  return picked;
}

/**
 * Re-wraps one backup for the current recipients. age cannot re-wrap a header without the
 * payload, so the artifact streams through `age -d | age -e` into a temp file beside the old one,
 * its plaintext hashed on the way and checked against the manifest; only then are the temp files
 * renamed to their names, the manifest swapped in by one atomic rename and the old files removed.
 * No plaintext touches disk, and until the swap the old files are the backup. Each offsite
 * copy still holding the old ciphertext is removed and uploaded again (age ciphertext cannot be
 * re-wrapped in place there either); until that upload finishes the destination has no copy.
 */
export async function reencryptBackup(config: OpsConfig, repository: BackupRepository, input: { backupId: string }): Promise<ReencryptResult> {
  const recipients = currentRecipients(config);
  let entry = await repository.get(input.backupId);
  const encryption = entry.manifest.encryption;
  if (!encryption) throw new PreconditionFailed(`${input.backupId} is not encrypted: only encrypted backups are re-wrapped`);
  await removeRewrapLeftovers(entry);
  const rewrapped = needsReencrypt(encryption.recipients, recipients);
  if (rewrapped) entry = { ...entry, manifest: await rewrap(repository, entry, recipients, config.backup.encryption?.identityFile) };
  const reuploaded: string[] = [];
  // A destination no longer configured keeps its old copy: retention there is no longer ops' either.
  const configured = config.backup.offsite.map(describeDestination);
  for (const destination of staleOffsiteCopies(entry.manifest.sha256, entry.offsite?.copies).filter((d) => configured.includes(d))) {
    const store = await offsiteStoreNamed(config, destination);
    const { target, stamp } = parseBackupId(entry.id);
    await store.remove(target, stamp);
    await copyOffsite(config, repository, { backupId: entry.id, destination });
    reuploaded.push(destination);
  }
  return { backupId: entry.id, rewrapped, recipients: recipients.map(recipientFingerprint), reuploaded };
}

async function rewrap(repository: BackupRepository, entry: BackupEntry, recipients: string[], configured: Secret | undefined): Promise<BackupManifest> {
  const { manifest, dir } = entry;
  const encryption = manifest.encryption!;
  const mismatch = await checksumMismatch(manifest, join(dir, manifest.artifact));
  if (mismatch) throw new VerifyFailed(`${manifest.id}: ${mismatch}; not re-encrypted`);
  const identity = (await identityFor(manifest, configured))!;
  const artifact = rewrappedName(manifest.artifact, recipients);
  const sealedFile = rewrappedName(encryption.sealed.file, recipients);
  const temps = [artifact, sealedFile].map((name) => join(dir, rewrapTempName(name)));
  try {
    const [streamed, sealed] = await withHeartbeat(async ({ cancelSignal, progress }) => [
      await rewrapFile(manifest, dir, manifest.artifact, temps[0]!, recipients, identity, { cancelSignal, onProgress: (bytes) => progress({ bytes }) }),
      await rewrapFile(manifest, dir, encryption.sealed.file, temps[1]!, recipients, identity, { cancelSignal }),
    ]);
    if (streamed.input?.sha256 !== encryption.plaintextSha256) {
      throw new VerifyFailed(`${manifest.id}: the plaintext of ${manifest.artifact} has sha256 ${streamed.input?.sha256.slice(0, 12)}…, the manifest ${encryption.plaintextSha256.slice(0, 12)}…; not re-encrypted`);
    }
    await rename(temps[0]!, join(dir, artifact));
    await rename(temps[1]!, join(dir, sealedFile));
    await fsyncDir(dir);
    return await swapManifest(repository, entry, { artifact, bytes: streamed.bytes, sha256: streamed.sha256 }, recipients, { file: sealedFile, sha256: sealed.sha256, bytes: sealed.bytes });
  } finally {
    for (const temp of temps) await rm(temp, { force: true });
  }
}

async function swapManifest(repository: BackupRepository, entry: BackupEntry, streamed: { artifact: string; bytes: number; sha256: string }, recipients: string[], sealed: SealedFile): Promise<BackupManifest> {
  const { manifest, dir } = entry;
  const encryption = manifest.encryption!;
  const { artifact } = streamed;
  const sealedFile = sealed.file;
  const updated: BackupManifest = {
    ...manifest,
    artifact,
    bytes: streamed.bytes,
    sha256: streamed.sha256,
    encryption: { ...encryption, recipients: recipients.map(recipientFingerprint), sealed },
  };
  await repository.replaceManifest(updated);
  for (const old of [manifest.artifact, encryption.sealed.file]) if (old !== artifact && old !== sealedFile) await rm(join(dir, old), { force: true });
  return updated;
}

/** age --decrypt | age --encrypt into the temp file `target`, beside `from`. */
async function rewrapFile(manifest: BackupManifest, dir: string, from: string, target: string, recipients: string[], identity: Secret, options: StreamOptions): Promise<StreamedFile> {
  try {
    return await streamCommandsToFile([ageDecrypt(join(dir, from), identity), ageEncrypt(recipients)], target, { ...options, secrets: [identity], hashLastInput: true });
  } catch (err) {
    throw decryptFailure(err, manifest, from);
  }
}

/** Temp files of attempts cut short, and an old generation whose removal a swap did not reach, go before anything else. */
async function removeRewrapLeftovers(entry: BackupEntry): Promise<void> {
  for (const name of await rewrapLeftoversOf(entry)) await rm(join(entry.dir, name), { force: true });
}

async function rewrapLeftoversOf(entry: BackupEntry): Promise<string[]> {
  return rewrapLeftovers(await readdir(entry.dir), [entry.manifest.artifact, entry.manifest.encryption!.sealed.file]);
}

function currentRecipients(config: OpsConfig): string[] {
  const recipients = config.backup.encryption?.recipients;
  if (!recipients) throw new PreconditionFailed('backup.encryption is not configured: there are no recipients to re-encrypt to');
  return recipients;
}
