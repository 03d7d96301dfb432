import type { DrillRecord } from './backup-health.js';
import { formatDuration, formatLocalTime } from './format.js';

/** The restore drill report: this drill's verdict and checks, and the RTO history of the target; times in `timeZone`, with the offset. */
export function renderDrillReport(record: DrillRecord, history: DrillRecord[], timeZone: string): string {
  const at = (time: string) => formatLocalTime(time, timeZone);
  const lines = [
    `# Restore drill ${record.target}: ${record.status === 'passed' ? 'PASSED' : 'FAILED'}`,
    '',
    `- Drill: \`${record.id}\`, ${at(record.startedAt)} → ${at(record.finishedAt)}`,
    record.backupId ? `- Backup: \`${record.backupId}\`, restored from the offsite copy` : '- Backup: none qualified, nothing was restored',
    ...(record.restoreSeconds !== undefined ? [`- Restore duration (RTO): ${formatDuration(record.restoreSeconds)}`] : []),
    ...(record.rto?.medianPrevious != null
      ? [`- Earlier drills' median: ${formatDuration(record.rto.medianPrevious)}${record.rto.slower ? ' — **slower than usual**' : ''}`]
      : []),
    '',
  ];
  if (record.reasons.length > 0) lines.push('## Why it failed', '', ...record.reasons.map((r) => `- ${r.replace(/\s*\n\s*/g, ' ')}`), '');
  const earlier = history.filter((d) => d.target === record.target).slice(-12);
  if (earlier.length > 0) {
    lines.push('## Drill history', '', '| Drill | Backup | Status | Restore |', '| --- | --- | --- | --- |');
    for (const d of earlier) lines.push(`| ${at(d.finishedAt)} | ${d.backupId ? `\`${d.backupId}\`` : '—'} | ${d.status} | ${d.restoreSeconds !== undefined ? formatDuration(d.restoreSeconds) : '—'} |`);
    lines.push('');
  }
  return lines.join('\n');
}
