import { formatBytes, formatDuration, formatLocalTime } from './format.js';
import { cell, oneLine } from './markdown-text.js';
import { formatAge } from './rpo.js';

/**
 * The nightly backup report as Markdown: what each target produced, whether it restores, where
 * the copies went and what retention removed. Pure, so the exact text is tested; the activity
 * that writes it only picks the file names (reportFileNames) and the directory.
 */
export interface TargetReport {
  target: string;
  kind: 'postgres' | 'mysql' | 'files';
  /** skipped: another run was backing the target up, so this run made no backup of it */
  status: 'ok' | 'failed' | 'skipped';
  /** when failed: the message naming the cause */
  error?: string;
  /** when skipped: why, e.g. "already running (backup-crm-db)" */
  skipped?: string;
  backupId?: string;
  bytes?: number;
  durationSeconds?: number;
  sha256?: string;
  offsite?: { status: 'copied' | 'failed' | 'skipped'; reason?: string };
  verify?: {
    status: 'passed' | 'failed' | 'skipped';
    restoreSeconds?: number;
    reasons: string[];
    rowCountDifferences: Array<{ table: string; expected: number | null; actual: number | null }>;
  };
  retention?: { deleted: string[]; kept: number; offsiteDeleted: string[]; offsiteError?: string };
  rpoAgeMs: number | null;
}

export interface BackupRunReport {
  workflowId: string;
  runUrl?: string;
  startedAt: string;
  finishedAt: string;
  targets: TargetReport[];
}

const NONE = '—';

/** Times are shown in `timeZone` (the config's), with the offset. */
export function renderBackupReport(report: BackupRunReport, timeZone: string): string {
  const failed = report.targets.filter((t) => t.status === 'failed').length;
  const overall = failed === 0 ? 'OK' : `FAILED (${failed} of ${report.targets.length} targets)`;
  const run = report.runUrl ? `[\`${report.workflowId}\`](${report.runUrl})` : `\`${report.workflowId}\``;
  const lines = [
    `# Nightly backup: ${overall}`,
    '',
    `Run ${run}, started ${formatLocalTime(report.startedAt, timeZone)}, finished ${formatLocalTime(report.finishedAt, timeZone)}${elapsed(report)}.`,
    '',
  ];
  if (report.targets.length === 0) {
    lines.push('No targets were backed up.', '');
  } else {
    lines.push(
      ...table(
        ['Target', 'Status', 'Size', 'Duration', 'Checksum', 'Verify', 'RPO age'],
        report.targets.map((t) => [
          t.target,
          statusCell(t),
          t.bytes === undefined ? NONE : formatBytes(t.bytes),
          t.durationSeconds === undefined ? NONE : formatDuration(t.durationSeconds),
          t.sha256 ? code(t.sha256.slice(0, 12)) : NONE,
          t.verify?.status ?? NONE,
          rpoAge(t.rpoAgeMs),
        ]),
      ),
      '',
    );
  }
  for (const target of report.targets) lines.push(...targetSection(target));
  return lines.join('\n');
}

/**
 * The latest report is overwritten each night; the dated copy is UTC to the minute
 * (backup-report-2026-11-22T0200Z.md), which sorts chronologically and is safe in any file system.
 */
export function reportFileNames(finishedAt: string): { latest: 'backup-report-latest.md'; dated: string } {
  const at = new Date(finishedAt);
  if (Number.isNaN(at.getTime())) throw new Error(`finishedAt is not a date: "${finishedAt}"`);
  // To the second: two manual runs within a minute must not overwrite each other's report.
  const second = at.toISOString().slice(0, 19).replace(/:/g, '');
  return { latest: 'backup-report-latest.md', dated: `backup-report-${second}Z.md` };
}

function targetSection(t: TargetReport): string[] {
  const lines = [`## ${t.target} (${t.kind}): ${t.status === 'ok' ? 'ok' : t.status === 'skipped' ? `skipped: ${t.skipped ?? ''}` : 'FAILED'}`, ''];
  if (t.error !== undefined) lines.push('Error:', '', ...fenced(t.error), '');

  const facts: string[] = [];
  if (t.backupId) {
    const size = t.bytes === undefined ? '' : `, ${formatBytes(t.bytes)}`;
    const took = t.durationSeconds === undefined ? '' : ` in ${formatDuration(t.durationSeconds)}`;
    const sum = t.sha256 ? `, sha256 ${code(t.sha256)}` : '';
    facts.push(`- Backup: ${code(t.backupId)}${size}${took}${sum}`);
  }
  if (t.verify) {
    const restored = t.verify.restoreSeconds === undefined ? '' : `, restored in ${formatDuration(t.verify.restoreSeconds)}`;
    facts.push(`- Verify: ${t.verify.status}${restored}`, ...t.verify.reasons.map((r) => `  - ${oneLine(r)}`));
  }
  if (t.offsite) facts.push(`- Offsite: ${t.offsite.status}${t.offsite.reason ? `: ${oneLine(t.offsite.reason)}` : ''}`);
  if (t.retention) {
    const { kept, deleted, offsiteDeleted } = t.retention;
    facts.push(`- Retention: kept ${kept}; deleted locally: ${idList(deleted)}; deleted offsite: ${idList(offsiteDeleted)}`);
    if (t.retention.offsiteError !== undefined) facts.push(`- Offsite retention: **FAILED**: ${oneLine(t.retention.offsiteError)}`);
  }
  facts.push(`- RPO age: ${rpoAge(t.rpoAgeMs)}`);
  lines.push(...facts, '');

  const differences = t.verify?.rowCountDifferences ?? [];
  if (differences.length > 0) {
    lines.push(
      'Row-count differences:',
      '',
      ...table(
        ['Table', 'Expected', 'Actual'],
        differences.map((d) => [d.table, rowCount(d.expected), rowCount(d.actual)]),
      ),
      '',
    );
  }
  return lines;
}

function statusCell(t: TargetReport): string {
  if (t.status === 'skipped') return `skipped: ${t.skipped ?? ''}`;
  return t.status === 'ok' ? 'ok' : '**FAILED**';
}

function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(line)];
}

/** Error messages carry stderr tails: a fence keeps them verbatim, longer than any backtick run inside. */
function fenced(text: string): string[] {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return [fence, text.trimEnd(), fence];
}

function code(text: string): string {
  return `\`${text}\``;
}

function idList(ids: string[]): string {
  return ids.length === 0 ? 'none' : ids.map(code).join(', ');
}

function rowCount(n: number | null): string {
  return n === null ? 'absent' : String(n);
}

function rpoAge(ms: number | null): string {
  return ms === null ? 'no verified backup' : formatAge(ms);
}

/** Omitted rather than thrown when the times do not parse: a report of a broken night must still render. */
function elapsed(report: BackupRunReport): string {
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  return Number.isNaN(ms) || ms < 0 ? '' : ` (${formatDuration(ms / 1000)})`;
}
