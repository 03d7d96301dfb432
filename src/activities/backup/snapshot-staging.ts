import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { listNames } from '../../records/if-exists.js';

/**
 * Where a sealed files snapshot gathers its plaintext tree before `tar | zstd | age` reads it: the
 * worker's own state dir, never the backup repository (which holds only ciphertext, and may be
 * synced or read by others). Each dir is named for the worker process that owns it, so a dir
 * whose process is gone (a killed worker) is removed by the next worker start or the next sealed
 * snapshot, while a live worker's on the same host is left alone.
 */
export function stagingRoot(stateDir: string): string {
  return join(stateDir, 'staging');
}

/** A fresh private dir for one snapshot attempt of this process, after the dead processes' ones are gone. */
export async function startStaging(stateDir: string, name: string): Promise<string> {
  await removeDeadStaging(stateDir);
  const dir = join(stagingRoot(stateDir), `${process.pid}.${name}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Removes the staging dirs of processes that no longer run; returns their names. */
export async function removeDeadStaging(stateDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await listNames(stagingRoot(stateDir))) {
    const owner = Number(name.split('.')[0]);
    if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) continue;
    await rm(join(stagingRoot(stateDir), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, as another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
