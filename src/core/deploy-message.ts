import type { AlertEvent } from './alert-rules.js';
import type { DeployReport } from './deploy-report.js';

/** The Slack line for a finished deploy: what, which outcome, why, a link to the run, and who started it. Never secrets: only names, SHAs and error messages. */
export function deployMessage(report: DeployReport): string {
  const what = `${report.app} \`${report.sha.slice(0, 12)}\` (${report.ref})`;
  const failed = report.stages.find((s) => s.outcome !== 'succeeded' && s.outcome !== 'skipped');
  const link = report.runUrl ? ` <${report.runUrl}|run>` : '';
  if (!failed) return `:white_check_mark: Deployed ${what} to ${report.stages.map((s) => s.stage).join(', ')}${link} (by ${report.startedBy})`;
  const why = failed.error ?? failed.approval?.reason ?? '';
  const verdict: Record<string, string> = {
    'rolled-back': `failed on ${failed.stage}, rolled back and healthy`,
    'rollback-failed': `failed on ${failed.stage}, rollback failed: needs a human`,
    failed: `failed on ${failed.stage}`,
    rejected: `stopped before ${failed.stage}: approval ${failed.approval?.by === 'timeout' ? 'timed out' : `rejected by ${failed.approval?.by ?? 'unknown'}`}`,
  };
  return `:x: Deploy ${what} ${verdict[failed.outcome] ?? failed.outcome}${why ? `: ${why}` : ''}${link} (by ${report.startedBy})`;
}

/**
 * The alert for a deploy that failed or was rolled back: the app, the stage and its error, the run.
 * None for a deploy that succeeded or was stopped at an approval (a decision, not a failure).
 */
export function deployAlert(report: DeployReport): AlertEvent | undefined {
  const failed = report.stages.find((s) => s.outcome === 'failed' || s.outcome === 'rolled-back' || s.outcome === 'rollback-failed');
  if (!failed) return undefined;
  return {
    kind: failed.outcome === 'rolled-back' ? 'deploy-rolled-back' : 'deploy-failed',
    subject: report.app,
    cause: `${report.sha.slice(0, 12)} on ${failed.stage}${failed.outcome === 'rollback-failed' ? ' (rollback failed: needs a human)' : ''}: ${failed.error ?? failed.outcome}`,
    ...(report.runUrl ? { runUrl: report.runUrl } : {}),
  };
}
