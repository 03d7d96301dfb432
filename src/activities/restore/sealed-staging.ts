import { basename, dirname } from 'node:path';
import { decompress } from '../../commands/compression.js';
import { listDir, makeDir, onHostOf, removeTree } from '../../commands/remote-files.js';
import type { SshSettings } from '../../commands/ssh.js';
import { tarExtract } from '../../commands/tar.js';
import { joinPath, type Location } from '../../config/location.js';
import type { OpenedArtifact } from '../encryption/open-artifact.js';
import { runOnPlaintext } from '../encryption/open-artifact.js';
import { runCommand } from '../process/run-command.js';

/**
 * Where a sealed snapshot is unpacked before rsync puts it into the destination: a dot directory
 * beside it, on the same host and filesystem, named for the destination and the run. A run killed
 * before its `finally` leaves one behind; the next restore to that destination removes it.
 */
export function stagingDir(dest: Location, runKey: string): string {
  return joinPath(dirname(dest.path.replace(/\/+$/, '')), `${stagingPrefix(dest)}${runKey}`);
}

function stagingPrefix(dest: Location): string {
  return `.ops-restore-${basename(dest.path.replace(/\/+$/, ''))}-`;
}

/** Removes what earlier restores to `dest` left beside it (killed, or cancelled past their cleanup). */
export async function sweepStaging(dest: Location, ssh: SshSettings, cancelSignal: AbortSignal): Promise<void> {
  const parent = dirname(dest.path.replace(/\/+$/, ''));
  const names = await runCommand(listDir(dest, parent, ssh), { cancelSignal }).catch(() => '');
  for (const name of names.split('\n').filter((n) => n.startsWith(stagingPrefix(dest)))) {
    await runCommand(removeTree(dest, joinPath(parent, name), ssh), { cancelSignal });
  }
}

/**
 * `age -d | zstd -d | tar -x` into `staging` on the destination's host: for an ssh destination
 * the tar stream goes over ssh and is unpacked there, so the plaintext is never on the worker's disk.
 */
export async function unsealInto(opened: OpenedArtifact, dest: Location, staging: string, ssh: SshSettings, cancelSignal: AbortSignal): Promise<void> {
  await runCommand(makeDir(dest, staging, ssh), { cancelSignal });
  await runOnPlaintext(opened, () => [decompress('zstd', undefined), onHostOf(dest, ssh, tarExtract(staging))], { cancelSignal });
}

export function removeStaging(dest: Location, staging: string, ssh: SshSettings): Promise<string> {
  return runCommand(removeTree(dest, staging, ssh));
}
