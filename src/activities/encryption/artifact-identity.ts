import { agePublicKeys } from '../../commands/age.js';
import type { Secret } from '../../config/secret.js';
import { matchingRecipients } from '../../core/age-recipients.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { PreconditionFailed } from '../../core/errors.js';
import { runCommand } from '../process/run-command.js';

/**
 * The identity that opens this backup, checked before anything is decrypted: a missing identity,
 * or one whose public keys are none of the backup's recipients, is the inputs' fault and fails at
 * once (not retried), naming the recipients the backup was made for. Deciding it here, from the
 * keys, keeps age's one exit code for every failure from ever reading as "bad key" when the
 * ciphertext is what is wrong, or the other way round.
 */
export async function identityFor(manifest: BackupManifest, identity: Secret | undefined): Promise<Secret | undefined> {
  const encryption = manifest.encryption;
  if (!encryption) return undefined;
  const madeFor = `recipients ${encryption.recipients.join(', ')}`;
  if (!identity) throw new PreconditionFailed(`${manifest.id} is encrypted to ${madeFor}: set backup.encryption.identityFile on this worker to read it`);
  const publicKeys = await identityPublicKeys(identity);
  if (!publicKeys) throw new PreconditionFailed(`${manifest.id} is encrypted to ${madeFor}: backup.encryption.identityFile (${identity.source}) holds no age identity`);
  if (matchingRecipients(publicKeys, encryption.recipients).length === 0) {
    throw new PreconditionFailed(`${manifest.id} is encrypted to ${madeFor}: the identity in backup.encryption.identityFile (${identity.source}) matches none of them`);
  }
  return identity;
}

/** The public keys of the identities in `identity` (age-keygen -y); undefined when it holds none age can read. */
export async function identityPublicKeys(identity: Secret): Promise<string[] | undefined> {
  const keys = await runCommand(agePublicKeys(identity), { secrets: [identity], retryable: false }).catch(() => undefined);
  if (keys === undefined) return undefined;
  const publicKeys = keys.split('\n').map((line) => line.trim()).filter(Boolean);
  return publicKeys.length > 0 ? publicKeys : undefined;
}
