import { createHash } from 'node:crypto';

/** An age X25519 recipient: "age1" and 58 bech32 characters (age-keygen's output). */
export const AGE_RECIPIENT_PATTERN = /^age1[02-9ac-hj-np-z]{58}$/;

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_GENERATOR = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

/**
 * Whether the text is an age public key whose bech32 checksum (BIP-173) holds: a key mistyped or
 * cut when pasted is refused when the config loads, not by age at 2 a.m. with every dump failing.
 */
export function isAgeRecipient(text: string): boolean {
  if (!AGE_RECIPIENT_PATTERN.test(text)) return false;
  const hrp = 'age';
  const data = [...text.slice(hrp.length + 1)].map((c) => BECH32_CHARSET.indexOf(c));
  const values = [...[...hrp].map((c) => c.charCodeAt(0) >> 5), 0, ...[...hrp].map((c) => c.charCodeAt(0) & 31), ...data];
  let checksum = 1;
  for (const value of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ value;
    BECH32_GENERATOR.forEach((generator, i) => {
      if ((top >>> i) & 1) checksum ^= generator;
    });
  }
  return checksum === 1;
}

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
 * age's first error line, with what it quotes of the input left out: a file that is not age
 * ciphertext (plaintext where a sealed artifact should be) makes age quote its first line, e.g.
 * `unexpected intro: "-- PostgreSQL database dump\n"`, and a backup's bytes must not reach a
 * failure message, its run's history or a report.
 */
export function ageErrorLine(stderr: string): string {
  const first = stderr.trim().split('\n')[0] ?? '';
  return first.replace(/: "(?:[^"\\]|\\.)*(?:"|$)/g, '');
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

/** A re-wrapped file is written under this prefix and renamed to its name only once complete and its plaintext hash confirmed. */
export const REWRAP_TEMP_PREFIX = '.reencrypt-';

export function rewrapTempName(name: string): string {
  return `${REWRAP_TEMP_PREFIX}${name}`;
}

/**
 * What earlier re-wraps of a backup left in its directory and the manifest no longer names: temp
 * files of an attempt cut short (a killed worker, a full disk), and the old generation of the
 * artifact or sealed file when the manifest swap happened but their removal did not.
 */
export function rewrapLeftovers(names: string[], current: string[]): string[] {
  const generation = (name: string) => name.replace(/\.age$/, '').replace(/\.k[0-9a-f]{8}$/, '');
  const bases = new Set(current.map(generation));
  return names.filter((name) => !current.includes(name) && (name.startsWith(REWRAP_TEMP_PREFIX) || (name.endsWith('.age') && bases.has(generation(name)))));
}

/** Offsite copies recorded with another ciphertext than the manifest's: what a re-wrap left to upload again. */
export function staleOffsiteCopies(sha256: string, copies: Record<string, { status: string; sha256Confirmed?: string }> | undefined): string[] {
  return Object.entries(copies ?? {})
    .filter(([, copy]) => copy.status === 'copied' && copy.sha256Confirmed !== sha256)
    .map(([destination]) => destination);
}
