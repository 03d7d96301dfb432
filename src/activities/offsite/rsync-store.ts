import { join } from 'node:path';
import { describeLocation, joinPath, type Location } from '../../config/location.js';
import { listDir, makeDir, printFile, removeTree, renameDir, sha256OfFile } from '../../commands/remote-files.js';
import { rsyncCompare, rsyncPull, rsyncPush } from '../../commands/rsync.js';
import type { SshSettings } from '../../commands/ssh.js';
import { isStamp } from '../../core/backup-id.js';
import { isSnapshotTree, type BackupEntry, type BackupManifest } from '../../core/backup-record.js';
import { VerifyFailed } from '../../core/errors.js';
import { runCommand } from '../process/run-command.js';
import { isRemovalName, removalName } from '../../records/backup-repository.js';
import type { CopyConfirmation, OffsiteStore } from './offsite-store.js';

/** A directory offsite, local or over ssh, written with rsync: the backup repository's own layout. */
export class RsyncStore implements OffsiteStore {
  readonly name: string;
  constructor(
    private readonly dest: Location,
    private readonly ssh: SshSettings,
  ) {
    this.name = describeLocation(dest);
  }

  /**
   * Copies under a partial name, confirms the copy's checksum there, then renames it into place:
   * the offsite directory never lists a partial copy. A retry after the rename finds the copy in
   * place and re-confirms it.
   */
  async copy(entry: BackupEntry, cancelSignal: AbortSignal): Promise<CopyConfirmation> {
    const { target, stamp } = entry;
    const finalPath = joinPath(this.dest.path, `${target}/${stamp}`);
    if (!(await this.has(target, stamp))) {
      const partialPath = joinPath(this.dest.path, `${target}/.partial-${stamp}`);
      await this.run(removeTree(this.dest, partialPath, this.ssh));
      await this.run(rsyncPush({ sourceDir: entry.dir, dest: this.dest, subPath: `${target}/.partial-${stamp}`, ssh: this.ssh }), cancelSignal);
      const confirmed = await this.confirm(entry, partialPath, cancelSignal);
      await this.run(renameDir(this.dest, partialPath, finalPath, this.ssh));
      return confirmed;
    }
    return this.confirm(entry, finalPath, cancelSignal);
  }

  /** A target never copied has no directory yet: made first, so that a listing that fails is always a real error. */
  async has(target: string, stamp: string): Promise<boolean> {
    return (await this.names(target)).includes(stamp);
  }

  async fetch(target: string, stamp: string, dir: string, cancelSignal: AbortSignal): Promise<void> {
    await this.run(rsyncPull({ source: this.dest, subPath: joinPath(target, stamp), destDir: dir, ssh: this.ssh }), cancelSignal);
  }

  async listStamps(target: string): Promise<string[]> {
    const names = await this.names(target);
    // What an earlier removal left when it was cut short: never listed as a copy, swept here.
    for (const name of names.filter(isRemovalName)) await this.run(removeTree(this.dest, joinPath(this.dirOf(target), name), this.ssh));
    return names.filter(isStamp);
  }

  /** As locally: renamed to its removal name first, so a removal cut short never leaves a half copy under the copy's name. */
  async remove(target: string, stamp: string): Promise<void> {
    const dir = this.dirOf(target);
    const doomed = joinPath(dir, removalName(stamp));
    await this.run(removeTree(this.dest, doomed, this.ssh));
    await this.run(renameDir(this.dest, joinPath(dir, stamp), doomed, this.ssh));
    await this.run(removeTree(this.dest, doomed, this.ssh));
  }

  async readManifest(target: string, stamp: string): Promise<BackupManifest> {
    return JSON.parse(await this.run(printFile(this.dest, joinPath(this.dirOf(target), `${stamp}/manifest.json`), this.ssh))) as BackupManifest;
  }

  async probe(): Promise<void> {
    await this.run(makeDir(this.dest, this.dest.path, this.ssh));
    await this.run(listDir(this.dest, this.dest.path, this.ssh));
  }

  private dirOf(target: string): string {
    return joinPath(this.dest.path, target);
  }

  private async names(target: string): Promise<string[]> {
    await this.run(makeDir(this.dest, this.dirOf(target), this.ssh));
    return (await this.run(listDir(this.dest, this.dirOf(target), this.ssh))).split('\n');
  }

  private run(command: Parameters<typeof runCommand>[0], cancelSignal?: AbortSignal): Promise<string> {
    return runCommand(command, cancelSignal ? { cancelSignal } : {});
  }

  /** The copy must match byte for byte: sha256 of a dump there; an rsync checksum comparison of a snapshot. */
  private async confirm(entry: BackupEntry, path: string, cancelSignal: AbortSignal): Promise<CopyConfirmation> {
    const { manifest } = entry;
    if (isSnapshotTree(manifest)) {
      const differences = await runCommand(rsyncCompare({ sourceDir: join(entry.dir, manifest.artifact), dest: this.dest, path: joinPath(path, manifest.artifact), ssh: this.ssh }), { cancelSignal });
      if (differences.trim() !== '') {
        throw new VerifyFailed(`offsite copy of ${entry.id} at ${this.name} differs: ${differences.trim().split('\n').slice(0, 5).join('; ')}`);
      }
      return { sha256Confirmed: manifest.sha256, confirmedBy: 'rsync-compare' };
    }
    const output = await runCommand(sha256OfFile(this.dest, joinPath(path, manifest.artifact), this.ssh), { cancelSignal });
    const remote = output.trim().split(/\s+/)[0] ?? '';
    if (remote !== manifest.sha256) {
      throw new VerifyFailed(`offsite copy of ${entry.id} at ${this.name} has sha256 ${remote.slice(0, 12)}…, expected ${manifest.sha256.slice(0, 12)}…`);
    }
    return { sha256Confirmed: remote, confirmedBy: 'remote-sha256' };
  }
}
