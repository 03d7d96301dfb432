import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface AgeKey {
  /** the age1… public key */
  recipient: string;
  /** a 0600 file holding the AGE-SECRET-KEY-1… identity */
  identityFile: string;
}

/** A fresh key pair made by the real age-keygen, its identity in a 0600 file under `dir`. */
export async function makeAgeKey(dir: string, name: string): Promise<AgeKey> {
  const identity = execFileSync('age-keygen', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const identityFile = join(dir, `${name}.agekey`);
  await writeFile(identityFile, identity, { mode: 0o600 });
  const recipient = execFileSync('age-keygen', ['-y', identityFile], { encoding: 'utf8' }).trim();
  return { recipient, identityFile };
}

/** backup.encryption for the config document: the recipients, and the identity as a file: secret. */
export function encryptionFor(recipients: AgeKey[], identity?: AgeKey): Record<string, unknown> {
  return { recipients: recipients.map((k) => k.recipient), ...(identity ? { identityFile: `file:${identity.identityFile}` } : {}) };
}
