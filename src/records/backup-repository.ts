import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { backupId, isStamp, parseBackupId } from '../core/backup-id.js';
import type { BackupEntry, BackupManifest, OffsiteRecord, VerifyRecord } from '../core/backup-record.js';
import { PreconditionFailed } from '../core/errors.js';
import { fsyncDir, writeFileAtomic } from './atomic-write.js';
import { listNames, readTextIfExists } from './if-exists.js';

/** Every name a backup is built or removed under starts so: listings skip it, sweeps remove it. */
const PARTIAL_PREFIX = '.partial-';
const RECORD_FILES = { manifest: 'manifest.json', verify: 'verify.json', offsite: 'offsite.json' } as const;

/**
 * The partial name a backup directory is renamed to before it is removed (offsite too). A dump's
 * partials end in the attempt number; this ends in `-removed`, so the two never meet.
 */
export function removalName(stamp: string): string {
  return `${PARTIAL_PREFIX}${stamp}-removed`;
}

export function isRemovalName(name: string): boolean {
  const stamp = name.slice(PARTIAL_PREFIX.length, name.length - '-removed'.length);
  return isStamp(stamp) && name === removalName(stamp);
}

/**
 * The backup repository on local disk: <root>/<target>/<stamp>/. A backup becomes visible only
 * by the rename of its complete directory, so listings never show a partial one.
 */
export class BackupRepository {
  constructor(readonly root: string) {}

  dirOf(target: string, stamp: string): string {
    return join(this.root, target, stamp);
  }

  /** A fresh private directory to build one attempt of a backup in. */
  async startPartial(target: string, stamp: string, attempt: number): Promise<string> {
    const dir = join(this.root, target, `${PARTIAL_PREFIX}${stamp}-${attempt}`);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /** Writes the manifest into the partial directory and renames it into place. */
  async commit(partialDir: string, manifest: BackupManifest): Promise<string> {
    const { target, stamp } = parseBackupId(manifest.id);
    await writeFileAtomic(join(partialDir, RECORD_FILES.manifest), JSON.stringify(manifest, null, 2));
    const finalDir = this.dirOf(target, stamp);
    if (existsSync(finalDir)) throw new PreconditionFailed(`backup ${manifest.id} already exists at ${finalDir}`);
    await rename(partialDir, finalDir);
    await fsyncDir(join(this.root, target));
    return finalDir;
  }

  /** Removes leftovers of attempts that died (a killed worker, a full disk). */
  async removePartials(target?: string): Promise<string[]> {
    const targets = target ? [target] : await this.targets();
    const removed: string[] = [];
    for (const t of targets) {
      for (const name of await listNames(join(this.root, t))) {
        if (!name.startsWith(PARTIAL_PREFIX)) continue;
        await rm(join(this.root, t, name), { recursive: true, force: true });
        removed.push(join(t, name));
      }
    }
    return removed;
  }

  async targets(): Promise<string[]> {
    return (await listNames(this.root)).filter((name) => !name.startsWith('.'));
  }

  /** The newest stamp a backup of these targets has (by directory name, manifests unread), or undefined. */
  async newestStamp(targets: string[]): Promise<string | undefined> {
    const stamps = (await Promise.all(targets.map((t) => listNames(join(this.root, t))))).flat().filter(isStamp).sort();
    return stamps.at(-1);
  }

  /** Complete backups, oldest first. */
  async list(target?: string): Promise<BackupEntry[]> {
    const targets = target ? [target] : await this.targets();
    const entries: BackupEntry[] = [];
    for (const t of targets) {
      for (const stamp of (await listNames(join(this.root, t))).filter(isStamp).sort()) {
        const entry = await this.read(t, stamp);
        if (entry) entries.push(entry);
      }
    }
    return entries.sort((a, b) => a.manifest.finishedAt.localeCompare(b.manifest.finishedAt));
  }

  async get(id: string): Promise<BackupEntry> {
    const { target, stamp } = parseBackupId(id);
    const entry = await this.read(target, stamp);
    if (!entry) throw new PreconditionFailed(`no backup ${id} in ${this.root}`);
    return entry;
  }

  /** Swaps in a new manifest by one atomic rename (a reencrypt points it at the re-wrapped files). */
  async replaceManifest(manifest: BackupManifest): Promise<void> {
    const { target, stamp } = parseBackupId(manifest.id);
    await writeFileAtomic(join(this.dirOf(target, stamp), RECORD_FILES.manifest), JSON.stringify(manifest, null, 2));
  }

  async writeVerify(id: string, record: VerifyRecord): Promise<void> {
    await this.writeRecord(id, 'verify', record);
  }

  async writeOffsite(id: string, record: OffsiteRecord): Promise<void> {
    await this.writeRecord(id, 'offsite', record);
  }

  /**
   * Renames the backup to its removal name first, then removes that: a removal cut short leaves
   * a `.partial-*` directory that no listing shows and the next sweep takes, never a directory
   * under the backup's name with its manifest but part of its artifact. Removing a backup
   * that is gone already (a retried retention) does nothing.
   */
  async remove(id: string): Promise<void> {
    const { target, stamp } = parseBackupId(id);
    const doomed = join(this.root, target, removalName(stamp));
    await rm(doomed, { recursive: true, force: true });
    try {
      await rename(this.dirOf(target, stamp), doomed);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    await fsyncDir(join(this.root, target));
    await rm(doomed, { recursive: true, force: true });
  }

  private async writeRecord(id: string, kind: 'verify' | 'offsite', record: VerifyRecord | OffsiteRecord): Promise<void> {
    const { target, stamp } = parseBackupId(id);
    await writeFileAtomic(join(this.dirOf(target, stamp), RECORD_FILES[kind]), JSON.stringify(record, null, 2));
  }

  private async read(target: string, stamp: string): Promise<BackupEntry | undefined> {
    const dir = this.dirOf(target, stamp);
    const manifest = await readJson<BackupManifest>(join(dir, RECORD_FILES.manifest));
    if (!manifest) return undefined;
    const verify = await readJson<VerifyRecord>(join(dir, RECORD_FILES.verify));
    const offsite = await readJson<OffsiteRecord>(join(dir, RECORD_FILES.offsite));
    return {
      id: backupId(target, stamp),
      target,
      stamp,
      dir,
      manifest,
      ...(verify ? { verify } : {}),
      ...(offsite ? { offsite } : {}),
    };
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  const text = await readTextIfExists(file);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}
