import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DrillRecord } from '../core/backup-health.js';
import { writeFileAtomic } from './atomic-write.js';
import { listNames } from './if-exists.js';

/**
 * Drill results live in the backup repository beside the backups (<repository>/.drills/<id>.json):
 * the repository is the durable record health and metrics are computed from.
 */
export class DrillStore {
  constructor(private readonly repository: string) {}

  private get dir(): string {
    return join(this.repository, '.drills');
  }

  /** Where a drill of an encrypted backup seals the findings that name tables (see recordedFindings). */
  async sealedFindingsPath(drillId: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    return join(this.dir, `${drillId}.json.age`);
  }

  async write(record: DrillRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, `${record.id}.json`), JSON.stringify(record, null, 2));
  }

  /** Every recorded drill, oldest first. */
  async list(): Promise<DrillRecord[]> {
    const names = (await listNames(this.dir)).filter((n) => n.endsWith('.json'));
    const records = await Promise.all(names.map(async (n) => JSON.parse(await readFile(join(this.dir, n), 'utf8')) as DrillRecord));
    return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}
