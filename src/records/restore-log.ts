import { formatRestoreLogLine, parseRestoreLog, type RestoreLogEntry } from '../core/restore-log.js';
import { TargetLog } from './target-log.js';

/**
 * Every finished `ops restore` beside the backups: <repository>/.restores/<target>.jsonl, like
 * .history and .drills. The RTO metric and `ops status` read it; retention never touches it.
 */
export class RestoreLog extends TargetLog<RestoreLogEntry> {
  constructor(repository: string) {
    super(repository, {
      dir: '.restores',
      format: formatRestoreLogLine,
      parse: parseRestoreLog,
      alreadyWritten: (entry, written) => written.some((e) => e.workflowId === entry.workflowId),
    });
  }
}
