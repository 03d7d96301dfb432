import { runLine, stepTable, type StageReport } from './deploy-report.js';
import { oneLine } from './markdown-text.js';

/** How an `ops rollback` ended: refused or failed before it changed anything, or after its switch. */
export type RollbackOutcome = 'rolled-back' | 'refused' | 'failed' | 'rollback-failed';

export interface RollbackReport {
  app: string;
  stage: string;
  /** What `current` named when the rollback looked; null before the first deploy or when it never looked. */
  from: string | null;
  /** None when no target was found. */
  to?: string;
  startedBy: string;
  workflowId: string;
  runId: string;
  runUrl?: string;
  startedAt: string;
  finishedAt: string;
  outcome: RollbackOutcome;
  error?: string;
  steps: StageReport['steps'];
}

const HEADLINE: Record<RollbackOutcome, string> = {
  'rolled-back': 'rolled back and healthy',
  refused: 'refused, nothing changed',
  failed: 'FAILED before any change (the host could not be read)',
  'rollback-failed': 'FAILED, needs a human',
};

/** The Markdown report of a manual rollback: which stage, from and to which release, who, and each step; times in `timeZone`, with the offset. */
export function renderRollbackReport(report: RollbackReport, timeZone: string): string {
  const release = (sha: string | null | undefined) => (sha ? `\`${sha.slice(0, 12)}\`` : 'none');
  const lines = [
    `# Rollback ${report.app} on ${report.stage}: ${HEADLINE[report.outcome]}`,
    '',
    `- From: ${release(report.from)} to ${release(report.to)}${report.to ? ` (\`${report.to}\`)` : ''}`,
    `- Started by: ${report.startedBy}`,
    runLine(report, timeZone),
  ];
  if (report.error) lines.push(`- Error: ${oneLine(report.error)}`);
  lines.push('', ...stepTable(report.steps), '');
  return lines.join('\n');
}
