import { formatDuration, formatLocalTime } from './format.js';

export type StageOutcome = 'succeeded' | 'failed' | 'rolled-back' | 'rollback-failed' | 'rejected' | 'cancelled' | 'skipped';

export interface StageReport {
  stage: string;
  outcome: StageOutcome;
  previous?: string | null;
  steps: Array<{ step: string; status: string; startedAt?: string; finishedAt?: string; detail?: string }>;
  health?: { urls: string[]; healthyAfterSeconds: number; checks: number };
  smoke?: { level: string; status: string; exitCode?: number; outputTail: string; durationSeconds: number };
  error?: string;
  approval?: { approved: boolean; by: string; reason?: string };
}

export interface DeployReport {
  app: string;
  ref: string;
  /** None when the run failed before the ref was resolved. */
  sha?: string;
  startedBy: string;
  workflowId: string;
  runId?: string;
  runUrl?: string;
  startedAt: string;
  finishedAt: string;
  outcome: StageOutcome;
  stages: StageReport[];
  /** Why the run failed before any stage (plan, resolve, prepare), with that step's name. */
  error?: string;
  /** The run was cancelled (UI or CLI); the cleanup after it ran to the end. */
  cancelled?: boolean;
}

const HEADLINE: Record<StageOutcome, string> = {
  succeeded: 'deployed',
  failed: 'FAILED',
  'rolled-back': 'FAILED, rolled back and healthy',
  'rollback-failed': 'FAILED, rollback failed: needs a human',
  rejected: 'stopped: approval rejected or timed out',
  cancelled: 'CANCELLED',
  skipped: 'skipped',
};

/** A stage that a cancellation rolled back did not fail: it was stopped. */
const CANCELLED_HEADLINE: Partial<Record<StageOutcome, string>> = {
  'rolled-back': 'CANCELLED, rolled back and healthy',
  'rollback-failed': 'CANCELLED, rollback failed: needs a human',
};

/** The deploy report as Markdown: what, who, which ref, per-stage step timings, health, smoke and rollback; times in `timeZone`, with the offset. */
export function renderDeployReport(report: DeployReport, timeZone: string): string {
  const run = report.runUrl ? `[\`${report.workflowId}\`](${report.runUrl})` : `\`${report.workflowId}\``;
  const headline = (outcome: StageOutcome) => (report.cancelled ? CANCELLED_HEADLINE[outcome] : undefined) ?? HEADLINE[outcome];
  const lines = [
    `# Deploy ${report.app} ${report.sha ? report.sha.slice(0, 12) : report.ref}: ${headline(report.outcome)}`,
    '',
    report.sha ? `- Ref: \`${report.ref}\` → \`${report.sha}\`` : `- Ref: \`${report.ref}\` (not resolved)`,
    `- Started by: ${report.startedBy}`,
    `- Run: ${run}, ${formatLocalTime(report.startedAt, timeZone)} → ${formatLocalTime(report.finishedAt, timeZone)} (${formatDuration(seconds(report.startedAt, report.finishedAt))})`,
  ];
  if (report.error) lines.push(`- Error: ${oneLine(report.error)}`);
  if (report.cancelled) lines.push('- Cancelled: yes (Temporal UI or CLI); the steps below show where it stopped');
  lines.push('');
  for (const stage of report.stages) {
    lines.push(`## ${stage.stage}: ${headline(stage.outcome)}`, '');
    if (stage.approval) lines.push(`- Approval: ${stage.approval.approved ? 'approved' : 'rejected'} by ${stage.approval.by}${stage.approval.reason ? ` (${stage.approval.reason})` : ''}`);
    if (stage.previous !== undefined) lines.push(`- Replaced release: ${stage.previous ? `\`${stage.previous.slice(0, 12)}\`` : 'none (first deploy)'}`);
    if (stage.error) lines.push(`- Error: ${oneLine(stage.error)}`);
    if (stage.health) lines.push(`- Health: ${stage.health.urls.join(', ')} healthy after ${formatDuration(stage.health.healthyAfterSeconds)} (${stage.health.checks} checks)`);
    if (stage.smoke) lines.push(`- Smoke (${stage.smoke.level}): ${stage.smoke.status}${stage.smoke.exitCode !== undefined ? `, exit ${stage.smoke.exitCode}` : ''}, ${formatDuration(stage.smoke.durationSeconds)}`);
    if (stage.steps.length > 0) {
      lines.push('', '| Step | Status | Duration | Detail |', '| --- | --- | --- | --- |');
      for (const step of stage.steps) {
        const duration = step.startedAt && step.finishedAt ? formatDuration(seconds(step.startedAt, step.finishedAt)) : '—';
        lines.push(`| ${step.step} | ${step.status} | ${duration} | ${cell(step.detail ?? '')} |`);
      }
    }
    if (stage.smoke && stage.smoke.status === 'failed' && stage.smoke.outputTail) {
      lines.push('', '```', stage.smoke.outputTail.replace(/```/g, "'''"), '```');
    }
    lines.push('');
  }
  return lines.join('\n');
}

function seconds(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|');
}
