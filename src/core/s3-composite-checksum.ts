import { createHash } from 'node:crypto';

/**
 * The SHA-256 that S3 stores for a multipart object: not the object's own, but the SHA-256 of its
 * parts' SHA-256 digests one after another, base64, with the part count after a dash. Whoever
 * knows every part's digest can compute it, so it confirms the parts' bytes as the storage side
 * received and checked them.
 */
export function compositeSha256(partDigests: Buffer[]): string {
  const hash = createHash('sha256');
  for (const digest of partDigests) hash.update(digest);
  return `${hash.digest('base64')}-${partDigests.length}`;
}

/**
 * Whether a stored composite checksum is this one. Providers differ in whether they append the
 * part count ("…=-3" or "…="); the digest must match, and the count where one is given.
 */
export function sameComposite(stored: string, computed: string): boolean {
  const [storedDigest, storedParts] = stored.split('-');
  const [computedDigest, computedParts] = computed.split('-');
  return storedDigest === computedDigest && (storedParts === undefined || storedParts === computedParts);
}
