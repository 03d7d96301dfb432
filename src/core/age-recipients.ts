import { createHash } from 'node:crypto';

/** An age X25519 recipient: "age1" and 58 bech32 characters (age-keygen's output). */
export const AGE_RECIPIENT_PATTERN = /^age1[02-9ac-hj-np-z]{58}$/;

/**
 * A short, stable name for a recipient in manifests and messages: the first 12 hex digits of the
 * SHA-256 of the recipient string. The recipient is a public key and not secret; the fingerprint
 * only keeps manifests and error lines short and lets two lists be compared at a glance.
 */
export function recipientFingerprint(recipient: string): string {
  return createHash('sha256').update(recipient.trim()).digest('hex').slice(0, 12);
}

/** The artifact's recipients that one of the identity's public keys opens; empty when the identity is the wrong one. */
export function matchingRecipients(identityPublicKeys: string[], artifactFingerprints: string[]): string[] {
  const held = new Set(identityPublicKeys.map(recipientFingerprint));
  return artifactFingerprints.filter((fingerprint) => held.has(fingerprint));
}

/** Whether a backup made for `made` must be re-wrapped for the current recipients (order does not matter). */
export function needsReencrypt(made: string[], current: string[]): boolean {
  const wanted = new Set(current.map(recipientFingerprint));
  return made.length !== wanted.size || made.some((fingerprint) => !wanted.has(fingerprint));
}

export type AgeFailure = 'wrong-identity' | 'corrupt' | 'other';

/**
 * What an `age --decrypt` that exited 1 ran into. age has one exit code for every failure, so its
 * message is all there is; ops checks the identity against the recipients and the ciphertext's
 * hash before decrypting, so this only classifies what slips past those (a header damaged in a
 * way the hash could not see, a file changed since it was hashed).
 */
export function classifyAgeFailure(stderr: string): AgeFailure {
  if (/no identity matched any of the recipients/.test(stderr)) return 'wrong-identity';
  if (/failed to decrypt and authenticate|header MAC|parsing age header|failed to read header|unexpected EOF|invalid header|last chunk is empty|trailing data/i.test(stderr)) return 'corrupt';
  return 'other';
}

/**
 * The name a re-wrapped file takes beside the old one: the manifest switches to it by one atomic
 * rename, so a reencrypt cut short leaves the old, complete backup. The recipient set's own short
 * fingerprint tells the generations apart: dump.pgc.age -> dump.pgc.k<8 hex>.age.
 */
export function rewrappedName(name: string, recipients: string[]): string {
  const set = createHash('sha256').update(recipients.map(recipientFingerprint).sort().join(',')).digest('hex').slice(0, 8);
  const base = name.replace(/\.age$/, '').replace(/\.k[0-9a-f]{8}$/, '');
  return `${base}.k${set}.age`;
}

/** Offsite copies recorded with another ciphertext than the manifest's: what a re-wrap left to upload again. */
export function staleOffsiteCopies(sha256: string, copies: Record<string, { status: string; sha256Confirmed?: string }> | undefined): string[] {
  return Object.entries(copies ?? {})
    .filter(([, copy]) => copy.status === 'copied' && copy.sha256Confirmed !== sha256)
    .map(([destination]) => destination);
}
