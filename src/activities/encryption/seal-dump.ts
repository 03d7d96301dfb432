import { join } from 'node:path';
import { ageEncrypt } from '../../commands/age.js';
import type { Command } from '../../commands/command.js';
import { recipientFingerprint } from '../../core/age-recipients.js';
import type { SealedContents } from '../../core/backup-record.js';
import type { StreamedFile } from '../process/stream-to-file.js';
import { streamCommandsToFile } from '../process/stream-to-file.js';
import type { DumpOutcome, StreamedDumpOutcome } from '../backup/dump-outcome.js';

export const AGE_SUFFIX = '.age';
export const SEALED_CONTENTS = 'contents.json.age';

/** The stage a dump pipeline ends in when backup.encryption is on: the plaintext never reaches disk. */
export function encryptStage(recipients: string[] | undefined): Command[] {
  return recipients ? [ageEncrypt(recipients)] : [];
}

export function artifactName(plain: string, recipients: string[] | undefined): string {
  return recipients ? `${plain}${AGE_SUFFIX}` : plain;
}

/** The hashes a dumper's streamed file reports for its manifest: the ciphertext's, with the plaintext's beside them. */
export function streamedHashes(file: StreamedFile): Pick<StreamedDumpOutcome, 'bytes' | 'sha256' | 'plaintext'> {
  return { bytes: file.bytes, sha256: file.sha256, ...(file.input ? { plaintext: file.input } : {}) };
}

/**
 * Moves what names tables (or a snapshot's files) out of the plaintext manifest into an age file beside the artifact, and
 * records the recipients' fingerprints and both hashes. A dump without encryption is returned as is.
 */
export async function sealOutcome(outcome: StreamedDumpOutcome, dir: string, recipients: string[] | undefined): Promise<DumpOutcome> {
  const { plaintext, tables, files, ...rest } = outcome;
  if (!recipients) return { ...rest, ...(tables ? { tables } : {}), ...(files ? { files } : {}) };
  // A dumper that forgot the age stage (no plaintext hash) must not pass for sealed, its table names in the clear.
  if (!plaintext) throw new Error(`${rest.artifact}: backup.encryption is on but the dump reported no plaintext hash: it was not streamed through age`);
  const contents: SealedContents = { tables: tables ?? [], ...(files ? { files } : {}) };
  const sealed = await streamCommandsToFile([{ ...ageEncrypt(recipients), input: JSON.stringify(contents) }], join(dir, SEALED_CONTENTS));
  return {
    ...rest,
    encryption: {
      tool: 'age',
      recipients: recipients.map(recipientFingerprint),
      plaintextSha256: plaintext.sha256,
      plaintextBytes: plaintext.bytes,
      sealed: { file: SEALED_CONTENTS, sha256: sealed.sha256, bytes: sealed.bytes },
    },
  };
}
