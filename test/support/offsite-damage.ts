import { join } from 'node:path';
import { BackupRepository } from '../../src/records/backup-repository.js';
import type { BackupEntry } from '../../src/core/backup-record.js';
import type { BackupFixture } from './backup-fixture.js';
import { flipBytesInMiddle } from './damage.js';

/**
 * Flips bytes in the OFFSITE copy of the target's newest backup, leaving the local copy intact:
 * only a restore from offsite (a drill) can notice. Returns the damaged backup.
 */
export async function damageOffsiteCopy(fixture: BackupFixture, target: string): Promise<BackupEntry> {
  const newest = (await new BackupRepository(fixture.config.repository).list(target)).at(-1);
  if (!newest) throw new Error(`no backup of ${target} to damage`);
  await flipBytesInMiddle(join(fixture.offsiteDir, target, newest.stamp, newest.manifest.artifact));
  return newest;
}
