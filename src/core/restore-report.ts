import type { CheckVerdict } from './check-verdicts.js';
import { formatDuration, formatLocalTime } from './format.js';
import { cell } from './markdown-text.js';

/** rsync's changes of a sealed snapshot's restore, counted: their paths name customers' files. */
export interface SealedChanges {
  count: number;
  /** `details sealed: <file beside the report>`, or why they were not kept */
  detail: string;
}

/** What one `ops restore` run did: the workflow's result and the source of its report. */
export interface RestoreRecord {
  workflowId: string;
  target: string;
  /** how the backup was chosen, as typed: --latest, --before ISO, --backup ID */
  pick: string;
  /** refused: a --replace that was rejected or not answered in time; nothing was changed */
  status: 'passed' | 'failed' | 'cancelled' | 'refused';
  startedAt: string;
  finishedAt: string;
  backupId?: string;
  /** the offsite destination the backup was fetched from; absent: the local repository */
  from?: string;
  /** a files restore: the directory (local or ssh://) the snapshot went into */
  to?: string;
  /** a files restore that only listed its changes */
  dryRun?: boolean;
  /** a files restore that deleted the files the snapshot lacks */
  deleted?: boolean;
  /** a files restore: rsync's itemized changes */
  changes?: string[];
  /** a files restore of a sealed (encrypted) snapshot: how many changes, and where their paths are */
  sealedChanges?: SealedChanges;
  /** the new database and its server (no password) */
  database?: string;
  server?: string;
  /** true when the new database stays; a failed or cancelled restore dropped it */
  kept: boolean;
  restoreSeconds?: number;
  /** recovery time: from the run's start until the restored copy passed its checks */
  rtoSeconds?: number;
  /** the final database existed: a restore that passed swapped the checked copy in for it */
  replaces?: boolean;
  /** with --replace: the name the replaced database is kept under */
  replaced?: { keptAs: string };
  /** the answer at the replace's approval gate (or --yes) */
  approval?: { approved: boolean; by: string; reason?: string };
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
    record.backupId ? `- Backup: \`${record.backupId}\` (${record.pick}), from ${record.from !== undefined ? `the offsite copy at ${record.from}` : 'the local repository'}` : `- Backup: none (${record.pick})`,
  ];
  if (record.database) {
    const fate = record.kept ? 'kept' : record.status === 'cancelled' ? 'dropped: the restore was cancelled' : record.status === 'refused' ? 'not restored: the replace was refused' : 'not kept: the restore did not pass';
    lines.push(`- Into: ${record.replaces ? 'existing' : 'new'} database \`${record.database}\` on ${record.server ?? 'the target server'} (${record.replaces && record.kept ? 'replaced' : fate})`);
  }
  if (record.to !== undefined) {
    const how = record.dryRun ? 'dry run: nothing was changed' : record.deleted ? 'files not in the snapshot deleted (--delete)' : 'files not in the snapshot kept';
    lines.push(`- Into: directory \`${record.to}\` (${how})`);
  }
  if (record.approval) lines.push(`- Replace: ${record.approval.approved ? 'approved' : 'refused'} by ${record.approval.by}${record.approval.reason ? ` (${record.approval.reason})` : ''}`);
  if (record.replaced) lines.push(`- Replaced: the old database is kept as \`${record.replaced.keptAs}\` until you drop it`);
  if (record.restoreSeconds !== undefined) lines.push(`- Restore: ${formatDuration(record.restoreSeconds)}`);
  if (record.rtoSeconds !== undefined) lines.push(`- RTO (start to checked): ${formatDuration(record.rtoSeconds)}`);
  lines.push('');
  if (record.checks.length > 0) {
    lines.push('## Checks', '', '| Check | Verdict | Detail |', '| --- | --- | --- |');
    for (const c of record.checks) lines.push(`| ${cell(c.check)} | ${c.passed ? 'PASS' : 'FAIL'} | ${cell(c.detail)} |`);
    lines.push('');
  }
  const changesHeading = record.dryRun ? '## Changes it would make' : '## Changes';
  if (record.changes && record.changes.length > 0) lines.push(changesHeading, '', '```', ...record.changes, '```', '');
  if (record.sealedChanges) lines.push(changesHeading, '', `${record.sealedChanges.count} change(s) (${record.sealedChanges.detail})`, '');
  if (record.reasons.length > 0) lines.push(record.status === 'refused' ? '## Why it was refused' : '## Why it failed', '', ...record.reasons.map((r) => `- ${r.replace(/\s*\n\s*/g, ' ')}`), '');
  return lines.join('\n');
}
