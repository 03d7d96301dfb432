import type { BackupManifest } from '../../core/backup-record.js';
import { sha256OfFile } from '../files/hash-tree.js';

/** Why the artifact is not the one the manifest describes, or undefined when its sha256 matches. */
export async function checksumMismatch(manifest: BackupManifest, artifactPath: string): Promise<string | undefined> {
  const actual = await sha256OfFile(artifactPath);
  if (actual === manifest.sha256) return undefined;
  // An encrypted artifact that fails its hash is corrupt, whatever key would be used: said so before any decryption.
  const corrupt = manifest.encryption ? `: the ciphertext ${manifest.artifact} is corrupt` : '';
  return `checksum mismatch: manifest ${manifest.sha256.slice(0, 12)}…, artifact ${actual.slice(0, 12)}…${corrupt}`;
}
