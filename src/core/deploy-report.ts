import { formatDuration, formatLocalTime } from './format.js';
import { cell, oneLine } from './markdown-text.js';
import { describeMigrationNeed, type MigrationNeed } from './migration-need.js';

export type StageOutcome = 'succeeded' | 'failed' | 'rolled-back' | 'rollback-failed' | 'rejected' | 'cancelled' | 'skipped';

/** How one host of a stage of several ended: `not switched` is a host the rollout never reached, left as it was. */
export type HostOutcome = 'deployed' | 'rolled-back' | 'rollback-failed' | 'not switched';

export interface HostReport {
  host: string;
  /** What `current` named on this host before the switch. */
  previous?: string | null;
  /** The release this host was switched to; none when its switch never completed. */
  switchedTo?: string;
  health?: 'passed' | 'failed';
  outcome: HostOutcome;
  error?: string;
  /** build.once: the image IDs on this host. */
  images?: Record<string, string>;
}

export interface StageReport {
  stage: string;
  outcome: StageOutcome;
  /** A stage of several hosts: one row per host, in rollout order. */
  hosts?: HostReport[];
  /** What `current` named before the switch (on the first host): the deployed sha itself for a redeploy. */
  previous?: string | null;
  /** The release a failure after the switch goes back to: the one replaced, or for a redeploy the last healthy one before it. */
  rollbackTo?: string | null;
  steps: Array<{ step: string; status: string; startedAt?: string; finishedAt?: string; detail?: string }>;
  health?: { urls: string[]; healthyAfterSeconds: number; checks: number };
  /** build.once: the IDs of the SHA-tagged images on this stage's host (built on the first stage, shipped to the rest). */
  images?: Record<string, string>;
  smoke?: { level: string; status: string; exitCode?: number; outputTail: string; durationSeconds: number };
  error?: string;
  approval?: { approved: boolean; by: string; reason?: string };
  /** Whether the stage migrated and why; only for an app with `migrate:`. */
  migration?: MigrationNeed;
  /** How `migrate.command` ended; the output tail only for a failure. */
  migrationRun?: { status: string; exitCode?: number; outputTail: string; durationSeconds: number };
  /** The answer at the gate offering to restore the database after a migrated stage failed, and the restore's outcome. */
  databaseRestore?: { approved: boolean; by: string; reason?: string; status?: string; keptAs?: string; error?: string };
  /** The verified backup a migrating stage took first. */
  preDeployBackup?: { database: string; backupId: string; tag: string; verify: string; error?: string };
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
  /** `skipped`: started with --skip-promotion-check, so a stage may have received a SHA that did not pass the stages before it. */
  promotionCheck?: 'skipped';
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
  const headline = (outcome: StageOutcome) => (report.cancelled ? CANCELLED_HEADLINE[outcome] : undefined) ?? HEADLINE[outcome];
  const lines = [
    `# Deploy ${report.app} ${report.sha ? report.sha.slice(0, 12) : report.ref}: ${headline(report.outcome)}`,
    '',
    report.sha ? `- Ref: \`${report.ref}\` → \`${report.sha}\`` : `- Ref: \`${report.ref}\` (not resolved)`,
    `- Started by: ${report.startedBy}`,
    runLine(report, timeZone),
  ];
  if (report.promotionCheck === 'skipped') lines.push('- Promotion check: SKIPPED (--skip-promotion-check): stages were not required to have passed the ones before them');
  if (report.error) lines.push(`- Error: ${oneLine(report.error)}`);
  if (report.cancelled) lines.push('- Cancelled: yes (Temporal UI or CLI); the steps below show where it stopped');
  lines.push('');
  for (const stage of report.stages) {
    lines.push(`## ${stage.stage}: ${headline(stage.outcome)}`, '');
    if (stage.approval) lines.push(`- Approval: ${stage.approval.approved ? 'approved' : 'rejected'} by ${stage.approval.by}${stage.approval.reason ? ` (${stage.approval.reason})` : ''}`);
    if (stage.previous !== undefined) lines.push(`- Replaced release: ${replaced(stage.previous, report.sha)}`);
    if (stage.outcome === 'rolled-back' && stage.rollbackTo) lines.push(`- Rolled back to: \`${stage.rollbackTo.slice(0, 12)}\``);
    if (stage.migration) lines.push(`- Migration: ${oneLine(describeMigrationNeed(stage.migration))}`);
    if (stage.preDeployBackup) lines.push(`- Pre-deploy backup: \`${stage.preDeployBackup.backupId}\` (${stage.preDeployBackup.tag}), verify ${stage.preDeployBackup.verify}`);
    if (stage.migrationRun) lines.push(`- Migration run: ${stage.migrationRun.status}${stage.migrationRun.exitCode !== undefined ? `, exit ${stage.migrationRun.exitCode}` : ''}, ${formatDuration(stage.migrationRun.durationSeconds)}`);
    if (stage.error) lines.push(`- Error: ${oneLine(stage.error)}`);
    for (const [name, id] of Object.entries(stage.images ?? {})) lines.push(`- Image: \`${name}\` \`${id}\``);
    if (stage.databaseRestore) lines.push(`- Database restore: ${databaseRestoreLine(stage.databaseRestore)}`);
    if (stage.health) lines.push(`- Health: ${stage.health.urls.join(', ')} healthy after ${formatDuration(stage.health.healthyAfterSeconds)} (${stage.health.checks} checks)`);
    if (stage.smoke) lines.push(`- Smoke (${stage.smoke.level}): ${stage.smoke.status}${stage.smoke.exitCode !== undefined ? `, exit ${stage.smoke.exitCode}` : ''}, ${formatDuration(stage.smoke.durationSeconds)}`);
    if (stage.hosts) lines.push('', ...hostTable(stage.hosts));
    if (stage.steps.length > 0) lines.push('', ...stepTable(stage.steps));
    if (stage.migrationRun && stage.migrationRun.status === 'failed' && stage.migrationRun.outputTail) {
      lines.push('', 'Migration output (last lines):', '', '```', stage.migrationRun.outputTail.replace(/```/g, "'''"), '```');
    }
    if (stage.smoke && stage.smoke.status === 'failed' && stage.smoke.outputTail) {
      lines.push('', '```', stage.smoke.outputTail.replace(/```/g, "'''"), '```');
    }
    lines.push('');
  }
  return lines.join('\n');
}

function replaced(previous: string | null, sha: string | undefined): string {
  if (!previous) return 'none (first deploy)';
  return previous === sha ? `\`${previous.slice(0, 12)}\` (same release, redeployed)` : `\`${previous.slice(0, 12)}\``;
}

/** The run's line: its Web UI link (which names the run, not just the workflow id) and its times. */
export function runLine(run: { workflowId: string; runUrl?: string; startedAt: string; finishedAt: string }, timeZone: string): string {
  const id = run.runUrl ? `[\`${run.workflowId}\`](${run.runUrl})` : `\`${run.workflowId}\``;
  return `- Run: ${id}, ${formatLocalTime(run.startedAt, timeZone)} → ${formatLocalTime(run.finishedAt, timeZone)} (${formatDuration(seconds(run.startedAt, run.finishedAt))})`;
}

/** Steps as a Markdown table: status, duration (— for a step that never ran to an end) and detail. */
function databaseRestoreLine(answer: NonNullable<StageReport['databaseRestore']>): string {
  const who = `by ${answer.by}${answer.reason ? ` (${oneLine(answer.reason)})` : ''}`;
  if (!answer.approved) return `declined ${who}; the database stays migrated`;
  return `approved ${who}: ${answer.status}${answer.keptAs ? `, migrated database kept as ${answer.keptAs}` : ''}${answer.error ? `: ${oneLine(answer.error)}` : ''}`;
}

/** A stage of several hosts, a row per host: where each one stood before, where it went, and how it ended. */
export function hostTable(hosts: HostReport[]): string[] {
  const sha = (value: string | null | undefined) => (value ? `\`${value.slice(0, 12)}\`` : value === null ? 'none' : '—');
  const rows = hosts.map((h) => {
    const images = Object.entries(h.images ?? {}).map(([name, id]) => `${name} ${id}`).join(', ');
    return `| ${h.host} | ${sha(h.previous)} | ${sha(h.switchedTo)} | ${h.health ?? '—'} | ${h.outcome} | ${cell(h.error ?? '')} | ${cell(images)} |`;
  });
  return ['| Host | Previous | Switched to | Health | Outcome | Error | Images |', '| --- | --- | --- | --- | --- | --- | --- |', ...rows];
}

export function stepTable(steps: StageReport['steps']): string[] {
  const rows = steps.map((step) => {
    const duration = step.startedAt && step.finishedAt ? formatDuration(seconds(step.startedAt, step.finishedAt)) : '—';
    return `| ${step.step} | ${step.status} | ${duration} | ${cell(step.detail ?? '')} |`;
  });
  return ['| Step | Status | Duration | Detail |', '| --- | --- | --- | --- |', ...rows];
}

function seconds(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

