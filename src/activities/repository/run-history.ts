import { join } from 'node:path';
import { appendLine } from './append-line.js';
import { listNames, readTextIfExists } from './if-exists.js';
import { formatRunRecordLine, parseRunRecords, type BackupRunRecord } from '../../core/backup-history.js';

const HISTORY_SUFFIX = '.jsonl';

/**
 * The run history beside the backups, one file per target: <repository>/.history/<target>.jsonl.
 * A dot directory, like .drills: it is not a target, and a target's directory keeps holding
 * backups only. Retention never touches it.
 */
export class RunHistory {
  constructor(private readonly repository: string) {}

  private get dir(): string {
    return join(this.repository, '.history');
  }

  fileOf(target: string): string {
    return join(this.dir, `${target}${HISTORY_SUFFIX}`);
  }

  /**
   * Appends one record, unless a line of the same workflow run is there already: an activity
   * retried after its write but before its completion reached Temporal writes nothing twice.
   */
  async append(record: BackupRunRecord): Promise<void> {
    const written = (text: string) => record.runId !== undefined && parseRunRecords(text).some((r) => r.workflowId === record.workflowId && r.runId === record.runId);
    await appendLine(this.fileOf(record.target), formatRunRecordLine(record), written);
  }

  /** Every record of the given targets (all on disk when none given), each file in write order. */
  async list(targets?: string[]): Promise<BackupRunRecord[]> {
    const names = targets ?? (await historyTargets(this.dir));
    const texts = await Promise.all(names.map(async (target) => (await readTextIfExists(this.fileOf(target))) ?? ''));
    return texts.flatMap((text, i) => parseRunRecords(text).filter((r) => r.target === names[i]));
  }
}

async function historyTargets(dir: string): Promise<string[]> {
  return (await listNames(dir)).filter((name) => name.endsWith(HISTORY_SUFFIX)).map((name) => name.slice(0, -HISTORY_SUFFIX.length));
}
