import { formatRunRecordLine, parseRunRecords, type BackupRunRecord } from '../core/backup-history.js';
import { TargetLog } from './target-log.js';

/**
 * The run history beside the backups: <repository>/.history/<target>.jsonl, one line per finished
 * backup run or verify. Retention never touches it, so failures it deleted still count.
 */
export class RunHistory extends TargetLog<BackupRunRecord> {
  constructor(repository: string) {
    super(repository, {
      dir: '.history',
      format: formatRunRecordLine,
      parse: parseRunRecords,
      // Only a record that names its run can be recognised when an activity is retried after its write.
      alreadyWritten: (record, written) => record.runId !== undefined && written.some((r) => r.workflowId === record.workflowId && r.runId === record.runId),
    });
  }
}
