import { join } from 'node:path';
import { ageDecrypt } from '../../commands/age.js';
import type { Command } from '../../commands/command.js';
import type { Secret } from '../../config/secret.js';
import { ageErrorLine, classifyAgeFailure } from '../../core/age-recipients.js';
import type { BackupManifest, SealedContents } from '../../core/backup-record.js';
import { CommandFailed, PreconditionFailed, VerifyFailed } from '../../core/errors.js';
import { sha256OfFile } from '../files/hash-tree.js';
import { runCommand, type RunOptions } from '../process/run-command.js';
import { runPipeline } from '../process/run-pipeline.js';
import { identityFor } from './artifact-identity.js';

/**
 * How a restore reads the artifact's plaintext: the file itself, or `age --decrypt` of it, streamed
 * into the restoring tool with the identity on age's stdin. No plaintext copy is ever written.
 */
export type PlaintextSource = { kind: 'file'; path: string } | { kind: 'decrypted'; path: string; decrypt: Command; identity: Secret };

export interface OpenedArtifact {
  /** the manifest with its sealed parts (table counts, a snapshot's file list) read back, for the checks after the restore */
  manifest: BackupManifest;
  source: PlaintextSource;
}

/**
 * Opens a backup for a restore. The caller has checked the artifact's (ciphertext) hash already;
 * this checks the identity against the recipients, then the sealed file's hash, then decrypts that
 * small file into memory.
 */
export async function openArtifact(manifest: BackupManifest, artifactPath: string, identity: Secret | undefined): Promise<OpenedArtifact> {
  const opener = await identityFor(manifest, identity);
  if (!opener || !manifest.encryption) return { manifest, source: { kind: 'file', path: artifactPath } };
  const sealedPath = join(artifactPath, '..', manifest.encryption.sealed.file);
  const actual = await sha256OfFile(sealedPath).catch(() => 'missing');
  if (actual !== manifest.encryption.sealed.sha256) {
    throw new VerifyFailed(`${manifest.id}: ${manifest.encryption.sealed.file} is corrupt: checksum mismatch: manifest ${manifest.encryption.sealed.sha256.slice(0, 12)}…, file ${actual.slice(0, 12)}…`);
  }
  const text = await runCommand(ageDecrypt(sealedPath, opener), { secrets: [opener], retryable: false }).catch((err: unknown) => {
    throw decryptFailure(err, manifest, manifest.encryption!.sealed.file);
  });
  const contents = JSON.parse(text) as SealedContents;
  return { manifest: { ...manifest, tables: contents.tables, ...(contents.files ? { files: contents.files } : {}) }, source: { kind: 'decrypted', path: artifactPath, decrypt: ageDecrypt(artifactPath, opener), identity: opener } };
}

/**
 * An age failure while decrypting, named for what it is: corruption of the named file, never "bad
 * key" (the key was checked against the recipients before); anything else as it was.
 */
export function decryptFailure(err: unknown, manifest: BackupManifest, file: string): unknown {
  if (!(err instanceof CommandFailed) || err.what !== 'age') return err;
  switch (classifyAgeFailure(err.stderrTail)) {
    case 'corrupt':
      return new VerifyFailed(`${manifest.id}: ${file} is corrupt: age could not authenticate its ciphertext (${ageErrorLine(err.stderrTail)})`);
    case 'wrong-identity':
      return new PreconditionFailed(`${manifest.id} is encrypted to recipients ${manifest.encryption?.recipients.join(', ')}: the identity matches none of them`);
    default:
      return err;
  }
}

/**
 * Runs the restoring commands on the plaintext: given the file when it is plaintext, or fed by
 * `age --decrypt` through a pipe (their stdin, `file` undefined) when it is encrypted.
 */
export async function runOnPlaintext(opened: OpenedArtifact, stages: (file: string | undefined) => Command[], options: RunOptions): Promise<void> {
  const { source, manifest } = opened;
  if (source.kind === 'file') {
    await runPipeline(stages(source.path), options);
    return;
  }
  const secrets = [...(options.secrets ?? []), source.identity];
  await runPipeline([source.decrypt, ...stages(undefined)], { ...options, secrets }).catch((err: unknown) => {
    throw decryptFailure(err, manifest, manifest.artifact);
  });
}
