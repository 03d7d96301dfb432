import { join } from 'node:path';
import { formatRestoreLogLine, parseRestoreLog, type RestoreLogEntry } from '../../core/restore-log.js';
import { appendLine } from './append-line.js';
import { listNames, readTextIfExists } from './if-exists.js';

const SUFFIX = '.jsonl';

/**
 * Every finished `ops restore` beside the backups, one file per target:
 * <repository>/.restores/<target>.jsonl, a dot directory like .history and .drills. The RTO metric
 * and `ops status` read it; retention never touches it.
 */
export class RestoreLog {
  constructor(private readonly repository: string) {}

  private get dir(): string {
    return join(this.repository, '.restores');
  }

  fileOf(target: string): string {
    return join(this.dir, `${target}${SUFFIX}`);
  }

  /** Appends one entry, unless its run's is there already: a retried report step writes nothing twice. */
  async append(entry: RestoreLogEntry): Promise<void> {
    await appendLine(this.fileOf(entry.target), formatRestoreLogLine(entry), (text) => parseRestoreLog(text).some((e) => e.workflowId === entry.workflowId));
  }

  /** Every entry of the given targets (all on disk when none given), each file in write order. */
  async list(targets?: string[]): Promise<RestoreLogEntry[]> {
    const names = targets ?? (await listNames(this.dir)).filter((n) => n.endsWith(SUFFIX)).map((n) => n.slice(0, -SUFFIX.length));
    const texts = await Promise.all(names.map(async (target) => (await readTextIfExists(this.fileOf(target))) ?? ''));
    return texts.flatMap((text, i) => parseRestoreLog(text).filter((e) => e.target === names[i]));
  }
}
