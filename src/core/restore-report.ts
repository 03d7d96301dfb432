import type { CheckVerdict } from './check-verdicts.js';
import { formatDuration, formatLocalTime } from './format.js';
import { cell } from './markdown-text.js';

/** What one `ops restore` run did: the workflow's result and the source of its report. */
export interface RestoreRecord {
  workflowId: string;
  target: string;
  /** how the backup was chosen, as typed: --latest, --before ISO, --backup ID */
  pick: string;
  status: 'passed' | 'failed' | 'cancelled';
  startedAt: string;
  finishedAt: string;
  backupId?: string;
  /** the new database and its server (no password) */
  database?: string;
  server?: string;
  /** true when the new database stays; a failed or cancelled restore dropped it */
  kept: boolean;
  restoreSeconds?: number;
  /** recovery time: from the run's start until the restored copy passed its checks */
  rtoSeconds?: number;
  checks: CheckVerdict[];
  reasons: string[];
  report?: string;
}

/** The restore report; times in `timeZone`, with the offset. */
export function renderRestoreReport(record: RestoreRecord, timeZone: string): string {
  const at = (time: string) => formatLocalTime(time, timeZone);
  const lines = [
    `# Restore ${record.target}: ${record.status.toUpperCase()}`,
    '',
    `- Run: \`${record.workflowId}\`, ${at(record.startedAt)} → ${at(record.finishedAt)}`,
    record.backupId ? `- Backup: \`${record.backupId}\` (${record.pick}), from the local repository` : `- Backup: none (${record.pick})`,
  ];
  if (record.database) {
    const fate = record.kept ? 'kept' : record.status === 'cancelled' ? 'dropped: the restore was cancelled' : 'not kept: the restore did not pass';
    lines.push(`- Into: new database \`${record.database}\` on ${record.server ?? 'the target server'} (${fate})`);
  }
  if (record.restoreSeconds !== undefined) lines.push(`- Restore: ${formatDuration(record.restoreSeconds)}`);
  if (record.rtoSeconds !== undefined) lines.push(`- RTO (start to checked): ${formatDuration(record.rtoSeconds)}`);
  lines.push('');
  if (record.checks.length > 0) {
    lines.push('## Checks', '', '| Check | Verdict | Detail |', '| --- | --- | --- |');
    for (const c of record.checks) lines.push(`| ${cell(c.check)} | ${c.passed ? 'PASS' : 'FAIL'} | ${cell(c.detail)} |`);
    lines.push('');
  }
  if (record.reasons.length > 0) lines.push('## Why it failed', '', ...record.reasons.map((r) => `- ${r.replace(/\s*\n\s*/g, ' ')}`), '');
  return lines.join('\n');
}
