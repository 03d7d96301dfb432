import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { OpsConfig } from '../../config/load-config.js';
import { parseBackupId } from '../../core/backup-id.js';
import type { BackupManifest } from '../../core/backup-record.js';
import { ArtifactMismatch } from '../../core/errors.js';
import { firstStoreWithCopy } from './first-store-with-copy.js';
import { offsiteStoreNamed } from './offsite-store.js';

/**
 * A backup's offsite copy (artifact and manifest.json) into `dir`, emptied first: from `from` when
 * given, else from the first configured destination that has it. The drill and `ops restore
 * --from offsite` both fetch through here; each then checks the artifact against this manifest.
 */
export async function fetchOffsiteCopy(config: OpsConfig, input: { backupId: string; dir: string; from?: string }, cancelSignal: AbortSignal): Promise<{ manifest: BackupManifest; from: string }> {
  const { target, stamp } = parseBackupId(input.backupId);
  const store = input.from !== undefined ? await offsiteStoreNamed(config, input.from) : await firstStoreWithCopy(config, target, stamp);
  // A destination named by the caller may have lost the copy since it was picked: say so, rather than rsync's or S3's error.
  if (input.from !== undefined && !(await store.has(target, stamp))) throw new ArtifactMismatch(`no offsite copy of ${input.backupId} at ${store.name}`);
  await rm(input.dir, { recursive: true, force: true });
  await mkdir(input.dir, { recursive: true, mode: 0o700 });
  await store.fetch(target, stamp, input.dir, cancelSignal);
  const manifest = JSON.parse(await readFile(join(input.dir, 'manifest.json'), 'utf8')) as BackupManifest;
  if (manifest.id !== input.backupId) throw new ArtifactMismatch(`the offsite copy of ${input.backupId} at ${store.name} holds the manifest of ${manifest.id}`);
  return { manifest, from: store.name };
}
